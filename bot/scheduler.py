"""The clock: APScheduler with a persistent job store in the same database (`apscheduler_jobs`).

Run it once, in the `clock` process (`python -m bot clock`, see the Procfile), or inside `serve` on a
single machine (`RUN_CLOCK_IN_WEB`, on by default for SQLite). Jobs are module-level functions with
ids as arguments, explicit job ids, `replace_existing=True`, coalescing and a generous misfire
grace, and they only *enqueue* outbox rows through `bot.trainings.reminders.process_training`,
which is idempotent. The database is the source of truth and the job store a cache of it:

- per published training, one date job per reminder kind (and per zone for the 09:00 local ones)
  and one for the feedback question; each fans out to every enrolment, so 10,000 enrolments cost
  a handful of jobs, not 30,000;
- every `CLOCK_SYNC_SECONDS` (and at start) `sync` re-creates jobs for new or edited trainings
  (the web process only writes rows), drops jobs of cancelled ones, adds a job per open seat
  offer at its deadline, and processes at once anything due that `Training.processed_until` says
  was not processed yet: a run missed during downtime is caught up exactly once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import select

from bot.clock import utcnow
from bot.core import Core
from bot.db import transaction
from bot.trainings.models import Enrolment, Training
from bot.trainings.reminders import BATCH_SIZE, FEEDBACK_WINDOW, Plan, process_training

logger = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"
SYNC_JOB = "trainings-sync"
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": 24 * 3600, "max_instances": 1}
_ACTIVE: list[Clock] = []  # the running clock of this process, for the pickled job functions


def run_training(training_id: int) -> None:
    """Job: issue whatever is due for one training (reminders, expired offers, feedback)."""
    _active().process(training_id, utcnow())


def run_sync() -> None:
    """Job: bring the job store in line with the database and catch up on anything missed."""
    _active().sync(utcnow())


def _active() -> Clock:
    if not _ACTIVE:
        raise RuntimeError("no clock is running in this process")
    return _ACTIVE[-1]


@dataclass
class SyncReport:
    added: int = 0
    removed: int = 0
    processed: list[int] = field(default_factory=list)


class Clock:
    """One scheduler over the shared database; `start()` reconciles before any job runs."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.plan = Plan.from_settings(core.settings)
        store = SQLAlchemyJobStore(engine=core.db, tablename=JOB_TABLE)
        self.scheduler = BackgroundScheduler(
            jobstores={"default": store}, job_defaults=JOB_DEFAULTS, timezone="UTC"
        )

    def start(self, *, now: datetime | None = None, paused: bool = False) -> SyncReport:
        _ACTIVE.append(self)
        self.scheduler.start(paused=True)
        every = self.core.settings.clock_sync_seconds
        self.scheduler.add_job(run_sync, "interval", seconds=every, id=SYNC_JOB, replace_existing=True)
        report = self.sync(now or utcnow())
        if not paused:
            self.scheduler.resume()
        logger.info(
            "clock started: %s jobs added, %s trainings caught up", report.added, len(report.processed)
        )
        return report

    def shutdown(self) -> None:
        self.scheduler.shutdown(wait=False)
        if self in _ACTIVE:
            _ACTIVE.remove(self)

    def process(self, training_id: int, now: datetime) -> int:
        """Issue what is due, in batches of short transactions so enrolments are never held up long."""
        issued, after = 0, 0
        while True:
            with transaction(self.core.db) as session:
                batch = process_training(
                    session, self.core.content, self.plan, training_id, now, after=after, limit=BATCH_SIZE
                )
            issued += batch.issued
            if batch.resume_after is None:
                return issued
            after = batch.resume_after

    # ------------------------------------------------------------------ sync
    def sync(self, now: datetime) -> SyncReport:
        trainings, offers = self._live(now)
        wanted: dict[str, tuple[datetime, int]] = {}
        due: set[int] = set()
        for training in trainings:
            done = training.processed_until
            for job_id, at in self.plan.job_times(training).items():
                if at > now:
                    wanted[job_id] = (at, training.id)
                elif done is None or done < at:
                    due.add(training.id)
        for enrolment_id, training_id, expires, count in offers:
            if expires > now:
                wanted[f"offer-{enrolment_id}-{count}"] = (expires, training_id)
            else:
                due.add(training_id)
        report = self._apply(wanted)
        for training_id in sorted(due):
            self.process(training_id, now)
        report.processed = sorted(due)
        return report

    def _live(self, now: datetime) -> tuple[list[Training], list[Any]]:
        with transaction(self.core.db) as session:
            query = select(Training).where(
                Training.status == "published", Training.ends_at > now - FEEDBACK_WINDOW
            )
            trainings = list(session.execute(query).scalars())
            offers = select(
                Enrolment.id, Enrolment.training_id, Enrolment.offer_expires_at, Enrolment.offer_count
            )
            offered = list(session.execute(offers.where(Enrolment.status == "offered")).all())
        return trainings, offered

    def _apply(self, wanted: dict[str, tuple[datetime, int]]) -> SyncReport:
        report = SyncReport()
        existing = {job.id: job for job in self.scheduler.get_jobs()}
        for job_id, (at, training_id) in wanted.items():
            job = existing.get(job_id)
            if job is None or job.next_run_time != at:
                self.scheduler.add_job(
                    run_training, "date", run_date=at, args=[training_id], id=job_id, replace_existing=True
                )
                report.added += 1
        for job_id in existing:
            if job_id.startswith(("training-", "offer-")) and job_id not in wanted:
                self.scheduler.remove_job(job_id)
                report.removed += 1
        return report


def serve_with_clock(app: Any) -> Any:
    """Wrap a FastAPI app's lifespan so the clock runs in the web process (single machine)."""
    inner: Callable[[Any], Any] = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: Any) -> AsyncIterator[Any]:
        async with inner(application) as state:
            clock = Clock(application.state.core)
            clock.start()
            try:
                yield state
            finally:
                clock.shutdown()

    app.router.lifespan_context = lifespan
    return app


def run_forever(core: Core, stop: threading.Event | None = None) -> None:
    """The `clock` process: start, then sleep until SIGTERM/SIGINT (Procfile runners send those)."""
    import signal

    stop = stop or threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    clock = Clock(core)
    clock.start()
    try:
        while not stop.wait(timedelta(hours=1).total_seconds()):
            pass
    finally:
        clock.shutdown()
