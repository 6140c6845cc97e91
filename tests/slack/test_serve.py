"""`scheducal-bot serve` as a real process: settings checked, SQLite migrated, HTTP up,
signed Slack requests answered, clean stop on SIGTERM, no secret in its output."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys

from bot.devslack.server import DevSlackServer
from bot.sandbox.server import SandboxServer
from tests.slack.harness import ANN, GENERAL

SERVE = [sys.executable, "-m", "bot.cli", "serve"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**values: str) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "PYTHONPATH")}
    return {**keep, **values}


async def test_serve_refuses_to_start_without_its_secrets(tmp_path):
    process = await asyncio.create_subprocess_exec(
        *SERVE,
        env=clean_env(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}"),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 2
    assert stderr.decode().strip() == (
        "scheducal-bot: SLACK_BOT_TOKEN is not set: it is the "
        "Slack bot token (xoxb-...) used for every Web API call."
    )


async def test_serve_migrates_listens_answers_and_stops(tmp_path):
    port = free_port()
    database = tmp_path / "serve.sqlite3"
    async with SandboxServer() as sandbox, DevSlackServer() as slack:
        env = clean_env(
            SLACK_BOT_TOKEN=slack.bot_token,
            SLACK_SIGNING_SECRET=slack.signing_secret,
            SLACK_API_URL=slack.api_url,
            SCHEDUCAL_API_URL=sandbox.url,
            SCHEDUCAL_API_KEY=sandbox.api_key,
            SCHEDUCAL_API_SECRET=sandbox.api_secret,
            DATABASE_URL=f"sqlite+aiosqlite:///{database}",
            HOST="127.0.0.1",
            PORT=str(port),
            LOG_LEVEL="DEBUG",
        )
        process = await asyncio.create_subprocess_exec(
            *SERVE, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        try:
            url = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    async with slack.session.get(f"{url}/healthz") as resp:
                        if resp.status == 200:
                            break
                except OSError:
                    pass
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("serve did not come up")
            assert database.exists()

            slack.app_url = url + "/"
            slack.add_user(ANN, "ann", "Ann", "ann@acme.com", "America/New_York")
            slack.add_channel(GENERAL, "general")
            answer = await slack.send_command(ANN, GENERAL, "help")
            assert answer.status == 200
            await slack.wait_for(lambda: slack.ephemerals(ANN))
            assert "/meet list" in slack.ephemerals(ANN)[-1]["blocks"][0]["text"]["text"]
            assert slack.calls_to("auth.test")  # Bolt verified the token at SLACK_API_URL
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
            finally:
                if process.returncode is None:  # never leave a server behind
                    process.kill()
                    await process.wait()
        assert process.returncode == 0, stderr.decode()[-2000:]
        output = (stdout + stderr).decode()
        assert "listening on http://127.0.0.1:" in output
        for secret in (slack.bot_token, slack.signing_secret, sandbox.api_secret):
            assert secret not in output


async def test_socket_mode_failure_is_one_clear_line(tmp_path):
    async with SandboxServer() as sandbox, DevSlackServer() as slack:
        app_token = "xapp-1-A0DEV-123-" + "f" * 32
        env = clean_env(
            SLACK_BOT_TOKEN=slack.bot_token,
            SLACK_APP_TOKEN=app_token,  # devslack has no Socket Mode: the connection fails
            SLACK_API_URL=slack.api_url,
            SCHEDUCAL_API_URL=sandbox.url,
            SCHEDUCAL_API_KEY=sandbox.api_key,
            SCHEDUCAL_API_SECRET=sandbox.api_secret,
            DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'socket.sqlite3'}",
            PORT=str(free_port()),
        )
        process = await asyncio.create_subprocess_exec(
            *SERVE, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
        )
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), 30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    output = (stdout + stderr).decode()
    assert process.returncode == 1, output
    assert "scheducal-bot: could not open a Socket Mode connection" in output
    assert "check SLACK_APP_TOKEN" in output
    assert "Traceback" not in output and app_token not in output
