"""Logging set-up with a filter that keeps secrets out of every log line."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

# Token shapes that must never reach a log, whatever code logged them.
_SECRET_PATTERNS = re.compile(
    r"(xox[abprs]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|whsec_[A-Za-z0-9+/=_-]+"
    r"|(?<=apiSecret=)[^&\s\"']+|(?<=apiKey=)[^&\s\"']+"
    r"|(?<=\"apiSecret\": \")[^\"]+|(?<=\"apiKey\": \")[^\"]+)"
)


class RedactSecrets(logging.Filter):
    """Replace known secret values and token-shaped strings with ``[redacted]``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return _SECRET_PATTERNS.sub("[redacted]", text)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def configure_logging(level: str = "INFO", secrets: Iterable[str] = ()) -> None:
    """Log to stderr at ``level``; every handler redacts ``secrets`` and token shapes."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level.upper(), logging.INFO))
