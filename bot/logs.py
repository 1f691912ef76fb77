"""Logging with personal data masked: NIK, phone numbers and e-mails never reach a log line."""

from __future__ import annotations

import logging

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


def setup_logging(level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)  # start-up noise
