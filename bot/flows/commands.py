"""Global commands and free-text intents, both read from `content/`.

Commands interrupt any step, so they match only when the whole message is the command phrase
("batal", "hapus data saya"), or an edit prefix followed by a field ("ubah nib"). Intents are used
only when no step waits for an answer, so they may be generous: keywords anywhere in the message,
with typo tolerance for longer words.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz

from bot.textnorm import normalize

if TYPE_CHECKING:
    from bot.content import Content

FALLBACK_INTENTS = ("greeting", "help", "thanks")


@dataclass(frozen=True, slots=True)
class Command:
    """A recognised command; `argument` is the language for `language`, the step for `edit`."""

    name: str
    argument: str | None = None


class Commands:
    """Recognises global commands and intents in normalised text."""

    def __init__(self, content: Content) -> None:
        spec = content.commands
        self.slang: dict[str, str] = content.intents.get("slang", {})
        self.phrases = {
            normalize(phrase): name
            for name, phrases in spec["commands"].items()
            for phrase in phrases
            if normalize(phrase)
        }
        self.edit_prefixes = [normalize(p) for p in spec["edit_prefixes"]]
        self.language_words = {
            normalize(word): lang for lang, words in spec["language_words"].items() for word in words
        }
        self.fields = _field_words(content.profile_fields)
        self.intents: dict[str, Any] = content.intents["intents"]
        self.keywords = {
            name: [normalize(k, self.slang) for k in spec_["keywords"]]
            for name, spec_ in self.intents.items()
        }

    def match(self, text: str) -> Command | None:
        """The command the whole message is, if any."""
        words = normalize(text)
        if not words:
            return None
        name = self.phrases.get(words)
        if name == "language":
            return Command(name, self._language_of(words))
        if name:
            return Command(name)
        return self._edit(words)

    def _language_of(self, words: str) -> str | None:
        for word, lang in self.language_words.items():
            if word == words or words.endswith(" " + word):
                return lang
        return None

    def _edit(self, words: str) -> Command | None:
        for prefix in self.edit_prefixes:
            if words == prefix:
                return Command("edit")
            if words.startswith(prefix + " "):
                rest = words[len(prefix) + 1 :].removeprefix("data ").strip()
                step = self._field_step(rest)
                return Command("edit", step) if step else None
        return None

    def _field_step(self, rest: str) -> str | None:
        if rest in self.fields:
            return self.fields[rest]
        scored = [(fuzz.ratio(rest, word), step) for word, step in self.fields.items()]
        score, step = max(scored) if scored else (0, None)
        return step if score >= 85 else None

    def intent(self, text: str) -> str | None:
        """The intent free text expresses, preferring specific ones over greetings."""
        words = normalize(text, self.slang).split()
        if not words:
            return None
        found = [name for name in self.intents if self._mentions(words, self.keywords[name])]
        specific = [name for name in found if name not in FALLBACK_INTENTS]
        return (specific or found or [None])[0]

    def intent_spec(self, name: str) -> dict[str, Any]:
        if name == "menu":
            return {"flow": "menu"}
        return dict(self.intents[name])

    @staticmethod
    def _mentions(words: list[str], keywords: list[str]) -> bool:
        joined = " " + " ".join(words) + " "
        for keyword in keywords:
            if " " in keyword and f" {keyword} " in joined:
                return True
            if keyword in words:
                return True
            if len(keyword) >= 6 and " " not in keyword and any(fuzz.ratio(keyword, w) >= 85 for w in words):
                return True
        return False


def _field_words(fields: list[dict[str, Any]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for field in fields:
        for words in field["words"].values():
            for word in words:
                table[normalize(word)] = field["step"]
    return table
