"""Whatever an owner sends, they get a friendly answer: never silence, never a stack trace."""

from __future__ import annotations

import pytest

from bot.flows.registry import PARSERS
from tests.conversations.test_registration import register_until
from tests.support.chat import Chat


def test_photo_where_text_was_expected(chat: Chat) -> None:
    register_until(chat, "ask_name")
    chat.send_photo()
    assert "bukan foto" in chat.last and chat.conversation.step == "ask_name"


def test_sticker_while_idle(chat: Chat) -> None:
    chat.send_sticker()
    assert "stiker" in chat.last and "Daftar usaha" in chat.choices


def test_empty_message(chat: Chat) -> None:
    register_until(chat, "ask_name")
    chat.send("   ")
    assert "kosong" in chat.last


def test_five_thousand_characters(chat: Chat) -> None:
    register_until(chat, "ask_name")
    chat.send("a" * 5000)
    assert "terlalu panjang" in chat.last and "5000" in chat.last


@pytest.mark.parametrize("text", ["😀😀😀", "🙏", "\x00\x07", "12345", "!!!"])
def test_name_must_be_letters(chat: Chat, text: str) -> None:
    register_until(chat, "ask_name")
    chat.send(text)
    assert "nama lengkap dengan huruf" in chat.last or "kosong" in chat.last


def test_emoji_at_the_menu(chat: Chat) -> None:
    chat.send("👍")
    assert chat.last


def test_wrong_menu_number(chat: Chat) -> None:
    chat.send("halo")
    chat.send("9")
    assert "1–6" in chat.last and len(chat.choices) == 6


def test_typo_in_choice(chat: Chat) -> None:
    chat.send("halo")
    chat.send("daftr usaha")
    assert "setuju" in chat.last


def test_invalid_phone(chat: Chat) -> None:
    register_until(chat, "ask_phone")
    chat.send("08123")
    assert "0812 3456 7890" in chat.last and chat.conversation.step == "ask_phone"


def test_stale_button_is_explained(chat: Chat) -> None:
    chat.send("halo")
    chat.send("1")
    chat.send(choice="main#3")
    assert "pertanyaan sebelumnya" in chat.last and "setuju" in chat.last.lower()


def test_button_tap(chat: Chat) -> None:
    chat.send("halo")
    chat.send(choice="main#1")
    assert "setuju" in chat.last.lower()


def test_a_bug_is_an_apology_not_silence(chat: Chat, monkeypatch) -> None:  # noqa: ANN001
    """If an action fails, the owner hears a short apology and the conversation state is kept."""
    register_until(chat, "ask_name")

    def broken(*_args: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setitem(PARSERS, "person_name", broken)
    chat.send("Siti")
    assert "ada gangguan" in chat.last
    assert chat.conversation.step == "ask_name"
