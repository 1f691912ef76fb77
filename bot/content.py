"""Loads everything user-facing from `content/` and renders messages in the owner's language.

All content is validated at load time (see `bot/flows/loader.py`), so a broken file fails a test
or the server start, never a conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
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
        return template.format_map(_Blank(params))

    def raw(self, key: str, lang: str) -> Any:
        table = self.strings.get(lang) or self.strings["id"]
        return table[key] if key in table else self.strings["id"][key]

    @cached_property
    def commands_index(self) -> Any:
        """The compiled command and intent matcher (`bot.flows.commands.Commands`), built once."""
        from bot.flows.commands import Commands

        return Commands(self)

    def has(self, key: str) -> bool:
        return all(key in self.strings[lang] for lang in LANGUAGES)


def _read_strings(folder: Path, lang: str) -> dict[str, Any]:
    """`strings/<lang>.yaml` plus one file per feature in `strings/<lang>/*.yaml`."""
    tree: dict[str, Any] = dict(read_yaml(folder / f"{lang}.yaml"))
    for path in sorted((folder / lang).glob("*.yaml")):
        for key, value in (read_yaml(path) or {}).items():
            if key in tree:
                raise ValueError(f"{path}: top-level key {key!r} is defined twice")
            tree[key] = value
    return _flatten(tree)


def load_content(root: Path) -> Content:
    """Read and validate every content file under `root`."""
    from bot.flows.loader import load_flows, validate_content

    content = Content(
        strings={lang: _read_strings(root / "strings", lang) for lang in LANGUAGES},
        flows=load_flows(root / "flows"),
        commands=read_yaml(root / "commands.yaml"),
        intents=read_yaml(root / "intents.yaml"),
        profile_fields=read_yaml(root / "profile_fields.yaml")["fields"],
        scales=read_yaml(root / "scales.yaml"),
        sectors=Sectors.from_yaml(root / "sectors.yaml"),
    )
    validate_content(content)
    return content
