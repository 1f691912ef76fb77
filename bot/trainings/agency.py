"""The agency's side: tokens, creating and editing trainings, publishing, cancelling (everyone in it
is told), participants and waitlist, attendance (one by one or from an uploaded list), exports.

Functions take the session explicitly and never commit; the API wraps each call in a transaction.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import phonenumbers
from openpyxl import Workbook
from sqlalchemy import select
from sqlmodel import Session

from bot.content import Content
from bot.models import Business, Contact, Owner
from bot.trainings import seats
from bot.trainings.models import ACTIVE, Agency, Enrolment, Training
from bot.trainings.notify import Notifier

EXPORT_COLUMNS = ("name", "business", "sector", "phone", "regency", "NIB", "status", "attendance")
TIME_FIELDS = ("starts_at", "ends_at", "timezone")
ATTENDANCE = {"attended": "hadir", "no_show": "tidak hadir"}


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_agency(session: Session, name: str, province_code: str | None = None) -> tuple[Agency, str]:
    """A new agency and its bearer token; only the hash is stored, so show the token once."""
    token = secrets.token_urlsafe(32)
    agency = Agency(name=name, province_code=province_code, token_hash=hash_token(token))
    session.add(agency)
    session.flush()
    return agency, token


def agency_for_token(session: Session, token: str) -> Agency | None:
    query = select(Agency).where(Agency.token_hash == hash_token(token))
    return session.execute(query).scalars().first()


def create_training(session: Session, agency: Agency, values: dict[str, Any]) -> Training:
    training = Training(agency_id=agency.id, **values)
    session.add(training)
    session.flush()
    return training


def update_training(
    session: Session, content: Content, training: Training, values: dict[str, Any], now: datetime
) -> Training:
    """Apply an edit; a new time reschedules reminders and tells everyone enrolled."""
    moved = any(f in values and values[f] != getattr(training, f) for f in TIME_FIELDS)
    for name, value in values.items():
        setattr(training, name, value)
    training.updated_at = now
    notifier = Notifier(session, content, now)
    if moved:
        training.schedule_version += 1
        training.processed_until = None
        _tell_all(
            session,
            notifier,
            training,
            ("enrolled", "offered"),
            "training_reply.training_moved",
            f"moved:{training.id}:{training.schedule_version}",
        )
    seats.fill_seats(session, notifier, training)
    return training


def publish(session: Session, content: Content, training: Training, now: datetime) -> Training:
    training.status, training.updated_at = "published", now
    seats.fill_seats(session, Notifier(session, content, now), training)
    return training


def cancel_training(
    session: Session, content: Content, training: Training, reason: str | None, now: datetime
) -> int:
    """Cancel the training; every enrolled, offered and waitlisted owner is told. Returns how many."""
    training.status, training.cancel_reason, training.updated_at = "cancelled", reason, now
    notifier = Notifier(session, content, now)
    told = _tell_all(
        session,
        notifier,
        training,
        ACTIVE,
        "training_reply.training_cancelled",
        f"training-cancelled:{training.id}",
        reason=reason,
    )
    for enrolment in _enrolments(session, training.id, ACTIVE):
        enrolment.status, enrolment.cancel_reason, enrolment.updated_at = (
            "cancelled",
            "training_cancelled",
            now,
        )
    return told


def _tell_all(
    session: Session,
    notifier: Notifier,
    training: Training,
    statuses: tuple[str, ...],
    text_key: str,
    key: str,
    reason: str | None = None,
) -> int:
    def extra(lang: str) -> dict[str, Any]:
        text = notifier.content.text("training_reply.cancel_reason", lang, reason=reason) if reason else ""
        return {"reason_text": text}

    told = 0
    for enrolment in _enrolments(session, training.id, statuses):
        sent = notifier.send(
            enrolment,
            training,
            text_key=text_key,
            kind="announcement",
            key=f"{key}:{enrolment.id}",
            extra=extra,
        )
        told += bool(sent)
    return told


def _enrolments(session: Session, training_id: int, statuses: tuple[str, ...]) -> list[Enrolment]:
    query = select(Enrolment).where(Enrolment.training_id == training_id, Enrolment.status.in_(statuses))
    return list(session.execute(query.order_by(Enrolment.sequence)).scalars())


# ---------------------------------------------------------------------- participants
@dataclass(frozen=True)
class Participant:
    enrolment_id: int
    name: str
    business: str
    sector: str
    phone: str
    regency: str
    nib: str
    status: str
    attendance: str
    waitlist_position: int | None
    confirmed: bool
    feedback_score: int | None
    feedback_comment: str | None

    def export_row(self) -> list[str]:
        return [
            self.name,
            self.business,
            self.sector,
            self.phone,
            self.regency,
            self.nib,
            self.status,
            self.attendance,
        ]


def participants(session: Session, content: Content, training: Training) -> list[Participant]:
    """Everyone who signed up, seated first, then the waitlist in order, then the rest."""
    query = (
        select(Enrolment, Owner, Business)
        .join(Owner, Owner.id == Enrolment.owner_id)
        .join(Business, Business.owner_id == Owner.id, isouter=True)
        .where(Enrolment.training_id == training.id)
        .order_by(Enrolment.sequence)
    )
    rows = session.execute(query).all()
    waiting = [e.id for e, _, _ in rows if e.status == "waitlisted"]
    order = {"enrolled": 0, "offered": 0, "attended": 0, "no_show": 0, "waitlisted": 1, "cancelled": 2}
    rows = sorted(rows, key=lambda r: (order.get(r[0].status, 3), r[0].sequence))
    return [_participant(content, e, o, b, waiting) for e, o, b in rows]


def _participant(
    content: Content, e: Enrolment, o: Owner, b: Business | None, waiting: list[int]
) -> Participant:
    return Participant(
        enrolment_id=e.id,
        name=o.full_name,
        business=b.name if b else "",
        sector=content.sectors.label(b.sector, "id") if b else "",
        phone=o.phone or "",
        regency=b.regency if b else "",
        nib=(b.nib or "") if b else "",
        status=e.status,
        attendance=ATTENDANCE.get(e.status, ""),
        waitlist_position=waiting.index(e.id) + 1 if e.id in waiting else None,
        confirmed=e.confirmed_at is not None,
        feedback_score=e.feedback_score,
        feedback_comment=e.feedback_comment,
    )


def to_csv(rows: list[Participant]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_COLUMNS)
    writer.writerows(row.export_row() for row in rows)
    return out.getvalue()


def to_xlsx(rows: list[Participant], title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Peserta"
    sheet.append([title])
    sheet.append(list(EXPORT_COLUMNS))
    for row in rows:
        sheet.append(row.export_row())
    for column, width in zip("ABCDEFGH", (28, 28, 22, 18, 24, 16, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------------- attendance
def mark_attendance(
    session: Session, training: Training, enrolment_id: int, present: bool, now: datetime
) -> bool:
    """False when the enrolment is not in this training or was cancelled."""
    enrolment = session.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.training_id != training.id or enrolment.status == "cancelled":
        return False
    enrolment.status = "attended" if present else "no_show"
    enrolment.attendance_marked_at = enrolment.updated_at = now
    return True


def enrolment_by_phone(session: Session, training: Training, phone: str) -> int | None:
    """The enrolment of the owner with this phone (profile phone or WhatsApp number)."""
    number = normalise_phone(phone)
    if number is None:
        return None
    by_phone = session.execute(select(Owner.id).where(Owner.phone == number)).scalars()
    addresses = [number, f"whatsapp:{number}"]
    by_contact = session.execute(select(Contact.owner_id).where(Contact.address.in_(addresses))).scalars()
    owner_ids = {*by_phone, *by_contact} - {None}
    query = select(Enrolment.id).where(
        Enrolment.training_id == training.id, Enrolment.owner_id.in_(owner_ids)
    )
    return session.execute(query).scalars().first()


def normalise_phone(text: str) -> str | None:
    try:
        number = phonenumbers.parse(text.strip(), "ID")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@dataclass
class UploadResult:
    marked: int
    unmatched: list[str]


def attendance_from_csv(session: Session, training: Training, text: str, now: datetime) -> UploadResult:
    """A CSV of enrolment ids or phone numbers, with an optional present column (default present)."""
    result = UploadResult(0, [])
    for ident, present in _csv_rows(text):
        enrolment_id = (
            int(ident) if ident.isdigit() and len(ident) < 9 else enrolment_by_phone(session, training, ident)
        )
        if enrolment_id is not None and mark_attendance(session, training, enrolment_id, present, now):
            result.marked += 1
        else:
            result.unmatched.append(ident)
    return result


ABSENT = {"0", "tidak", "tidak hadir", "absen", "no", "false", "absent", "n", "t"}


def _csv_rows(text: str) -> list[tuple[str, bool]]:
    rows = [r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if r and r[0].strip()]
    if rows and not any(ch.isdigit() for ch in rows[0][0]):
        rows = rows[1:]  # a header row such as "phone,hadir" or "enrolment_id,present"
    out = []
    for row in rows:
        present = len(row) < 2 or row[1].strip().lower() not in ABSENT
        out.append((row[0].strip(), present))
    return out
