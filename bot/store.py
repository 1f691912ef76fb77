"""Persistence functions for one turn, all taking the session explicitly (keyword-only).

The dialect-specific bits live here: `INSERT … ON CONFLICT DO NOTHING` for deduplication and
contact creation, and `SELECT … FOR UPDATE` to serialise turns per contact on PostgreSQL (SQLite
serialises every write transaction with `BEGIN IMMEDIATE`, see `bot/db.py`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from bot.clock import utcnow
from bot.content import Content
from bot.flows.state import State
from bot.models import Business, Contact, Conversation, MessageLog, Outbox, Owner

CONSENT_VERSION = "registration-v1"
FINAL_STATUSES = ("sent", "delivered", "read", "failed", "undelivered", "held")


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def record_inbound(session: Session, *, channel: str, provider_id: str, text: str) -> int | None:
    """Log the message; None when this provider id was seen before (a retried webhook)."""
    statement = (
        _insert(session, MessageLog)
        .values(channel=channel, provider_message_id=provider_id, text_masked=text, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["channel", "provider_message_id"])
        .returning(MessageLog.id)
    )
    return session.execute(statement).scalar()


def lock_contact(session: Session, *, channel: str, address: str, language: str) -> Contact:
    """Find or create the contact and hold its row lock until the transaction ends."""
    session.execute(
        _insert(session, Contact)
        .values(channel=channel, address=address, language=language, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["channel", "address"])
    )
    query = select(Contact).where(Contact.channel == channel, Contact.address == address)
    return session.execute(query.with_for_update()).scalar_one()


def load_state(session: Session, *, contact_id: int) -> tuple[Conversation, State]:
    row = session.get(Conversation, contact_id)
    if row is None:
        row = Conversation(contact_id=contact_id, data={})
        session.add(row)
        return row, State()
    return row, State(row.flow, row.step, row.status, dict(row.data), row.updated_at)


def save_state(row: Conversation, state: State) -> None:
    row.flow, row.step, row.status = state.flow, state.step, state.status
    row.data = state.data
    row.version += 1
    row.updated_at = state.updated_at or utcnow()


def finish_log(
    session: Session, *, log_id: int, contact_id: int, flow: str | None, before: str | None, after: str | None
) -> None:
    session.execute(
        update(MessageLog)
        .where(MessageLog.id == log_id)
        .values(contact_id=contact_id, flow=flow, step_before=before, step_after=after)
    )


def enqueue(
    session: Session,
    *,
    contact: Contact,
    payloads: list[dict[str, Any]],
    kind: str = "reply",
    key: str | None = None,
) -> list[Outbox]:
    """Write outgoing messages; the dispatcher sends them after the commit."""
    rows = [
        Outbox(
            contact_id=contact.id,
            channel=contact.channel,
            address=contact.address,
            kind=kind,
            payload=payload,
            idempotency_key=f"{key}:{i}" if key else None,
        )
        for i, payload in enumerate(payloads)
    ]
    session.add_all(rows)
    return rows


class ProfileStore:
    """`Services` for the flow actions, bound to one contact inside one transaction."""

    def __init__(self, session: Session, contact: Contact, content: Content, now: datetime) -> None:
        self.session, self.contact, self.content, self.now = session, contact, content, now

    def _owner(self) -> Owner | None:
        return self.session.get(Owner, self.contact.owner_id) if self.contact.owner_id else None

    def _business(self, owner: Owner) -> Business | None:
        query = select(Business).where(Business.owner_id == owner.id).limit(1)
        return self.session.execute(query).scalar()

    def profile(self) -> dict[str, Any] | None:
        owner = self._owner()
        business = self._business(owner) if owner else None
        if owner is None or business is None:
            return None
        return _profile_dict(owner, business)

    def save_registration(self, data: dict[str, Any]) -> None:
        owner = Owner(
            full_name=data["full_name"],
            phone=data.get("phone"),
            consent_at=self.now,
            consent_version=CONSENT_VERSION,
            consent_channel=self.contact.channel,
        )
        self.session.add(owner)
        self.session.flush()
        business = Business(owner_id=owner.id, **self._business_fields(data))
        self.session.add(business)
        self.contact.owner_id = owner.id

    def update_profile(self, data: dict[str, Any]) -> None:
        owner = self._owner()
        business = self._business(owner) if owner else None
        if owner is None or business is None:
            return
        owner.full_name, owner.phone, owner.updated_at = data["full_name"], data.get("phone"), self.now
        for field, value in self._business_fields(data).items():
            setattr(business, field, value)
        business.updated_at = self.now

    def delete_profile(self) -> None:
        """UU PDP: the owner, the business, the message history and sent messages are erased."""
        owner = self._owner()
        contact_ids = [self.contact.id]
        if owner is not None:
            contacts = select(Contact.id).where(Contact.owner_id == owner.id)
            contact_ids = list(self.session.execute(contacts).scalars()) or contact_ids
            self.session.execute(delete(Owner).where(Owner.id == owner.id))
        self.session.execute(delete(MessageLog).where(MessageLog.contact_id.in_(contact_ids)))
        self.session.execute(
            delete(Outbox).where(Outbox.contact_id.in_(contact_ids), Outbox.status.in_(FINAL_STATUSES))
        )
        self.contact.owner_id = None

    def _business_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        sector = self.content.sectors.get(data["sector"])
        region = data["region"]
        band = next(b for b in self.content.scales["bands"] if b["key"] == data["omzet_band"])
        return {
            "name": data["business_name"],
            "sector": data["sector"],
            "products": data["products"],
            "kbli": sector.kbli if sector else None,
            "kbli_version": str(sector.kbli_version) if sector and sector.kbli else None,
            "province_code": region["province_code"],
            "province": region["province"],
            "regency_code": region["regency_code"],
            "regency": region["regency"],
            "nib": data.get("nib"),
            "omzet_band": band["key"],
            "scale": band["scale"],
            "address": data.get("address"),
        }


def _profile_dict(owner: Owner, business: Business) -> dict[str, Any]:
    return {
        "full_name": owner.full_name,
        "phone": owner.phone,
        "business_name": business.name,
        "sector": business.sector,
        "products": business.products,
        "region": {
            "province_code": business.province_code,
            "province": business.province,
            "regency_code": business.regency_code,
            "regency": business.regency,
        },
        "address": business.address,
        "nib": business.nib,
        "omzet_band": business.omzet_band,
        "consent_at": owner.consent_at.strftime("%d-%m-%Y %H:%M UTC"),
        "consent_channel": owner.consent_channel,
    }
