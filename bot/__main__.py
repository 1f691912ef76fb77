"""Command line: `python -m bot chat | serve [--telegram-polling] | telegram set-webhook | db upgrade |
clock | demo | agency create`."""

from __future__ import annotations

import argparse
import logging
import sys

import phonenumbers

from bot.config import Settings, get_settings
from bot.logs import setup_logging
from bot.trainings import cli as trainings_cli


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = get_settings()
    setup_logging(settings.log_level if args.command != "chat" else "WARNING")
    return int(args.run(args, settings) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Naik Kelas assistant")
    commands = parser.add_subparsers(dest="command", required=True)
    chat = commands.add_parser("chat", help="chat with the bot in the terminal (console channel)")
    chat.add_argument("--as", dest="phone", default="+6281234567890", help="the owner's phone number")
    chat.add_argument("--lang", choices=["id", "en"], default=None)
    chat.add_argument("--port", type=int, default=8000, help="web server port while chatting interactively")
    chat.add_argument("--no-web", action="store_true", help="do not start the web server alongside")
    chat.set_defaults(run=_chat)
    serve = commands.add_parser("serve", help="run the web server (FastAPI)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--telegram-polling", action="store_true", help="Telegram by long polling, no webhook")
    serve.set_defaults(run=_serve)
    telegram = commands.add_parser("telegram", help="Telegram channel setup")
    telegram.add_argument("action", choices=["set-webhook"], help="register PUBLIC_URL/webhooks/telegram")
    telegram.set_defaults(run=_telegram)
    db = commands.add_parser("db", help="database maintenance")
    db.add_argument("action", choices=["upgrade"])
    db.set_defaults(run=_db)
    trainings_cli.add_commands(commands)  # clock, demo, agency
    return parser


def _chat(args: argparse.Namespace, settings: Settings) -> int:
    from bot.channels.console import ConsoleChat, interactive_lines
    from bot.core import build_core

    try:
        number = phonenumbers.parse(args.phone, "ID")
    except phonenumbers.NumberParseException:
        print(f"--as needs a phone number, e.g. +6281234567890 (got {args.phone!r})", file=sys.stderr)
        return 2
    address = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    core = build_core(settings)
    chat = ConsoleChat(core, address)
    if args.lang:
        chat.set_language(args.lang)
    interactive = sys.stdin.isatty()
    if interactive:
        lang = args.lang or settings.default_language
        web = "" if args.no_web else _web_alongside(settings, args.port)
        chat.watch()
        banner = core.content.text("console.banner", lang)
        note = core.content.text(f"console.{web}", lang, port=args.port) if web else ""
        print(f"{banner}\n{note}\n> ", end="", flush=True)
    chat.run(interactive_lines(sys.stdin), interactive=interactive)
    return 0


def _web_alongside(settings: Settings, port: int) -> str:
    """The single-machine default: while an owner chats, the web server (webhooks, agency API and
    the in-process clock on SQLite) runs on localhost too. Returns the `console.*` text to show."""
    import socket
    import threading

    import uvicorn

    from bot.web.app import create_app

    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return "port_busy"
    app = trainings_cli.with_clock(create_app(settings), settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", log_config=None)
    threading.Thread(target=uvicorn.Server(config).run, name="web", daemon=True).start()
    return "web_on"


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from bot.web.app import create_app

    logging.getLogger(__name__).info("serving on http://%s:%s", args.host, args.port)
    app = create_app(settings, telegram_polling=args.telegram_polling)
    app = trainings_cli.with_clock(app, settings)  # RUN_CLOCK_IN_WEB (default: on for SQLite)
    uvicorn.run(app, host=args.host, port=args.port, proxy_headers=True)
    return 0


def _telegram(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from bot.channels.telegram import set_webhook

    ok, message = asyncio.run(set_webhook(settings))
    print(message, file=sys.stdout if ok else sys.stderr)
    return 0 if ok else 1


def _db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db import make_engine
    from bot.migrate import upgrade

    upgrade(make_engine(settings.database_url))
    print("database is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
