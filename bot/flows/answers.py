"""What a parser makes of an owner's answer: a value, a reason it is invalid, or options to pick from.

Parsers never raise on user input; they return one of these so the engine can re-prompt politely.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Option:
    """One pickable item: `value` is what gets stored, `label` what the owner reads."""

    value: Any
    label: str


@dataclass(frozen=True, slots=True)
class Parsed:
    """The answer was understood; `value` is stored under the step's `save_as`."""

    value: Any
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Invalid:
    """The answer was not understood; `reason` picks the explanation shown to the owner."""

    reason: str = "invalid"
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """Several things fit; the owner picks one of `options` on the next turn."""

    options: tuple[Option, ...]


Answer = Parsed | Invalid | Ambiguous
