"""Reading and settling outbox rows; channel senders build on these.

On PostgreSQL several dispatchers may share the outbox: `claim` uses `FOR UPDATE SKIP LOCKED`,
so each pending row goes to exactly one of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlmodel import Session

from bot.clock import utcnow
from bot.models import Outbox


def rows_by_id(session: Session, ids: Sequence[int]) -> list[Outbox]:
    query = select(Outbox).where(Outbox.id.in_(list(ids))).order_by(Outbox.id)
    return list(session.execute(query).scalars())


def claim(session: Session, *, channel: str, limit: int = 50) -> list[Outbox]:
    """Pending rows due now, locked for this dispatcher until its transaction ends."""
    now = utcnow()
    query = (
        select(Outbox)
        .where(Outbox.channel == channel, Outbox.status == "pending")
        .where((Outbox.next_attempt_at.is_(None)) | (Outbox.next_attempt_at <= now))
        .order_by(Outbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list(session.execute(query).scalars())


def mark(
    session: Session,
    row_id: int,
    *,
    status: str,
    provider_id: str | None = None,
    error_code: str | None = None,
    error: str | None = None,
) -> None:
    values: dict[str, object] = {"status": status, "updated_at": utcnow()}
    if provider_id is not None:
        values["provider_message_id"] = provider_id
    if error_code is not None or error is not None:
        values.update(error_code=error_code, error=error)
    session.execute(update(Outbox).where(Outbox.id == row_id).values(**values))
