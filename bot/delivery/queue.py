"""The outbox as a delivery queue: claim due rows, settle them, record provider statuses.

A claimed row is marked `claimed` with a lease (`next_attempt_at` = now + lease) in a short
transaction, so no lock is held while the provider is called; a dispatcher that dies mid-send
leaves the row to be claimed again when the lease ends. On PostgreSQL `FOR UPDATE SKIP LOCKED`
lets several dispatchers share the outbox; SQLite serialises the claim with `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlmodel import Session

from bot.models import Contact, Outbox

CLAIMED = "claimed"
TERMINAL = {"failed", "undelivered", "canceled"}
RANK = {
    CLAIMED: 0,
    "accepted": 1,
    "scheduled": 1,
    "queued": 1,
    "sending": 2,
    "sent": 3,
    "delivered": 4,
    "read": 5,
}


@dataclass(frozen=True)
class Claimed:
    """One row to send, with what the channel needs to know about its contact."""

    id: int
    contact_id: int
    address: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    language: str
    unreachable: bool
    last_inbound_at: datetime | None


def claim(session: Session, *, channel: str, now: datetime, lease: timedelta, limit: int) -> list[Claimed]:
    """Due rows for `channel` (pending, or claimed by a dispatcher whose lease ran out)."""
    due = or_(Outbox.next_attempt_at.is_(None), Outbox.next_attempt_at <= now)
    stale = and_(Outbox.status == CLAIMED, Outbox.provider_message_id.is_(None))
    query = (
        select(
            Outbox.id,
            Outbox.contact_id,
            Outbox.address,
            Outbox.kind,
            Outbox.payload,
            Outbox.attempts,
            Contact.language,
            Contact.unreachable,
            Contact.last_inbound_at,
        )
        .join(Contact, Contact.id == Outbox.contact_id)
        .where(Outbox.channel == channel, or_(Outbox.status == "pending", stale), due)
        .order_by(Outbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Outbox)
    )
    rows = [Claimed(*row) for row in session.execute(query)]
    if rows:
        values = {"status": CLAIMED, "attempts": Outbox.attempts + 1, "next_attempt_at": now + lease}
        session.execute(
            update(Outbox).where(Outbox.id.in_([r.id for r in rows])).values(updated_at=now, **values)
        )
    return rows


def rows_by_id(session: Session, ids: list[int]) -> list[Outbox]:
    """Outbox rows in the order they were written (a turn's replies, for the console)."""
    return list(session.execute(select(Outbox).where(Outbox.id.in_(ids)).order_by(Outbox.id)).scalars())


def settle(session: Session, row_id: int, *, now: datetime, **values: Any) -> None:
    """Write the outcome of one send attempt (status, provider id, error, next attempt)."""
    session.execute(update(Outbox).where(Outbox.id == row_id).values(updated_at=now, **values))


def mark_unreachable(session: Session, contact_id: int) -> None:
    session.execute(update(Contact).where(Contact.id == contact_id).values(unreachable=True))


def record_status(
    session: Session,
    *,
    provider_id: str,
    status: str,
    error_code: str | None,
    error: str | None,
    now: datetime,
) -> bool:
    """Apply a provider status callback; statuses only move forward. True when the row changed."""
    query = (
        select(Outbox.id, Outbox.status).where(Outbox.provider_message_id == provider_id).with_for_update()
    )
    row = session.execute(query).first()
    if row is None or not _moves_forward(row.status, status):
        return False
    values: dict[str, Any] = {"status": status, "next_attempt_at": None}
    if status in TERMINAL:
        values.update(error_code=error_code or None, error=error or None)
    settle(session, row.id, now=now, **values)
    return True


def _moves_forward(current: str, new: str) -> bool:
    if current in TERMINAL or current == "held":
        return False
    if new in TERMINAL:
        return current not in ("delivered", "read")
    return new in RANK and RANK[new] > RANK.get(current, -1)
