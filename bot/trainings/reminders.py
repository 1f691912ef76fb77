"""When reminders and feedback questions are due, and issuing them exactly once.

Default plan: 3 days and 1 day before at 09:00 in the *owner's* zone (WIB/WITA/WIT), and 2 hours
before the start; the feedback question 1 hour after the end. `process_training` is the only
function that issues them, and it is idempotent: a `TrainingNotice` row per (enrolment, kind) is
inserted with ON CONFLICT DO NOTHING, and only the transaction that inserted it enqueues the
message (outbox keys are unique too). After downtime only the most recent due reminder is sent;
earlier ones are recorded as superseded (a "3 days left" message a day before would be wrong).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from bot.config import Settings
from bot.content import Content
from bot.models import Business
from bot.trainings import seats
from bot.trainings.models import Enrolment, Training
from bot.trainings.notify import Notifier, sql
from bot.trainings.timefmt import ZONE_LABELS, ZONES, offset_zone, owner_zone

FEEDBACK_WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class Plan:
    """Reminder kinds: `d3`, `d1` (days before, at `local_hour`), `h2` (hours before the start)."""

    days: tuple[int, ...] = (3, 1)
    local_hour: int = 9
    hours_before: float = 2.0
    feedback_after: float = 1.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Plan:
        days = tuple(int(d) for d in settings.training_reminder_days.split(",") if d.strip())
        return cls(
            days,
            settings.training_reminder_hour,
            settings.training_reminder_hours_before,
            settings.training_feedback_hours_after,
        )

    @property
    def kinds(self) -> list[str]:
        return [f"d{n}" for n in self.days] + [f"h{self.hours_before:g}"]

    def due_at(self, kind: str, starts_at: datetime, zone: str) -> datetime:
        """When reminder `kind` is due for an owner living in `zone`."""
        if kind.startswith("h"):
            return starts_at - timedelta(hours=float(kind[1:]))
        tz = ZoneInfo(zone)
        day = starts_at.astimezone(tz).date() - timedelta(days=int(kind[1:]))
        return datetime.combine(day, time(self.local_hour), tzinfo=tz).astimezone(starts_at.tzinfo)

    def feedback_at(self, training: Training) -> datetime:
        return training.ends_at + timedelta(hours=self.feedback_after)

    def job_times(self, training: Training) -> dict[str, datetime]:
        """Job id -> run time for one training: day reminders once per zone, then the rest."""
        times = {}
        for kind in self.kinds:
            zones = ZONES if kind.startswith("d") else (training.timezone,)
            for zone in zones:
                suffix = f"-{ZONE_LABELS[zone]}" if kind.startswith("d") else ""
                times[f"training-{training.id}-{kind}{suffix}"] = self.due_at(kind, training.starts_at, zone)
        times[f"training-{training.id}-feedback"] = self.feedback_at(training)
        return times


BATCH_SIZE = 500


@dataclass(frozen=True)
class Batch:
    """What one batch issued; `resume_after` is the enrolment sequence to continue from, or None."""

    issued: int
    resume_after: int | None = None


def process_training(
    session: Session,
    content: Content,
    plan: Plan,
    training_id: int,
    now: datetime,
    *,
    after: int = 0,
    limit: int | None = None,
) -> Batch:
    """Issue what is due for one training (offers past deadline, reminders, feedback).

    With `limit`, only that many participants (by enrolment sequence, after `after`) are handled,
    so a caller can spread 10,000 reminders over short transactions instead of one long lock.
    """
    training = seats.lock_training(session, training_id)
    if training is None or training.status != "published":
        return Batch(0)
    notifier = Notifier(session, content, now)
    if after == 0:
        seats.expire_offers(session, notifier, training)
    issued, last = (
        _reminders(session, notifier, plan, training, after, limit) if now < training.starts_at else (0, None)
    )
    if last is None and plan.feedback_at(training) <= now < training.ends_at + FEEDBACK_WINDOW:
        issued += _feedback(session, notifier, training)
    if last is None:
        training.processed_until = now
    return Batch(issued, last)


def _reminders(
    session: Session, notifier: Notifier, plan: Plan, training: Training, after: int, limit: int | None
) -> tuple[int, int | None]:
    now, issued = notifier.now, 0
    participants = _participants(session, training.id, ("enrolled",), after, limit)
    for enrolment, province in participants:
        zone = offset_zone(owner_zone(province, training.timezone))
        due = [(plan.due_at(k, training.starts_at, zone), k) for k in plan.kinds]
        due = sorted((at, k) for at, k in due if enrolment.created_at < at <= now)
        if not due:
            continue
        latest = due[-1][1]
        fresh = {k for _, k in due if _record(session, enrolment.id, k, now, sent=k == latest)}
        if latest in fresh:
            _send_reminder(notifier, training, enrolment, latest)
            issued += 1
    full = limit is not None and len(participants) == limit
    return issued, participants[-1][0].sequence if full else None


def _send_reminder(notifier: Notifier, training: Training, enrolment: Enrolment, kind: str) -> None:
    amount = kind[1:]
    text_key = "training_reply.reminder_hours" if kind.startswith("h") else "training_reply.reminder_days"
    if kind == "d1":
        text_key = "training_reply.reminder_tomorrow"
    extra = {"days": amount, "hours": amount}
    notifier.send(
        enrolment,
        training,
        text_key=text_key,
        kind="reminder",
        key=f"reminder:{enrolment.id}:{kind}",
        prompt="reminder",
        extra=extra,
    )


def _feedback(session: Session, notifier: Notifier, training: Training) -> int:
    issued = 0
    for enrolment, _ in _participants(session, training.id, ("enrolled", "attended")):
        if enrolment.feedback_at is None and _record(
            session, enrolment.id, "feedback", notifier.now, sent=True
        ):
            notifier.send(
                enrolment,
                training,
                text_key="training_reply.feedback_text",
                kind="reminder",
                key=f"feedback:{enrolment.id}",
                prompt="feedback",
            )
            issued += 1
    return issued


def _participants(
    session: Session, training_id: int, statuses: tuple[str, ...], after: int = 0, limit: int | None = None
) -> list[Any]:
    query = (
        select(Enrolment, Business.province_code)
        .join(Business, Business.owner_id == Enrolment.owner_id, isouter=True)
        .where(Enrolment.training_id == training_id, Enrolment.status.in_(statuses))
        .where(Enrolment.sequence > after)
        .order_by(Enrolment.sequence)
        .limit(limit)
    )
    return list(session.execute(query).all())


def _record(session: Session, enrolment_id: int, kind: str, now: datetime, *, sent: bool) -> bool:
    """True when this call recorded the notice (nobody issued it before)."""
    connection, statements = sql(session)
    row = {"enrolment_id": enrolment_id, "kind": kind, "sent": sent, "created_at": now}
    return connection.execute(statements.notice, row).scalar() is not None
