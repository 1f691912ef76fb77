"""Database engines for the two stores: SQLite (embedded default) and PostgreSQL (production).

SQLite gets WAL, a busy timeout, foreign keys, full fsync and `BEGIN IMMEDIATE` on every transaction,
so writers queue instead of failing with "database is locked" half-way through a turn. PostgreSQL
serialises turns per contact with row locks (see `bot/turns.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session, create_engine

SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA busy_timeout=30000",
    "PRAGMA foreign_keys=ON",
    "PRAGMA synchronous=FULL",
)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Build the engine for `url`, with the pragmas or pool settings its store needs."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)
        _configure_sqlite(engine)
        return engine
    # No pre-ping: it costs a round trip per transaction. A connection the server dropped fails
    # its statement as a "disconnect", SQLAlchemy discards the whole pool, and the turn is retried
    # once on a fresh connection (`bot.turns.handle_inbound`).
    kwargs.setdefault("pool_recycle", 1800)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    """SQLAlchemy's documented pysqlite recipe: own the BEGIN so it can be IMMEDIATE."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


@contextmanager
def transaction(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
            session.info.pop("_sql", None)
        except BaseException:
            session.info.pop("_sql", None)
            session.rollback()
            raise
