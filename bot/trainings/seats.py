"""Seats, the waitlist and seat offers; every change runs with the training row locked.

`lock_training` takes `SELECT … FOR UPDATE` on PostgreSQL (SQLite serialises whole transactions
with `BEGIN IMMEDIATE`), so counting seats and handing out arrival numbers never races: 200 owners
enrolling at once for 75 seats leave exactly 75 enrolled and 125 waitlisted, in arrival order.
A freed seat goes to the first on the waitlist as an *offer* that holds the seat until it is
accepted, declined, or expires (`Training.offer_hours`); then it passes to the next.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlmodel import Session

from bot.trainings.models import ACTIVE, SEATED, Enrolment, Training
from bot.trainings.notify import Notifier


def lock_training(session: Session, training_id: int) -> Training | None:
    """The training, row-locked until the transaction ends, with fresh values."""
    query = (
        select(Training)
        .where(Training.id == training_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.execute(query).scalars().first()


def find_enrolment(session: Session, training_id: int, owner_id: int) -> Enrolment | None:
    query = select(Enrolment).where(Enrolment.training_id == training_id, Enrolment.owner_id == owner_id)
    return session.execute(query).scalars().first()


def seats_taken(session: Session, training_id: int) -> int:
    query = select(func.count()).where(Enrolment.training_id == training_id, Enrolment.status.in_(SEATED))
    return int(session.execute(query).scalar() or 0)


def waitlist(session: Session, training_id: int, limit: int | None = None) -> list[Enrolment]:
    query = (
        select(Enrolment)
        .where(Enrolment.training_id == training_id, Enrolment.status == "waitlisted")
        .order_by(Enrolment.sequence)
        .limit(limit)
    )
    return list(session.execute(query).scalars())


def position(session: Session, enrolment: Enrolment) -> int:
    """1 for the first on the waitlist."""
    query = select(func.count()).where(
        Enrolment.training_id == enrolment.training_id,
        Enrolment.status == "waitlisted",
        Enrolment.sequence <= enrolment.sequence,
    )
    return int(session.execute(query).scalar() or 0)


def enrol(session: Session, training: Training, owner_id: int, now: datetime) -> Enrolment:
    """Take a seat, or a place at the end of the waitlist; the training must be locked."""
    enrolment = find_enrolment(session, training.id, owner_id)
    if enrolment is not None and enrolment.status in ACTIVE:
        return enrolment
    training.next_sequence += 1
    queue = waitlist(session, training.id, limit=1)
    free = seats_taken(session, training.id) < training.seats and not queue
    status = "enrolled" if free else "waitlisted"
    if enrolment is None:
        enrolment = Enrolment(training_id=training.id, owner_id=owner_id, sequence=training.next_sequence)
        session.add(enrolment)
    _reset(enrolment, status, training.next_sequence, now)
    session.flush()
    return enrolment


def _reset(enrolment: Enrolment, status: str, sequence: int, now: datetime) -> None:
    enrolment.status, enrolment.sequence = status, sequence
    enrolment.offer_expires_at = enrolment.confirmed_at = enrolment.cancel_reason = None
    enrolment.created_at = enrolment.updated_at = now


def cancel(
    session: Session, notifier: Notifier, training: Training, enrolment: Enrolment, reason: str
) -> None:
    """The owner leaves; a seat they held is offered to the first on the waitlist."""
    enrolment.status, enrolment.cancel_reason = "cancelled", reason
    enrolment.offer_expires_at, enrolment.updated_at = None, notifier.now
    session.flush()
    fill_seats(session, notifier, training)


def fill_seats(session: Session, notifier: Notifier, training: Training) -> list[Enrolment]:
    """Offer every free seat to the waitlist, first come first served; returns the offers made."""
    now = notifier.now
    if training.status != "published" or now >= training.starts_at:
        return []
    free = training.seats - seats_taken(session, training.id)
    offered = waitlist(session, training.id, limit=max(free, 0)) if free > 0 else []
    for enrolment in offered:
        _offer(notifier, training, enrolment)
    session.flush()
    return offered


def _offer(notifier: Notifier, training: Training, enrolment: Enrolment) -> None:
    now = notifier.now
    expires = min(now + timedelta(hours=training.offer_hours), training.starts_at)
    enrolment.status, enrolment.offer_expires_at, enrolment.updated_at = "offered", expires, now
    enrolment.offer_count += 1
    deadline = {"deadline_hours": _hours(expires - now)}
    key = f"offer:{enrolment.id}:{enrolment.offer_count}"
    notifier.send(
        enrolment,
        training,
        text_key="training_reply.offer_text",
        kind="offer",
        key=key,
        prompt="offer",
        extra=deadline,
    )


def _hours(delta: timedelta) -> str:
    hours = delta.total_seconds() / 3600
    return f"{hours:.0f}" if hours >= 1 else f"{hours:.1f}"


def accept_offer(session: Session, notifier: Notifier, training: Training, enrolment: Enrolment) -> str:
    """`accepted`, `expired` (the offer passed on) or `not_offered`."""
    if enrolment.status != "offered":
        return "not_offered"
    if enrolment.offer_expires_at is not None and enrolment.offer_expires_at <= notifier.now:
        expire_offers(session, notifier, training)
        return "expired"
    enrolment.status, enrolment.confirmed_at, enrolment.updated_at = "enrolled", notifier.now, notifier.now
    enrolment.offer_expires_at = None
    return "accepted"


def expire_offers(session: Session, notifier: Notifier, training: Training) -> int:
    """Offers past their deadline go to the next on the waitlist; returns how many expired."""
    query = select(Enrolment).where(
        Enrolment.training_id == training.id,
        Enrolment.status == "offered",
        Enrolment.offer_expires_at <= notifier.now,
    )
    expired = list(session.execute(query.order_by(Enrolment.sequence)).scalars())
    for enrolment in expired:
        enrolment.status, enrolment.cancel_reason = "cancelled", "offer_expired"
        enrolment.updated_at = notifier.now
        key = f"offer-expired:{enrolment.id}:{enrolment.offer_count}"
        notifier.send(
            enrolment, training, text_key="training_reply.offer_expired", kind="announcement", key=key
        )
    if expired:
        session.flush()
        fill_seats(session, notifier, training)
    return len(expired)
