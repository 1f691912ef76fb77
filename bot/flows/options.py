"""Matching an answer against the options the owner was shown: by number, by word, with typos."""

from __future__ import annotations

from rapidfuzz import fuzz

from bot.flows.answers import Option
from bot.textnorm import normalize

FUZZY_THRESHOLD = 88


def match_option(text: str, options: list[Option]) -> Option | None:
    """The option `text` names: "2", "2.", "ya, setuju", "lewat" (for "Lewati"); else None."""
    if not options:
        return None
    wanted = normalize(text)
    if not wanted:
        return None
    if wanted.isdigit():
        index = int(wanted)
        return options[index - 1] if 0 < index <= len(options) and len(wanted) <= 2 else None
    labels = [normalize(o.label) for o in options]
    for option, label in zip(options, labels, strict=True):
        if wanted in (label, normalize(str(option.value))):
            return option
    best = max(range(len(options)), key=lambda i: fuzz.ratio(wanted, labels[i]))
    return options[best] if fuzz.ratio(wanted, labels[best]) >= FUZZY_THRESHOLD else None
