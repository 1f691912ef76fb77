"""Persistence functions for one turn, all taking the session explicitly (keyword-only).

The dialect-specific bits live here: `INSERT … ON CONFLICT DO NOTHING` for deduplication and
contact creation, and `SELECT … FOR UPDATE` to serialise turns per contact on PostgreSQL (SQLite
serialises every write transaction with `BEGIN IMMEDIATE`, see `bot/db.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from bot.clock import utcnow
from bot.flows.state import State
from bot.models import Contact, Conversation, MessageLog, Outbox

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


KEYS = {"id", "channel", "address"}  # identify the row; never rewritten


def save_contact(session: Session, contact: ContactRow) -> None:
    connection, sql = _sql(session)
    values = {f.name: getattr(contact, f.name) for f in fields(ContactRow) if f.name not in KEYS}
    connection.execute(sql.save_contact, {"contact_id": contact.id, **values})


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
