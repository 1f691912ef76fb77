"""The console channel shows messages the bot starts itself, once, in order."""

from __future__ import annotations

from bot import store
from bot.db import transaction
from bot.messages import Choice, Reply
from tests.support.chat import Chat


def test_a_reminder_appears_in_the_console_once(chat: Chat) -> None:
    chat.send("halo")
    with transaction(chat.core.db) as session:
        contact = store.lock_contact(session, channel="console", address=chat.address, language="id")
        reminder = Reply("Pengingat: pelatihan besok pukul 09.00 WIB.", (Choice("r#1", "Hadir"),))
        store.enqueue(session, contact=contact, payloads=[reminder.to_json()], kind="reminder", key="r1")
        store.enqueue(session, contact=contact, payloads=[reminder.to_json()], kind="reminder", key="r1")
    shown = chat.deliver_pending()
    assert [r.text for r in shown] == ["Pengingat: pelatihan besok pukul 09.00 WIB."]
    assert chat.deliver_pending() == []
