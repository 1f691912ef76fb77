"""Test databases: a migrated SQLite template copied per test, and a PostgreSQL database
migrated once per session and truncated between tests."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from sqlalchemy import Engine, text

from bot.db import make_engine
from bot.migrate import upgrade
from bot.models import metadata

PG_URL_ENV = "TEST_DATABASE_URL"


def store_names() -> list[str]:
    """SQLite always; PostgreSQL too when the test database URL is set (CI sets it)."""
    return ["sqlite", "postgresql"] if os.environ.get(PG_URL_ENV) else ["sqlite"]


def sqlite_template(folder: Path) -> Path:
    path = folder / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


def sqlite_engine(template: Path, folder: Path) -> Engine:
    path = folder / "naikkelas.db"
    shutil.copy(template, path)
    return make_engine(f"sqlite:///{path}")


def postgres_engine() -> Engine:
    """Fresh schema for the session; fails loudly (never skips) when PostgreSQL is unreachable."""
    engine = make_engine(os.environ[PG_URL_ENV])
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(engine)
    return engine


def truncate(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
