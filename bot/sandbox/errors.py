"""The error every sandbox handler raises; the middleware renders it as the documented envelope."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An API error: HTTP ``status``, machine ``code``, human ``message``, offending ``param``.

    ``extra`` goes into the ``error`` object next to ``code`` and ``param`` (for example the
    existing ``appointmentId`` of a duplicate create); ``headers`` are added to the reply
    (``Retry-After`` on 429).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        param: str | None = None,
        *,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.param = param
        self.extra = extra or {}
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "param": self.param, **self.extra}
        return {"success": False, "message": self.message, "error": error}


def missing(param: str, what: str | None = None) -> ApiError:
    return ApiError(400, "missing_required_field", f"{what or param} is required", param)


def not_found(appointment_id: str) -> ApiError:
    return ApiError(
        404,
        "appointment_not_found",
        f"no appointment with id {appointment_id!r} exists for this account",
        "appointmentId",
    )


def already_cancelled(appointment_id: str) -> ApiError:
    return ApiError(
        404,
        "appointment_already_cancelled",
        f"appointment {appointment_id!r} was cancelled; a cancelled appointment cannot change",
        "appointmentId",
    )
