"""Webhook registration endpoints: register, list, update, delete, regenerate secret."""

from __future__ import annotations

import uuid

import pytest

from bot.scheducal.events import EVENT_TYPES
from tests.sandbox.conftest import Api

HOOK = "https://bot.example.com/webhooks/scheducal"


async def register(api: Api, url: str = HOOK, types: list[str] | None = None):  # noqa: ANN201
    return await api.call(
        "POST", "/api/v1/webhooks", {"webhookUrl": url, "eventTypes": types or list(EVENT_TYPES)}
    )


async def test_register_returns_id_and_whsec_secret(api: Api) -> None:
    reply = await register(api, types=["attendee.responded"])
    assert reply.status == 201
    data = reply.data
    assert uuid.UUID(data["webhookId"]).version == 4
    assert data["secret"].startswith("whsec_") and len(data["secret"]) > 30
    assert data["webhookUrl"] == HOOK
    assert data["eventTypes"] == ["attendee.responded"]


async def test_list_uses_query_credentials_and_hides_secrets(api: Api) -> None:
    first = (await register(api)).data
    second = (await register(api, "https://other.example.com/hook", ["appointment.canceled"])).data
    reply = await api.get_webhooks()
    assert reply.status == 200
    listed = {w["webhookId"]: w for w in reply.data["webhooks"]}
    assert set(listed) == {first["webhookId"], second["webhookId"]}
    assert all("secret" not in w for w in listed.values())
    assert listed[second["webhookId"]]["eventTypes"] == ["appointment.canceled"]


async def test_list_without_query_credentials_is_401(api: Api) -> None:
    # Credentials in a JSON body do not count for GET: the docs put them in the query.
    reply = await api.call("GET", "/api/v1/webhooks")
    assert reply.status == 401
    assert reply.error == {"code": "invalid_credentials", "param": "apiKey"}


async def test_update_url_types_and_active(api: Api) -> None:
    webhook_id = (await register(api)).data["webhookId"]
    reply = await api.call(
        "PATCH",
        f"/api/v1/webhooks/{webhook_id}",
        {"webhookUrl": "https://new.example.com/h", "eventTypes": ["appointment.updated"]},
    )
    assert reply.status == 200
    assert reply.data["webhookUrl"] == "https://new.example.com/h"
    assert reply.data["eventTypes"] == ["appointment.updated"]
    assert "secret" not in reply.data
    reply = await api.call("PATCH", f"/api/v1/webhooks/{webhook_id}", {"active": False})
    assert reply.data["active"] is False
    listed = (await api.get_webhooks()).data["webhooks"]
    assert listed[0]["active"] is False


@pytest.mark.parametrize(
    ("body", "status", "code", "param"),
    [
        ({}, 400, "missing_required_field", None),
        ({"webhookUrl": "http://bot.example.com/h"}, 422, "invalid_webhook_url", "webhookUrl"),
        ({"eventTypes": []}, 422, "invalid_event_type", "eventTypes"),
        ({"eventTypes": ["appointment.created"]}, 422, "invalid_event_type", "eventTypes"),
        ({"active": "yes"}, 400, "invalid_field", "active"),
    ],
)
async def test_update_errors(
    api: Api, body: dict, status: int, code: str, param: str | None
) -> None:
    webhook_id = (await register(api)).data["webhookId"]
    reply = await api.call("PATCH", f"/api/v1/webhooks/{webhook_id}", body)
    assert reply.status == status
    assert reply.error == {"code": code, "param": param}


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://bot.example.com/h", True),
        ("http://127.0.0.1:3000/webhooks/scheducal", True),
        ("http://localhost:3000/h", True),
        ("http://[::1]:3000/h", True),
        ("http://bot.example.com/h", False),
        ("ftp://bot.example.com/h", False),
        ("/webhooks/scheducal", False),
        ("not a url", False),
    ],
)
async def test_register_requires_https_except_loopback(api: Api, url: str, accepted: bool) -> None:
    reply = await register(api, url)
    if accepted:
        assert reply.status == 201
    else:
        assert reply.status == 422
        assert reply.error == {"code": "invalid_webhook_url", "param": "webhookUrl"}


@pytest.mark.parametrize(
    ("body", "status", "code", "param"),
    [
        ({"eventTypes": ["attendee.responded"]}, 400, "missing_required_field", "webhookUrl"),
        ({"webhookUrl": HOOK}, 400, "missing_required_field", "eventTypes"),
        ({"webhookUrl": HOOK, "eventTypes": "attendee.responded"}, 422, "invalid_event_type",
         "eventTypes"),
        ({"webhookUrl": HOOK, "eventTypes": ["attendee.maybe"]}, 422, "invalid_event_type",
         "eventTypes"),
    ],
)  # fmt: skip
async def test_register_errors(api: Api, body: dict, status: int, code: str, param: str) -> None:
    reply = await api.call("POST", "/api/v1/webhooks", body)
    assert reply.status == status
    assert reply.error == {"code": code, "param": param}


async def test_register_deduplicates_event_types(api: Api) -> None:
    reply = await register(api, types=["attendee.responded", "attendee.responded"])
    assert reply.data["eventTypes"] == ["attendee.responded"]


async def test_delete_with_query_credentials(api: Api) -> None:
    webhook_id = (await register(api)).data["webhookId"]
    reply = await api.call("DELETE", f"/api/v1/webhooks/{webhook_id}", params=api.creds, auth=False)
    assert reply.status == 200
    assert reply.data == {"webhookId": webhook_id, "deleted": True}
    assert (await api.get_webhooks()).data["webhooks"] == []
    again = await api.call("DELETE", f"/api/v1/webhooks/{webhook_id}", params=api.creds, auth=False)
    assert again.status == 404
    assert again.error == {"code": "webhook_not_found", "param": "webhookId"}


async def test_regenerate_secret_returns_a_new_one(api: Api) -> None:
    created = (await register(api)).data
    reply = await api.call("POST", f"/api/v1/webhooks/{created['webhookId']}/regenerate-secret")
    assert reply.status == 200
    assert reply.data["secret"].startswith("whsec_")
    assert reply.data["secret"] != created["secret"]
    assert reply.data["webhookId"] == created["webhookId"]


async def test_webhook_of_another_account_is_not_found(api: Api, sandbox) -> None:  # noqa: ANN001
    webhook_id = (await register(api)).data["webhookId"]
    other = Api(api.session, sandbox)
    other.key, other.secret = sandbox.add_account()
    for method, path, kwargs in [
        ("PATCH", f"/api/v1/webhooks/{webhook_id}", {"body": {"active": False}}),
        ("POST", f"/api/v1/webhooks/{webhook_id}/regenerate-secret", {}),
        ("DELETE", f"/api/v1/webhooks/{webhook_id}", {"params": other.creds, "auth": False}),
    ]:
        reply = await other.call(method, path, **kwargs)
        assert (reply.status, reply.error["code"]) == (404, "webhook_not_found"), method
    assert (await other.get_webhooks()).data["webhooks"] == []
    assert len((await api.get_webhooks()).data["webhooks"]) == 1


async def test_unknown_webhook_fields_are_refused(api: Api) -> None:
    reply = await api.call(
        "POST", "/api/v1/webhooks", {"webhookUrl": HOOK, "eventTypes": ["attendee.responded"],
                                     "events": ["x"]},
    )  # fmt: skip
    assert reply.status == 400
    assert reply.error == {"code": "unknown_field", "param": "events"}
