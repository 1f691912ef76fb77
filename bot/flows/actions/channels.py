"""Actions for what channels bring: storing a received file, and linking a second channel to an
owner who registered on another one (one owner, several channels).

Linking is offered only for a number the channel vouches for: the WhatsApp sender's own number,
or a Telegram contact shared with the "share my number" button. A typed number proves nothing, so
it never opens someone else's profile.
"""

from __future__ import annotations

from bot.flows.registry import StepContext, action, matcher


@action("save_media")
def save_media(ctx: StepContext, key: str, purpose: str = "") -> None:
    """Store the file saved under `key` (by an `expect: media` step); keeps its id as `<key>_id`."""
    media = ctx.data.get(key)
    if isinstance(media, dict) and media.get("ref"):
        ctx.data[f"{key}_id"] = ctx.services.save_media(media, purpose or key)


@action("find_linkable_owner")
def find_linkable_owner(ctx: StepContext) -> None:
    """Is the number just confirmed already an owner's, registered from another channel?"""
    ctx.data.pop("_link_owner", None)
    phone = ctx.data.get("phone")
    verified = ctx.channel_phone or (phone if ctx.inbound.shared_phone else None)
    if not phone or phone != verified:
        return
    found = ctx.services.find_owner_by_phone(phone)
    if found:
        ctx.data["_link_owner"] = found["owner_id"]
        ctx.data["link_business"] = found["business_name"]
        ctx.data["link_channel"] = ctx.content.text(f"channels.names.{found['channel']}", ctx.lang)


@matcher("has_linkable_owner")
def has_linkable_owner(ctx: StepContext) -> bool:
    return bool(ctx.data.get("_link_owner"))


@action("link_owner")
def link_owner(ctx: StepContext) -> None:
    """This contact now shares the owner's profile: `data saya` shows it on every channel."""
    owner_id = ctx.data.get("_link_owner")
    if owner_id:
        ctx.services.link_owner(int(owner_id))
