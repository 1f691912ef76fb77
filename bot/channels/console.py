"""The console channel: chat with the bot in a terminal, or pipe a script of messages through it.

It goes through exactly the same path as the webhooks (one transaction per turn, replies via the
outbox), so what works here works on WhatsApp and Telegram.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
from typing import TextIO

from sqlalchemy import select
from sqlmodel import Session

from bot.clock import utcnow
from bot.core import Core
from bot.db import transaction
from bot.delivery.queue import rows_by_id, settle
from bot.messages import Inbound, Reply
from bot.models import Outbox
from bot.turns import handle_inbound

CHANNEL = "console"


def render(reply: Reply) -> str:
    """Choices as a numbered list, the way an owner answers them: by digit or by word."""
    lines = [reply.text] if reply.text else []
    lines += [f"  {i}. {choice.label}" for i, choice in enumerate(reply.choices, start=1)]
    return "\n".join(lines)


class ConsoleChat:
    """One console owner, identified by the phone number given with `--as`."""

    def __init__(self, core: Core, address: str) -> None:
        self.core, self.address = core, address

    def send(self, text: str) -> list[Reply]:
        """One owner message in, the replies the owner sees out."""
        return self.deliver(Inbound(channel=CHANNEL, address=self.address, text=text))

    def deliver(self, inbound: Inbound) -> list[Reply]:
        """Run the turn, then "send" its outbox rows: print-ready replies, marked as sent."""
        outcome = handle_inbound(self.core, inbound)
        with transaction(self.core.db) as session:
            return _settle(session, rows_by_id(session, outcome.outbox_ids))

    def set_language(self, lang: str) -> None:
        from bot.store import lock_contact, save_contact

        with transaction(self.core.db) as session:
            contact = lock_contact(session, channel=CHANNEL, address=self.address, language=lang)
            contact.language = lang
            save_contact(session, contact)

    def deliver_pending(self) -> list[Reply]:
        """Messages the bot started itself (reminders, seat offers, announcements) for this owner."""
        with transaction(self.core.db) as session:
            query = select(Outbox).where(
                Outbox.channel == CHANNEL, Outbox.address == self.address, Outbox.status == "pending"
            )
            return _settle(session, list(session.execute(query.order_by(Outbox.id)).scalars()))

    def watch(self, out: TextIO = sys.stdout, every: float = 2.0) -> threading.Event:
        """Print proactive messages as they arrive, until the returned event is set."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(every):
                for reply in self.deliver_pending():
                    print(f"\n{render(reply)}\n\n> ", end="", file=out, flush=True)

        threading.Thread(target=loop, name="console-outbox", daemon=True).start()
        return stop

    def run(self, lines: Iterable[str], out: TextIO = sys.stdout, *, interactive: bool = False) -> None:
        for line in lines:
            for reply in self.send(line.rstrip("\n")):
                print(render(reply), file=out)
            print(file=out)
            if interactive:
                print("> ", end="", file=out, flush=True)


def interactive_lines(stream: TextIO) -> Iterable[str]:
    try:
        yield from stream
    except KeyboardInterrupt:
        return


def _settle(session: Session, rows: list[Outbox]) -> list[Reply]:
    """The console delivers by printing: mark the rows sent and hand back their replies."""
    now = utcnow()
    for row in rows:
        settle(session, row.id, now=now, status="sent")
    return [Reply.from_json(row.payload) for row in rows]
