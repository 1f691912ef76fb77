"""Dates the way owners read them: "Senin, 19 Januari 2026 pukul 09.00 WIB", in their own zone.

Patterns live in content (`trainings.date_pattern`); babel supplies the Indonesian and English
day and month names. An owner's zone comes from their province (Keppres 41/1987, `bot.regions`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from bot import regions
from bot.content import Content

ZONE_LABELS = {
    "Asia/Jakarta": "WIB",
    "Asia/Pontianak": "WIB",
    "Asia/Makassar": "WITA",
    "Asia/Jayapura": "WIT",
}
ZONES = ("Asia/Jayapura", "Asia/Makassar", "Asia/Jakarta")  # one per offset, east to west


def owner_zone(province_code: str | None, fallback: str = "Asia/Jakarta") -> str:
    """The IANA zone an owner lives in; the training's own zone when the province is unknown."""
    if not province_code:
        return fallback
    try:
        return regions.timezone_for(province_code)
    except ValueError:
        return fallback


def offset_zone(zone: str) -> str:
    """The representative zone with the same offset (Pontianak runs on Jakarta time)."""
    return "Asia/Jakarta" if zone == "Asia/Pontianak" else zone


def local_text(content: Content, moment: datetime, zone: str, lang: str) -> str:
    """`moment` in `zone`, e.g. "Senin, 19 Januari 2026 pukul 09.00 WIB"."""
    pattern = content.text("trainings.date_pattern", lang)
    text = format_datetime(moment, pattern, tzinfo=ZoneInfo(zone), locale=lang)
    return f"{text} {ZONE_LABELS.get(zone, zone)}"


def local_day(content: Content, moment: datetime, zone: str, lang: str) -> str:
    """Only the date, e.g. "Senin, 19 Januari 2026"."""
    pattern = content.text("trainings.day_pattern", lang)
    return format_datetime(moment, pattern, tzinfo=ZoneInfo(zone), locale=lang)
