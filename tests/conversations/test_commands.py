"""Global commands work at any step, in Indonesian and English."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import utcnow
from tests.conversations.test_registration import register_until
from tests.support.chat import Chat


def test_batal_cancels_and_forgets(chat: Chat) -> None:
    register_until(chat, "ask_products")
    chat.send("batal")
    assert "dibatalkan" in chat.last and "Daftar usaha" in chat.choices
    assert chat.conversation.data.get("full_name") is None


def test_cancel_with_nothing_running(chat: Chat) -> None:
    chat.send("cancel")
    assert "Tidak ada proses" in chat.last


def test_menu_pauses_and_lanjut_resumes(chat: Chat) -> None:
    register_until(chat, "ask_products")
    chat.send("menu")
    assert "Ketik *lanjut*" in chat.last and "Pelatihan" in chat.choices
    chat.send("lanjut")
    assert "produk" in chat.last
    chat.send("kain batik")
    assert "provinsi" in chat.last


def test_picking_registration_again_resumes_it(chat: Chat) -> None:
    register_until(chat, "ask_products")
    chat.send("menu")
    chat.send("1")
    assert "produk" in chat.last and chat.conversation.data["business_name"] == "Batik Serasan"


def test_help_then_back_to_the_question(chat: Chat) -> None:
    register_until(chat, "ask_name")
    chat.send("bantuan")
    assert "hapus data saya" in chat.last and "nama lengkap" in chat.last
    assert chat.conversation.step == "ask_name"


def test_language_switch_sticks_and_reprompts(chat: Chat) -> None:
    register_until(chat, "ask_name")
    chat.send("bahasa")
    assert "I will use English" in chat.last and "full name" in chat.last
    chat.send("menu")
    assert "Register business" in chat.choices
    chat.send("bahasa indonesia")
    assert "Bahasa Indonesia" in chat.last
    assert chat.contact.language == "id"


def test_stop_and_start_announcements(chat: Chat) -> None:
    chat.send("berhenti")
    assert "tidak akan menerima pengumuman" in chat.last and chat.contact.opted_out
    chat.send("mulai")
    assert "menerima pengumuman" in chat.last and not chat.contact.opted_out
    assert "Daftar usaha" in chat.choices


def test_start_in_english(chat: Chat) -> None:
    chat.send("/start")
    assert "Naik Kelas" in chat.last


def test_my_data_before_registering(chat: Chat) -> None:
    chat.send("data saya")
    assert "Belum ada data" in chat.last


def test_edit_before_registering(chat: Chat) -> None:
    chat.send("ubah nib")
    assert "belum terdaftar" in chat.last


def test_delete_before_registering(chat: Chat) -> None:
    chat.send("hapus data saya")
    assert "tidak ada yang perlu dihapus" in chat.last


def test_business_named_like_a_command_is_not_a_command(chat: Chat) -> None:
    register_until(chat, "ask_business_name")
    chat.send("Mulai Jaya")
    assert chat.conversation.data["business_name"] == "Mulai Jaya"


def test_menu_items_that_come_later_answer_honestly(chat: Chat) -> None:
    for item, words in [("3", "halal"), ("4", "merek"), ("5", "petugas")]:  # "2" (pelatihan) works now
        chat.send("menu")
        chat.send(item)
        assert words in chat.last.lower() and "segera hadir" in chat.last


def test_free_text_intents(chat: Chat) -> None:
    chat.send("gmn cara urus sertifikat halal?")
    assert "halal" in chat.last and "segera hadir" in chat.last
    chat.send("makasih ya")
    assert "Sama-sama" in chat.last
    chat.send("mau ikut pelatihan batik")
    assert "pelatihan" in chat.last


def test_unknown_text_gets_the_menu(chat: Chat) -> None:
    chat.send("qwertyuiop zxcvb")
    assert "belum paham" in chat.last and "Daftar usaha" in chat.choices


def test_idle_flow_expires_with_a_note(chat: Chat) -> None:
    register_until(chat, "ask_products")
    later = utcnow() + timedelta(hours=25)
    chat.send_at("kain batik", later)
    assert "mulai dari awal" in chat.last
    assert chat.conversation.flow != "registration" or chat.conversation.step == "check"


def test_flow_resumes_within_the_idle_time(chat: Chat) -> None:
    register_until(chat, "ask_products")
    chat.send_at("kain batik", utcnow() + timedelta(hours=23))
    assert "provinsi" in chat.last
