"""Seats are never oversold: owners enrol at the same moment through the real turn path.

On PostgreSQL: 200 owners for 75 seats. On SQLite (one writer at a time by design) a smaller crowd.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from bot.clock import utcnow
from bot.db import transaction
from bot.messages import Inbound
from bot.models import Business, Contact, Conversation, Owner
from bot.trainings import seats
from bot.trainings.models import Enrolment
from bot.trainings.notify import Notifier
from bot.turns import handle_inbound
from tests.trainings.conftest import enrolments, outbox

DETAIL = {"flow": "trainings", "step": "detail", "status": "waiting"}


def crowd(core, training_id: int, count: int) -> list[str]:
    """`count` owners, each already looking at the training's details (one tap from "Daftar")."""
    addresses = [f"+62812{n:08d}" for n in range(1, count + 1)]
    data = {"training_id": training_id, "_options": [["enrol", "Daftar"], ["back", "Kembali ke daftar"]]}
    with transaction(core.db) as session:
        for n, address in enumerate(addresses, start=1):
            owner = Owner(
                full_name=f"Pemilik {n}",
                phone=address,
                consent_at=utcnow(),
                consent_version="t",
                consent_channel="whatsapp",
            )
            session.add(owner)
            session.flush()
            session.add(
                Business(
                    owner_id=owner.id,
                    name=f"Usaha {n}",
                    sector="batik",
                    products="kain",
                    province_code="16",
                    province="Sumatera Selatan",
                    regency_code="16.71",
                    regency="Kota Palembang",
                    scale="micro",
                    omzet_band="b1",
                )
            )
            contact = Contact(channel="whatsapp", address=address, owner_id=owner.id)
            session.add(contact)
            session.flush()
            session.add(
                Conversation(contact_id=contact.id, data=data, version=1, updated_at=utcnow(), **DETAIL)
            )
    return addresses


def enrol_all_at_once(core, addresses: list[str]) -> None:
    barrier = threading.Barrier(min(len(addresses), 32))

    def tap(address: str) -> None:
        try:
            barrier.wait(timeout=5)
        except threading.BrokenBarrierError:
            pass
        outcome = handle_inbound(
            core, Inbound("whatsapp", address, text="daftar", message_id=f"tap-{address}")
        )
        assert outcome.outbox_ids

    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(tap, addresses))


def test_no_overselling_and_waitlist_in_arrival_order(core, make_training) -> None:
    postgres = core.db.dialect.name == "postgresql"
    count, seat_count = (200, 75) if postgres else (30, 10)
    training_id = make_training(seats=seat_count)
    enrol_all_at_once(core, crowd(core, training_id, count))
    rows = enrolments(core, training_id)
    assert len(rows) == count and sorted(e.sequence for e in rows) == list(range(1, count + 1))
    assert [e.status for e in rows] == ["enrolled"] * seat_count + ["waitlisted"] * (count - seat_count)
    with transaction(core.db) as session:
        waiting = seats.waitlist(session, training_id)
        assert [seats.position(session, e) for e in waiting] == list(range(1, count - seat_count + 1))

    # cancellations promote strictly in order: 5 leave, positions 1..5 are offered, in that order
    leaving = [e.id for e in rows[:5]]
    for enrolment_id in leaving:
        with transaction(core.db) as session:
            training = seats.lock_training(session, training_id)
            seats.cancel(
                session,
                Notifier(session, core.content, utcnow()),
                training,
                session.get(Enrolment, enrolment_id),
                "owner",
            )
    rows = enrolments(core, training_id)
    offered = [e.sequence for e in rows if e.status == "offered"]
    assert offered == list(range(seat_count + 1, seat_count + 6))
    assert len(outbox(core, kind="offer")) == 5
    # nobody answers: the offers pass on to the next five, still in order
    with transaction(core.db) as session:
        training = seats.lock_training(session, training_id)
        later = utcnow() + timedelta(hours=25)
        seats.expire_offers(session, Notifier(session, core.content, later), training)
    rows = enrolments(core, training_id)
    assert [e.sequence for e in rows if e.status == "offered"] == list(range(seat_count + 6, seat_count + 11))
    assert sum(e.status in ("enrolled", "offered") for e in rows) == seat_count
