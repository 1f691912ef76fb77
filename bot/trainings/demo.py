"""`python -m bot demo`: the demo agency and catalogue from `content/trainings_demo.yaml`.

Idempotent: the agency is found by name, trainings by `ref`; a demo training that has already
ended is moved forward relative to today again, so the demo always has upcoming trainings.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlmodel import Session

from bot.clock import utcnow
from bot.content import read_yaml
from bot.core import Core
from bot.db import transaction
from bot.trainings.agency import create_agency
from bot.trainings.models import Agency, Training

FIELDS = (
    "title",
    "organiser",
    "category",
    "description",
    "sectors",
    "province_code",
    "regency_code",
    "venue",
    "online_url",
    "timezone",
    "seats",
    "nib_required",
    "restrict_sectors",
    "restrict_region",
    "requirements",
)


def load_demo(core: Core, now: datetime | None = None) -> list[str]:
    """Create or refresh the demo; returns lines to print (the agency token only when new)."""
    spec = read_yaml(core.settings.content_dir / "trainings_demo.yaml")
    now = now or utcnow()
    report = []
    with transaction(core.db) as session:
        agency, token = _agency(session, spec["agency"])
        if token:
            report.append(f"demo agency {agency.id}: {agency.name}; API token (shown once): {token}")
        for item in spec["trainings"]:
            report.append(_upsert(session, agency, item, now, core.settings.training_offer_hours))
    return report


def _agency(session: Session, spec: dict[str, Any]) -> tuple[Agency, str | None]:
    found = session.execute(select(Agency).where(Agency.name == spec["name"])).scalars().first()
    if found is not None:
        return found, None
    return create_agency(session, spec["name"], spec.get("province_code"))


def _upsert(session: Session, agency: Agency, item: dict[str, Any], now: datetime, offer_hours: float) -> str:
    query = select(Training).where(Training.agency_id == agency.id, Training.ref == item["ref"])
    training = session.execute(query).scalars().first()
    if training is not None and training.ends_at > now:
        return f"kept      {training.title} ({training.starts_at:%Y-%m-%d})"
    values = {name: item[name] for name in FIELDS if name in item}
    values.update(_times(item, now))
    if training is None:
        training = Training(
            agency_id=agency.id, ref=item["ref"], status="published", offer_hours=offer_hours, **values
        )
        session.add(training)
        verb = "created"
    else:
        for name, value in values.items():
            setattr(training, name, value)
        training.schedule_version += 1
        training.processed_until, verb = None, "moved"
    return f"{verb:<9} {training.title} ({training.starts_at:%Y-%m-%d})"


def _times(item: dict[str, Any], now: datetime) -> dict[str, datetime]:
    zone = ZoneInfo(item.get("timezone", "Asia/Jakarta"))
    day = now.astimezone(zone).date() + timedelta(days=int(item["in_days"]))

    def at(text: str, on: Any = day) -> datetime:
        hour, minute = (int(part) for part in text.split(":"))
        return datetime.combine(on, time(hour, minute), tzinfo=zone)

    starts = at(item["start"])
    deadline = at("23:59", day - timedelta(days=int(item.get("deadline_days_before", 1))))
    return {"starts_at": starts, "ends_at": at(item["end"]), "registration_deadline": deadline}
