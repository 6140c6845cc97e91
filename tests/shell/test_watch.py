"""Interactive shell: what arrives while the person is typing is shown, then the prompt."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from slack_sdk.web.async_client import AsyncWebClient

from bot.shell import DEMO_CHANNEL, Shell, _watch, start_world


async def test_late_messages_are_shown_with_a_fresh_prompt(tmp_path: Path):
    async with start_world(tmp_path / "shell.sqlite3") as world:
        out = io.StringIO()
        shell = Shell(world, out, "U0ALEX", quiet=0.1)
        busy = asyncio.Lock()
        watcher = asyncio.create_task(_watch(shell, busy, lambda: "alex> "))
        try:
            client = AsyncWebClient(token=world.slack.bot_token, base_url=world.slack.api_url)
            async with busy:  # while a command runs, the watcher stays quiet
                await client.chat_postMessage(channel=DEMO_CHANNEL[0], text="During a command")
                await asyncio.sleep(0.8)
                assert out.getvalue() == ""
            await world.slack.wait_for(lambda: "During a command" in out.getvalue(), timeout=5)
            await client.chat_postMessage(channel=DEMO_CHANNEL[0], text="A late message")
            await world.slack.wait_for(lambda: "A late message" in out.getvalue(), timeout=5)
        finally:
            watcher.cancel()
    text = out.getvalue()
    assert text.endswith("alex> ")
    assert text.count("During a command") == 1
    assert "#general" in text
