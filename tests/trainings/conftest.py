"""Fixtures for trainings: an agency with published trainings, owners registered directly in the
database (fast, for crowds) or through the conversation (for the owner's own story)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import utcnow
from bot.core import Core
from bot.db import transaction
from bot.messages import Reply
from bot.models import Business, Contact, Outbox, Owner
from bot.trainings import agency as service
from bot.trainings.models import Agency, Enrolment, Training

DEFAULTS: dict[str, Any] = {
    "title": "Desain Wastra Nusantara untuk Fashion",
    "organiser": "PLUT-KUMKM Sumatera Selatan",
    "category": "batik",
    "description": "Motif songket untuk busana.",
    "sectors": ["batik", "tenun"],
    "province_code": "16",
    "regency_code": "16.71",
    "venue": "PLUT-KUMKM Sumsel, Palembang",
    "timezone": "Asia/Jakarta",
    "seats": 2,
}


def register_owner(chat: Any, nib: str = "1234567890123") -> None:
    """Register Siti Aminah's batik business in Palembang through the conversation, and save it."""
    from tests.conversations.test_registration import register

    register(chat, nib=nib)
    chat.send("1")  # "Ya, simpan" / "Yes, save"
    assert chat.owner is not None, chat.last


def at_local(days: int, hour: int = 9, zone: str = "Asia/Jakarta", now: datetime | None = None) -> datetime:
    """`days` from today at `hour`:00 local time in `zone`."""
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(zone)
    day = (now or utcnow()).astimezone(tz).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, tzinfo=tz)


@pytest.fixture
def agency(core: Core) -> tuple[int, str]:
    """(agency id, bearer token)."""
    with transaction(core.db) as session:
        row, token = service.create_agency(session, "Dinas KUKM Sumsel", "16")
        return int(row.id), token


@pytest.fixture
def make_training(core: Core, agency: tuple[int, str]) -> Callable[..., int]:
    def make(publish: bool = True, days: int = 10, **fields: Any) -> int:
        values = {**DEFAULTS, **fields}
        values.setdefault("starts_at", at_local(days, 9, values["timezone"]))
        values.setdefault("ends_at", values["starts_at"] + timedelta(hours=6))
        with transaction(core.db) as session:
            training = service.create_training(session, session.get(Agency, agency[0]), values)
            if publish:
                service.publish(session, core.content, training, utcnow())
            return int(training.id)

    return make


@pytest.fixture
def make_owner(core: Core) -> Callable[..., int]:
    """An owner with a business and a WhatsApp contact, straight into the database."""

    def make(
        n: int,
        *,
        sector: str = "batik",
        province: str = "16",
        regency: str = "16.71",
        nib: str | None = "1234567890123",
        language: str = "id",
        channel: str = "whatsapp",
    ) -> int:
        phone = f"+62812{n:08d}"
        with transaction(core.db) as session:
            owner = Owner(
                full_name=f"Pemilik {n}",
                phone=phone,
                consent_at=utcnow(),
                consent_version="t",
                consent_channel=channel,
            )
            session.add(owner)
            session.flush()
            session.add(
                Business(
                    owner_id=owner.id,
                    name=f"Usaha {n}",
                    sector=sector,
                    products="kain",
                    province_code=province,
                    province="Sumatera Selatan",
                    regency_code=regency,
                    regency="Kota Palembang",
                    nib=nib,
                    scale="micro",
                    omzet_band="b1",
                )
            )
            session.add(Contact(channel=channel, address=phone, owner_id=owner.id, language=language))
            return int(owner.id)

    return make


def outbox(core: Core, *, address: str | None = None, kind: str | None = None) -> list[Reply]:
    """Messages waiting for the dispatcher (reminders, offers …), oldest first."""
    with transaction(core.db) as session:
        query = select(Outbox).where(Outbox.status == "pending").order_by(Outbox.id)
        if address:
            query = query.where(Outbox.address == address)
        if kind:
            query = query.where(Outbox.kind == kind)
        return [Reply.from_json(row.payload) for row in session.execute(query).scalars()]


def enrolments(core: Core, training_id: int) -> list[Enrolment]:
    with transaction(core.db) as session:
        query = select(Enrolment).where(Enrolment.training_id == training_id).order_by(Enrolment.sequence)
        return list(session.execute(query).scalars())


def training(core: Core, training_id: int) -> Training:
    with transaction(core.db) as session:
        return session.get(Training, training_id)
