"""Settings from the environment or `.env`; every default runs the bot locally on SQLite.

Settings are built explicitly (`Settings()` or `get_settings()`), never at import time, so tests pass
their own without touching the developer's `.env`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """All configuration; a channel whose credentials are missing is simply off."""

    model_config = SettingsConfigDict(env_file=".env", env_ignore_empty=True, extra="ignore")

    database_url: str = "sqlite:///./naikkelas.db"
    content_dir: Path = PROJECT_ROOT / "content"
    default_language: str = "id"
    conversation_idle_hours: float = 24.0
    max_message_chars: int = 1000
    log_level: str = "INFO"

    public_url: str = "http://127.0.0.1:8000"
    admin_token: SecretStr | None = None

    telegram_bot_token: SecretStr | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org"

    twilio_account_sid: str | None = None
    twilio_auth_token: SecretStr | None = None
    twilio_whatsapp_from: str | None = None
    twilio_api_url: str | None = None

    max_media_bytes: int = Field(default=10 * 1024 * 1024)

    # trainings (bot/trainings/, bot/scheduler.py)
    training_offer_hours: float = 24.0
    training_reminder_days: str = "3,1"
    training_reminder_hour: int = 9
    training_reminder_hours_before: float = 2.0
    training_feedback_hours_after: float = 1.0
    run_clock_in_web: bool | None = None  # None: in-process clock on SQLite only
    clock_sync_seconds: int = 60

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
