"""Named Python functions that flow files refer to: parsers (`expect`), matchers (`when`),
actions (`do`) and option sources (`choices_from`).

Routing stays in YAML; these functions only read answers, test data and cause side effects.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.flows.answers import Answer, Option

if TYPE_CHECKING:
    from bot.content import Content
    from bot.messages import Inbound


class Services(Protocol):
    """What actions may do to the outside world; implemented over the database in `bot/store.py`."""

    def profile(self) -> dict[str, Any] | None: ...
    def save_registration(self, data: dict[str, Any]) -> None: ...
    def update_profile(self, data: dict[str, Any]) -> None: ...
    def delete_profile(self) -> None: ...
    def save_media(self, media: dict[str, Any], purpose: str) -> int: ...
    def find_owner_by_phone(self, phone: str) -> dict[str, Any] | None: ...
    def link_owner(self, owner_id: int) -> None: ...


@dataclass
class StepContext:
    """Everything a parser, matcher or action sees during one turn."""

    content: Content
    lang: str
    data: dict[str, Any]
    inbound: Inbound
    services: Services
    now: datetime
    channel_phone: str | None = None
    opted_out: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


Parser = Callable[..., Answer]
Matcher = Callable[..., bool]
Action = Callable[..., None]
OptionSource = Callable[[StepContext], list[Option]]

PARSERS: dict[str, Parser] = {}
MATCHERS: dict[str, Matcher] = {}
ACTIONS: dict[str, Action] = {}
OPTION_SOURCES: dict[str, OptionSource] = {}


def _register(table: dict[str, Any], name: str) -> Callable[[Any], Any]:
    def decorate(func: Any) -> Any:
        if name in table:
            raise ValueError(f"{name} registered twice")
        table[name] = func
        return func

    return decorate


def parser(name: str) -> Callable[[Parser], Parser]:
    return _register(PARSERS, name)


def matcher(name: str) -> Callable[[Matcher], Matcher]:
    return _register(MATCHERS, name)


def action(name: str) -> Callable[[Action], Action]:
    return _register(ACTIONS, name)


def option_source(name: str) -> Callable[[OptionSource], OptionSource]:
    return _register(OPTION_SOURCES, name)


def split_call(spec: str) -> tuple[str, list[str]]:
    """`"short_text 2 80"` -> `("short_text", ["2", "80"])`."""
    name, *args = spec.split()
    return name, args
