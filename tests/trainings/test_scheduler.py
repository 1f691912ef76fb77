"""The clock: persistent jobs, idempotent runs, catching up after downtime, rescheduling on edits."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import inspect, select, text

from bot.clock import utcnow
from bot.db import transaction
from bot.scheduler import JOB_TABLE, Clock
from bot.trainings import agency as service
from bot.trainings.models import Training, TrainingNotice
from tests.trainings.conftest import at_local, enrolments, outbox


@pytest.fixture
def clocks(core):
    """Clocks started by a test, shut down after it; the job table starts empty."""
    if inspect(core.db).has_table(JOB_TABLE):
        with core.db.begin() as connection:
            connection.execute(text(f"DELETE FROM {JOB_TABLE}"))
    started: list[Clock] = []

    def start(now):
        clock = Clock(core)
        clock.start(now=now, paused=True)
        started.append(clock)
        return clock

    yield start
    for clock in started:
        if clock.scheduler.running:
            clock.scheduler.remove_all_jobs()
            clock.shutdown()


def enrolled(make_owner, make_chat, count: int = 2) -> None:
    for n in range(1, count + 1):
        make_owner(n)
        chat = make_chat(f"+6281200000{n:03d}", channel="whatsapp")
        for message in ("pelatihan", "1", "1"):
            chat.send(message)


def job_ids(clock) -> set[str]:
    return {job.id for job in clock.scheduler.get_jobs()}


def test_jobs_survive_a_restart(core, clocks, make_training) -> None:
    training_id = make_training(days=6)
    first = clocks(utcnow())
    expected = {
        f"training-{training_id}-{kind}"
        for kind in ("d3-WIB", "d3-WITA", "d3-WIT", "d1-WIB", "d1-WITA", "d1-WIT", "h2", "feedback")
    } | {"trainings-sync"}
    assert job_ids(first) == expected
    first.shutdown()
    second = clocks(utcnow())
    assert job_ids(second) == expected
    assert second.sync(utcnow()).added == 0  # nothing re-created: the store already had them


def test_running_a_job_twice_enqueues_once(core, clocks, make_training, make_owner, make_chat) -> None:
    start = at_local(4, 10)
    training_id = make_training(starts_at=start, ends_at=start + timedelta(hours=3))
    enrolled(make_owner, make_chat)
    clock = clocks(utcnow())
    due = at_local(1, 9) + timedelta(seconds=5)
    assert clock.process(training_id, due) == 2
    assert clock.process(training_id, due + timedelta(minutes=1)) == 0
    assert len(outbox(core, kind="reminder")) == 2


def test_two_clocks_by_mistake_send_once(core, clocks, make_training, make_owner, make_chat) -> None:
    start = at_local(4, 10)
    training_id = make_training(starts_at=start, ends_at=start + timedelta(hours=3))
    enrolled(make_owner, make_chat)
    one, two = clocks(utcnow()), clocks(utcnow())
    due = at_local(1, 9) + timedelta(seconds=5)
    threads = [threading.Thread(target=c.process, args=(training_id, due)) for c in (one, two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(outbox(core, kind="reminder")) == 2


def test_downtime_is_caught_up_exactly_once(core, clocks, make_training, make_owner, make_chat) -> None:
    start = at_local(4, 10)
    training_id = make_training(starts_at=start, ends_at=start + timedelta(hours=3))
    enrolled(make_owner, make_chat)
    clocks(utcnow()).shutdown()  # the clock is down over both the 3-day and the 1-day reminder
    back = at_local(3, 11)
    clocks(back)  # reconcile runs in start()
    messages = outbox(core, kind="reminder")
    assert len(messages) == 2 and all("besok" in m.text for m in messages)  # the latest only, once each
    with transaction(core.db) as session:
        notices = {(n.kind, n.sent) for n in session.execute(select(TrainingNotice)).scalars()}
    assert notices == {("d3", False), ("d1", True)}
    clocks(back + timedelta(minutes=5))
    assert len(outbox(core, kind="reminder")) == 2
    assert {e.status for e in enrolments(core, training_id)} == {"enrolled"}


def test_editing_the_time_reschedules(core, clocks, make_training) -> None:
    training_id = make_training(days=6)
    clock = clocks(utcnow())
    before = clock.scheduler.get_job(f"training-{training_id}-h2").next_run_time
    later = at_local(8, 14)
    with transaction(core.db) as session:
        training = session.get(Training, training_id)
        service.update_training(
            session,
            core.content,
            training,
            {"starts_at": later, "ends_at": later + timedelta(hours=2)},
            utcnow(),
        )
    report = clock.sync(utcnow())
    after = clock.scheduler.get_job(f"training-{training_id}-h2").next_run_time
    assert after == later - timedelta(hours=2) and after != before and report.added == 8
    with transaction(core.db) as session:
        service.cancel_training(session, core.content, session.get(Training, training_id), None, utcnow())
    assert clock.sync(utcnow()).removed == 8 and job_ids(clock) == {"trainings-sync"}


def test_an_open_offer_gets_a_deadline_job(core, clocks, make_training, make_owner, make_chat) -> None:
    training_id = make_training(seats=1)
    enrolled(make_owner, make_chat, 2)
    first = make_chat("+6281200000001", channel="whatsapp")
    for message in ("pelatihan saya", "1", "1", "1"):
        first.send(message)
    clock = clocks(utcnow())
    offer = [e for e in enrolments(core, training_id) if e.status == "offered"][0]
    assert f"offer-{offer.id}-1" in job_ids(clock)
    clock.sync(offer.offer_expires_at + timedelta(seconds=1))
    assert [e.status for e in enrolments(core, training_id)] == ["cancelled", "cancelled"]


def test_reminders_go_out_in_short_batches(
    core, clocks, make_training, make_owner, make_chat, monkeypatch
) -> None:
    """A big training is reminded in several short transactions, each owner exactly once."""
    import bot.scheduler

    monkeypatch.setattr(bot.scheduler, "BATCH_SIZE", 2)
    start = at_local(4, 10)
    training_id = make_training(starts_at=start, ends_at=start + timedelta(hours=3), seats=5)
    enrolled(make_owner, make_chat, count=5)
    clock = clocks(utcnow())
    due = at_local(1, 9) + timedelta(seconds=5)
    assert clock.process(training_id, due) == 5
    assert clock.process(training_id, due) == 0
    assert len(outbox(core, kind="reminder")) == 5
