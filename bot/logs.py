"""Logging with personal data masked: NIK, phone numbers and e-mails never reach a log line."""

from __future__ import annotations

import logging
import sys
from typing import Any

from lokal import mask_pii


class MaskingFilter(logging.Filter):
    """Rewrites each record's message with PII replaced by placeholders (UU PDP)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg = mask_pii(record.getMessage()).text
            record.args = ()
        except Exception:  # noqa: BLE001 - a log line must never break a turn
            record.msg, record.args = "[log message withheld: could not mask]", ()
        return True


class StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever `sys.stderr` is when a record is emitted, not when the handler was made:
    test runners and process managers swap it, and a stale stream fails with "closed file"."""

    @property  # type: ignore[override]
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, _value: Any) -> None:
        pass


def setup_logging(level: str = "INFO") -> None:
    """Masked log lines on stderr; calling it again replaces its own handler, nobody else's."""
    handler = StderrHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [h for h in root.handlers if not isinstance(h, StderrHandler)] + [handler]
    root.setLevel(level.upper())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # start-up noise
