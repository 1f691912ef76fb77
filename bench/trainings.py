"""Trainings under load, on SQLite (a file) and PostgreSQL (database `naikkelas_bench_trainings`,
created and dropped by this script).

1. Enrolments per second: N owners tap "Daftar" at the same moment (32 threads) through the real
   turn path (dedupe, contact lock, training row lock, seats, outbox, commit).
2. Reminders for 10,000 enrolments: the time to schedule them (one job per training and reminder
   kind, `Clock.sync`), the time to issue them when due (fan-out: notices + outbox rows + prompts),
   and, for comparison, the time to add one APScheduler job per enrolment instead.

    python bench/trainings.py [--owners 400] [--reminders 10000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432]
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import create_engine, insert, text

from bot.clock import utcnow
from bot.config import Settings
from bot.core import build_core
from bot.db import transaction
from bot.messages import Inbound
from bot.models import Business, Contact, Conversation, Owner
from bot.scheduler import Clock, run_training
from bot.trainings.agency import create_agency, create_training
from bot.trainings.models import Enrolment
from bot.turns import handle_inbound

DETAIL = {"flow": "trainings", "step": "detail", "status": "waiting"}


def new_training(core, seats: int, days: int = 10) -> int:
    start = utcnow() + timedelta(days=days)
    with transaction(core.db) as session:
        agency, _ = create_agency(session, f"bench {time.time()}")
        values = {
            "title": "Bench",
            "organiser": "Bench",
            "venue": "Aula",
            "starts_at": start,
            "ends_at": start + timedelta(hours=3),
            "seats": seats,
            "status": "published",
        }
        return int(create_training(session, agency, values).id)


def owners(core, count: int, training_id: int | None, offset: int) -> list[int]:
    """Owners with a business, a WhatsApp contact and (if given) a conversation on the training."""
    now, ids = utcnow(), []
    with core.db.begin() as connection:
        for n in range(offset, offset + count):
            phone = f"+62813{n:08d}"
            owner_id = connection.execute(
                insert(Owner)
                .values(
                    full_name=f"P{n}",
                    phone=phone,
                    consent_at=now,
                    consent_version="b",
                    consent_channel="whatsapp",
                    created_at=now,
                    updated_at=now,
                )
                .returning(Owner.id)
            ).scalar()
            connection.execute(
                insert(Business).values(
                    owner_id=owner_id,
                    name=f"U{n}",
                    sector="batik",
                    products="x",
                    province_code="16",
                    province="Sumsel",
                    regency_code="16.71",
                    regency="Palembang",
                    scale="micro",
                    omzet_band="b1",
                    created_at=now,
                    updated_at=now,
                )
            )
            contact_id = connection.execute(
                insert(Contact)
                .values(
                    channel="whatsapp",
                    address=phone,
                    owner_id=owner_id,
                    language="id",
                    opted_out=False,
                    unreachable=False,
                    created_at=now,
                )
                .returning(Contact.id)
            ).scalar()
            if training_id is not None:
                data = {"training_id": training_id, "_options": [["enrol", "Daftar"], ["back", "Kembali"]]}
                connection.execute(
                    insert(Conversation).values(
                        contact_id=contact_id, data=data, version=1, updated_at=now, **DETAIL
                    )
                )
            ids.append(owner_id)
    return ids


def bench_enrolments(core, count: int) -> float:
    training_id = new_training(core, seats=count // 3)
    owners(core, count, training_id, offset=0)

    def tap(n: int) -> None:
        handle_inbound(core, Inbound("whatsapp", f"+62813{n:08d}", text="daftar", message_id=f"bench-{n}"))

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=32) as pool:
        list(pool.map(tap, range(count)))
    return count / (time.perf_counter() - start)


def bench_reminders(core, count: int) -> dict[str, float]:
    training_id = new_training(core, seats=count, days=4)
    ids = owners(core, count, None, offset=1_000_000)
    created = utcnow() - timedelta(days=1)
    with core.db.begin() as connection:
        connection.execute(
            insert(Enrolment),
            [
                {
                    "training_id": training_id,
                    "owner_id": o,
                    "status": "enrolled",
                    "sequence": i,
                    "offer_count": 0,
                    "created_at": created,
                    "updated_at": created,
                }
                for i, o in enumerate(ids, 1)
            ],
        )
    clock = Clock(core)
    started = time.perf_counter()
    clock.start(paused=True)
    schedule = time.perf_counter() - started
    due = utcnow() + timedelta(days=3, hours=1)  # after the 3-day reminder for every zone
    started = time.perf_counter()
    issued = clock.process(training_id, due)
    fan_out = time.perf_counter() - started
    clock.scheduler.remove_all_jobs()
    clock.shutdown()
    per_job = per_enrolment_jobs(core, ids, training_id)
    assert issued == count, issued
    return {"schedule": schedule, "fan_out": fan_out, "per_job": per_job}


def per_enrolment_jobs(core, ids: list[int], training_id: int) -> float:
    """The alternative design: one persistent job per enrolment (for one reminder kind only)."""
    scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(engine=core.db)}, timezone="UTC")
    scheduler.start(paused=True)
    run_at = utcnow() + timedelta(days=2)
    started = time.perf_counter()
    for owner_id in ids:
        scheduler.add_job(run_training, "date", run_date=run_at, args=[training_id], id=f"bench-{owner_id}")
    elapsed = time.perf_counter() - started
    scheduler.remove_all_jobs()
    scheduler.shutdown(wait=False)
    return elapsed


def run(name: str, url: str, args: argparse.Namespace) -> None:
    core = build_core(Settings(_env_file=None, database_url=url))
    rate = bench_enrolments(core, args.owners)
    print(f"{name:<10} enrolments/s ({args.owners} owners, 32 threads, turn path): {rate:8.0f}")
    times = bench_reminders(core, args.reminders)
    print(
        f"{name:<10} reminders for {args.reminders} enrolments: schedule {times['schedule'] * 1000:7.1f} ms "
        f"(jobs per training), issue when due {times['fan_out']:6.2f} s "
        f"({args.reminders / times['fan_out']:.0f}/s); one job per enrolment instead: "
        f"{times['per_job']:6.2f} s to add"
    )
    core.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--owners", type=int, default=400)
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    threading.excepthook = lambda hook: print(f"thread failed: {hook.exc_value!r}")
    with tempfile.TemporaryDirectory() as folder:
        run("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", args)
    admin = create_engine(f"{args.pg}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("DROP DATABASE IF EXISTS naikkelas_bench_trainings"))
        connection.execute(text("CREATE DATABASE naikkelas_bench_trainings"))
    try:
        run("postgresql", f"{args.pg}/naikkelas_bench_trainings", args)
    finally:
        with admin.connect() as connection:
            connection.execute(text("DROP DATABASE IF EXISTS naikkelas_bench_trainings"))
        admin.dispose()


if __name__ == "__main__":
    main()
