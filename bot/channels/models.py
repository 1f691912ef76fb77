"""Tables owned by the channels: media files owners sent to a step that expects one."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from bot.clock import utcnow
from bot.models import _fk


class MediaFile(SQLModel, table=True):
    """A photo or document accepted by a flow step; `ref` is how the channel fetches it again
    (Telegram `telegram:<file_id>`, Twilio media URL). The bytes stay with the provider until a
    flow needs them (`bot.channels.media.fetch`)."""

    __tablename__ = "media_file"

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = _fk("contact.id", "CASCADE", nullable=False)
    owner_id: int | None = _fk("owner.id", "CASCADE")
    channel: str
    kind: str
    content_type: str
    size: int | None = None
    ref: str
    filename: str | None = None
    purpose: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
