"""Persistence functions for one turn, all taking the session explicitly (keyword-only).

The dialect-specific bits live here: `INSERT … ON CONFLICT DO NOTHING` for deduplication and
contact creation, and `SELECT … FOR UPDATE` to serialise turns per contact on PostgreSQL (SQLite
serialises every write transaction with `BEGIN IMMEDIATE`, see `bot/db.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from bot import regions
from bot.channels.models import MediaFile
from bot.clock import utcnow
from bot.content import Content
from bot.flows.state import State
from bot.models import Business, Contact, Conversation, MessageLog, Outbox, Owner

CONSENT_VERSION = "registration-v1"
FINAL_STATUSES = ("sent", "delivered", "read", "failed", "undelivered", "held")


LOG, CONTACT, CONVERSATION, OUTBOX = (
    MessageLog.__table__,
    Contact.__table__,
    Conversation.__table__,
    Outbox.__table__,  # type: ignore[attr-defined]
)


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


class _Statements:
    """The turn's statements, built once per dialect: building SQLAlchemy expressions costs more
    than running them, and a prebuilt statement also reuses its cache key."""

    def __init__(self, dialect: str) -> None:
        ins = postgresql.insert if dialect == "postgresql" else sqlite.insert
        log, contact, conv = LOG.c, CONTACT.c, CONVERSATION.c
        self.duplicate = select(log.id).where(
            log.channel == bindparam("channel"), log.provider_message_id == bindparam("pid")
        )
        self.log = (
            ins(LOG)
            .on_conflict_do_nothing(index_elements=["channel", "provider_message_id"])
            .returning(log.id)
        )
        self.contact = (
            select(*[contact[f.name] for f in fields(ContactRow)])
            .where(contact.channel == bindparam("channel"), contact.address == bindparam("address"))
            .with_for_update()
        )
        self.turn = (
            select(
                *[contact[f.name] for f in fields(ContactRow)],
                conv.flow,
                conv.step,
                conv.status,
                conv.data,
                conv.updated_at.label("state_at"),
                conv.version,
            )
            .select_from(CONTACT.join(CONVERSATION, conv.contact_id == contact.id))
            .where(contact.channel == bindparam("channel"), contact.address == bindparam("address"))
            .with_for_update()
        )
        self.new_contact = ins(CONTACT).on_conflict_do_nothing(index_elements=["channel", "address"])
        self.save_contact = update(CONTACT).where(contact.id == bindparam("contact_id"))
        self.state = select(
            conv.flow, conv.step, conv.status, conv.data, conv.updated_at, conv.version
        ).where(conv.contact_id == bindparam("contact_id"))
        self.new_state = insert(CONVERSATION)
        self.new_conversation = ins(CONVERSATION).on_conflict_do_nothing(index_elements=["contact_id"])
        self.save_state = update(CONVERSATION).where(conv.contact_id == bindparam("cid"))
        self.outbox = (
            ins(OUTBOX).on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(OUTBOX.c.id)
        )


_STATEMENTS: dict[str, _Statements] = {}


def _sql(session: Session) -> tuple[Any, _Statements]:
    """The session's connection (looked up once per transaction) and the dialect's statements."""
    cached = session.info.get("_sql")
    if cached is None:
        connection = session.connection()
        name = connection.dialect.name
        if name not in _STATEMENTS:
            _STATEMENTS[name] = _Statements(name)
        cached = session.info["_sql"] = (connection, _STATEMENTS[name])
    return cached


def log_turn(
    session: Session,
    *,
    channel: str,
    provider_id: str,
    text: str,
    contact_id: int,
    flow: str | None,
    before: str | None,
    after: str | None,
    now: datetime,
) -> bool:
    """Record the handled message; False when another worker already handled this provider id."""
    connection, sql = _sql(session)
    row = {
        "channel": channel,
        "provider_message_id": provider_id,
        "text_masked": text,
        "contact_id": contact_id,
        "flow": flow,
        "step_before": before,
        "step_after": after,
        "created_at": now,
    }
    return connection.execute(sql.log, row).scalar() is not None


@dataclass
class ContactRow:
    """The contact as one turn sees it; written back with `save_contact`."""

    id: int
    channel: str
    address: str
    owner_id: int | None
    language: str
    opted_out: bool
    unreachable: bool
    profile_name: str | None
    last_inbound_at: datetime | None


def lock_contact(session: Session, *, channel: str, address: str, language: str) -> ContactRow:
    """Find or create the contact and hold its row lock until the transaction ends."""
    connection, sql = _sql(session)
    key = {"channel": channel, "address": address}
    row = connection.execute(sql.contact, key).first()
    if row is None:
        new = {**key, "language": language, "opted_out": False, "unreachable": False, "created_at": utcnow()}
        connection.execute(sql.new_contact, new)
        row = connection.execute(sql.contact, key).one()
    return ContactRow(**row._mapping)


def lock_turn(
    session: Session, *, channel: str, address: str, language: str
) -> tuple[ContactRow, int | None, State]:
    """The contact and its conversation (both created if new), in one query that row-locks both.

    Both rows are locked, not only the contact: under READ COMMITTED, PostgreSQL re-reads a row it
    waited for, but not the other rows of the join, so a turn that waited would see stale state.
    """
    connection, sql = _sql(session)
    key = {"channel": channel, "address": address}
    row = connection.execute(sql.turn, key).first()
    if row is None:
        contact = lock_contact(session, channel=channel, address=address, language=language)
        fresh = {"contact_id": contact.id, "status": "idle", "data": {}, "version": 0, "updated_at": utcnow()}
        connection.execute(sql.new_conversation, fresh)
        row = connection.execute(sql.turn, key).one()
    values = row._mapping
    contact = ContactRow(**{f.name: values[f.name] for f in fields(ContactRow)})
    state = State(values["flow"], values["step"], values["status"], dict(values["data"]), values["state_at"])
    return contact, values["version"], state


def save_contact(session: Session, contact: ContactRow) -> None:
    connection, sql = _sql(session)
    values = {f.name: getattr(contact, f.name) for f in fields(ContactRow) if f.name not in KEYS}
    connection.execute(sql.save_contact, {"contact_id": contact.id, **values})


KEYS = {"id", "channel", "address"}


def save_state(session: Session, *, contact_id: int, version: int | None, state: State) -> None:
    connection, sql = _sql(session)
    values = {
        "flow": state.flow,
        "step": state.step,
        "status": state.status,
        "data": state.data,
        "updated_at": state.updated_at or utcnow(),
        "version": (version or 0) + 1,
    }
    if version is None:
        connection.execute(sql.new_state, {"contact_id": contact_id, **values})
    else:
        connection.execute(sql.save_state, {"cid": contact_id, **values})


def enqueue(
    session: Session,
    *,
    contact: ContactRow | Contact,
    payloads: list[dict[str, Any]],
    kind: str = "reply",
    key: str | None = None,
) -> list[int]:
    """Write outgoing messages; the dispatcher sends them after the commit. Returns the row ids.

    With `key`, a repeated enqueue (a job run twice) is a no-op: idempotency keys are unique.
    """
    connection, sql = _sql(session)
    now = utcnow()
    ids = []
    for i, payload in enumerate(payloads):
        row = {
            "contact_id": contact.id,
            "channel": contact.channel,
            "address": contact.address,
            "kind": kind,
            "payload": payload,
            "idempotency_key": f"{key}:{i}" if key else None,
            "status": "pending",
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
        }
        ids.append(connection.execute(sql.outbox, row).scalar())
    return [i for i in ids if i is not None]


class ProfileStore:
    """`Services` for the flow actions, bound to one contact inside one transaction."""

    def __init__(self, session: Session, contact: ContactRow, content: Content, now: datetime) -> None:
        self.session, self.contact, self.content, self.now = session, contact, content, now

    @property
    def trainings(self) -> Any:
        """The owner's side of trainings (`bot.trainings.desk.TrainingDesk`), in this transaction."""
        from bot.trainings.desk import TrainingDesk

        return TrainingDesk(self.session, self.contact, self.content, self.now)

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

    def save_media(self, media: dict[str, Any], purpose: str) -> int:
        """Keep a received file's reference; the halal and HAKI flows attach it to their records."""
        fields = ("channel", "kind", "content_type", "size", "ref", "filename")
        values = {k: media.get(k) for k in fields}
        row = MediaFile(contact_id=self.contact.id, owner_id=self.contact.owner_id, purpose=purpose, **values)
        self.session.add(row)
        self.session.flush()
        return int(row.id or 0)

    def find_owner_by_phone(self, phone: str) -> dict[str, Any] | None:
        """Another registered owner with this phone number (for linking a second channel)."""
        query = (
            select(Owner.id, Owner.consent_channel, Business.name)
            .join(Business, Business.owner_id == Owner.id)
            .where(Owner.phone == phone, Owner.id != (self.contact.owner_id or 0))
            .order_by(Owner.id)
            .limit(1)
        )
        row = self.session.execute(query).first()
        return {"owner_id": row[0], "channel": row[1], "business_name": row[2]} if row else None

    def link_owner(self, owner_id: int) -> None:
        self.contact.owner_id = owner_id

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
        "consent_at": _local_time(owner.consent_at, business.province_code),
        "consent_channel": owner.consent_channel,
    }


def _local_time(moment: datetime, province_code: str) -> str:
    """A timestamp as the owner reads it: their own time zone (WIB/WITA/WIT)."""
    local = moment.astimezone(ZoneInfo(regions.timezone_for(province_code)))
    return f"{local:%d-%m-%Y %H.%M} {regions.zone_label(province_code)}"
