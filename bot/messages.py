"""The channel-neutral vocabulary shared by the flow engine and the channel adapters.

Adapters turn provider payloads into `Inbound` and render `Reply` back; nothing Telegram- or
Twilio-specific crosses this line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

ChannelName = Literal["console", "telegram", "whatsapp"]
AttachmentKind = Literal["image", "document", "audio", "video", "sticker", "location", "contact"]


@dataclass(frozen=True, slots=True)
class Attachment:
    """Media the owner sent: what it is, how big, and how the channel can fetch it later."""

    kind: AttachmentKind
    content_type: str = ""
    size: int | None = None
    ref: str = ""
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class Inbound:
    """Something an owner did, already translated out of the channel's dialect."""

    channel: str
    address: str
    text: str = ""
    message_id: str | None = None
    choice: str | None = None
    attachments: tuple[Attachment, ...] = ()
    shared_phone: str | None = None
    location: tuple[float, float] | None = None
    profile_name: str | None = None
    received_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Choice:
    """One answer the owner can pick: `payload` comes back when tapped, `label` is shown."""

    payload: str
    label: str


@dataclass(frozen=True, slots=True)
class Reply:
    """Something the bot wants to say; each channel decides how to render the choices."""

    text: str
    choices: tuple[Choice, ...] = ()
    request_phone: bool = False
    kind: str = "reply"

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "choices": [[c.payload, c.label] for c in self.choices],
            "request_phone": self.request_phone,
            "kind": self.kind,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        choices = tuple(Choice(p, label) for p, label in data.get("choices", []))
        return cls(
            text=data["text"],
            choices=choices,
            request_phone=bool(data.get("request_phone")),
            kind=data.get("kind", "reply"),
        )
