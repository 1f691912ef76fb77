"""Telegram adapter: Update JSON -> Inbound, long polling, and `telegram set-webhook`."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest
from sqlalchemy import Engine
from telegram import Update

from bot.__main__ import main
from bot.channels import telegram
from bot.config import Settings, get_settings
from bot.messages import Attachment
from tests.channels import payloads
from tests.channels.conftest import PUBLIC_URL, TELEGRAM_SECRET, make_channels
from tests.support.fake_telegram import FakeTelegram


def _inbound(update: dict):  # noqa: ANN202
    return telegram.to_inbound(Update.de_json(update, None))


def test_text_message() -> None:
    inbound = _inbound(payloads.tg_text(555, "halo min"))
    assert (inbound.channel, inbound.address, inbound.text) == ("telegram", "555", "halo min")
    assert inbound.message_id.startswith("555:") and inbound.profile_name == "Siti Aminah"


def test_button_tap() -> None:
    inbound = _inbound(payloads.tg_callback(555, "consent#1"))
    assert (inbound.address, inbound.choice, inbound.text) == ("555", "consent#1", "")
    assert inbound.message_id.startswith("cb:") and inbound.raw["callback_query_id"]


def test_own_contact_is_a_shared_phone_and_someone_elses_is_text() -> None:
    assert _inbound(payloads.tg_contact(555, "6281234567890")).shared_phone == "+6281234567890"
    other = _inbound(payloads.tg_contact(555, "6281234567899", own=False))
    assert other.shared_phone is None and other.text == "6281234567899"


def test_photo_and_document() -> None:
    photo = _inbound(payloads.tg_photo(555, "AgAC-big", size=90_000))
    assert photo.attachments == (Attachment("image", "image/jpeg", 90_000, "telegram:AgAC-big"),)
    doc = _inbound(payloads.tg_document(555, "BQAC-1", "nib.pdf", "application/pdf", 1234))
    assert doc.attachments == (Attachment("document", "application/pdf", 1234, "telegram:BQAC-1", "nib.pdf"),)


def test_long_polling_runs_the_same_turns(
    channel_settings: Settings,
    db: Engine,
    fake_tg: FakeTelegram,
    fake_tw,  # noqa: ANN001
) -> None:
    fake_tg.updates.append(payloads.tg_text(777501, "halo"))
    for _ in make_channels(channel_settings, db, fake_tg, fake_tw, telegram_polling=True):
        deadline = time.monotonic() + 10
        while not fake_tg.sent(777501) and time.monotonic() < deadline:
            time.sleep(0.05)
    assert "Naik Kelas" in fake_tg.sent(777501)[0]["text"]
    assert fake_tg.called("deleteWebhook")
    assert fake_tg.called("getUpdates")[0]["allowed_updates"] == ["message", "callback_query"]


def test_polling_conflict_is_reported_clearly_and_retried(fake_tg: FakeTelegram, caplog) -> None:  # noqa: ANN001
    fake_tg.fail("getUpdates", 409, "Conflict: terminated by other getUpdates request")
    fake_tg.updates.append(payloads.tg_text(777502, "halo"))
    settings = Settings(_env_file=None, telegram_bot_token=fake_tg.token, telegram_api_url=fake_tg.base_url)
    seen: list[Update] = []

    async def run() -> None:
        bot = telegram.build_bot(settings)
        async with bot:
            task = asyncio.create_task(telegram.poll(bot, _collect(seen), timeout=0, retry_seconds=0.01))
            while not seen:
                await asyncio.sleep(0.01)
            task.cancel()

    with caplog.at_level(logging.ERROR):
        asyncio.run(asyncio.wait_for(run(), 10))
    assert "409 Conflict" in caplog.text and "Another process is polling" in caplog.text
    assert seen[0].message.text == "halo"


def _collect(seen: list[Update]):  # noqa: ANN202
    async def handle(update: Update) -> None:
        seen.append(update)

    return handle


@pytest.fixture
def env_settings(monkeypatch: pytest.MonkeyPatch, fake_tg: FakeTelegram):  # noqa: ANN201
    monkeypatch.chdir("/")
    for name, value in {
        "PUBLIC_URL": PUBLIC_URL,
        "TELEGRAM_BOT_TOKEN": fake_tg.token,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_URL": fake_tg.base_url,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_set_webhook_command(env_settings: None, fake_tg: FakeTelegram, capsys) -> None:  # noqa: ANN001
    assert main(["telegram", "set-webhook"]) == 0
    assert fake_tg.webhook["url"] == PUBLIC_URL + "/webhooks/telegram"
    assert fake_tg.webhook["secret_token"] == TELEGRAM_SECRET
    assert fake_tg.webhook["allowed_updates"] == ["message", "callback_query"]
    assert "Telegram webhook set" in capsys.readouterr().out


def test_set_webhook_needs_the_settings(monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # noqa: ANN001
    monkeypatch.chdir("/")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    get_settings.cache_clear()
    try:
        assert main(["telegram", "set-webhook"]) == 1
    finally:
        get_settings.cache_clear()
    assert "TELEGRAM_BOT_TOKEN" in capsys.readouterr().err
