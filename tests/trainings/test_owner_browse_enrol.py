"""An owner browses the catalogue and enrols, in Indonesian and English, as they would type it."""

from __future__ import annotations

from datetime import timedelta

from bot.clock import utcnow
from bot.db import transaction
from bot.trainings.models import Training
from tests.trainings.conftest import at_local, enrolments, register_owner


def test_menu_item_pelatihan_lists_trainings(chat, make_training) -> None:
    make_training()
    chat.send("halo")
    chat.send("2")
    assert "Pelatihan yang akan datang (1–1 dari 1)" in chat.last
    assert chat.choices[0].startswith("Desain Wastra Nusantara untuk Fashion — ")
    assert chat.choices[-1] == "Pelatihan saya"


def test_relevant_trainings_first_and_pages(chat, make_training) -> None:
    other = {"category": "lain", "description": ""}
    make_training(
        title="Barista Dasar", sectors=["kafe"], province_code="34", regency_code="34.71", days=3, **other
    )
    make_training(
        title="Pembukuan Tempe",
        sectors=["tempe_tahu"],
        province_code=None,
        regency_code=None,
        days=4,
        **other,
    )
    make_training(
        title="Higiene Pangan",
        sectors=["warung_makan"],
        province_code="73",
        regency_code="73.71",
        timezone="Asia/Makassar",
        days=5,
        **other,
    )
    make_training(title="Diversifikasi Produk Batik", sectors=["batik"], days=20)
    chat.send("mau ikut pelatihan batik")
    assert chat.choices[0].startswith("Diversifikasi Produk Batik")
    assert "(1–3 dari 4)" in chat.last and "Berikutnya ▶" in chat.choices
    chat.send("berikutnya")
    assert "(4–4 dari 4)" in chat.last and "Kembali ke awal" in chat.choices


def test_detail_in_owner_local_time_indonesian_way(chat, make_training) -> None:
    start = at_local(10, 9, "Asia/Jakarta")
    make_training(starts_at=start, ends_at=start + timedelta(hours=6))
    register_owner(chat)  # an owner in Palembang: WIB
    chat.send("pelatihan")
    chat.send("1")
    from babel.dates import format_date

    day = format_date(start, "EEEE, d MMMM y", locale="id")
    assert f"{day} pukul 09.00 WIB" in chat.last
    assert "Penyelenggara: PLUT-KUMKM Sumatera Selatan" in chat.last
    assert "Sisa kursi: 2 dari 2" in chat.last and "Batas pendaftaran" in chat.last
    assert chat.choices == ["Daftar", "Kembali ke daftar"]


def test_owner_in_makassar_sees_wita(make_chat, make_owner, make_training) -> None:
    start = at_local(10, 9, "Asia/Jakarta")
    make_training(
        starts_at=start, ends_at=start + timedelta(hours=3), online_url="https://zoom.us/j/1", venue=None
    )
    make_owner(1, province="73", regency="73.71")
    chat = make_chat("+6281200000001", channel="whatsapp")
    chat.send("pelatihan")
    chat.send("wastra")
    assert "pukul 10.00 WITA" in chat.last and "Daring (online): https://zoom.us/j/1" in chat.last


def test_owner_enrols_then_sees_it_in_pelatihan_saya(chat, make_training) -> None:
    training_id = make_training()
    register_owner(chat)
    chat.send("ada pelatihan apa?")
    chat.send("1")
    chat.send("daftar")
    assert "✅ Anda terdaftar di *Desain Wastra Nusantara untuk Fashion*" in chat.last
    assert [e.status for e in enrolments(chat.core, training_id)] == ["enrolled"]
    chat.send("pelatihan saya")
    assert "Desain Wastra" in chat.last and "✅ terdaftar" in chat.last
    chat.send("pelatihan")
    chat.send("1")
    chat.send("1")
    assert "sudah terdaftar di pelatihan ini" in chat.last


def test_full_training_puts_owner_on_the_waitlist(chat, make_training, make_owner, make_chat) -> None:
    training_id = make_training(seats=1)
    make_owner(1)
    first = make_chat("+6281200000001", channel="whatsapp")
    for text in ("pelatihan", "1", "daftar"):
        first.send(text)
    register_owner(chat)
    chat.send("pelatihan")
    chat.send("1")
    assert "Kursi penuh (1)" in chat.last
    chat.send("daftar")
    assert "daftar tunggu urutan ke-1" in chat.last
    assert [e.status for e in enrolments(chat.core, training_id)] == ["enrolled", "waitlisted"]
    chat.send("pelatihan saya")
    assert "⏳ daftar tunggu, urutan ke-1" in chat.last


def test_unregistered_owner_is_offered_registration(chat, make_training) -> None:
    make_training()
    chat.send("pelatihan")
    chat.send("1")
    chat.send("daftar")
    assert "usaha Anda perlu terdaftar dulu" in chat.last
    assert chat.choices == ["Daftar usaha sekarang", "Nanti saja"]
    chat.send("1")
    assert "Apakah Anda setuju?" in chat.last


def test_nib_required(chat, make_training) -> None:
    make_training(nib_required=True)
    register_owner(chat, nib="belum punya")
    chat.send("pelatihan")
    chat.send("1")
    assert "Punya NIB" in chat.last
    chat.send("daftar")
    assert "mewajibkan NIB" in chat.last and "*ubah nib*" in chat.last and "oss.go.id" in chat.last


def test_sector_and_region_restrictions_say_what_to_fix(chat, make_training) -> None:
    make_training(title="Barista Dasar", sectors=["kafe"], restrict_sectors=True, days=3)
    make_training(
        title="Tata Rias Blitar",
        sectors=["batik"],
        province_code="35",
        regency_code="35.05",
        restrict_region=True,
        days=4,
    )
    register_owner(chat)
    chat.send("pelatihan")
    chat.send("barista")
    chat.send("daftar")
    assert "khusus untuk bidang usaha Kafe" in chat.last and "bidang Batik" in chat.last
    assert "*ubah bidang usaha*" in chat.last
    chat.send("pelatihan")
    chat.send("tata rias")
    chat.send("daftar")
    assert "khusus untuk pelaku usaha di Kabupaten Blitar, Jawa Timur" in chat.last
    assert "Kota Palembang, Sumatera Selatan" in chat.last and "*ubah wilayah*" in chat.last


def test_deadline_passed(chat, make_training) -> None:
    training_id = make_training()
    with transaction(chat.core.db) as session:
        session.get(Training, training_id).registration_deadline = utcnow() - timedelta(hours=1)
    register_owner(chat)
    chat.send("pelatihan")
    chat.send("1")
    chat.send("daftar")
    assert "pendaftaran pelatihan ini sudah ditutup pada" in chat.last


def test_no_trainings(chat) -> None:
    chat.send("pelatihan")
    assert "belum ada pelatihan yang dibuka" in chat.last


def test_english_owner_browses_and_enrols(chat, make_training) -> None:
    start = at_local(10, 9)
    make_training(starts_at=start, ends_at=start + timedelta(hours=2), seats=1)
    chat.send("english")
    register_owner(chat)
    chat.send("trainings")
    assert "Upcoming trainings (1–1 of 1)" in chat.last
    chat.send("1")
    from babel.dates import format_date

    assert f"{format_date(start, 'EEEE, d MMMM y', locale='en')} at 09.00 WIB" in chat.last
    chat.send("enrol")
    assert "✅ You are enrolled in *Desain Wastra Nusantara untuk Fashion*" in chat.last
    chat.send("my trainings")
    assert "Your trainings" in chat.last and "✅ enrolled" in chat.last
