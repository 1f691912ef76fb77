"""Registration and profile actions: load, summarise, save, update and delete an owner's data.

Profile answers live in the conversation data under the same keys as the registration step's
`save_as`, so the same steps serve first registration and later corrections.
"""

from __future__ import annotations

from typing import Any

from bot.flows.answers import Option
from bot.flows.registry import StepContext, action, option_source

PROFILE_KEYS = (
    "full_name",
    "business_name",
    "sector",
    "products",
    "region",
    "address",
    "phone",
    "nib",
    "omzet_band",
)
FEATURED_SECTORS = 9


@action("load_profile")
def load_profile(ctx: StepContext) -> None:
    """Put the stored profile (if any) into the data, for `has_profile` and the templates."""
    profile = ctx.services.profile()
    ctx.data["_has_profile"] = profile is not None
    if profile:
        ctx.data.update(profile)
        channel = profile.get("consent_channel") or "console"
        ctx.data["consent_channel_label"] = ctx.content.text(f"common.channel_names.{channel}", ctx.lang)
        build_summary(ctx)


@action("load_greeting")
def load_greeting(ctx: StepContext) -> None:
    """Greet by first name when we know it: from the profile, else the chat app's profile name."""
    profile = ctx.services.profile()
    name = (profile or {}).get("full_name") or ctx.inbound.profile_name or ""
    first = name.split()[0] if name.split() else ""
    ctx.data["greeting_name"] = f" {first[:30]}" if first.isalpha() else ""


@action("prefill_phone")
def prefill_phone(ctx: StepContext) -> None:
    """On WhatsApp the number is known already; never ask for it."""
    if ctx.channel_phone and not ctx.data.get("phone"):
        ctx.data["phone"] = ctx.channel_phone


@action("remember_return")
def remember_return(ctx: StepContext, step: str) -> None:
    ctx.data.setdefault("_return", step)


@action("build_summary")
def build_summary(ctx: StepContext) -> None:
    ctx.data["summary_text"] = summary_text(ctx, ctx.data)
    ctx.data["announcements"] = ctx.content.text(
        "profile.announcements_off" if ctx.opted_out else "profile.announcements_on", ctx.lang
    )


@action("save_registration")
def save_registration(ctx: StepContext) -> None:
    ctx.services.save_registration(_profile_fields(ctx.data))


@action("update_profile")
def update_profile(ctx: StepContext) -> None:
    ctx.services.update_profile(_profile_fields(ctx.data))


@action("delete_profile")
def delete_profile(ctx: StepContext) -> None:
    ctx.services.delete_profile()


def summary_text(ctx: StepContext, data: dict[str, Any]) -> str:
    """The profile as the owner reads it, in their language."""
    content, lang = ctx.content, ctx.lang
    sector = data.get("sector") or ""
    kbli = content.sectors.get(sector).kbli if content.sectors.get(sector) else None
    region = data.get("region") or {}
    return content.text(
        "profile.summary",
        lang,
        full_name=data.get("full_name", ""),
        business_name=data.get("business_name", ""),
        sector_label=content.sectors.label(sector, lang) if sector else "-",
        kbli_text=content.text("profile.kbli", lang, kbli=kbli) if kbli else "",
        products=data.get("products", ""),
        region_label=", ".join(p for p in (region.get("regency"), region.get("province")) if p),
        address_label=data.get("address") or content.text("profile.no_address", lang),
        phone=data.get("phone") or "-",
        nib_label=data.get("nib") or content.text("profile.no_nib", lang),
        scale_label=_scale_label(ctx, data.get("omzet_band")),
        omzet_label=_band_label(ctx, data.get("omzet_band")),
    )


def _profile_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {key: data.get(key) for key in PROFILE_KEYS}


def _band(ctx: StepContext, key: str | None) -> dict[str, Any] | None:
    return next((b for b in ctx.content.scales["bands"] if b["key"] == key), None)


def _band_label(ctx: StepContext, key: str | None) -> str:
    band = _band(ctx, key)
    return band["label"].get(ctx.lang, band["label"]["id"]) if band else "-"


def _scale_label(ctx: StepContext, key: str | None) -> str:
    band = _band(ctx, key)
    if band is None:
        return "-"
    labels = ctx.content.scales["scales"][band["scale"]]
    return str(labels.get(ctx.lang, labels["id"]))


def scale_of(scales: dict[str, Any], band_key: str) -> str:
    """The PP 7/2021 scale (micro/small/medium/large) of an omzet band."""
    return next(b["scale"] for b in scales["bands"] if b["key"] == band_key)


@option_source("sectors")
def sector_options(ctx: StepContext) -> list[Option]:
    sectors = ctx.content.sectors.all()
    featured = [s for s in sectors if s.key != "other"][:FEATURED_SECTORS]
    other = [s for s in sectors if s.key == "other"]
    return [Option(s.key, ctx.content.sectors.label(s.key, ctx.lang)) for s in featured + other]


@option_source("omzet_bands")
def omzet_options(ctx: StepContext) -> list[Option]:
    return [Option(b["key"], b["label"].get(ctx.lang, b["label"]["id"])) for b in ctx.content.scales["bands"]]


@option_source("edit_fields")
def edit_field_options(ctx: StepContext) -> list[Option]:
    fields = ctx.content.profile_fields
    return [Option(f["step"], f["label"].get(ctx.lang, f["label"]["id"])) for f in fields]
