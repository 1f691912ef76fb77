"""What every sending channel shares: the `Channel` protocol, `SendResult` and the error kinds the
dispatcher acts on (retry later, give up, mark the contact unreachable, hold).

Adapters translate provider exceptions into these so the dispatcher never sees a Telegram or
Twilio type.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.messages import Reply


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who an outbox row goes to, as the dispatcher read it with the row."""

    contact_id: int
    address: str
    language: str = "id"
    last_inbound_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class SendResult:
    """The provider accepted the message: its id and the first status it reported."""

    provider_id: str | None
    status: str = "sent"


class DeliveryError(Exception):
    """Base class: `code` is the provider's error code (or HTTP status), `reason` readable text."""

    def __init__(self, reason: str, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.code = reason, code


class RetryLater(DeliveryError):
    """Transient (429, 5xx, network): try again after `retry_after` seconds at the earliest."""

    def __init__(self, reason: str, code: str | None = None, retry_after: float = 0.0) -> None:
        super().__init__(reason, code)
        self.retry_after = retry_after


class PermanentFailure(DeliveryError):
    """The provider refused this message for good (bad number, invalid content)."""


class Unreachable(PermanentFailure):
    """The contact cannot be reached on this channel any more (Telegram: bot blocked)."""


class Held(DeliveryError):
    """Not sent on purpose, kept with a reason (WhatsApp: outside the 24-hour window, no template)."""


class Channel(Protocol):
    """A sending channel: renders a neutral `Reply` natively and sends it."""

    name: str

    async def send(
        self, recipient: Recipient, reply: Reply, *, kind: str, variables: dict[str, str] | None = None
    ) -> SendResult:
        """Deliver one outbox row; `variables` fill a WhatsApp template when one is needed."""
        ...

    async def close(self) -> None: ...


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most `limit` characters, cut at a paragraph, line or space when possible."""
    chunks = []
    while len(text) > limit:
        cut = max(text.rfind(sep, 0, limit) for sep in ("\n\n", "\n", " "))
        cut = cut if cut > limit // 2 else limit
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    return [*chunks, text]
