"""No token, secret or API key reaches a log line."""

from __future__ import annotations

import logging

from bot.logsetup import RedactSecrets


def _record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("t", logging.INFO, __file__, 1, message, args, None)


def test_known_secret_values_are_redacted() -> None:
    redact = RedactSecrets(["s3cr3t-value"])
    record = _record("calling with %s", "s3cr3t-value")
    assert redact.filter(record)
    assert "s3cr3t-value" not in record.getMessage()
    assert "[redacted]" in record.getMessage()


def test_token_shapes_are_redacted_even_when_unknown() -> None:
    redact = RedactSecrets()
    text = (
        "token xoxb-1234-5678-abcdef app xapp-1-A1-2-ff hook whsec_AbC123== "
        'url /api/v1/webhooks?apiKey=k123&apiSecret=s456 body {"apiSecret": "zz9"}'
    )
    cleaned = redact.redact(text)
    for leaked in ("xoxb-1234", "xapp-1-A1", "whsec_AbC123", "k123", "s456", "zz9"):
        assert leaked not in cleaned
    assert cleaned.count("[redacted]") == 6


def test_plain_messages_pass_untouched() -> None:
    redact = RedactSecrets(["secret"])
    record = _record("appointment %s created", "#12")
    assert redact.filter(record)
    assert record.getMessage() == "appointment #12 created"
