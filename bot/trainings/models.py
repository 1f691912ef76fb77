"""Training tables: agencies, their trainings, owners' enrolments, and the reminders already issued.

Seats are counted under a row lock on the training (`SELECT … FOR UPDATE`), and `next_sequence` on
that row hands out arrival numbers, so the waitlist order is the order the lock was taken in.
`TrainingNotice` is the scheduler's source of truth: one row per (enrolment, reminder kind) ever
issued, unique, so a job run twice or two clocks by mistake issue each reminder once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from bot.clock import utcnow
from bot.models import metadata

__all__ = [
    "ACTIVE",
    "Agency",
    "Enrolment",
    "SEATED",
    "Training",
    "TrainingNotice",
    "TrainingPrompt",
    "metadata",
]

SEATED = ("enrolled", "offered", "attended", "no_show")  # statuses that hold a seat
ACTIVE = (*SEATED, "waitlisted")  # statuses of someone still in the training


def _fk(target: str, *, nullable: bool = False, ondelete: str = "CASCADE") -> Any:
    return Field(
        default=None,
        sa_column=Column(Integer, ForeignKey(target, ondelete=ondelete), nullable=nullable, index=True),
    )


class Agency(SQLModel, table=True):
    """A Dinas, PLUT or Rumah BUMN that runs trainings; it calls the API with its bearer token."""

    id: int | None = Field(default=None, primary_key=True)
    name: str
    province_code: str | None = None
    token_hash: str = Field(unique=True)
    created_at: datetime = Field(default_factory=utcnow)


class Training(SQLModel, table=True):
    """One training session; times are stored in UTC, `timezone` is where it takes place."""

    __table_args__ = (UniqueConstraint("agency_id", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = _fk("agency.id")
    ref: str | None = None
    title: str
    description: str = ""
    organiser: str
    category: str = ""
    sectors: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    province_code: str | None = None
    regency_code: str | None = None
    venue: str | None = None
    online_url: str | None = None
    starts_at: datetime = Field(index=True)
    ends_at: datetime
    timezone: str = "Asia/Jakarta"
    seats: int
    registration_deadline: datetime | None = None
    nib_required: bool = False
    restrict_sectors: bool = False
    restrict_region: bool = False
    requirements: str = ""
    offer_hours: float = 24.0
    status: str = Field(default="draft", index=True)
    next_sequence: int = 0
    schedule_version: int = 1
    processed_until: datetime | None = None  # reminders/feedback due up to here are issued
    cancel_reason: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Enrolment(SQLModel, table=True):
    """An owner in a training: enrolled, waitlisted (by `sequence`), offered a freed seat, or out."""

    __table_args__ = (UniqueConstraint("training_id", "owner_id"),)

    id: int | None = Field(default=None, primary_key=True)
    training_id: int = _fk("training.id")
    owner_id: int = _fk("owner.id")
    status: str = Field(default="enrolled", index=True)
    sequence: int
    offer_expires_at: datetime | None = None
    offer_count: int = 0
    confirmed_at: datetime | None = None
    cancel_reason: str | None = None
    attendance_marked_at: datetime | None = None
    feedback_score: int | None = None
    feedback_comment: str | None = None
    feedback_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class TrainingNotice(SQLModel, table=True):
    """A reminder or feedback request issued for one enrolment (or superseded by a later one)."""

    __table_args__ = (UniqueConstraint("enrolment_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = _fk("enrolment.id")
    kind: str
    sent: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class TrainingPrompt(SQLModel, table=True):
    """A question sent proactively (reminder, seat offer, feedback) that the contact may answer."""

    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = _fk("contact.id")
    enrolment_id: int = _fk("enrolment.id")
    kind: str
    created_at: datetime = Field(default_factory=utcnow)
    answered_at: datetime | None = None
