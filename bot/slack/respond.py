"""`respond()` over the process's one aiohttp session.

Bolt's own ``respond`` opens a new HTTP session (and connection) for every call; under
load that costs more than the answer itself. This one posts the same message shape
through the shared session and is installed per request by the app's middleware.
"""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_sdk.webhook.async_client import AsyncWebhookClient, WebhookResponse


class SessionRespond(AsyncRespond):
    def __init__(self, response_url: str, session: aiohttp.ClientSession) -> None:
        super().__init__(response_url=response_url)
        self._session = session

    async def __call__(  # type: ignore[override]
        self,
        text: str = "",
        blocks: list[dict[str, Any]] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        **extra: Any,
    ) -> WebhookResponse:
        message: dict[str, Any] = {
            "text": text,
            "blocks": blocks,
            "response_type": response_type,
            "replace_original": replace_original,
            "delete_original": delete_original,
            **extra,
        }
        client = AsyncWebhookClient(self.response_url, session=self._session)
        return await client.send_dict({k: v for k, v in message.items() if v is not None})
