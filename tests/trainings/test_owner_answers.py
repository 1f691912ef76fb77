"""Cancelling, seat offers to the waitlist, reminders answered "hadir"/"batal", and feedback."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import utcnow
from bot.db import transaction
from bot.trainings import seats
from bot.trainings.models import Enrolment
from bot.trainings.notify import Notifier
from bot.trainings.reminders import Plan, process_training
from tests.trainings.conftest import at_local, enrolments, outbox, register_owner


def enrol(chat, pick: str = "1") -> None:
    for text in ("pelatihan", pick, "1"):  # "1": Daftar / Enrol
        chat.send(text)


def run(core, training_id, now) -> int:
    with transaction(core.db) as session:
        return process_training(session, core.content, Plan(), training_id, now).issued


def test_cancelling_offers_the_seat_to_the_first_on_the_waitlist(
    make_chat, make_owner, make_training
) -> None:
    training_id = make_training(seats=1)
    chats = []
    for n in (1, 2, 3):
        make_owner(n)
        chats.append(make_chat(f"+6281200000{n:03d}", channel="whatsapp"))
        enrol(chats[-1])
    assert [e.status for e in enrolments(chats[0].core, training_id)] == [
        "enrolled",
        "waitlisted",
        "waitlisted",
    ]
    first, second, third = chats
    first.send("pelatihan saya")
    first.send("1")
    assert "Mau membatalkan pendaftaran ini?" in first.last
    first.send("batalkan pendaftaran")
    first.send("ya, batalkan")
    assert "sudah dibatalkan" in first.last
    offer = outbox(first.core, address=second.address, kind="offer")[-1]
    assert "Ada kursi kosong di *Desain Wastra" in offer.text and "dalam 24 jam" in offer.text
    assert [c.label for c in offer.choices] == ["Ya, ambil kursi", "Tidak, lepaskan"]
    assert outbox(first.core, address=third.address, kind="offer") == []
    second.send("ya")
    assert "sudah jadi milik Anda" in second.last
    assert [e.status for e in enrolments(first.core, training_id)] == ["cancelled", "enrolled", "waitlisted"]
    third.send("pelatihan saya")
    assert "urutan ke-1" in third.last


def test_declined_and_expired_offers_pass_strictly_in_order(
    core, make_chat, make_owner, make_training
) -> None:
    training_id = make_training(seats=1, offer_hours=24)
    chats = []
    for n in (1, 2, 3, 4):
        make_owner(n)
        chats.append(make_chat(f"+6281200000{n:03d}", channel="whatsapp"))
        enrol(chats[-1])
    chats[0].send("pelatihan saya")
    chats[0].send("1")
    chats[0].send("1")
    chats[0].send("1")
    chats[1].send("2")  # "Tidak, lepaskan" on the offer's buttons
    assert "kami tawarkan ke peserta berikutnya" in chats[1].last
    assert "Ada kursi kosong" in outbox(core, address=chats[2].address, kind="offer")[-1].text
    run(core, training_id, utcnow() + timedelta(hours=25))  # owner 3 never answers
    assert "sudah lewat" in outbox(core, address=chats[2].address, kind="announcement")[-1].text
    assert [e.status for e in enrolments(core, training_id)] == [
        "cancelled",
        "cancelled",
        "cancelled",
        "offered",
    ]
    chats[2].send("ya")
    assert "sudah tidak berlaku" in chats[2].last or "batas waktu" in chats[2].last


def test_offer_answered_via_button_payload(core, make_chat, make_owner, make_training) -> None:
    training_id = make_training(seats=1)
    for n in (1, 2):
        make_owner(n)
        enrol(make_chat(f"+6281200000{n:03d}", channel="whatsapp"))
    first_id = enrolments(core, training_id)[0].id
    with transaction(core.db) as session:  # the first owner cancels through the agency or another channel
        training = seats.lock_training(session, training_id)
        enrolment = session.get(Enrolment, first_id)
        seats.cancel(session, Notifier(session, core.content, utcnow()), training, enrolment, "owner")
    second = make_chat("+6281200000002", channel="whatsapp")
    payload = outbox(core, address=second.address, kind="offer")[-1].choices[0].payload
    second.send("", choice=payload)
    assert "sudah jadi milik Anda" in second.last


def test_reminders_answered_hadir_and_batal(core, make_chat, make_owner, make_training) -> None:
    start = at_local(4, 10)
    training_id = make_training(starts_at=start, ends_at=start + timedelta(hours=4), seats=1)
    for n in (1, 2, 3):
        make_owner(n)
        enrol(make_chat(f"+6281200000{n:03d}", channel="whatsapp"))
    # the owner on the waitlist gets no reminder; each enrolled owner gets one, with buttons
    at_nine = at_local(1, 9) + timedelta(minutes=1)
    assert run(core, training_id, at_nine) == 1
    reminder = outbox(core, kind="reminder")[-1]
    assert "tinggal 3 hari lagi" in reminder.text and [c.label for c in reminder.choices] == [
        "Hadir",
        "Batal",
    ]
    first = make_chat("+6281200000001", channel="whatsapp")
    first.send("hadir")
    assert "kehadiran Anda" in first.last
    assert enrolments(core, training_id)[0].confirmed_at is not None
    assert run(core, training_id, at_nine + timedelta(hours=2)) == 0  # nothing twice
    assert run(core, training_id, at_local(3, 9) + timedelta(minutes=1)) == 1  # the day before: "besok"
    assert "besok" in outbox(core, kind="reminder")[-1].text
    first.send("batal")
    assert "Yakin membatalkan" in first.last
    first.send("ya")
    assert "sudah dibatalkan" in first.last
    assert "Ada kursi kosong" in outbox(core, address="+6281200000002", kind="offer")[-1].text


def test_reminder_never_interrupts_a_registration(core, chat, make_chat, make_owner, make_training) -> None:
    start = at_local(4, 10)
    training_id = make_training(starts_at=start, ends_at=start + timedelta(hours=4))
    make_owner(1)
    owner = make_chat("+6281200000001", channel="whatsapp")
    enrol(owner)
    owner.send("hapus data saya")  # busy: waiting on a confirmation in another flow
    run(core, training_id, at_local(1, 9) + timedelta(minutes=1))
    reminder = outbox(core, kind="reminder")[-1]
    assert reminder.choices == () and "pelatihan saya" in reminder.text
    owner.send("tidak, simpan")
    owner.send("hadir")
    assert "kehadiran Anda" in owner.last


def test_feedback_after_the_training(core, make_chat, make_owner, make_training) -> None:
    start = at_local(1, 9)
    training_id = make_training(starts_at=start, ends_at=start + timedelta(hours=3))
    make_owner(1)
    owner = make_chat("+6281200000001", channel="whatsapp")
    enrol(owner)
    assert run(core, training_id, start + timedelta(hours=4, minutes=1)) == 1
    question = outbox(core, kind="reminder")[-1]
    assert "Bagaimana penilaian Anda" in question.text and len(question.choices) == 5
    owner.send("lima")
    assert "saran atau komentar" in owner.last
    owner.send("Materinya bagus, tolong tambah sesi praktik")
    assert "Terima kasih atas penilaiannya" in owner.last
    enrolment = enrolments(core, training_id)[0]
    assert enrolment.feedback_score == 5 and "sesi praktik" in enrolment.feedback_comment
    assert run(core, training_id, start + timedelta(hours=6)) == 0


def test_feedback_skip_comment_in_english(core, make_chat, make_owner, make_training) -> None:
    start = at_local(1, 9)
    training_id = make_training(starts_at=start, ends_at=start + timedelta(hours=3))
    make_owner(1, language="en")
    owner = make_chat("+6281200000001", channel="whatsapp")
    enrol(owner)
    run(core, training_id, start + timedelta(hours=5))
    assert "How would you rate it?" in outbox(core, kind="reminder")[-1].text
    owner.send("9")
    assert "number from 1 to 5" in owner.last
    owner.send("4")
    owner.send("skip")
    assert "Thank you for your rating" in owner.last
    assert enrolments(core, training_id)[0].feedback_comment is None


def test_english_reminder_cancel_word_is_an_answer(core, make_chat, make_owner, make_training) -> None:
    start = at_local(4, 10)
    training_id = make_training(starts_at=start, ends_at=start + timedelta(hours=4))
    make_owner(1, language="en")
    owner = make_chat("+6281200000001", channel="whatsapp")
    enrol(owner)
    run(core, training_id, at_local(1, 9) + timedelta(minutes=1))
    assert "Will you attend?" in outbox(core, kind="reminder")[-1].text
    owner.send("cancel")
    assert "Your seat will go to the next person" in owner.last
    owner.send("no, keep my seat")
    assert "your enrolment stays" in owner.last


def test_hadir_with_nothing_pending(chat) -> None:
    chat.send("hadir")
    assert "Tidak ada pertanyaan pelatihan" in chat.last


def test_owner_registered_in_chat_can_cancel_from_pelatihan_saya(chat, make_training) -> None:
    make_training()
    register_owner(chat)
    enrol(chat)
    chat.send("batal pelatihan")
    chat.send("wastra")
    chat.send("1")
    chat.send("1")
    assert "sudah dibatalkan" in chat.last
    chat.send("pelatihan saya")
    assert "belum terdaftar di pelatihan apa pun" in chat.last
