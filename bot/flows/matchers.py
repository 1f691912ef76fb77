"""Matchers named by `when:` in flow files: pure tests of the collected data."""

from __future__ import annotations

from bot.flows.registry import StepContext, matcher


@matcher("is_yes")
def is_yes(ctx: StepContext, key: str = "consent") -> bool:
    return ctx.data.get(key) == "agree"


@matcher("has_value")
def has_value(ctx: StepContext, key: str, value: str) -> bool:
    return str(ctx.data.get(key)) == value


@matcher("has_regency")
def has_regency(ctx: StepContext) -> bool:
    return bool((ctx.data.get("region") or {}).get("regency_code"))


@matcher("has_channel_phone")
def has_channel_phone(ctx: StepContext) -> bool:
    return bool(ctx.data.get("phone"))


@matcher("has_profile")
def has_profile(ctx: StepContext) -> bool:
    return bool(ctx.data.get("_has_profile"))
