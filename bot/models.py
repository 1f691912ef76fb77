"""SQLModel tables: owners and their businesses, channel contacts, conversation state, logs, outbox.

An `Owner` is a person with a business profile; a `Contact` is one chat address on one channel. One
owner may be reached on several channels (WhatsApp and Telegram), so the profile hangs off the owner.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, MetaData, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.clock import utcnow

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def _fk(target: str, ondelete: str, *, nullable: bool = True, index: bool = True) -> Any:
    return Field(
        default=None,
        sa_column=Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=index),
    )


class Owner(SQLModel, table=True):
    """A registered business owner (UU PDP data subject); deleting it deletes the business too."""

    id: int | None = Field(default=None, primary_key=True)
    full_name: str
    phone: str | None = Field(default=None, index=True)
    consent_at: datetime
    consent_version: str
    consent_channel: str
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Business(SQLModel, table=True):
    """The owner's business profile, as collected by the registration flow."""

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = _fk("owner.id", "CASCADE", nullable=False)
    name: str
    sector: str
    kbli: str | None = None
    kbli_version: str | None = None
    products: str
    province_code: str
    province: str
    regency_code: str = Field(index=True)
    regency: str
    address: str | None = None
    nib: str | None = None
    scale: str
    omzet_band: str
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Contact(SQLModel, table=True):
    """One chat address on one channel; exists from the first message, before any consent."""

    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    address: str
    owner_id: int | None = _fk("owner.id", "SET NULL")
    language: str = "id"
    opted_out: bool = False
    unreachable: bool = False
    profile_name: str | None = None
    last_inbound_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Conversation(SQLModel, table=True):
    """Where a contact is in a flow; `data` holds the answers collected so far."""

    contact_id: int = Field(
        sa_column=Column(Integer, ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True)
    )
    flow: str | None = None
    step: str | None = None
    status: str = "idle"
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


class MessageLog(SQLModel, table=True):
    """One handled turn; the unique provider id is what makes a retried webhook a no-op."""

    __table_args__ = (UniqueConstraint("channel", "provider_message_id"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str
    provider_message_id: str
    contact_id: int | None = _fk("contact.id", "CASCADE")
    text_masked: str = ""
    flow: str | None = None
    step_before: str | None = None
    step_after: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Outbox(SQLModel, table=True):
    """Every message the bot sends, written in the same transaction as the state that caused it."""

    __table_args__ = (UniqueConstraint("idempotency_key"),)

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = _fk("contact.id", "CASCADE", nullable=False)
    channel: str = Field(index=True)
    address: str
    kind: str = "reply"
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    idempotency_key: str | None = None
    status: str = Field(default="pending", index=True)
    attempts: int = 0
    next_attempt_at: datetime | None = None
    provider_message_id: str | None = Field(default=None, index=True)
    error_code: str | None = None
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
