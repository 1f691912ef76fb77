"""Two messages from one owner at once never corrupt or skip state; a retry is handled once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from bot.core import Core
from bot.db import transaction
from bot.messages import Inbound
from bot.models import Conversation, MessageLog, Outbox
from bot.turns import handle_inbound


def _count(core: Core, model, *where) -> int:  # noqa: ANN001
    with transaction(core.db) as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_twenty_messages_at_once_leave_a_consistent_state(core: Core) -> None:
    address = "+6281200000001"
    messages = [Inbound("console", address, text=f"halo {i}", message_id=f"m{i}") for i in range(20)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(lambda m: handle_inbound(core, m), messages))
    assert not any(o.duplicate for o in outcomes)
    assert _count(core, MessageLog, MessageLog.channel == "console") == 20
    assert _count(core, Outbox) == 20
    with transaction(core.db) as session:
        conversation = session.execute(select(Conversation)).scalar_one()
    assert conversation.version == 20 and conversation.flow == "menu"


def test_two_workers_one_message_one_reply(core: Core) -> None:
    message = Inbound("whatsapp", "+6281200000002", text="halo", message_id="SM123")
    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(lambda _: handle_inbound(core, message), range(2)))
    assert sorted(o.duplicate for o in outcomes) == [False, True]
    assert _count(core, Outbox) == 1


def test_registration_under_concurrent_owners(core: Core) -> None:
    script = ["daftar", "ya", "Siti", "Batik Serasan", "batik tulis", "kain batik", "palembang"]

    def owner(i: int) -> str | None:
        conversation_step = None
        for n, text in enumerate(script):
            handle_inbound(core, Inbound("console", f"+62813000000{i:02d}", text=text, message_id=f"{i}-{n}"))
        with transaction(core.db) as session:
            conversation_step = session.execute(select(Conversation.step).limit(1)).scalar()
        return conversation_step

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(owner, range(8)))
    with transaction(core.db) as session:
        steps = list(session.execute(select(Conversation.step)).scalars())
    assert steps == ["ask_address"] * 8


def test_a_restarted_database_costs_no_message(core: Core) -> None:
    """Pooled connections the server dropped (a PostgreSQL restart) are replaced; the turn succeeds."""
    if core.db.dialect.name != "postgresql":
        return
    handle_inbound(core, Inbound("console", "+6281200000003", text="halo", message_id="before"))
    with core.db.connect() as admin:
        admin.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        admin.commit()
    outcome = handle_inbound(core, Inbound("console", "+6281200000003", text="1", message_id="after"))
    assert outcome.outbox_ids and not outcome.duplicate
