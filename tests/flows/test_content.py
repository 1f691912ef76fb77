"""Every content file loads and cross-checks; a broken one fails here, not in a conversation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from bot.config import PROJECT_ROOT
from bot.content import load_content
from bot.flows.loader import ContentError


def test_shipped_content_is_valid() -> None:
    content = load_content(PROJECT_ROOT / "content")
    assert {"menu", "registration", "my_data", "delete_data"} <= set(content.flows)
    assert set(content.strings["id"]) == set(content.strings["en"])


def _broken(tmp_path: Path, edit) -> Path:  # noqa: ANN001
    root = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", root)
    edit(root)
    return root


def _edit_yaml(path: Path, change) -> None:  # noqa: ANN001
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda f: f["steps"]["ask_name"].update(next="nowhere"), "unknown step nowhere"),
        (lambda f: f["steps"]["ask_name"].update(say=["registration.missing"]), "unknown text"),
        (lambda f: f["steps"]["ask_name"].update(expect="telepathy"), "unknown parser telepathy"),
        (lambda f: f["steps"]["consent"]["routes"][0].update(when="is_maybe"), "unknown matcher"),
        (lambda f: f["steps"]["save"].update(do=["launch_rocket"]), "unknown action"),
        (lambda f: f.update(flow="other"), "must equal the file name"),
    ],
)
def test_broken_flow_fails_loading(tmp_path: Path, change, problem: str) -> None:  # noqa: ANN001
    root = _broken(tmp_path, lambda r: _edit_yaml(r / "flows" / "registration.yaml", change))
    with pytest.raises(ContentError, match=problem):
        load_content(root)


def test_missing_translation_fails_loading(tmp_path: Path) -> None:
    root = _broken(
        tmp_path, lambda r: _edit_yaml(r / "strings" / "en.yaml", lambda d: d["menu"].pop("item_help"))
    )
    with pytest.raises(ContentError, match="missing in en"):
        load_content(root)


def test_flows_never_import_storage_or_channels() -> None:
    """The engine is channel-neutral and storage-neutral: only `bot/turns.py` joins them."""
    for path in (PROJECT_ROOT / "bot" / "flows").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        for forbidden in (
            "bot.models",
            "bot.channels",
            "bot.store",
            "sqlmodel",
            "sqlalchemy",
            "telegram",
            "twilio",
        ):
            assert f"import {forbidden}" not in source and f"from {forbidden}" not in source, (
                path,
                forbidden,
            )
