"""Parsers named by `expect:` in flow files: owner text in, `Parsed` / `Invalid` / `Ambiguous` out.

Each one accepts the way owners really write ("0812-3456-7890", "blm punya", "10jt sebulan") and
explains, through its `Invalid` reason, what was expected. None of them raises on user input.
"""

from __future__ import annotations

import re

import phonenumbers
from lokal import parse_rupiah

from bot import regions
from bot.flows.answers import Answer, Invalid, Parsed
from bot.flows.registry import StepContext, parser
from bot.textnorm import normalize

NO_WORDS = {
    "belum",
    "belum punya",
    "blm",
    "blm punya",
    "tidak ada",
    "gak ada",
    "ga ada",
    "nggak ada",
    "tidak punya",
    "gak punya",
    "ga punya",
    "belum ada",
    "none",
    "no",
    "not yet",
    "dont have",
    "nothing",
    "tidak",
    "gak",
    "ga",
    "kosong",
    "skip",
    "lewati",
    "lewat",
    "belum ada nib",
}
YES_WORDS = {
    "ya",
    "iya",
    "iyaa",
    "y",
    "yes",
    "ok",
    "oke",
    "okay",
    "okey",
    "siap",
    "setuju",
    "boleh",
    "mau",
    "bisa",
    "baik",
    "yup",
    "yap",
    "sip",
    "agree",
    "i agree",
    "sure",
    "lanjut",
    "betul",
    "benar",
    "ya setuju",
    "iya setuju",
    "saya setuju",
    "ok setuju",
}
DECLINE_WORDS = {
    "tidak",
    "tdk",
    "gak",
    "ga",
    "nggak",
    "enggak",
    "engga",
    "ndak",
    "no",
    "nope",
    "jangan",
    "tidak setuju",
    "gak setuju",
    "ga mau",
    "gak mau",
    "tidak mau",
    "disagree",
    "batal",
}
PERIODS = {
    12: re.compile(r"\b(se ?bulan|per ?bulan|tiap bulan|bulanan|a month|per month|monthly|bln)\b"),
    365: re.compile(r"\b(se ?hari|per ?hari|tiap hari|harian|a day|per day|daily)\b"),
    52: re.compile(r"\b(se ?minggu|per ?minggu|tiap minggu|mingguan|a week|per week|weekly)\b"),
}
NOISE = re.compile(
    r"\b(omzet|omset|kira kira|kurang lebih|sekitar|around|about|approx|rp|idr|"
    r"se ?tahun|per ?tahun|tiap tahun|a year|per year|yearly|annual|tahunan|thn|kurleb)\b"
)
EN_UNITS = {"thousand": "ribu", "million": "juta", "billion": "miliar", "k": "ribu", "m": "juta"}


@parser("choice")
def parse_choice(ctx: StepContext, text: str) -> Answer:
    """Only the shown options are valid; the engine has already tried them."""
    return Invalid("choice")


@parser("intent")
def parse_intent(ctx: StepContext, text: str) -> Answer:
    """The main menu also understands free text: "mau daftar", "info halal"."""
    intent = ctx.content.commands_index.intent(text)
    return Parsed(intent) if intent else Invalid("choice")


@parser("yes_no")
def parse_yes_no(ctx: StepContext, text: str) -> Answer:
    words = normalize(text)
    if words in YES_WORDS or words.split()[:1] == ["setuju"]:
        return Parsed("agree")
    if words in DECLINE_WORDS:
        return Parsed("decline")
    return Invalid("choice")


@parser("person_name")
def parse_person_name(ctx: StepContext, text: str) -> Answer:
    name = " ".join(text.split())
    letters = sum(ch.isalpha() for ch in name)
    allowed = all(ch.isalpha() or ch in " .'-,`" for ch in name)
    if not allowed or letters < 2 or len(name) > 80:
        return Invalid()
    return Parsed(name.title() if name.islower() or name.isupper() else name)


@parser("short_text")
def parse_short_text(ctx: StepContext, text: str, low: str = "2", high: str = "200") -> Answer:
    cleaned = " ".join(text.split())
    if not int(low) <= len(cleaned) <= int(high) or not any(ch.isalnum() for ch in cleaned):
        return Invalid()
    if sum(ch.isalnum() for ch in cleaned) < int(low):
        return Invalid()
    return Parsed(cleaned)


@parser("address")
def parse_address(ctx: StepContext, text: str) -> Answer:
    if normalize(text) in NO_WORDS:
        return Parsed(None)
    return parse_short_text(ctx, text, "5", "200")


@parser("sector")
def parse_sector(ctx: StepContext, text: str) -> Answer:
    return ctx.content.sectors.parse(text, ctx.lang)


@parser("province")
def parse_province(ctx: StepContext, text: str) -> Answer:
    return regions.parse_province(text)


@parser("regency")
def parse_regency(ctx: StepContext, text: str) -> Answer:
    region = ctx.data.get("region") or {}
    answer = regions.parse_regency(text, region.get("province_code", ""))
    if isinstance(answer, Invalid):
        elsewhere = regions.parse_province(text)
        if isinstance(elsewhere, Parsed) and "regency_code" not in elsewhere.value:
            return elsewhere
        if not isinstance(elsewhere, Invalid) and answer.reason != "other_province":
            return elsewhere
    return answer


@parser("phone")
def parse_phone(ctx: StepContext, text: str) -> Answer:
    raw = ctx.inbound.shared_phone or text
    digits = re.sub(r"[^\d+]", "", raw)
    if not 8 <= len(digits.lstrip("+")) <= 15:
        return Invalid()
    try:
        number = phonenumbers.parse(digits, "ID")
    except phonenumbers.NumberParseException:
        return Invalid()
    if not phonenumbers.is_valid_number(number):
        return Invalid()
    return Parsed(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


@parser("nib")
def parse_nib(ctx: StepContext, text: str) -> Answer:
    words = normalize(text)
    if words in NO_WORDS or words.startswith(("belum", "blm", "tidak", "gak", "no ")):
        return Parsed(None)
    digits = re.sub(r"[\s.\-/]", "", text.strip())
    if not digits.isdigit():
        return Invalid()
    if len(digits) != 13:
        return Invalid("length", {"count": len(digits)})
    return Parsed(digits)


@parser("omzet")
def parse_omzet(ctx: StepContext, text: str) -> Answer:
    amount = annual_rupiah(text)
    if amount is None or amount < 0:
        return Invalid()
    for band in ctx.content.scales["bands"]:
        if band["max_rupiah"] is None or amount <= band["max_rupiah"]:
            return Parsed(band["key"])
    return Invalid()


def annual_rupiah(text: str) -> int | None:
    """ "10 juta sebulan" -> 120,000,000; "2,5M" -> 2,500,000,000; None when no amount is found."""
    lowered = text.lower()
    factor = next((f for f, pattern in PERIODS.items() if pattern.search(lowered)), 1)
    for pattern in PERIODS.values():
        lowered = pattern.sub(" ", lowered)
    lowered = NOISE.sub(" ", lowered)
    for english, indonesian in EN_UNITS.items():
        lowered = re.sub(rf"(?<=\d)\s*{english}\b|\b{english}\b", f" {indonesian}", lowered)
    try:
        parsed = parse_rupiah(" ".join(lowered.split()))
    except (ValueError, TypeError, OverflowError):
        return None
    return None if parsed is None else int(parsed.amount) * factor
