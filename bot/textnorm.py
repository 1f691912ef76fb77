"""Normalise what owners type before any matching.

Owners write casual Indonesian from a phone keyboard: capitals at random, emoji, stretched words
("daftaaar"), punctuation everywhere ("kab. muara enim!!"). Every matcher (sectors, regions, intents)
compares text only after it went through `normalize`, so the rules live in one place and stay cheap.
Never raises: any `str` in, a (possibly empty) `str` out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

# Apostrophes join the word they sit in ("jum'at" -> "jumat"); every other non-letter becomes a space.
_APOSTROPHES = frozenset("'`\u2018\u2019\u02bc\u00b4")
# A letter repeated 3+ times is an elongation ("daftaaar", "kakkk"); digits are never squeezed ("1000").
_ELONGATION = re.compile(r"([^\W\d_])\1{2,}")
# Combining accents that NFKC could not fold into a Latin letter ("İ" -> "i" + dot above).
_LATIN_ACCENTS = re.compile(r"(?<=[a-z])[\u0300-\u036f]+")


def _keep(ch: str) -> str:
    """Map one character to itself, nothing (apostrophes, accents) or a space (everything else)."""
    if ch in _APOSTROPHES:
        return ""
    cat = unicodedata.category(ch)
    if cat[0] == "L":
        return _unaccent(ch) if ch > "\x7f" else ch
    if cat == "Nd" or cat[0] == "M":  # marks belong to the letter before them (Devanagari, Arabic...)
        return ch
    return " "


def _unaccent(ch: str) -> str:
    """Latin letters lose their accents ("é" -> "e"); other scripts stay untouched."""
    base = unicodedata.normalize("NFD", ch)[0]
    return base if base.isascii() else ch


def normalize(text: str, slang: Mapping[str, str] | None = None) -> str:
    """Lowercase, fold compatibility forms, drop emoji/symbols/punctuation/control chars, squeeze.

    `slang` maps a normalised word to its replacement ("dftr" -> "daftar", "gpp" -> "tidak apa apa");
    keys must already be normalised, replacements are normalised here. Only letters (any script)
    and decimal digits survive, single-spaced.
    """
    if not isinstance(text, str) or not text:
        return ""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    kept = _LATIN_ACCENTS.sub("", "".join(_keep(ch) for ch in folded))
    squeezed = _ELONGATION.sub(r"\1", kept)
    words = squeezed.split()
    if slang:
        words = [part for word in words for part in _expand(word, slang)]
    return " ".join(words)


def _expand(word: str, slang: Mapping[str, str]) -> list[str]:
    """The word, or its slang replacement normalised the same way (without further expansion)."""
    replacement = slang.get(word)
    return normalize(replacement).split() if isinstance(replacement, str) else [word]


def tokens(text: str, slang: Mapping[str, str] | None = None) -> list[str]:
    """The normalised words of `text`, in order."""
    return normalize(text, slang).split()


def compact(text: str) -> str:
    """Normalised text without spaces, so "muaraenim" and "muara enim" compare equal."""
    return normalize(text).replace(" ", "")
