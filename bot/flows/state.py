"""A contact's conversation state: a plain serialisable record the caller loads and saves per turn."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class State:
    """`status` is `idle` (no flow waits) or `waiting` (the step `flow`.`step` waits for an answer)."""

    flow: str | None = None
    step: str | None = None
    status: str = "idle"
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None

    def copy(self) -> State:
        """A copy whose `data` the engine may change; nested answers are replaced, never edited."""
        return State(self.flow, self.step, self.status, dict(self.data), self.updated_at)

    def reset(self) -> None:
        self.flow, self.step, self.status, self.data = None, None, "idle", {}

    @property
    def waiting(self) -> bool:
        return self.status == "waiting" and self.flow is not None


@dataclass
class Turn:
    """What one turn produced: the new state, reply texts and choices, and contact changes."""

    state: State
    lang: str
    parts: list[str] = field(default_factory=list)
    choices: list[tuple[str, str]] = field(default_factory=list)
    request_phone: bool = False
    contact_changes: dict[str, Any] = field(default_factory=dict)
