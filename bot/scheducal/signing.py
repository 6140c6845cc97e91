"""Sign and verify ``X-ScheduCal-Signature`` (``sha256=<hex HMAC-SHA256 of the raw body>``).

Verification runs on the raw request bytes, before any JSON parsing, and compares in
constant time against every active secret, so a secret can be rotated without a
failed delivery.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

SIGNATURE_HEADER = "X-ScheduCal-Signature"
_PREFIX = "sha256="


def signature_hex(body: bytes, secret: str) -> str:
    """Hex HMAC-SHA256 of ``body`` keyed with ``secret`` (the secret as UTF-8 bytes)."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def sign(body: bytes, secret: str) -> str:
    """The header value ScheduCal sends for ``body``: ``sha256=<hex>``."""
    return _PREFIX + signature_hex(body, secret)


def verify(body: bytes, header: str | None, secrets: Iterable[str]) -> bool:
    """True when ``header`` is a valid signature of ``body`` under any of ``secrets``.

    Every secret is compared (no early exit on the first match) so timing does not
    tell which secret, or how much of a signature, matched.
    """
    if not header or not header.startswith(_PREFIX):
        return False
    given = header[len(_PREFIX) :].strip().lower().encode("ascii", "replace")
    matched = False
    for secret in secrets:
        if not secret:
            continue
        expected = signature_hex(body, secret).encode("ascii")
        matched |= hmac.compare_digest(expected, given)
    return matched
