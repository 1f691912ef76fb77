"""WhatsApp through Twilio: parse and verify the form webhooks, send with the Twilio REST client.

Choices become a numbered list the owner answers with a digit or a word (the engine maps both).
Outside WhatsApp's 24-hour customer-service window a message needs an approved template: the one
configured for its kind in `content/templates.yaml` (Content SID + variables) is used, or the row
is held with the reason recorded (`Held`) — never silently dropped.
"""

from __future__ import annotations

import json
import logging
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.request_validator import RequestValidator
from twilio.rest import Client

from bot.channels.base import Held, PermanentFailure, Recipient, RetryLater, SendResult, split_text
from bot.channels.media import kind_of
from bot.clock import utcnow
from bot.config import Settings
from bot.content import read_yaml
from bot.messages import Attachment, Inbound, Reply

logger = logging.getLogger(__name__)

CHANNEL = "whatsapp"
PREFIX = "whatsapp:"
MAX_BODY = 1600
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'
RETRY_CODES = {20429, 63018, 30001, 21611}


# ---------------------------------------------------------------------------------- inbound
def public_url(settings: Settings, path: str, query: str = "") -> str:
    """The URL Twilio called, as configured (works behind a TLS-terminating proxy)."""
    url = settings.public_url.rstrip("/") + path
    return f"{url}?{query}" if query else url


def is_signed(validator: RequestValidator, url: str, form: Any, signature: str | None) -> bool:
    """Twilio's HMAC over the public URL and every posted field, via the library's validator."""
    return bool(signature) and validator.validate(url, form, signature)


def to_inbound(form: Mapping[str, str]) -> Inbound:
    """Twilio's inbound message fields as an `Inbound` (address in E.164, `whatsapp:` stripped)."""
    latitude, longitude = form.get("Latitude"), form.get("Longitude")
    location = (float(latitude), float(longitude)) if latitude and longitude else None
    return Inbound(
        channel=CHANNEL,
        address=strip_prefix(form.get("From", "")),
        text=form.get("Body", "") if not form.get("ButtonPayload") else "",
        message_id=form.get("MessageSid") or form.get("SmsMessageSid"),
        choice=form.get("ButtonPayload") or None,
        attachments=_attachments(form, location),
        location=location,
        profile_name=form.get("ProfileName") or None,
    )


def strip_prefix(address: str) -> str:
    address = address.strip()
    return address[len(PREFIX) :] if address.startswith(PREFIX) else address


def _attachments(form: Mapping[str, str], location: tuple[float, float] | None) -> tuple[Attachment, ...]:
    count = int(form.get("NumMedia") or 0)
    media = []
    for i in range(min(count, 10)):
        mime = form.get(f"MediaContentType{i}", "application/octet-stream")
        media.append(Attachment(kind_of(mime), mime, None, form.get(f"MediaUrl{i}", "")))
    if location and not media:
        media.append(Attachment("location", "application/x-location"))
    return tuple(media)


# ---------------------------------------------------------------------------------- templates
@dataclass(frozen=True)
class Template:
    content_sid: str
    variables: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class WindowPolicy:
    """The 24-hour window and the approved template for each kind of message (reminder, …)."""

    hours: float = 24.0
    templates: dict[str, Template] = field(default_factory=dict)

    def template_for(self, kind: str) -> Template | None:
        return self.templates.get(kind)


def load_templates(content_dir: Path) -> WindowPolicy:
    """`content/templates.yaml`; kinds whose `content_sid` is empty count as not configured."""
    path = content_dir / "templates.yaml"
    data = (read_yaml(path) or {}).get("whatsapp", {}) if path.exists() else {}
    templates = {
        kind: Template(
            str(spec["content_sid"]), {str(k): str(v) for k, v in (spec.get("variables") or {}).items()}
        )
        for kind, spec in (data.get("templates") or {}).items()
        if spec and spec.get("content_sid")
    }
    return WindowPolicy(hours=float(data.get("window_hours", 24)), templates=templates)


# ---------------------------------------------------------------------------------- outbound
class LocalTwilioHttpClient(TwilioHttpClient):
    """The library's own HTTP client, sending to `TWILIO_API_URL` (a test or proxy) instead of
    Twilio's hosts: only scheme and host change; path, query, auth and body are untouched."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base = urllib.parse.urlsplit(base_url)

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        parts = urllib.parse.urlsplit(url)
        url = urllib.parse.urlunsplit((self.base.scheme, self.base.netloc, *parts[2:]))
        return super().request(method, url, *args, **kwargs)


def build_client(settings: Settings) -> Client | None:
    """The Twilio REST client; None when the WhatsApp settings are incomplete."""
    if not whatsapp_configured(settings):
        return None
    token = settings.twilio_auth_token.get_secret_value()  # type: ignore[union-attr]
    http = LocalTwilioHttpClient(settings.twilio_api_url) if settings.twilio_api_url else TwilioHttpClient()
    return Client(settings.twilio_account_sid, token, http_client=http)


def whatsapp_configured(settings: Settings) -> bool:
    return bool(settings.twilio_account_sid and settings.twilio_auth_token and settings.twilio_whatsapp_from)


def render(reply: Reply) -> str:
    """Choices as a numbered list; the owner answers "2" or "belum punya"."""
    lines = [reply.text] if reply.text else []
    if reply.choices:
        lines.append("\n".join(f"{i}. {c.label}" for i, c in enumerate(reply.choices, start=1)))
    return "\n\n".join(lines)


class WhatsAppChannel:
    """Sends outbox rows with `client.messages.create` (in a worker thread: the client is sync)."""

    name = CHANNEL

    def __init__(self, client: Client, settings: Settings, policy: WindowPolicy, clock: Any = utcnow) -> None:
        self.client, self.settings, self.policy, self.clock = client, settings, policy, clock
        self.sender = settings.twilio_whatsapp_from or ""
        self.status_url = public_url(settings, "/webhooks/whatsapp/status")

    async def send(
        self, recipient: Recipient, reply: Reply, *, kind: str, variables: dict[str, str] | None = None
    ) -> SendResult:
        base = {"to": PREFIX + recipient.address, "from_": self.sender, "status_callback": self.status_url}
        if self.in_window(recipient.last_inbound_at):
            bodies = [{"body": b} for b in _split(render(reply))]
        else:
            bodies = [self.template_params(kind, reply, variables or {}, recipient.last_inbound_at)]
        result = None
        for body in bodies:
            result = await self._create({**base, **body})
        assert result is not None
        return result

    def in_window(self, last_inbound_at: datetime | None) -> bool:
        if last_inbound_at is None:
            return False
        return self.clock() - last_inbound_at < timedelta(hours=self.policy.hours)

    def template_params(
        self, kind: str, reply: Reply, variables: dict[str, str], last: datetime | None
    ) -> dict[str, str]:
        template = self.policy.template_for(kind)
        if template is None:
            since = f"last message from the owner {last:%Y-%m-%d %H:%M} UTC" if last else "owner never wrote"
            raise Held(
                f"outside WhatsApp's {self.policy.hours:g}-hour window ({since}) and no approved "
                f"template is configured for '{kind}' in content/templates.yaml",
                "outside_window",
            )
        values = {"text": " ".join(reply.text.split())[:1000], **variables}
        filled = {name: str(values.get(source, "")) for name, source in template.variables.items()}
        return {
            "content_sid": template.content_sid,
            "content_variables": json.dumps(filled, ensure_ascii=False),
        }

    async def _create(self, params: dict[str, Any]) -> SendResult:
        try:
            message = await anyio.to_thread.run_sync(partial(self.client.messages.create, **params))
        except TwilioRestException as error:
            raise _classify(error) from error
        except (TwilioException, requests.RequestException) as error:
            raise RetryLater(str(error), "network") from error
        return SendResult(provider_id=message.sid, status=message.status or "queued")

    async def close(self) -> None:
        session = getattr(self.client.http_client, "session", None)
        if session is not None:
            session.close()


def _classify(error: TwilioRestException) -> Exception:
    reason = error.msg if isinstance(error.msg, str) else str(error)
    code = str(error.code or error.status)
    if error.status == 429 or error.status >= 500 or (error.code or 0) in RETRY_CODES:
        return RetryLater(reason, code, retry_after=1.0)
    return PermanentFailure(reason, code)


def _split(text: str) -> list[str]:
    return split_text(text or "…", MAX_BODY)
