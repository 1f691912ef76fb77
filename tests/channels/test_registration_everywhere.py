"""One registration script, replayed on the console, Telegram and WhatsApp: the owner sees the
same conversation on each, rendered the channel's way (buttons, numbered lists, share-my-number)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core import Core
from tests.channels.owners import Channels, ConsoleOwner
from tests.support.chat import Chat


def register(owner: Any) -> None:
    """What an owner does to register, and what they must see after each message."""
    owner.say("halo")
    assert "Naik Kelas" in owner.last and "Daftar usaha" in owner.last
    owner.pick("Daftar usaha")
    assert "setuju" in owner.last.lower()
    owner.pick("Ya, setuju")
    assert "nama lengkap" in owner.last
    owner.say("siti aminah")
    assert "nama usaha" in owner.last
    owner.say("Batik Serasan")
    assert "bidang" in owner.last
    owner.say("batik tulis")
    assert "produk" in owner.last
    owner.say("kain batik tulis, kemeja batik")
    assert "provinsi" in owner.last
    owner.say("palembang")
    assert "alamat" in owner.last
    owner.say("Jl. Merdeka No. 5")
    if owner.asks_phone:
        assert "nomor HP" in owner.last
        owner.give_phone("+6281234567890")
    assert "NIB" in owner.last
    owner.say("1234567890123")
    assert "omzet" in owner.last
    owner.pick("Rp300 juta – Rp2 miliar")
    assert "Siti Aminah" in owner.last and "Kota Palembang, Sumatera Selatan" in owner.last
    assert "+6281234567890" in owner.last
    owner.pick("Ya, simpan")
    assert "Batik Serasan" in owner.last and "sudah terdaftar" in owner.last
    owner.say("data saya")
    assert "Batik Serasan" in owner.last and "1234567890123" in owner.last


@pytest.mark.parametrize("channel", ["console", "telegram", "whatsapp"])
def test_the_registration_conversation_on_every_channel(channel: str, channels: Channels, core: Core) -> None:
    if channel == "console":
        owner: Any = ConsoleOwner(Chat(core, "+6281234567890"))
    elif channel == "telegram":
        owner = channels.telegram_owner(777001)
    else:
        owner = channels.whatsapp_owner("+6281234567890")
    register(owner)


def test_telegram_renders_choices_as_buttons_and_answers_taps(channels: Channels) -> None:
    owner = channels.telegram_owner(777002)
    owner.say("halo")
    assert owner.buttons[:2] == ["Daftar usaha", "Pelatihan"]
    assert all(len(b["callback_data"].encode()) <= 64 for b in owner._buttons())
    owner.pick("Daftar usaha")
    assert channels.telegram.called("answerCallbackQuery") or _wait_answered(channels)
    assert owner.buttons == ["Ya, setuju", "Tidak"]


def _wait_answered(channels: Channels) -> bool:
    import time

    for _ in range(50):
        if channels.telegram.called("answerCallbackQuery"):
            return True
        time.sleep(0.02)
    return False


def test_whatsapp_renders_choices_as_a_numbered_list(channels: Channels) -> None:
    owner = channels.whatsapp_owner("+6281299990001")
    owner.say("halo")
    assert "1. Daftar usaha\n2. Pelatihan" in owner.last
    owner.say("daftar usaha")
    assert "1. Ya, setuju\n2. Tidak" in owner.last
