"""Log lines never carry an owner's NIK, phone number or e-mail (UU PDP)."""

from __future__ import annotations

import logging

import pytest

from bot.logs import StderrHandler, setup_logging


def test_personal_data_is_masked_in_logs(capsys: pytest.CaptureFixture[str]) -> None:
    setup_logging("INFO")
    try:
        message = "owner %s, NIK 3201234567890001, siti.aminah@gmail.com"
        logging.getLogger("bot.test").info(message, "081234567890")
        logged = capsys.readouterr().err
    finally:
        root = logging.getLogger()
        root.handlers[:] = [h for h in root.handlers if not isinstance(h, StderrHandler)]
        root.setLevel(logging.WARNING)
    assert "3201234567890001" not in logged and "081234567890" not in logged
    assert "siti.aminah@gmail.com" not in logged and "[NIK_1]" in logged
