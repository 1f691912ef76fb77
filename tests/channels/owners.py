"""Owners on each channel: they do what a person does (type, tap a button, share their number,
send a photo) through the real webhooks, and read what the fake provider received for them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from starlette.testclient import TestClient
from twilio.request_validator import RequestValidator

from bot.config import Settings
from tests.channels import payloads
from tests.support.chat import Chat
from tests.support.fake_telegram import FakeTelegram
from tests.support.fake_twilio import FakeTwilio

NUMBERED = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


@dataclass
class Channels:
    """The running app (webhooks + dispatcher) and the fake providers behind it."""

    client: TestClient
    app: FastAPI
    telegram: FakeTelegram
    twilio: FakeTwilio
    settings: Settings

    @property
    def runtime(self) -> Any:
        return self.app.state.channels

    def drain(self, **kwargs: Any) -> int:
        """Let the dispatcher send everything due (it also runs by itself in the background)."""
        return int(self.client.portal.call(lambda: self.runtime.dispatcher.drain(**kwargs)))  # type: ignore[union-attr]

    def post_telegram(self, update: dict[str, Any], secret: str | None = None) -> Any:
        from tests.channels.conftest import TELEGRAM_SECRET

        headers = {"X-Telegram-Bot-Api-Secret-Token": secret if secret is not None else TELEGRAM_SECRET}
        return self.client.post("/webhooks/telegram", json=update, headers=headers)

    def post_twilio(self, path: str, form: dict[str, str], signature: str | None = None) -> Any:
        url = self.settings.public_url + path
        token = self.settings.twilio_auth_token.get_secret_value() if self.settings.twilio_auth_token else "-"
        signed = RequestValidator(token).compute_signature(url, form)
        headers = {"X-Twilio-Signature": signature if signature is not None else signed}
        return self.client.post(path, data=form, headers=headers)

    def telegram_owner(self, chat_id: int) -> TelegramOwner:
        return TelegramOwner(self, chat_id)

    def whatsapp_owner(self, phone: str) -> WhatsAppOwner:
        return WhatsAppOwner(self, phone)


class TelegramOwner:
    """Someone in a private chat with the bot on Telegram."""

    asks_phone = True

    def __init__(self, channels: Channels, chat_id: int) -> None:
        self.channels, self.chat_id = channels, chat_id
        self.seen: list[dict[str, Any]] = []

    def post(self, update: dict[str, Any]) -> Any:
        before = len(self.channels.telegram.sent(self.chat_id))
        response = self.channels.post_telegram(update)
        assert response.status_code == 200, response.text
        self.channels.drain()
        self.seen = self.channels.telegram.sent(self.chat_id)[before:]
        return response

    def say(self, text: str) -> None:
        self.post(payloads.tg_text(self.chat_id, text))

    def pick(self, label: str) -> None:
        """Tap the inline button with this label on the last message."""
        data = next((b["callback_data"] for b in self._buttons() if b["text"] == label), None)
        assert data is not None, f"no button {label!r} in {self.buttons}"
        self.post(payloads.tg_callback(self.chat_id, data))

    def give_phone(self, phone: str) -> None:
        """Tap "share my number" (the reply keyboard's request_contact button)."""
        markup = self.seen[-1].get("reply_markup") or {}
        assert any(b.get("request_contact") for row in markup.get("keyboard", []) for b in row), markup
        self.post(payloads.tg_contact(self.chat_id, phone))

    def _buttons(self) -> list[dict[str, Any]]:
        markup = (self.seen[-1].get("reply_markup") if self.seen else None) or {}
        return [b for row in markup.get("inline_keyboard", []) for b in row]

    @property
    def buttons(self) -> list[str]:
        return [b["text"] for b in self._buttons()]

    @property
    def last(self) -> str:
        return "\n".join([m["text"] for m in self.seen] + self.buttons)


class WhatsAppOwner:
    """Someone writing to the bot's WhatsApp number (through Twilio)."""

    asks_phone = False

    def __init__(self, channels: Channels, phone: str) -> None:
        self.channels, self.phone = channels, phone
        self.seen: list[dict[str, str]] = []

    def post(self, form: dict[str, str]) -> Any:
        before = len(self.channels.twilio.sent(self.phone))
        response = self.channels.post_twilio("/webhooks/whatsapp", form)
        assert response.status_code == 200, response.text
        self.channels.drain()
        self.seen = self.channels.twilio.sent(self.phone)[before:]
        return response

    def say(self, text: str) -> None:
        self.post(payloads.twilio_form(self.phone, text))

    def pick(self, label: str) -> None:
        """Answer a numbered list with the number of the option, like most owners do."""
        numbers = {text.strip(): n for n, text in NUMBERED.findall(self.last)}
        assert label in numbers, f"no option {label!r} in {self.last!r}"
        self.say(numbers[label])

    def give_phone(self, phone: str) -> None:
        raise AssertionError("WhatsApp never asks for the number: it is the sender's")

    @property
    def last(self) -> str:
        return "\n".join(m.get("Body", "") for m in self.seen)


class ConsoleOwner:
    """The console channel, through the same turn path (replies read from the outbox)."""

    asks_phone = True

    def __init__(self, chat: Chat) -> None:
        self.chat = chat

    def say(self, text: str) -> None:
        self.chat.send(text)

    def pick(self, label: str) -> None:
        assert label in self.chat.choices, (label, self.chat.choices)
        self.chat.send(str(self.chat.choices.index(label) + 1))

    def give_phone(self, phone: str) -> None:
        self.chat.send(phone)

    @property
    def last(self) -> str:
        return self.chat.last
