"""Loads everything user-facing from `content/` and renders messages in the owner's language.

All content is validated at load time (see `bot/flows/loader.py`), so a broken file fails a test
or the server start, never a conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.flows.spec import Flow
from bot.sectors import Sectors

LANGUAGES = ("id", "en")


class _Blank(dict[str, Any]):
    """format_map helper: a missing placeholder renders empty instead of raising."""

    def __missing__(self, key: str) -> str:
        return ""


def read_yaml(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        flat[name] = value
    return flat


@dataclass(frozen=True)
class Content:
    """Strings per language, flow definitions and the domain catalogues, read once at start."""

    strings: dict[str, dict[str, Any]]
    flows: dict[str, Flow]
    commands: dict[str, Any]
    intents: dict[str, Any]
    profile_fields: list[dict[str, Any]]
    scales: dict[str, Any]
    sectors: Sectors

    def text(self, key: str, lang: str, **params: Any) -> str:
        """Render `key` in `lang` (falling back to Indonesian) with `params` filled in."""
        template = self.raw(key, lang)
        if not isinstance(template, str):
            raise KeyError(f"{key} is not a text")
        return template.format_map(_Blank(params)) if params else template

    def raw(self, key: str, lang: str) -> Any:
        table = self.strings.get(lang) or self.strings["id"]
        return table[key] if key in table else self.strings["id"][key]

    def has(self, key: str) -> bool:
        return all(key in self.strings[lang] for lang in LANGUAGES)


def load_content(root: Path) -> Content:
    """Read and validate every content file under `root`."""
    from bot.flows.loader import load_flows, validate_content

    content = Content(
        strings={lang: _flatten(read_yaml(root / "strings" / f"{lang}.yaml")) for lang in LANGUAGES},
        flows=load_flows(root / "flows"),
        commands=read_yaml(root / "commands.yaml"),
        intents=read_yaml(root / "intents.yaml"),
        profile_fields=read_yaml(root / "profile_fields.yaml")["fields"],
        scales=read_yaml(root / "scales.yaml"),
        sectors=Sectors.from_yaml(root / "sectors.yaml"),
    )
    validate_content(content)
    return content
