"""Alembic environment: runs on the connection `bot.migrate.upgrade` passes in, or on a URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

import bot.channels.models  # noqa: F401  (media_file)
import bot.models  # noqa: F401  (registers the tables)
import bot.trainings.models  # noqa: F401  (agency, training, enrolment, notices, prompts)
from bot.models import metadata

IGNORED_TABLES = {"apscheduler_jobs"}


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (type_ == "table" and name in IGNORED_TABLES)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        include_name=_include_name,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.connect() as conn:
        _run(conn)


run()
