"""FastAPI application factory; everything is built in the lifespan from explicit settings."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text

from bot.config import Settings, get_settings
from bot.core import Core, build_core
from bot.delivery import Limits
from bot.web import agency_api, webhooks


def create_app(
    settings: Settings | None = None,
    *,
    core: Core | None = None,
    telegram_polling: bool = False,
    limits: Limits | None = None,
) -> FastAPI:
    """A stateless web process: all shared state lives in the database."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.core = core or build_core(settings or get_settings())
        async with webhooks.channels_running(app, telegram_polling=telegram_polling, limits=limits):
            yield

    app = FastAPI(title="Naik Kelas", version="0.1.0", lifespan=lifespan)
    app.include_router(webhooks.router)
    app.include_router(agency_api.router)

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        """Liveness and database reachability, for load balancers and Procfile runners."""
        with app.state.core.db.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "database": app.state.core.db.dialect.name}

    return app
