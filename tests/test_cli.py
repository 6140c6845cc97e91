"""The console script lists every subcommand and reports configuration errors in one line."""

from __future__ import annotations

import subprocess
import sys

from bot.cli import SUBCOMMANDS


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_help_lists_every_subcommand_and_setting() -> None:
    result = _run("--help")
    assert result.returncode == 0
    for name in ("serve", "shell", "sandbox", "parse", "db", "webhooks"):
        assert name in SUBCOMMANDS
        assert f"    {name}" in result.stdout
    assert "DATABASE_URL" in result.stdout
    assert "SCHEDUCAL_WEBHOOK_SECRET" in result.stdout


def test_each_subcommand_has_its_own_help() -> None:
    for name in SUBCOMMANDS:
        result = _run(name, "--help")
        assert result.returncode == 0, (name, result.stderr)
        assert "usage: scheducal-bot " + name in result.stdout


def test_unknown_subcommand_is_an_error() -> None:
    result = _run("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr
