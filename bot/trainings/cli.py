"""Command-line pieces for trainings: `clock`, `demo`, `agency create|list`, and the in-process clock."""

from __future__ import annotations

import argparse
from typing import Any

from bot.config import Settings


def add_commands(commands: Any) -> None:
    clock = commands.add_parser("clock", help="run the scheduler (reminders, seat offers, feedback)")
    clock.set_defaults(run=_clock)
    demo = commands.add_parser("demo", help="load the demo training catalogue (idempotent)")
    demo.set_defaults(run=_demo)
    agency = commands.add_parser("agency", help="agencies and their API tokens")
    agency.add_argument("action", choices=["create", "list"])
    agency.add_argument("--name", help='the agency\'s name, e.g. "Dinas KUKM Kota Palembang"')
    agency.add_argument("--province", default=None, help='province code, e.g. "16"')
    agency.set_defaults(run=_agency)


def clock_in_web(settings: Settings) -> bool:
    """RUN_CLOCK_IN_WEB, or by default: yes on SQLite (single machine), no on PostgreSQL."""
    return settings.is_sqlite if settings.run_clock_in_web is None else settings.run_clock_in_web


def with_clock(app: Any, settings: Settings) -> Any:
    if not clock_in_web(settings):
        return app
    from bot.scheduler import serve_with_clock

    return serve_with_clock(app)


def _clock(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core import build_core
    from bot.scheduler import run_forever

    run_forever(build_core(settings))
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from bot.core import build_core
    from bot.trainings.demo import load_demo

    report = load_demo(build_core(settings))
    for line in report:
        print(line)
    return 0


def _agency(args: argparse.Namespace, settings: Settings) -> int:
    from sqlalchemy import select

    from bot.core import build_core
    from bot.db import transaction
    from bot.trainings.agency import create_agency
    from bot.trainings.models import Agency

    core = build_core(settings)
    with transaction(core.db) as session:
        if args.action == "list":
            for agency in session.execute(select(Agency).order_by(Agency.id)).scalars():
                print(f"{agency.id}\t{agency.name}")
            return 0
        if not args.name:
            print('agency create needs --name "…"')
            return 2
        agency, token = create_agency(session, args.name.strip(), args.province)
        print(f"agency {agency.id}: {agency.name}")
    print(f"API token (shown once, keep it safe): {token}")
    return 0
