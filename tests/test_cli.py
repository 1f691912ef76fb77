"""The command line as a person uses it: piped chat, the database upgrade, the web server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from bot.config import PROJECT_ROOT, Settings
from bot.web.app import create_app


def run_bot(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        env=env,
        timeout=120,
        check=False,
    )


def test_piped_chat_prints_each_reply_and_exits_zero(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "chat", "--as", "+6281234567890", stdin="halo\n1\ntidak\n")
    assert result.returncode == 0, result.stderr
    assert "Naik Kelas" in result.stdout and "1. Daftar usaha" in result.stdout
    assert "Apakah Anda setuju?" in result.stdout and "Tidak ada data Anda yang disimpan" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_piped_chat_in_english(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "chat", "--as", "081234567899", "--lang", "en", stdin="hi\n")
    assert result.returncode == 0 and "Register business" in result.stdout


def test_chat_rejects_a_bad_phone(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "chat", "--as", "not-a-phone", stdin="")
    assert result.returncode == 2 and "phone number" in result.stderr


def test_db_upgrade(tmp_path: Path) -> None:
    result = run_bot(tmp_path, "db", "upgrade")
    assert result.returncode == 0 and "up to date" in result.stdout
    assert (tmp_path / "cli.db").exists()


def test_health_check(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, database_url=f"sqlite:///{tmp_path / 'web.db'}")
    with TestClient(create_app(settings)) as client:
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "sqlite"}
