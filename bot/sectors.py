"""Business sectors (bidang usaha) from content/sectors.yaml, and matching what owners type to them.

The list, its KBLI codes and the words owners use live in content so the agency can edit them; this
module only checks the data (at load, so a broken file fails at start-up, not mid-conversation) and
matches free text. Digits are not handled here: the engine maps "3" to the third option it showed.
Matching: whole words against labels/synonyms in every language (the longest phrase wins where two
overlap; separate sectors named in one answer become options), then rapidfuzz for typos ("kripik").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz, process

from bot.flows.answers import Ambiguous, Answer, Invalid, Option, Parsed
from bot.textnorm import normalize

LANGS = ("id", "en")
OTHER = "other"
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_KBLI = re.compile(r"^\d{5}$")
_KBLI_VERSIONS = (2020, 2025)
_MAX_CHARS, _MAX_WORDS, _MAX_OPTIONS = 300, 40, 5
_CUTOFF, _MARGIN, _MIN_FUZZY = 85.0, 3.0, 4


@dataclass(frozen=True, slots=True)
class Sector:
    """One sector; `kbli` is None only for `other`, always read together with `kbli_version`."""

    key: str
    kbli: str | None
    kbli_version: int | None
    labels: dict[str, str]
    synonyms: dict[str, tuple[str, ...]]
    kbli_title: str | None = None


class Sectors:
    """The sector list: lookup by key, labels per language, and `parse` for free text."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self._data = data
        self.validate()
        self.version: int = data["version"]
        self.last_verified = data.get("last_verified")
        self._sectors = [_sector(raw) for raw in data["sectors"]]
        self._by_key = {s.key: s for s in self._sectors}
        self._phrases, self._longest = _phrases(self._sectors)
        self._choices = list(self._phrases)

    @classmethod
    def from_yaml(cls, path: str | Path) -> Sectors:
        with open(path, encoding="utf-8") as fh:
            return cls(yaml.safe_load(fh))

    def validate(self) -> None:
        """Raise ValueError listing every problem: keys, KBLI format/version, labels, synonyms."""
        problems = _problems(self._data)
        if problems:
            raise ValueError("invalid sectors data: " + "; ".join(problems))

    def all(self) -> list[Sector]:
        return list(self._sectors)

    def get(self, key: str) -> Sector | None:
        return self._by_key.get(key)

    def label(self, key: str, lang: str) -> str:
        """The button label in `lang`, falling back to Indonesian; KeyError for an unknown key."""
        labels = self._by_key[key].labels
        return labels.get(lang) or labels[LANGS[0]]

    def parse(self, text: str, lang: str = "id") -> Answer:
        """Free text -> Parsed(key, label) / Ambiguous(up to 5 sectors) / Invalid; never raises."""
        words = normalize(text[:_MAX_CHARS] if isinstance(text, str) else "").split()[:_MAX_WORDS]
        if not words:
            return Invalid("empty")
        keys = self._contained(words) or self._fuzzy(words)
        if len(keys) > 1 and OTHER in keys:
            keys.remove(OTHER)
        if not keys:
            return Invalid("unknown")
        if len(keys) == 1:
            return Parsed(keys[0], self.label(keys[0], lang))
        return Ambiguous(tuple(Option(k, self.label(k, lang)) for k in keys[:_MAX_OPTIONS]))

    def _contained(self, words: list[str]) -> list[str]:
        """Sectors named by whole-word spans; a span inside or overlapped by a later span is ignored."""
        spans: list[tuple[int, int, tuple[str, ...]]] = []
        for i in range(len(words)):
            for j in range(min(len(words), i + self._longest), i, -1):
                keys = self._phrases.get("".join(words[i:j]))
                if keys:
                    spans.append((i, j, keys))
                    break
        kept = [k for i, j, ks in spans for k in ks if not _shadowed(i, j, spans)]
        return list(dict.fromkeys(kept))

    def _fuzzy(self, words: list[str]) -> list[str]:
        """Typos: each run of 1-3 words against every phrase; keys within a few points of the best."""
        grams = {"".join(words[i : i + n]) for n in (1, 2, 3) for i in range(len(words) - n + 1)}
        scores: dict[str, float] = {}
        for gram in grams:
            if len(gram) < _MIN_FUZZY:
                continue
            found = process.extract(gram, self._choices, scorer=fuzz.ratio, score_cutoff=_CUTOFF)
            for phrase, score, _ in found:
                for key in self._phrases[phrase]:
                    scores[key] = max(score, scores.get(key, 0.0))
        if not scores:
            return []
        best = max(scores.values())
        ranked = sorted(scores, key=lambda k: -scores[k])
        return [k for k in ranked if scores[k] >= best - _MARGIN]


def _shadowed(i: int, j: int, spans: list[tuple[int, int, tuple[str, ...]]]) -> bool:
    """Inside a longer span, or cut by a span starting later: Indonesian modifiers follow the noun,
    so in "jualan kue basah" the later "kue basah" is more specific than "jualan kue"."""
    return any((a <= i and j <= b or i < a < j < b) and (a, b) != (i, j) for a, b, _ in spans)


def _sector(raw: Mapping[str, Any]) -> Sector:
    kbli = raw.get("kbli")
    synonyms = raw.get("synonyms") or {}
    return Sector(
        key=raw["key"],
        kbli=None if kbli is None else str(kbli),
        kbli_version=raw.get("kbli_version"),
        labels=dict(raw["label"]),
        synonyms={lang: tuple(words or ()) for lang, words in synonyms.items()},
        kbli_title=raw.get("kbli_title"),
    )


def _phrases(sectors: list[Sector]) -> tuple[dict[str, tuple[str, ...]], int]:
    """Compact normalised phrase (labels + synonyms, all languages) -> sector keys; most words."""
    out: dict[str, list[str]] = {}
    longest = 1
    for s in sectors:
        texts = {normalize(t) for t in [*s.labels.values(), *(w for ws in s.synonyms.values() for w in ws)]}
        for phrase in texts - {""}:
            out.setdefault(phrase.replace(" ", ""), []).append(s.key)
            longest = max(longest, phrase.count(" ") + 1)
    return {p: tuple(dict.fromkeys(keys)) for p, keys in out.items()}, longest


def _problems(data: Any) -> list[str]:
    if not isinstance(data, Mapping):
        return ["top level must be a mapping"]
    problems = [] if isinstance(data.get("version"), int) else ["`version` must be an integer"]
    sectors = data.get("sectors")
    if not isinstance(sectors, list) or not sectors:
        return [*problems, "`sectors` must be a non-empty list"]
    seen: set[str] = set()
    for n, raw in enumerate(sectors):
        where = f"sectors[{n}]"
        if not isinstance(raw, Mapping):
            problems.append(f"{where} must be a mapping")
            continue
        key = raw.get("key")
        if not isinstance(key, str) or not _KEY.match(key):
            problems.append(f"{where}: key {key!r} must be snake_case")
        elif key in seen:
            problems.append(f"{where}: duplicate key {key!r}")
        seen.add(str(key))
        problems += [f"{where} ({key}): {p}" for p in _sector_problems(raw)]
    return problems


def _sector_problems(raw: Mapping[str, Any]) -> list[str]:
    problems = []
    kbli, version = raw.get("kbli"), raw.get("kbli_version")
    if kbli is not None and not _KBLI.match(str(kbli)):
        problems.append(f"kbli {kbli!r} must be 5 digits (quote it to keep leading zeros)")
    if kbli is not None and version not in _KBLI_VERSIONS:
        problems.append(f"kbli_version {version!r} must be one of {_KBLI_VERSIONS}")
    if kbli is None and raw.get("key") != OTHER:
        problems.append("kbli is missing (only `other` may have none)")
    label = raw.get("label")
    if not isinstance(label, Mapping):
        return [*problems, "label must be a mapping of language -> text"]
    missing = [lang for lang in LANGS if not isinstance(label.get(lang), str) or not label[lang].strip()]
    if missing:
        problems.append(f"label missing for {', '.join(missing)}")
    synonyms = raw.get("synonyms") or {}
    if not isinstance(synonyms, Mapping) or not all(
        lang in LANGS and isinstance(ws, list) and all(isinstance(w, str) for w in ws)
        for lang, ws in synonyms.items()
    ):
        problems.append(f"synonyms must map {LANGS} to lists of strings")
    return problems
