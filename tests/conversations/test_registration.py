"""Registering a business, as an owner types it, in Indonesian and English, on every store."""

from __future__ import annotations

from tests.support.chat import Chat


def register(chat: Chat, *, nib: str = "1234567890123") -> None:
    """The happy path, answered the way owners really write."""
    chat.send("mau daftar")
    chat.send("iya")
    chat.send("siti aminah")
    chat.send("Batik Serasan")
    chat.send("batik tulis")
    chat.send("kain batik tulis, kemeja batik")
    chat.send("palembang")
    chat.send("Jl. Merdeka No. 5, Kel. Sukajadi")
    chat.send("0812-3456-7890")
    chat.send(nib)
    chat.send("2")


def test_greeting_shows_the_main_menu(chat: Chat) -> None:
    chat.send("pagi min")
    assert "Naik Kelas" in chat.last
    assert chat.choices == [
        "Daftar usaha",
        "Pelatihan",
        "Sertifikasi halal",
        "Merek / HAKI",
        "Tanya petugas",
        "Bantuan",
    ]


def test_owner_registers_a_business(chat: Chat) -> None:
    chat.send("halo")
    chat.send("1")
    assert "setuju" in chat.last.lower()
    chat.send("ya")
    assert "nama lengkap" in chat.last
    chat.send("siti aminah")
    assert "nama usaha" in chat.last
    chat.send("Batik Serasan")
    assert "bidang" in chat.last
    chat.send("batik tulis")
    assert "produk" in chat.last
    chat.send("kain batik tulis, kemeja batik")
    assert "provinsi" in chat.last
    chat.send("palembang")
    assert "alamat" in chat.last
    chat.send("Jl. Merdeka No. 5")
    assert "nomor HP" in chat.last
    chat.send("0812 3456 7890")
    assert "NIB" in chat.last
    chat.send("1234567890123")
    assert "omzet" in chat.last
    chat.send("2")
    assert "Siti Aminah" in chat.last and "Kota Palembang, Sumatera Selatan" in chat.last
    assert "KBLI 13134" in chat.last and "Usaha Mikro" in chat.last
    chat.send("ya, simpan")
    assert "sudah terdaftar" in chat.last
    business = chat.business
    assert business.name == "Batik Serasan" and business.sector == "batik" and business.kbli == "13134"
    assert business.regency_code == "16.71" and business.province_code == "16"
    assert business.nib == "1234567890123" and business.scale == "micro"
    assert chat.owner.phone == "+6281234567890" and chat.owner.consent_version


def test_declining_consent_stores_nothing(chat: Chat) -> None:
    chat.send("daftar")
    chat.send("tidak")
    assert "Tidak ada data Anda yang disimpan" in chat.last
    assert chat.owner is None
    assert chat.conversation.data == {}


def test_whatsapp_number_is_not_asked(make_chat) -> None:
    chat = make_chat("+6281399990000", channel="whatsapp")
    for text in ["daftar", "ya", "Budi", "Kopi Budi", "barista", "kopi susu", "kab muara enim", "lewati"]:
        chat.send(text)
    assert "NIB" in chat.last
    chat.send("belum punya")
    chat.send("15 juta sebulan")
    assert "+6281399990000" in chat.last and "belum punya" in chat.last
    chat.send("1")
    assert chat.owner.phone == "+6281399990000"
    assert chat.business.regency == "Kabupaten Muara Enim" and chat.business.nib is None


def test_wrong_nib_is_explained_with_an_example(chat: Chat) -> None:
    register_until(chat, "ask_nib")
    chat.send("12345")
    assert "tepat 13 angka" in chat.last and "5 angka" in chat.last
    chat.send("abc")
    assert "13 angka" in chat.last and "1234567890123" in chat.last
    chat.send("1234 5678 90123")
    assert "omzet" in chat.last


def test_ambiguous_region_offers_a_list(chat: Chat) -> None:
    register_until(chat, "ask_province")
    chat.send("bandung")
    assert "yang mana" in chat.last
    assert "Kota Bandung, Jawa Barat" in chat.choices and "Kabupaten Bandung, Jawa Barat" in chat.choices
    chat.send(str(chat.choices.index("Kabupaten Bandung, Jawa Barat") + 1))
    assert "alamat" in chat.last
    assert chat.conversation.data["region"]["regency"] == "Kabupaten Bandung"


def test_province_then_regency(chat: Chat) -> None:
    register_until(chat, "ask_province")
    chat.send("sumsel")
    assert "Sumatera Selatan" in chat.last
    chat.send("Muara Enim")
    assert chat.conversation.data["region"]["regency_code"] == "16.03"


def test_unknown_region_is_reprompted(chat: Chat) -> None:
    register_until(chat, "ask_province")
    chat.send("atlantis")
    assert "tidak menemukan wilayah" in chat.last and "Jawa Barat" in chat.last
    assert chat.conversation.step == "ask_province"


def test_summary_lets_the_owner_correct_one_field(chat: Chat) -> None:
    register(chat)
    assert "Mohon periksa" in chat.last
    chat.send("ubah data")
    assert "Bagian mana" in chat.last
    chat.send("NIB")
    chat.send("9876543210123")
    assert "Mohon periksa" in chat.last and "9876543210123" in chat.last
    chat.send("1")
    assert chat.business.nib == "9876543210123"


def test_registered_owner_sees_changes_and_deletes_data(chat: Chat) -> None:
    register(chat)
    chat.send("1")
    chat.send("data saya")
    assert "Batik Serasan" in chat.last and "1234567890123" in chat.last
    chat.send("ubah nib")
    assert "13 angka" in chat.last
    chat.send("belum punya")
    assert "Data sudah diperbarui" in chat.last and chat.business.nib is None
    chat.send("ubah alamat")
    chat.send("Jl. Sudirman 10, Palembang")
    assert chat.business.address == "Jl. Sudirman 10, Palembang"
    chat.send("hapus data saya")
    assert "Yakin" in chat.last
    chat.send("ya, hapus")
    assert "sudah dihapus" in chat.last
    assert chat.owner is None and chat.business is None


def test_delete_can_be_declined(chat: Chat) -> None:
    register(chat)
    chat.send("1")
    chat.send("hapus data saya")
    chat.send("2")
    assert "tidak dihapus" in chat.last and chat.business is not None


def test_registering_twice_is_refused_kindly(chat: Chat) -> None:
    register(chat)
    chat.send("1")
    chat.send("daftar")
    assert "sudah terdaftar" in chat.last and "Batik Serasan" in chat.last


def test_english_registration(chat: Chat) -> None:
    chat.send("language")
    assert "English" in chat.last
    chat.send("register")
    assert "Do you agree?" in chat.last
    chat.send("yes")
    chat.send("John Tan")
    chat.send("Tan Tailor")
    chat.send("tailor")
    chat.send("custom shirts")
    chat.send("Kota Yogyakarta")
    chat.send("skip")
    chat.send("+62 812 3456 7890")
    chat.send("none")
    chat.send("500 million a year")
    assert "Please check your data" in chat.last and "Micro" in chat.last
    chat.send("yes, save")
    assert "is now registered" in chat.last
    assert chat.business.sector == "penjahit" and chat.business.regency_code == "34.71"


SCRIPT = [
    "daftar",
    "ya",
    "Siti",
    "Batik Serasan",
    "batik tulis",
    "kain batik",
    "palembang",
    "lewati",
    "081234567890",
    "belum punya",
]


def register_until(chat: Chat, step: str) -> None:
    """Answer the registration questions until the owner is asked `step`."""
    for text in SCRIPT:
        chat.send(text)
        if chat.conversation.step == step:
            return
    raise AssertionError(f"registration never reached {step}")


def test_skip_and_no_nib_buttons_store_nothing(chat: Chat) -> None:
    register_until(chat, "ask_address")
    chat.send("1")  # Lewati
    chat.send("081234567890")
    chat.send("1")  # Belum punya NIB
    chat.send("1")
    assert "Alamat: -" in chat.last and "NIB: belum punya" in chat.last
    chat.send("1")
    assert chat.business.address is None and chat.business.nib is None
