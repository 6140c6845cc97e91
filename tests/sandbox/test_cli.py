"""`scheducal-bot sandbox` as a real process: banner, working credentials, no secrets in logs."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys

import aiohttp

from bot import cli

COMMAND = [sys.executable, "-m", "bot.cli", "sandbox"]


async def start(*args: str) -> tuple[asyncio.subprocess.Process, dict[str, str]]:
    process = await asyncio.create_subprocess_exec(
        *COMMAND, *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert process.stdout is not None
    env: dict[str, str] = {}
    async with asyncio.timeout(15):
        while True:
            line = (await process.stdout.readline()).decode()
            assert line, "the sandbox exited before printing its banner"
            if match := re.match(r"^\s+([A-Z_]+)=(\S+)$", line):
                env[match[1]] = match[2]
            if line.startswith("Press Ctrl-C"):
                return process, env


async def stop(process: asyncio.subprocess.Process) -> tuple[int, str]:
    process.send_signal(signal.SIGINT)
    async with asyncio.timeout(15):
        _, stderr = await process.communicate()
    return process.returncode or 0, stderr.decode()


async def test_prints_env_lines_that_work_and_logs_no_secret() -> None:
    process, env = await start("--port", "0", "--log-level", "DEBUG", "--rate-limit", "0")
    try:
        assert env["SCHEDUCAL_API_URL"].startswith("http://127.0.0.1:")
        creds = {"apiKey": env["SCHEDUCAL_API_KEY"], "apiSecret": env["SCHEDUCAL_API_SECRET"]}
        async with aiohttp.ClientSession() as http:
            base = env["SCHEDUCAL_API_URL"] + "/api/v1"
            async with http.get(base + "/webhooks", params=creds) as response:
                assert response.status == 200
            body = {
                **creds,
                "webhookUrl": "https://example.com/h",
                "eventTypes": ["attendee.responded"],
            }
            async with http.post(base + "/webhooks", json=body) as response:
                assert response.status == 201
                whsec = (await response.json())["data"]["secret"]
    finally:
        code, stderr = await stop(process)
    assert code == 0
    assert "GET /api/v1/webhooks -> 200" in stderr  # the access log ran ...
    for secret in (*creds.values(), whsec):
        assert secret not in stderr  # ... without query strings or bodies


async def test_fixed_credentials_and_startup_webhook() -> None:
    process, env = await start(
        "--port", "0", "--api-key", "sk_fixed", "--api-secret", "fixed-secret",
        "--webhook-url", "http://127.0.0.1:9/hook", "--webhook-secret", "whsec_fixed",
        "--time-scale", "0.001",
    )  # fmt: skip
    code, _ = await stop(process)
    assert code == 0
    assert env["SCHEDUCAL_API_KEY"] == "sk_fixed"
    assert env["SCHEDUCAL_API_SECRET"] == "fixed-secret"
    assert env["SCHEDUCAL_WEBHOOK_SECRET"] == "whsec_fixed"


def test_bad_flags_are_refused(capsys) -> None:  # noqa: ANN001
    assert cli.main(["sandbox", "--webhook-url", "http://127.0.0.1:9/h",
                     "--webhook-secret", "nope"]) == 2  # fmt: skip
    assert "--webhook-secret must start with whsec_" in capsys.readouterr().err
    assert cli.main(["sandbox", "--webhook-url", "http://bot.example.com/hook"]) == 2
    assert "--webhook-url: webhookUrl must use HTTPS" in capsys.readouterr().err
    for flags in (["--time-scale", "0"], ["--rate-limit", "-1"], ["--time-scale", "fast"]):
        try:
            cli.main(["sandbox", *flags])
        except SystemExit as exc:
            assert exc.code == 2
        else:
            raise AssertionError(f"{flags} was accepted")


async def test_port_in_use_is_one_clear_line() -> None:
    blocker = await asyncio.start_server(lambda r, w: None, "127.0.0.1", 0)
    port = blocker.sockets[0].getsockname()[1]
    try:
        process = await asyncio.create_subprocess_exec(
            *COMMAND, "--port", str(port),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        async with asyncio.timeout(15):
            _, stderr = await process.communicate()
    finally:
        blocker.close()
    assert process.returncode == 1
    text = stderr.decode().strip()
    assert text.startswith(f"scheducal-bot sandbox: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in text
