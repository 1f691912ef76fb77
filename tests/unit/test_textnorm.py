"""textnorm: the one place where owners' casual typing is made comparable."""

from __future__ import annotations

import pytest

from bot.textnorm import compact, normalize, tokens


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Daftaaar dong kak 🙏🙏", "daftar dong kak"),
        ("Kab. Muara Enim!!", "kab muara enim"),
        ("  BATIK   tulis\t\n", "batik tulis"),
        ("ＦＵＬＬ width", "full width"),
        ("CAFÉ", "cafe"),
        ("Jum'at", "jumat"),
        ("Toli-Toli", "toli toli"),
        ("kakkk\x00\x07\u200d ok", "kak ok"),
        ("moo", "moo"),
        ("Rp 1000", "rp 1000"),
        ("", ""),
        ("😀🎉", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_digits_are_never_squeezed() -> None:
    assert normalize("1000000") == "1000000"


def test_other_scripts_survive() -> None:
    assert normalize("मैं") == "मैं"


def test_slang_expands_and_is_normalised() -> None:
    slang = {"gmn": "Gimana", "dftr": "daftar", "gpp": "tidak apa-apa"}
    assert normalize("GMN dftr, gpp?", slang) == "gimana daftar tidak apa apa"
    assert tokens("gmn dftr", slang) == ["gimana", "daftar"]


def test_tokens_and_compact() -> None:
    assert tokens("Kab. Muara  Enim") == ["kab", "muara", "enim"]
    assert compact("Muara Enim") == compact("muaraenim") == "muaraenim"


@pytest.mark.parametrize("raw", ["x" * 5000, "😀" * 5000, "\x00\x01\x02", "a\u0301" * 100, "\ud800"])
def test_never_raises(raw: str) -> None:
    assert isinstance(normalize(raw), str)


def test_non_string_gives_empty() -> None:
    assert normalize(None) == ""  # type: ignore[arg-type]
