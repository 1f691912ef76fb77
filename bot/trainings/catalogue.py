"""What an owner sees of the catalogue: upcoming trainings ranked for them, details, requirements.

Ranking: words of the owner's message ("pelatihan *batik*") first, then the owner's sector, then
their regency and province, then trainings they may actually join, then the soonest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from bot import regions
from bot.content import Content
from bot.models import Business
from bot.textnorm import normalize
from bot.trainings.models import Training
from bot.trainings.notify import place_text
from bot.trainings.timefmt import local_day, local_text, owner_zone

STOP_WORDS = set(
    "pelatihan pelatian training trainings kursus kelas workshop bimtek diklat course class webinar "
    "mau ingin pengen ikut daftar ada apa aja saja yang untuk info informasi tentang dong min kak saya aku "
    "want join what there any about the for sign up register list show me please tolong".split()
)


@dataclass(frozen=True)
class Refusal:
    """Why an owner cannot enrol; `reason` picks the message, `params` fill it in."""

    reason: str
    params: dict[str, Any]


def upcoming(session: Session, now: datetime) -> list[Training]:
    query = select(Training).where(Training.status == "published", Training.starts_at > now)
    return list(session.execute(query.order_by(Training.starts_at, Training.id)).scalars())


def search_words(text: str) -> set[str]:
    return {w for w in normalize(text).split() if len(w) >= 3 and w not in STOP_WORDS}


def ranked(
    content: Content, trainings: list[Training], business: Business | None, words: set[str], now: datetime
) -> list[Training]:
    """Most relevant first: asked-for words, sector, region, eligibility, then date."""

    def score(training: Training) -> tuple[int, int, int, int, datetime]:
        haystack = normalize(
            " ".join([training.title, training.category, training.description, *training.sectors])
        )
        asked = sum(1 for w in words if w in haystack)
        sector = int(bool(business and business.sector in training.sectors))
        place = _region_score(training, business)
        eligible = int(refusal(training, business, now) is None)
        return (-asked, -sector, -place, -eligible, training.starts_at)

    return sorted(trainings, key=score)


def _region_score(training: Training, business: Business | None) -> int:
    if business is None:
        return 0
    if training.regency_code and training.regency_code == business.regency_code:
        return 2
    return int(bool(training.province_code and training.province_code == business.province_code))


def refusal(training: Training, business: Business | None, now: datetime) -> Refusal | None:
    """The first requirement the owner does not meet, or None when they may enrol."""
    if training.status != "published":
        return Refusal("unavailable", {})
    if now >= training.starts_at:
        return Refusal("started", {})
    if training.registration_deadline and now > training.registration_deadline:
        return Refusal("deadline", {})
    if business is None:
        return Refusal("not_registered", {})
    if training.nib_required and not business.nib:
        return Refusal("nib", {})
    if training.restrict_sectors and training.sectors and business.sector not in training.sectors:
        return Refusal("sector", {"owner_sector": business.sector})
    if training.restrict_region and not _in_region(training, business):
        return Refusal("region", {"owner_region": f"{business.regency}, {business.province}"})
    return None


def _in_region(training: Training, business: Business) -> bool:
    if training.regency_code:
        return training.regency_code == business.regency_code
    return not training.province_code or training.province_code == business.province_code


def region_label(training: Training) -> str:
    """ "Kota Palembang, Sumatera Selatan" or "Sumatera Selatan" or ""."""
    if training.regency_code:
        found = [r for r in regions.regencies(training.regency_code[:2]) if r.code == training.regency_code]
        if found:
            return f"{found[0].name}, {found[0].province_name}"
    found = [p for p in regions.provinces() if p.code == training.province_code]
    return found[0].name if found else ""


def sector_labels(content: Content, training: Training, lang: str) -> str:
    return ", ".join(content.sectors.label(s, lang) for s in training.sectors if content.sectors.get(s))


def zone_for(business: Business | None, training: Training) -> str:
    return owner_zone(business.province_code if business else None, training.timezone)


def list_line(content: Content, training: Training, business: Business | None, lang: str) -> str:
    """One option label: "Desain Wastra — Senin, 19 Januari 2026"."""
    day = local_day(content, training.starts_at, zone_for(business, training), lang)
    return f"{training.title} — {day}"


def requirement_lines(content: Content, training: Training, lang: str) -> list[str]:
    lines = []
    if training.nib_required:
        lines.append(content.text("trainings.req_nib", lang))
    if training.restrict_sectors and training.sectors:
        lines.append(
            content.text("trainings.req_sector", lang, sectors=sector_labels(content, training, lang))
        )
    if training.restrict_region and region_label(training):
        lines.append(content.text("trainings.req_region", lang, region=region_label(training)))
    lines += [line.strip() for line in training.requirements.splitlines() if line.strip()]
    return lines or [content.text("trainings.req_none", lang)]


def detail_params(
    content: Content, training: Training, business: Business | None, lang: str, seats_left: int, waiting: int
) -> dict[str, Any]:
    zone = zone_for(business, training)
    deadline = training.registration_deadline
    if seats_left > 0:
        seats = content.text("trainings.seats_left", lang, left=seats_left, total=training.seats)
    else:
        seats = content.text("trainings.seats_full", lang, total=training.seats, waiting=waiting)
    return {
        "title": training.title,
        "organiser": training.organiser,
        "description": training.description or "-",
        "date_text": local_text(content, training.starts_at, zone, lang),
        "end_text": local_text(content, training.ends_at, zone, lang),
        "place_text": place_text(content, training, lang),
        "seats_text": seats,
        "requirements_text": "\n".join(f"• {line}" for line in requirement_lines(content, training, lang)),
        "deadline_text": local_text(content, deadline, zone, lang) if deadline else "-",
    }
