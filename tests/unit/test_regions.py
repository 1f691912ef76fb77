"""regions: provinces and kabupaten/kota from what owners type, and their time zones."""

from __future__ import annotations

import threading
import time

import pytest

from bot import regions
from bot.flows.answers import Ambiguous, Invalid, Parsed
from bot.regions import (
    parse_province,
    parse_regency,
    provinces,
    regencies,
    timezone_for,
    zone_label,
)

PALEMBANG = {
    "province_code": "16",
    "province": "Sumatera Selatan",
    "regency_code": "16.71",
    "regency": "Kota Palembang",
}
MUARA_ENIM = {
    "province_code": "16",
    "province": "Sumatera Selatan",
    "regency_code": "16.03",
    "regency": "Kabupaten Muara Enim",
}


def _codes(answer: object) -> list[str]:
    assert isinstance(answer, Ambiguous), answer
    return [o.value.get("regency_code", o.value["province_code"]) for o in answer.options]


def test_counts() -> None:
    assert len(provinces()) == 38
    all_regencies = [r for p in provinces() for r in regencies(p.code)]
    assert len(all_regencies) == 514
    assert sum(r.kind == "kota" for r in all_regencies) == 98
    assert regencies("99") == []


def test_region_shape() -> None:
    palembang = next(r for r in regencies("16") if r.code == "16.71")
    assert (palembang.name, palembang.province_name, palembang.kind) == (
        "Kota Palembang",
        "Sumatera Selatan",
        "kota",
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("palembang", PALEMBANG),
        ("kota palembang", PALEMBANG),
        ("Kota Palembang", PALEMBANG),
        ("plembang", PALEMBANG),
        ("saya dari plembang kak", PALEMBANG),
        ("Palembang, Sumsel", PALEMBANG),
        ("Kota Palembang, Sumatera Selatan", PALEMBANG),
        ("kab muara enim", MUARA_ENIM),
        ("Kab. Muara Enim", MUARA_ENIM),
        ("Muara Enim", MUARA_ENIM),
        ("muaraenim", MUARA_ENIM),
        ("kabupaten muara enm", MUARA_ENIM),
    ],
)
def test_regency_named_in_province_answer(text: str, value: dict[str, str]) -> None:
    answer = parse_province(text)
    assert isinstance(answer, Parsed), answer
    assert answer.value == value
    assert answer.label == f"{value['regency']}, {value['province']}"


@pytest.mark.parametrize(
    ("text", "code", "name"),
    [
        ("jabar", "32", "Jawa Barat"),
        ("Jawa Barat", "32", "Jawa Barat"),
        ("jogja", "34", "Daerah Istimewa Yogyakarta"),
        ("DIY", "34", "Daerah Istimewa Yogyakarta"),
        ("sumsel", "16", "Sumatera Selatan"),
        ("sumatra selatn", "16", "Sumatera Selatan"),
        ("prov. kalbar", "61", "Kalimantan Barat"),
        ("DKI", "31", "Daerah Khusus Ibukota Jakarta"),
        ("NTB", "52", "Nusa Tenggara Barat"),
        ("aceh", "11", "Aceh"),
    ],
)
def test_province(text: str, code: str, name: str) -> None:
    assert parse_province(text) == Parsed({"province_code": code, "province": name}, name)


def test_every_official_name_resolves_to_itself() -> None:
    for province in provinces():
        for region in regencies(province.code):
            answer = parse_province(region.name)
            assert isinstance(answer, Parsed), region
            assert answer.value["regency_code"] == region.code


def test_bandung_is_ambiguous() -> None:
    assert _codes(parse_province("bandung")) == ["32.73", "32.04", "32.17"]
    assert parse_province("kota bandung").value["regency_code"] == "32.73"  # type: ignore[union-attr]
    assert parse_province("kab bandung").value["regency_code"] == "32.04"  # type: ignore[union-attr]


@pytest.mark.parametrize(("text", "code"), [("bengkulu", "17"), ("jambi", "15"), ("gorontalo", "75")])
def test_province_and_city_with_the_same_name(text: str, code: str) -> None:
    codes = _codes(parse_province(text))
    assert codes[0] == code
    assert f"{code}.71" in codes


def test_ambiguous_options_are_capped() -> None:
    answer = parse_province("sulawesi")
    assert isinstance(answer, Ambiguous)
    assert 2 <= len(answer.options) <= 6


@pytest.mark.parametrize("text", ["", "   ", "😀🙏", "\x00\x01", "!!!"])
def test_empty(text: str) -> None:
    assert parse_province(text) == Invalid("empty")
    assert parse_regency(text, "16") == Invalid("empty")


@pytest.mark.parametrize("text", ["asdfgh", "saya mau daftar", "kampung", "kota", "x" * 5000])
def test_unknown(text: str) -> None:
    assert parse_province(text) == Invalid("unknown")


@pytest.mark.parametrize(
    "text", ["palembang " * 600, "😀" * 5000, "\u202e\ufeff\x1b[31m", "ab\ud800cd", "k" * 5000]
)
def test_never_raises(text: str) -> None:
    assert isinstance(parse_province(text), (Parsed, Invalid, Ambiguous))
    assert isinstance(parse_regency(text, "16"), (Parsed, Invalid, Ambiguous))


def test_parse_regency_within_province() -> None:
    assert parse_regency("palembang", "16") == Parsed(PALEMBANG, "Kota Palembang, Sumatera Selatan")
    assert parse_regency("kab. muara enim", "16").value == MUARA_ENIM  # type: ignore[union-attr]
    assert _codes(parse_regency("bandung", "32")) == ["32.73", "32.04", "32.17"]
    assert parse_regency("plembang", "16").value == PALEMBANG  # type: ignore[union-attr]


def test_parse_regency_elsewhere_and_unknown() -> None:
    assert parse_regency("palembang", "32") == Invalid(
        "other_province", {"suggestion": "Kota Palembang, Sumatera Selatan"}
    )
    assert parse_regency("asdfgh", "16") == Invalid("unknown")
    assert parse_regency("palembang", "99") == Invalid("unknown_province")


def test_time_zones() -> None:
    assert timezone_for("61") == "Asia/Pontianak"
    assert timezone_for("62") == "Asia/Pontianak"
    assert timezone_for("16") == "Asia/Jakarta"
    assert timezone_for("51") == "Asia/Makassar"
    assert timezone_for("91") == "Asia/Jayapura"
    assert (zone_label("61"), zone_label("51"), zone_label("91")) == ("WIB", "WITA", "WIT")
    assert zone_label("16.71") == "WIB"
    with pytest.raises(ValueError):
        timezone_for("99")


def test_every_province_has_a_zone() -> None:
    zones = {timezone_for(p.code) for p in provinces()}
    assert zones == {"Asia/Jakarta", "Asia/Pontianak", "Asia/Makassar", "Asia/Jayapura"}


def test_lookups_are_fast() -> None:
    texts = ["palembang", "kab muara enim", "plembang", "bandung", "jabar", "saya dari plembang kak"]
    for text in texts:
        parse_province(text)
    start = time.perf_counter()
    for _ in range(20):
        for text in texts:
            parse_province(text)
    per_lookup = (time.perf_counter() - start) / (20 * len(texts))
    assert per_lookup < 0.002, per_lookup


def test_cold_cache_is_thread_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(regions, "_cache", {})
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(parse_province("palembang"))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [Parsed(PALEMBANG, "Kota Palembang, Sumatera Selatan")] * 8
