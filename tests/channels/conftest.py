"""Fixtures for channel tests: fake Telegram and Twilio servers on 127.0.0.1, the real app wired
to them through settings only, and owners who talk to it over each channel."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.config import Settings
from bot.core import build_core
from bot.delivery import Limits
from bot.web.app import create_app
from tests.channels.owners import Channels
from tests.support import fake_telegram, fake_twilio
from tests.support.live_server import LiveServer

PUBLIC_URL = "https://naikkelas.example.id"
TELEGRAM_SECRET = "tg-secret_0123456789"
FAST = Limits(chat_burst=100, chat_per_second=100.0, per_second={"telegram": 1000.0, "whatsapp": 1000.0})


@pytest.fixture(scope="session")
def telegram_server() -> Iterator[fake_telegram.FakeTelegram]:
    fake = fake_telegram.FakeTelegram()
    with LiveServer(fake.app) as server:
        fake.base_url = server.url
        yield fake


@pytest.fixture(scope="session")
def twilio_server() -> Iterator[fake_twilio.FakeTwilio]:
    fake = fake_twilio.FakeTwilio()
    with LiveServer(fake.app) as server:
        fake.base_url = server.url
        yield fake


@pytest.fixture
def fake_tg(telegram_server: fake_telegram.FakeTelegram) -> fake_telegram.FakeTelegram:
    telegram_server.reset()
    return telegram_server


@pytest.fixture
def fake_tw(twilio_server: fake_twilio.FakeTwilio) -> fake_twilio.FakeTwilio:
    twilio_server.reset()
    return twilio_server


@pytest.fixture
def channel_settings(
    db: Engine, fake_tg: fake_telegram.FakeTelegram, fake_tw: fake_twilio.FakeTwilio
) -> Settings:
    return Settings(
        _env_file=None,
        database_url=db.url.render_as_string(hide_password=False),
        public_url=PUBLIC_URL,
        telegram_bot_token=fake_tg.token,
        telegram_webhook_secret=TELEGRAM_SECRET,
        telegram_api_url=fake_tg.base_url,
        twilio_account_sid=fake_tw.sid,
        twilio_auth_token=fake_tw.token,
        twilio_whatsapp_from=fake_twilio.SENDER,
        twilio_api_url=fake_tw.base_url,
    )


def make_channels(settings: Settings, db: Engine, fake_tg, fake_tw, **app_options) -> Iterator[Channels]:  # noqa: ANN001
    core = build_core(settings, db=db, migrate=False)
    app = create_app(settings, core=core, limits=app_options.pop("limits", FAST), **app_options)
    with TestClient(app) as client:
        yield Channels(client, app, fake_tg, fake_tw, settings)


@pytest.fixture
def channels(channel_settings: Settings, db: Engine, fake_tg, fake_tw) -> Iterator[Channels]:  # noqa: ANN001
    yield from make_channels(channel_settings, db, fake_tg, fake_tw)
