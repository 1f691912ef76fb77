"""`Core`: the settings, database engine, content and flow engine one process shares.

Built explicitly from `Settings` (no module globals), so tests and benchmarks build their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine as DbEngine

from bot.config import Settings
from bot.content import Content, load_content
from bot.db import make_engine
from bot.flows.engine import Engine


@dataclass
class Core:
    settings: Settings
    db: DbEngine
    content: Content
    engine: Engine


def build_core(settings: Settings, *, db: DbEngine | None = None, migrate: bool = True) -> Core:
    """Everything a process needs to handle turns; upgrades the schema unless told not to."""
    content = load_content(settings.content_dir)
    db = db or make_engine(settings.database_url)
    if migrate:
        from bot.migrate import upgrade

        upgrade(db)
    engine = Engine(
        content,
        idle_timeout=timedelta(hours=settings.conversation_idle_hours),
        max_chars=settings.max_message_chars,
        max_media_bytes=settings.max_media_bytes,
    )
    return Core(settings=settings, db=db, content=content, engine=engine)
