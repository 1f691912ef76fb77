"""The agencies' JSON API under `/api`: trainings, participants, attendance and exports.

Every call needs `Authorization: Bearer <token>` (one token per agency, issued once by
`python -m bot agency create`; only its SHA-256 is stored). An agency sees only its own trainings.
Times are ISO 8601; a time without an offset is read in the training's `timezone`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, File, HTTPException, Path, Request, Response, UploadFile, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, model_validator
from sqlalchemy import select
from sqlmodel import Session

from bot import regions
from bot.clock import utcnow
from bot.core import Core
from bot.db import transaction
from bot.trainings import agency as service
from bot.trainings import seats
from bot.trainings.models import Agency, Training
from bot.trainings.timefmt import ZONE_LABELS

router = APIRouter(prefix="/api", tags=["agency"])
bearer = HTTPBearer(auto_error=False, description="The agency's token from `python -m bot agency create`.")
MAX_ID = 2**31 - 1  # ids are 32-bit on both stores; larger numbers are simply "not found" (422)
TrainingId = Annotated[int, Path(ge=1, le=MAX_ID, description="The training's id")]
UNAUTHORIZED = {401: {"description": "Missing or wrong bearer token"}}
NOT_FOUND = {404: {"description": "No such training for this agency"}}
NULLABLE = {"registration_deadline", "venue", "online_url", "regency_code", "province_code", "ref"}


# ---------------------------------------------------------------------- schemas
class TrainingFields(BaseModel):
    """Fields an agency sets; all optional here so the same shape serves edits (PATCH)."""

    ref: str | None = Field(None, max_length=80, description="The agency's own reference, unique per agency")
    title: str | None = Field(None, min_length=3, max_length=200)
    description: str | None = Field(None, max_length=4000)
    organiser: str | None = Field(None, min_length=2, max_length=200, description="Shown to owners")
    category: str | None = Field(None, max_length=80, description="e.g. batik, kuliner, pembukuan")
    sectors: list[str] | None = Field(None, description="Sector keys from content/sectors.yaml")
    province_code: str | None = Field(None, description='Kemendagri province code, e.g. "16"')
    regency_code: str | None = Field(None, description='Kemendagri regency code, e.g. "16.71"')
    venue: str | None = Field(None, max_length=300)
    online_url: str | None = Field(None, max_length=500, pattern=r"^https?://")
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    timezone: str | None = Field(
        None, description="Asia/Jakarta, Asia/Pontianak, Asia/Makassar or Asia/Jayapura"
    )
    seats: int | None = Field(None, ge=1, le=100_000)
    registration_deadline: datetime | None = None
    nib_required: bool | None = None
    restrict_sectors: bool | None = Field(None, description="Only owners in `sectors` may enrol")
    restrict_region: bool | None = Field(
        None, description="Only owners in the regency (or province) may enrol"
    )
    requirements: str | None = Field(None, max_length=2000, description="Other requirements, one per line")
    offer_hours: float | None = Field(
        None, gt=0, le=24 * 14, description="Hours a freed seat is held for an offer"
    )

    @model_validator(mode="after")
    def _zone(self) -> TrainingFields:
        if self.timezone is not None and self.timezone not in ZONE_LABELS:
            raise ValueError(f"timezone must be one of {', '.join(ZONE_LABELS)}")
        return self


class TrainingCreate(TrainingFields):
    title: str = Field(min_length=3, max_length=200)
    organiser: str = Field(min_length=2, max_length=200)
    starts_at: datetime
    ends_at: datetime
    seats: int = Field(ge=1, le=100_000)
    publish: bool = Field(False, description="Publish at once (owners can see and enrol)")


class TrainingOut(BaseModel):
    id: int
    ref: str | None
    status: str = Field(description="draft, published or cancelled")
    title: str
    description: str
    organiser: str
    category: str
    sectors: list[str]
    province_code: str | None
    regency_code: str | None
    venue: str | None
    online_url: str | None
    starts_at: datetime
    ends_at: datetime
    timezone: str
    seats: int
    seats_taken: int
    waitlisted: int
    registration_deadline: datetime | None
    nib_required: bool
    restrict_sectors: bool
    restrict_region: bool
    requirements: str
    offer_hours: float
    cancel_reason: str | None


class CancelIn(BaseModel):
    reason: str | None = Field(
        None, max_length=300, description="Told to every enrolled and waitlisted owner"
    )


class CancelOut(BaseModel):
    training: TrainingOut
    notified: int = Field(description="Owners told about the cancellation")


class ParticipantOut(BaseModel):
    enrolment_id: int
    name: str
    business: str
    sector: str
    phone: str
    regency: str
    nib: str
    status: str = Field(description="enrolled, offered, waitlisted, attended, no_show or cancelled")
    attendance: str = Field(description='"hadir", "tidak hadir" or empty')
    waitlist_position: int | None
    confirmed: bool = Field(description='The owner answered "hadir" to a reminder')
    feedback_score: int | None
    feedback_comment: str | None


class Mark(BaseModel):
    enrolment_id: int | None = Field(default=None, ge=1, le=MAX_ID)
    phone: str | None = None
    present: bool = True


class AttendanceIn(BaseModel):
    marks: list[Mark] = Field(min_length=1, max_length=10_000)


class AttendanceOut(BaseModel):
    marked: int
    unmatched: list[str]


# ---------------------------------------------------------------------- dependencies
def _core(request: Request) -> Core:
    return request.app.state.core


def _agency(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
) -> int:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized()
    with transaction(_core(request).db) as session:
        agency = service.agency_for_token(session, credentials.credentials)
        if agency is None:
            raise _unauthorized()
        return int(agency.id)


def _unauthorized() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED, "invalid or missing bearer token", {"WWW-Authenticate": "Bearer"}
    )


CoreDep = Annotated[Core, Depends(_core)]
AgencyId = Annotated[int, Depends(_agency)]


def _own(session: Session, agency_id: int, training_id: int, *, lock: bool = False) -> Training:
    training = seats.lock_training(session, training_id) if lock else session.get(Training, training_id)
    if training is None or training.agency_id != agency_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "training not found")
    return training


def _out(session: Session, training: Training) -> TrainingOut:
    data = training.model_dump()
    for name in ("starts_at", "ends_at", "registration_deadline"):
        data[name] = data[name].astimezone(UTC) if data[name] else None  # always answer in UTC
    data["seats_taken"] = seats.seats_taken(session, training.id)
    data["waitlisted"] = len(seats.waitlist(session, training.id))
    return TrainingOut(**data)


def _values(core: Core, fields: TrainingFields, current: Training | None) -> dict[str, Any]:
    """Validated column values; naive times are read in the training's zone."""
    values = fields.model_dump(exclude_unset=True, exclude={"publish"})
    zone = values.get("timezone") or (current.timezone if current else "Asia/Jakarta")
    values.setdefault("timezone", zone)
    for name in ("starts_at", "ends_at", "registration_deadline"):
        if values.get(name) is not None and values[name].tzinfo is None:
            values[name] = values[name].replace(tzinfo=ZoneInfo(zone))
    if current is None and values.get("offer_hours") is None:
        values["offer_hours"] = core.settings.training_offer_hours
    values = {k: v for k, v in values.items() if v is not None or k in NULLABLE}
    _check(core, {**(current.model_dump() if current else {}), **values})
    return values


def _check(core: Core, merged: dict[str, Any]) -> None:
    problems = []
    if merged.get("ends_at") and merged.get("starts_at") and merged["ends_at"] <= merged["starts_at"]:
        problems.append("ends_at must be after starts_at")
    deadline = merged.get("registration_deadline")
    if deadline and merged.get("starts_at") and deadline > merged["starts_at"]:
        problems.append("registration_deadline must not be after starts_at")
    if not merged.get("venue") and not merged.get("online_url"):
        problems.append("give a venue, an online_url, or both")
    unknown = [s for s in merged.get("sectors") or [] if core.content.sectors.get(s) is None]
    problems += [f"unknown sector {s!r} (see content/sectors.yaml)" for s in unknown]
    problems += _region_problems(merged.get("province_code"), merged.get("regency_code"))
    if problems:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, problems)


def _region_problems(province: str | None, regency: str | None) -> list[str]:
    if province and province not in {p.code for p in regions.provinces()}:
        return [f"unknown province_code {province!r}"]
    if regency and (not province or regency not in {r.code for r in regions.regencies(province)}):
        return [f"regency_code {regency!r} is not in province {province!r}"]
    return []


# ---------------------------------------------------------------------- trainings
@router.post("/trainings", status_code=201, response_model=TrainingOut, responses=UNAUTHORIZED)
def create_training(body: TrainingCreate, core: CoreDep, agency_id: AgencyId) -> TrainingOut:
    """Create a training (a draft unless `publish` is true)."""
    with transaction(core.db) as session:
        agency = session.get(Agency, agency_id)
        training = service.create_training(session, agency, _values(core, body, None))
        if body.publish:
            service.publish(session, core.content, training, utcnow())
        return _out(session, training)


@router.get("/trainings", response_model=list[TrainingOut], responses=UNAUTHORIZED)
def list_trainings(core: CoreDep, agency_id: AgencyId) -> list[TrainingOut]:
    """The agency's trainings, soonest first."""
    with transaction(core.db) as session:
        query = select(Training).where(Training.agency_id == agency_id).order_by(Training.starts_at)
        return [_out(session, t) for t in session.execute(query).scalars()]


@router.get("/trainings/{training_id}", response_model=TrainingOut, responses={**UNAUTHORIZED, **NOT_FOUND})
def get_training(training_id: TrainingId, core: CoreDep, agency_id: AgencyId) -> TrainingOut:
    with transaction(core.db) as session:
        return _out(session, _own(session, agency_id, training_id))


@router.patch("/trainings/{training_id}", response_model=TrainingOut, responses={**UNAUTHORIZED, **NOT_FOUND})
def edit_training(
    training_id: TrainingId, body: TrainingFields, core: CoreDep, agency_id: AgencyId
) -> TrainingOut:
    """Edit any field. A new time reschedules the reminders and tells enrolled owners; more seats
    are offered to the waitlist at once."""
    with transaction(core.db) as session:
        training = _own(session, agency_id, training_id, lock=True)
        if training.status == "cancelled":
            raise HTTPException(status.HTTP_409_CONFLICT, "a cancelled training cannot be edited")
        service.update_training(session, core.content, training, _values(core, body, training), utcnow())
        return _out(session, training)


@router.post(
    "/trainings/{training_id}/publish", response_model=TrainingOut, responses={**UNAUTHORIZED, **NOT_FOUND}
)
def publish_training(training_id: TrainingId, core: CoreDep, agency_id: AgencyId) -> TrainingOut:
    """Make the training visible to owners so they can enrol."""
    with transaction(core.db) as session:
        training = _own(session, agency_id, training_id, lock=True)
        if training.status == "cancelled":
            raise HTTPException(status.HTTP_409_CONFLICT, "a cancelled training cannot be published")
        service.publish(session, core.content, training, utcnow())
        return _out(session, training)


@router.post(
    "/trainings/{training_id}/cancel", response_model=CancelOut, responses={**UNAUTHORIZED, **NOT_FOUND}
)
def cancel_training(training_id: TrainingId, body: CancelIn, core: CoreDep, agency_id: AgencyId) -> CancelOut:
    """Cancel the training; every enrolled, offered and waitlisted owner is told on every channel."""
    with transaction(core.db) as session:
        training = _own(session, agency_id, training_id, lock=True)
        told = 0
        if training.status != "cancelled":
            told = service.cancel_training(session, core.content, training, body.reason, utcnow())
        return CancelOut(training=_out(session, training), notified=told)


# ---------------------------------------------------------------------- participants
@router.get(
    "/trainings/{training_id}/participants",
    response_model=list[ParticipantOut],
    responses={**UNAUTHORIZED, **NOT_FOUND},
)
def list_participants(training_id: TrainingId, core: CoreDep, agency_id: AgencyId) -> list[ParticipantOut]:
    """Seated participants, then the waitlist in order (with positions), then cancellations."""
    with transaction(core.db) as session:
        training = _own(session, agency_id, training_id)
        return [ParticipantOut(**vars(p)) for p in service.participants(session, core.content, training)]


@router.get(
    "/trainings/{training_id}/participants.csv",
    response_class=Response,
    responses={
        200: {"content": {"text/csv": {}}, "description": "Participant list"},
        **UNAUTHORIZED,
        **NOT_FOUND,
    },
)
def participants_csv(training_id: TrainingId, core: CoreDep, agency_id: AgencyId) -> Response:
    """Columns: name, business, sector, phone, regency, NIB, status, attendance."""
    with transaction(core.db) as session:
        training = _own(session, agency_id, training_id)
        body = service.to_csv(service.participants(session, core.content, training))
    headers = {"Content-Disposition": f'attachment; filename="peserta-{training_id}.csv"'}
    return Response("\ufeff" + body, media_type="text/csv; charset=utf-8", headers=headers)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(
    "/trainings/{training_id}/participants.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "Participant list"}, **UNAUTHORIZED, **NOT_FOUND},
)
def participants_xlsx(training_id: TrainingId, core: CoreDep, agency_id: AgencyId) -> Response:
    """The same columns as the CSV, as an Excel workbook (title in row 1, header in row 2)."""
    with transaction(core.db) as session:
        training = _own(session, agency_id, training_id)
        body = service.to_xlsx(service.participants(session, core.content, training), training.title)
    headers = {"Content-Disposition": f'attachment; filename="peserta-{training_id}.xlsx"'}
    return Response(body, media_type=XLSX, headers=headers)


@router.post(
    "/trainings/{training_id}/attendance",
    response_model=AttendanceOut,
    responses={**UNAUTHORIZED, **NOT_FOUND},
)
def mark_attendance(
    training_id: TrainingId, body: AttendanceIn, core: CoreDep, agency_id: AgencyId
) -> AttendanceOut:
    """Mark participants present or absent, by enrolment id or phone number."""
    now, result = utcnow(), AttendanceOut(marked=0, unmatched=[])
    with transaction(core.db) as session:
        training = _own(session, agency_id, training_id)
        for mark in body.marks:
            enrolment_id = mark.enrolment_id or service.enrolment_by_phone(
                session, training, mark.phone or ""
            )
            if enrolment_id and service.mark_attendance(session, training, enrolment_id, mark.present, now):
                result.marked += 1
            else:
                result.unmatched.append(str(mark.enrolment_id or mark.phone))
    return result


@router.post(
    "/trainings/{training_id}/attendance/upload",
    response_model=AttendanceOut,
    responses={**UNAUTHORIZED, **NOT_FOUND},
)
def upload_attendance(
    training_id: TrainingId,
    core: CoreDep,
    agency_id: AgencyId,
    file: Annotated[
        UploadFile, File(description="CSV: phone or enrolment id, optional column hadir/present (1/0)")
    ],
) -> AttendanceOut:
    """Upload the signed attendance list as CSV; rows without a second column count as present."""
    raw = file.file.read(2_000_000)
    text = raw.decode("utf-8", errors="replace")
    with transaction(core.db) as session:
        training = _own(session, agency_id, training_id)
        result = service.attendance_from_csv(session, training, text, utcnow())
    return AttendanceOut(marked=result.marked, unmatched=result.unmatched)
