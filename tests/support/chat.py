"""`Chat`: drives a conversation through the real turn path, as an owner would type it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.channels.console import ConsoleChat, render
from bot.core import Core
from bot.db import transaction
from bot.messages import Attachment, Inbound, Reply
from bot.models import Business, Contact, Conversation, Owner


class Chat(ConsoleChat):
    """`send()` what the owner types; read `last` (the text they see) and `choices`."""

    def __init__(self, core: Core, address: str = "+6281234567890", channel: str = "console") -> None:
        super().__init__(core, address)
        self.channel = channel
        self.replies: list[Reply] = []

    def send(self, text: str = "", **inbound: Any) -> list[Reply]:
        self.replies = self.deliver(Inbound(channel=self.channel, address=self.address, text=text, **inbound))
        return self.replies

    def send_at(self, text: str, when: datetime) -> list[Reply]:
        return self.send(text, received_at=when)

    def send_photo(self) -> list[Reply]:
        return self.send("", attachments=(Attachment(kind="image", content_type="image/jpeg", ref="x"),))

    def send_sticker(self) -> list[Reply]:
        return self.send("", attachments=(Attachment(kind="sticker", content_type="image/webp", ref="s"),))

    @property
    def last(self) -> str:
        """Everything the owner sees after the last message, choices included."""
        return "\n".join(render(reply) for reply in self.replies)

    @property
    def choices(self) -> list[str]:
        return [c.label for reply in self.replies for c in reply.choices]

    def _one(self, model: Any, *where: Any) -> Any:
        with transaction(self.core.db) as session:
            return session.execute(select(model).where(*where)).scalars().first()

    @property
    def contact(self) -> Contact:
        return self._one(Contact, Contact.channel == self.channel, Contact.address == self.address)

    @property
    def owner(self) -> Owner | None:
        contact = self.contact
        return self._one(Owner, Owner.id == contact.owner_id) if contact and contact.owner_id else None

    @property
    def business(self) -> Business | None:
        owner = self.owner
        return self._one(Business, Business.owner_id == owner.id) if owner else None

    @property
    def conversation(self) -> Conversation:
        return self._one(Conversation, Conversation.contact_id == self.contact.id)
