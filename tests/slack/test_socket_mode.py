"""Socket Mode: `serve` with SLACK_APP_TOKEN takes a slash command over a WebSocket.

devslack has no Socket Mode, so this test puts a small stand-in in front of it:
`apps.connections.open` returns a ws:// URL served here; every other Web API method is
forwarded to devslack. The WebSocket sends one `slash_commands` envelope the way Slack
does and waits for the app's acknowledgement with the same envelope id.
"""

from __future__ import annotations

import asyncio
import json

import aiohttp
from aiohttp import web

from bot.config import Settings
from bot.devslack.server import DevSlackServer
from bot.sandbox.server import SandboxServer
from bot.serve import serve
from tests.slack.harness import ANN, GENERAL
from tests.slack.test_serve import free_port

APP_TOKEN = "xapp-1-A0DEV-1-" + "a" * 32


async def test_slash_command_over_socket_mode(tmp_path):
    acks: asyncio.Queue[dict] = asyncio.Queue()

    async with SandboxServer() as sandbox, DevSlackServer() as slack:
        slack.add_user(ANN, "ann", "Ann", "ann@acme.com", "America/New_York")
        slack.add_channel(GENERAL, "general")
        command = {
            "token": slack.verification_token,
            "team_id": slack.team_id,
            "channel_id": GENERAL,
            "user_id": ANN,
            "command": "/meet",
            "text": "help",
            "response_url": slack.new_response_url(ANN, GENERAL),
            "trigger_id": slack.new_trigger(ANN).id,
        }

        async def connections_open(request: web.Request) -> web.Response:
            assert request.headers["Authorization"] == f"Bearer {APP_TOKEN}"
            url = f"ws://127.0.0.1:{request.url.port}/link"
            return web.json_response({"ok": True, "url": url})

        async def forward(request: web.Request) -> web.Response:
            method = request.match_info["method"]
            async with slack.session.request(
                request.method,
                slack.api_url + method,
                data=await request.read(),
                headers={k: v for k, v in request.headers.items() if k.lower() != "host"},
            ) as resp:
                return web.Response(
                    status=resp.status, body=await resp.read(), content_type=resp.content_type
                )

        async def link(request: web.Request) -> web.WebSocketResponse:
            ws = web.WebSocketResponse()
            await ws.prepare(request)
            await ws.send_json({"type": "hello", "num_connections": 1})
            envelope = {
                "envelope_id": "env-1",
                "type": "slash_commands",
                "accepts_response_payload": True,
                "payload": command,
            }
            await ws.send_json(envelope)
            async for message in ws:
                if message.type == aiohttp.WSMsgType.TEXT:
                    await acks.put(json.loads(message.data))
            return ws

        front = web.Application()
        front.router.add_post("/api/apps.connections.open", connections_open)
        front.router.add_route("*", "/api/{method}", forward)
        front.router.add_get("/link", link)
        runner = web.AppRunner(front)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]

        settings = Settings().with_overrides(
            slack_bot_token=slack.bot_token,
            slack_app_token=APP_TOKEN,
            slack_api_url=f"http://127.0.0.1:{port}/api/",
            scheducal_api_url=sandbox.url,
            scheducal_api_key=sandbox.api_key,
            scheducal_api_secret=sandbox.api_secret,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'socket.sqlite3'}",
            port=free_port(),
        )
        stop = asyncio.Event()
        server = asyncio.create_task(serve(settings, stop))
        try:
            ack = await asyncio.wait_for(acks.get(), 15)
            assert ack["envelope_id"] == "env-1"
            await slack.wait_for(lambda: slack.ephemerals(ANN))
            assert "/meet list" in slack.ephemerals(ANN)[-1]["blocks"][0]["text"]["text"]
            # Without a signing secret nothing could verify HTTP requests: no route.
            async with slack.session.post(
                f"http://127.0.0.1:{settings.port}/slack/events", data=b"x"
            ) as resp:
                assert resp.status == 404
        finally:
            stop.set()
            await asyncio.wait_for(server, 15)
            await runner.cleanup()


async def test_serve_stops_while_the_websocket_is_unreachable(tmp_path):
    async def connections_open(request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{free_port()}/gone"})

    front = web.Application()
    front.router.add_post("/api/apps.connections.open", connections_open)
    runner = web.AppRunner(front)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    async with SandboxServer() as sandbox:
        settings = Settings().with_overrides(
            slack_bot_token="xoxb-test",
            slack_app_token=APP_TOKEN,
            slack_api_url=f"http://127.0.0.1:{port}/api/",
            scheducal_api_url=sandbox.url,
            scheducal_api_key=sandbox.api_key,
            scheducal_api_secret=sandbox.api_secret,
            database_url=f"sqlite+aiosqlite:///{tmp_path / 'gone.sqlite3'}",
            port=free_port(),
        )
        stop = asyncio.Event()
        server = asyncio.create_task(serve(settings, stop))
        await asyncio.sleep(0.5)  # slack_sdk keeps retrying the WebSocket meanwhile
        assert not server.done()
        stop.set()
        await asyncio.wait_for(server, 10)  # SIGTERM's path: stops instead of hanging
    await runner.cleanup()
