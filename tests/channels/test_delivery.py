"""Sending from the outbox: provider errors, retries with backoff, the WhatsApp 24-hour window and
status callbacks, as the owner (and the agency reading the outbox) would see them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from bot.channels.whatsapp import Template, WindowPolicy, load_templates
from bot.clock import utcnow
from bot.db import transaction
from bot.models import Contact, Outbox
from bot.store import enqueue, lock_contact
from tests.channels.owners import Channels


def _rows(channels: Channels, channel: str | None = None) -> list[Outbox]:
    with transaction(channels.app.state.core.db) as session:
        query = select(Outbox).order_by(Outbox.id)
        if channel:
            query = query.where(Outbox.channel == channel)
        return list(session.execute(query).scalars())


def _contact(channels: Channels, channel: str, address: str) -> Contact:
    with transaction(channels.app.state.core.db) as session:
        query = select(Contact).where(Contact.channel == channel, Contact.address == address)
        return session.execute(query).scalar_one()


def test_an_owner_who_blocked_the_bot_is_marked_unreachable_and_not_retried(channels: Channels) -> None:
    owner = channels.telegram_owner(777201)
    channels.telegram.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    owner.say("halo")
    row = _rows(channels)[0]
    assert (row.status, row.error_code) == ("failed", "403") and "blocked" in (row.error or "")
    assert _contact(channels, "telegram", "777201").unreachable
    channels.drain(now=utcnow() + timedelta(hours=1))
    assert len(channels.telegram.refused) == 1 and channels.telegram.sent() == []  # no retry
    owner.say("halo lagi")  # unblocked and wrote again: reachable once more
    assert "Naik Kelas" in owner.last
    assert not _contact(channels, "telegram", "777201").unreachable


def test_telegram_flood_control_is_retried_later(channels: Channels) -> None:
    owner = channels.telegram_owner(777202)
    channels.telegram.fail("sendMessage", 429, "Too Many Requests: retry after 7", retry_after=7)
    owner.say("halo")
    assert owner.seen == []
    row = _rows(channels)[0]
    assert (row.status, row.error_code, row.attempts) == ("pending", "429", 1)
    assert row.next_attempt_at >= utcnow() + timedelta(seconds=5)
    assert channels.drain() == 0  # not due yet
    channels.drain(now=utcnow() + timedelta(seconds=8))
    assert "Naik Kelas" in channels.telegram.sent(777202)[-1]["text"]
    assert _rows(channels)[0].status == "sent"


def test_twilio_429_and_5xx_are_retried_with_backoff_then_sent(channels: Channels) -> None:
    owner = channels.whatsapp_owner("+6281200000201")
    channels.twilio.fail(429, 20429, "Too Many Requests")
    channels.twilio.fail(503, 20500, "Service Unavailable")
    owner.say("halo")
    row = _rows(channels)[0]
    assert (row.status, row.error_code, row.attempts) == ("pending", "20429", 1)
    channels.drain(now=utcnow() + timedelta(seconds=2))
    row = _rows(channels)[0]
    assert (row.status, row.error_code, row.attempts) == ("pending", "20500", 2)
    assert row.next_attempt_at >= utcnow() + timedelta(seconds=1.5)  # backoff doubled
    channels.drain(now=utcnow() + timedelta(seconds=10))
    assert _rows(channels)[0].status == "queued"
    assert "Daftar usaha" in channels.twilio.sent("+6281200000201")[-1]["Body"]


def test_a_permanent_twilio_error_is_recorded_on_the_row(channels: Channels) -> None:
    channels.twilio.fail(400, 21211, "The 'To' number whatsapp:+6281200000202 is not a valid phone number.")
    channels.whatsapp_owner("+6281200000202").say("halo")
    row = _rows(channels)[0]
    assert (row.status, row.error_code) == ("failed", "21211") and "not a valid phone number" in row.error
    channels.drain(now=utcnow() + timedelta(hours=1))
    assert channels.twilio.sent() == []


def _enqueue_reminder(channels: Channels, address: str, *, hours_ago: float) -> None:
    with transaction(channels.app.state.core.db) as session:
        contact = lock_contact(session, channel="whatsapp", address=address, language="id")
        session.execute(
            update(Contact)
            .where(Contact.id == contact.id)
            .values(last_inbound_at=utcnow() - timedelta(hours=hours_ago))
        )
        payload = {"text": "Pengingat: pelatihan batik besok 09.00 di PLUT Palembang.", "kind": "reminder"}
        enqueue(session, contact=contact, payloads=[payload], kind="reminder", key=f"reminder:{address}")
    channels.drain()


def test_outside_the_24_hour_window_the_configured_template_is_used(channels: Channels) -> None:
    policy = WindowPolicy(templates={"reminder": Template("HX" + "a" * 32, {"1": "text"})})
    channels.runtime.whatsapp.policy = policy
    _enqueue_reminder(channels, "+6281200000203", hours_ago=30)
    sent = channels.twilio.sent("+6281200000203")[-1]
    assert sent["ContentSid"] == "HX" + "a" * 32 and "Body" not in sent
    assert '"1": "Pengingat: pelatihan batik besok' in sent["ContentVariables"]
    _enqueue_reminder(channels, "+6281200000204", hours_ago=2)  # inside the window: free text
    assert channels.twilio.sent("+6281200000204")[-1]["Body"].startswith("Pengingat")


def test_outside_the_window_without_a_template_the_message_is_held_with_a_reason(channels: Channels) -> None:
    channels.runtime.whatsapp.policy = WindowPolicy()
    _enqueue_reminder(channels, "+6281200000205", hours_ago=30)
    assert channels.twilio.sent("+6281200000205") == []
    row = _rows(channels, "whatsapp")[0]
    assert (row.status, row.error_code) == ("held", "outside_window")
    assert "24-hour window" in row.error and "'reminder'" in row.error


def test_templates_are_read_from_content(tmp_path: Path) -> None:
    (tmp_path / "templates.yaml").write_text(
        "whatsapp:\n  window_hours: 24\n  templates:\n"
        "    reminder: {content_sid: HX123, variables: {'1': text, '2': training}}\n"
        "    announcement: {content_sid: '', variables: {'1': text}}\n"
    )
    policy = load_templates(tmp_path)
    assert policy.template_for("reminder") == Template("HX123", {"1": "text", "2": "training"})
    assert policy.template_for("announcement") is None  # empty SID: not configured
    shipped = load_templates(Path(__file__).resolve().parents[2] / "content")
    assert shipped.hours == 24


def _status(channels: Channels, sid: str, status: str, **extra: str) -> None:
    form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": channels.twilio.sid, **extra}
    assert channels.post_twilio("/webhooks/whatsapp/status", form).status_code == 200


def test_status_callbacks_only_move_forward(channels: Channels) -> None:
    channels.whatsapp_owner("+6281200000206").say("halo")
    sid = channels.twilio.sent()[-1]["Sid"]
    _status(channels, sid, "sent")
    _status(channels, sid, "delivered")
    _status(channels, sid, "sent")  # late, out of order
    assert _rows(channels)[0].status == "delivered"
    _status(channels, sid, "read")
    _status(channels, sid, "failed", ErrorCode="30008")
    row = _rows(channels)[0]
    assert (row.status, row.error_code) == ("read", None)


def test_a_failed_status_records_the_error_code(channels: Channels) -> None:
    channels.whatsapp_owner("+6281200000207").say("halo")
    sid = channels.twilio.sent()[-1]["Sid"]
    _status(channels, sid, "undelivered", ErrorCode="63016")
    _status(channels, sid, "delivered")
    row = _rows(channels)[0]
    assert (row.status, row.error_code) == ("undelivered", "63016") and "24-hour window" in row.error


def test_long_texts_are_split_for_telegram(channels: Channels) -> None:
    from bot.messages import Reply

    with transaction(channels.app.state.core.db) as session:
        contact = lock_contact(session, channel="telegram", address="777203", language="id")
        enqueue(session, contact=contact, payloads=[Reply("kata " * 2000).to_json()], kind="announcement")
    channels.drain()
    sent = channels.telegram.sent(777203)
    assert len(sent) == 3 and all(len(m["text"]) <= 4096 for m in sent)
