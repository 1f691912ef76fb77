"""One owner, several channels: registered on WhatsApp, then on Telegram shares the same number."""

from __future__ import annotations

from tests.channels.owners import Channels
from tests.channels.test_registration_everywhere import register

PHONE = "+6281234567890"


def _until_phone(owner) -> None:  # noqa: ANN001
    for step in ("halo",):
        owner.say(step)
    owner.pick("Daftar usaha")
    owner.pick("Ya, setuju")
    for text in ("Siti Aminah", "Toko Lain", "kue", "kue basah", "palembang", "lewati"):
        owner.say(text)
    assert "nomor HP" in owner.last


def test_sharing_a_registered_number_on_telegram_links_the_profile(channels: Channels) -> None:
    register(channels.whatsapp_owner(PHONE))
    telegram = channels.telegram_owner(777401)
    _until_phone(telegram)
    telegram.give_phone(PHONE.lstrip("+"))  # as Telegram sends it: international, no "+"
    assert "sudah terdaftar untuk usaha *Batik Serasan* lewat WhatsApp" not in telegram.last
    assert "sudah terdaftar untuk usaha Batik Serasan lewat WhatsApp" in telegram.last  # bold on Telegram
    assert telegram.buttons == ["Ya, hubungkan", "Tidak, daftar terpisah"]
    telegram.pick("Ya, hubungkan")
    assert "terhubung" in telegram.last
    telegram.say("data saya")
    assert "Batik Serasan" in telegram.last and "1234567890123" in telegram.last
    entity = channels.telegram.sent(777401)[-1]["entities"][0]
    assert entity["type"] == "bold"


def test_declining_the_link_continues_a_separate_registration(channels: Channels) -> None:
    register(channels.whatsapp_owner(PHONE))
    telegram = channels.telegram_owner(777402)
    _until_phone(telegram)
    telegram.give_phone(PHONE)
    telegram.pick("Tidak, daftar terpisah")
    assert "NIB" in telegram.last


def test_a_typed_number_never_opens_someone_elses_profile(channels: Channels) -> None:
    register(channels.whatsapp_owner(PHONE))
    telegram = channels.telegram_owner(777403)
    _until_phone(telegram)
    telegram.say("0812 3456 7890")
    assert "NIB" in telegram.last and "Batik Serasan" not in telegram.last
