"""sectors: the content file is valid and owners' words land on the right sector."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.flows.answers import Ambiguous, Invalid, Parsed
from bot.sectors import Sector, Sectors

CONTENT = Path(__file__).resolve().parents[2] / "content" / "sectors.yaml"
VERIFIED_KBLI = {
    "13134", "13122", "14111", "14120", "14302", "10710", "10792", "10794", "10750", "10779",
    "10796", "10799", "10761", "11040", "56101", "56102", "56103", "56104", "56290", "56303",
    "16291", "16293", "15121", "31001", "32112", "32903", "96111", "96112", "96200",
}  # fmt: skip


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load(CONTENT.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def sectors(raw: dict[str, Any]) -> Sectors:
    return Sectors(raw)


def test_content_loads(sectors: Sectors) -> None:
    loaded = Sectors.from_yaml(CONTENT)
    assert [s.key for s in loaded.all()] == [s.key for s in sectors.all()]
    assert sectors.version == 1
    assert 25 <= len(sectors.all()) <= 35


def test_codes_are_verified_kbli_2020(sectors: Sectors) -> None:
    for sector in sectors.all():
        if sector.key == "other":
            assert (sector.kbli, sector.kbli_version) == (None, None)
            continue
        assert sector.kbli in VERIFIED_KBLI, sector.key
        assert sector.kbli_version == 2020


def test_labels_are_button_sized(sectors: Sectors) -> None:
    for sector in sectors.all():
        assert set(sector.labels) >= {"id", "en"}
        assert all(len(label) <= 24 for label in sector.labels.values()), sector.labels


def test_get_and_label(sectors: Sectors) -> None:
    batik = sectors.get("batik")
    assert isinstance(batik, Sector)
    assert (batik.kbli, batik.kbli_version) == ("13134", 2020)
    assert sectors.get("nope") is None
    assert sectors.label("penjahit", "id") == "Penjahit"
    assert sectors.label("penjahit", "en") == "Tailor"
    assert sectors.label("penjahit", "jv") == "Penjahit"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("jualan kue", "roti_kue"),
        ("bikin kue", "roti_kue"),
        ("Jualan KUEEE 🎂", "roti_kue"),
        ("jualan kue basah", "kue_basah"),
        ("batik tulis", "batik"),
        ("batik cap", "batik"),
        ("tukang jahit", "penjahit"),
        ("barista", "kafe"),
        ("ngopi", "kafe"),
        ("saya buka warung kopi", "kafe"),
        ("warteg", "warung_makan"),
        ("angkringan", "kedai_makanan"),
        ("mua", "salon_mua"),
        ("rias pengantin", "salon_mua"),
        ("catering", "katering"),
        ("tempe", "tempe_tahu"),
        ("keripik", "kerupuk_keripik"),
        ("jualan kripik", "kerupuk_keripik"),
        ("keripik tempe", "kerupuk_keripik"),
        ("frozen food", "makanan_olahan"),
        ("sambel", "bumbu_sambal"),
        ("londri", "laundry"),
        ("ikat pinggang", "barang_kulit"),
        ("lainnya", "other"),
        ("batik dan lainnya", "batik"),
    ],
)
def test_parse(sectors: Sectors, text: str, key: str) -> None:
    answer = sectors.parse(text, "id")
    assert isinstance(answer, Parsed), answer
    assert answer.value == key
    assert answer.label == sectors.label(key, "id")


def test_label_follows_language(sectors: Sectors) -> None:
    assert sectors.parse("barista", "en") == Parsed("kafe", "Cafe/coffee shop")


def test_two_sectors_in_one_answer_become_options(sectors: Sectors) -> None:
    answer = sectors.parse("kue dan keripik", "id")
    assert isinstance(answer, Ambiguous)
    assert [o.value for o in answer.options] == ["roti_kue", "kerupuk_keripik"]


def test_shared_word_is_ambiguous(sectors: Sectors) -> None:
    answer = sectors.parse("kopi", "en")
    assert isinstance(answer, Ambiguous)
    assert {o.value for o in answer.options} == {"kopi_bubuk", "kafe"}
    assert "Cafe/coffee shop" in [o.label for o in answer.options]


@pytest.mark.parametrize("text", ["asdf qwerty", "saya tidak tahu", "halo kak", "xyzzy blorp", "x" * 5000])
def test_garbage_is_unknown(sectors: Sectors, text: str) -> None:
    assert sectors.parse(text, "id") == Invalid("unknown")


@pytest.mark.parametrize("text", ["", "   ", "😀🙏", "\x00\x01", "..."])
def test_empty(sectors: Sectors, text: str) -> None:
    assert sectors.parse(text, "id") == Invalid("empty")


@pytest.mark.parametrize("text", ["kue " * 2000, "😀" * 5000, "\u202e\ufeff\x1b[31m", "ab\ud800cd", None])
def test_never_raises(sectors: Sectors, text: str) -> None:
    assert isinstance(sectors.parse(text, "id"), (Parsed, Invalid, Ambiguous))  # type: ignore[arg-type]


def test_validate_catches_duplicate_key(raw: dict[str, Any]) -> None:
    broken = copy.deepcopy(raw)
    broken["sectors"].append(copy.deepcopy(broken["sectors"][0]))
    with pytest.raises(ValueError, match="duplicate key 'batik'"):
        Sectors(broken)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kbli", "1313", "5 digits"),
        ("kbli", "13134a", "5 digits"),
        ("kbli", None, "kbli is missing"),
        ("kbli_version", 2019, "kbli_version"),
        ("label", {"id": "Batik"}, "label missing for en"),
        ("label", "Batik", "label must be a mapping"),
        ("key", "Batik Tulis", "snake_case"),
        ("synonyms", {"id": "batik"}, "synonyms"),
    ],
)
def test_validate_catches_broken_sector(raw: dict[str, Any], field: str, value: Any, message: str) -> None:
    broken = copy.deepcopy(raw)
    broken["sectors"][0][field] = value
    with pytest.raises(ValueError, match=message):
        Sectors(broken)


@pytest.mark.parametrize("data", [None, [], {"version": 1}, {"version": "1", "sectors": []}])
def test_validate_catches_broken_top_level(data: Any) -> None:
    with pytest.raises(ValueError):
        Sectors(data)
