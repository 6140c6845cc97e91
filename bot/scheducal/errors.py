"""Exceptions raised by the ScheduCal client, one class per documented error code.

Every exception carries ``status`` (HTTP status, ``None`` when no reply arrived),
``code`` and ``param`` (from the error envelope, when the reply had one) and
``message`` (the server's sentence, or ours when the server gave none). Callers turn
these into sentences a person can act on; nothing here knows about Slack.

``after_ambiguous_attempt`` is True when an earlier attempt of the same call timed out,
lost its connection after the request was sent, or got 500/502/504, so that attempt
may have taken effect. Then a :class:`DuplicateRequest` on create means "probably created already",
and :class:`AppointmentAlreadyCancelled` on cancel means "probably cancelled by us".

No exception text ever contains the API key or secret: the client redacts them from
server messages and from the text of network errors before building an exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class ScheduCalError(Exception):
    """Base class: a ScheduCal call failed."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        param: str | None = None,
        after_ambiguous_attempt: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.param = param
        self.after_ambiguous_attempt = after_ambiguous_attempt

    def __str__(self) -> str:
        details = []
        if self.status is not None:
            details.append(f"HTTP {self.status}")
        if self.code:
            details.append(self.code)
        if self.param:
            details.append(f"param {self.param}")
        return f"{self.message} ({', '.join(details)})" if details else self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(message={self.message!r}, status={self.status!r}, "
            f"code={self.code!r}, param={self.param!r})"
        )


class InvalidTimeRange(ScheduCalError):
    """``invalid_time_range``: end is before or equal to start."""


class MissingRequiredField(ScheduCalError):
    """``missing_required_field``: ``param`` names the field."""


class InvalidEmail(ScheduCalError):
    """``invalid_email``: an address is malformed; ``param`` names the field."""


class AppointmentNotFound(ScheduCalError):
    """``appointment_not_found``: the id does not exist (or is not this account's)."""


class AppointmentAlreadyCancelled(ScheduCalError):
    """``appointment_already_cancelled``: update or cancel of a cancelled appointment."""


class InvalidCredentials(ScheduCalError):
    """``invalid_credentials``: the API key or secret is missing, malformed or revoked."""


class RateLimitExceeded(ScheduCalError):
    """``rate_limit_exceeded`` (429) that the client did not retry away.

    ``retry_after`` is the server's ``Retry-After`` in seconds, when it sent one.
    """

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class DuplicateRequest(ScheduCalError):
    """409: ScheduCal saw the same request already.

    With ``after_ambiguous_attempt`` the earlier attempt of this very call most likely
    succeeded: the appointment (or invitation) probably exists although this call has
    no reply for it. ``existing_id`` is the earlier object's id when the server gave it.
    """

    def __init__(self, message: str, *, existing_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.existing_id = existing_id


class WebhookNotFound(ScheduCalError):
    """``webhook_not_found`` (404): no webhook with that id for this account.

    Not in the public docs' code table; the sandbox answers it and the webhook
    endpoints need a 404 that is not "appointment not found".
    """


class ScheduCalServerError(ScheduCalError):
    """5xx, still failing after the client's retries (or another unexpected status)."""


class ScheduCalProtocolError(ScheduCalError):
    """The reply was not the documented envelope: not JSON, or a field missing or mistyped."""


class ScheduCalConnectionError(ScheduCalError):
    """No reply: timeouts, refused or reset connections, still failing after retries."""


ERROR_CODES: Mapping[str, type[ScheduCalError]] = {
    "invalid_time_range": InvalidTimeRange,
    "missing_required_field": MissingRequiredField,
    "invalid_email": InvalidEmail,
    "appointment_not_found": AppointmentNotFound,
    "appointment_already_cancelled": AppointmentAlreadyCancelled,
    "invalid_credentials": InvalidCredentials,
    "rate_limit_exceeded": RateLimitExceeded,
    "webhook_not_found": WebhookNotFound,
}


def error_class(status: int, code: str | None) -> type[ScheduCalError]:
    """The exception class for an error reply: by documented code, else by status.

    409 is always :class:`DuplicateRequest` (the docs give no code for it). 401, 429 and
    5xx mean one thing whatever the code; a 404 without a code is taken as the
    documented "appointment does not exist". An unknown code otherwise gives the base
    class, with ``code`` set, so callers can still tell what happened.
    """
    if status == 409:
        return DuplicateRequest
    if code and code in ERROR_CODES:
        return ERROR_CODES[code]
    if status == 401:
        return InvalidCredentials
    if status == 429:
        return RateLimitExceeded
    if status >= 500:
        return ScheduCalServerError
    if status == 404 and not code:
        return AppointmentNotFound
    return ScheduCalError
