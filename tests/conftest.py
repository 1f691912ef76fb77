"""Fixtures: a `core` on each store (SQLite always, PostgreSQL when TEST_DATABASE_URL is set) and
a `chat` that talks to it like an owner on the console channel."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.config import Settings
from bot.core import Core, build_core
from tests.support import stores
from tests.support.chat import Chat


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return stores.sqlite_template(tmp_path_factory.mktemp("template"))


@pytest.fixture(scope="session")
def pg_engine() -> Iterator[Engine]:
    engine = stores.postgres_engine()
    yield engine
    engine.dispose()


@pytest.fixture(params=stores.store_names())
def db(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = stores.sqlite_engine(sqlite_template, tmp_path)
        yield engine
        engine.dispose()
        return
    engine = request.getfixturevalue("pg_engine")
    stores.truncate(engine)
    yield engine


@pytest.fixture
def settings(db: Engine) -> Settings:
    return Settings(_env_file=None, database_url=db.url.render_as_string(hide_password=False))


@pytest.fixture
def core(settings: Settings, db: Engine) -> Core:
    return build_core(settings, db=db, migrate=False)


@pytest.fixture
def chat(core: Core) -> Chat:
    return Chat(core)


@pytest.fixture
def make_chat(core: Core):  # noqa: ANN201 - factory fixture
    def make(address: str = "+6281234567891", channel: str = "console") -> Chat:
        return Chat(core, address, channel)

    return make
