"""The `media` parser: a step with `expect: media [image|pdf|<mime>…]` accepts one photo or
document, refusing unexpected types and files over the size limit (`MAX_MEDIA_BYTES`).

The answer saved is a plain dict (channel, kind, content type, size, provider ref, file name);
the `save_media` action stores it durably. The bytes stay with the provider until needed.
"""

from __future__ import annotations

from typing import Any

from bot.flows.answers import Answer, Invalid, Parsed
from bot.flows.registry import StepContext, parser
from bot.messages import Attachment

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_TYPES = ("image/jpeg", "image/png", "image/webp", "application/pdf")
TYPE_WORDS = {
    "image": ("image/jpeg", "image/png", "image/webp"),
    "photo": ("image/jpeg", "image/png", "image/webp"),
    "pdf": ("application/pdf",),
}
TYPE_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPG", "image/png": "PNG", "image/webp": "WEBP"}


def allowed_types(words: tuple[str, ...]) -> tuple[str, ...]:
    """`expect: media image pdf` -> the MIME types; no words -> `DEFAULT_TYPES`."""
    if not words:
        return DEFAULT_TYPES
    return tuple(t for w in words for t in TYPE_WORDS.get(w.lower(), (w.lower(),)))


def refusal(attachment: Attachment, *, max_bytes: int, allowed: tuple[str, ...]) -> str | None:
    """Why the attachment is refused (`media_type`, `media_too_big`), or None when it is fine."""
    if attachment.content_type.split(";")[0].strip().lower() not in allowed:
        return "media_type"
    if attachment.size is not None and attachment.size > max_bytes:
        return "media_too_big"
    return None


@parser("media")
def parse_media(ctx: StepContext, text: str, *types: str) -> Answer:
    attachment = ctx.inbound.attachments[0] if ctx.inbound.attachments else None
    allowed = allowed_types(types)
    max_bytes = int(ctx.extra.get("max_media_bytes") or DEFAULT_MAX_BYTES)
    if attachment is None:
        return Invalid("no_media", _params(allowed, max_bytes))
    reason = refusal(attachment, max_bytes=max_bytes, allowed=allowed)
    if reason:
        return Invalid(reason, {**_params(allowed, max_bytes), **_size(attachment)})
    return Parsed(_as_dict(ctx, attachment), attachment.filename or attachment.kind)


parse_media.accepts_media = True  # type: ignore[attr-defined]


def _params(allowed: tuple[str, ...], max_bytes: int) -> dict[str, Any]:
    names = sorted({TYPE_NAMES.get(t, t) for t in allowed})
    return {"types": ", ".join(names), "limit_mb": _mb(max_bytes)}


def _size(attachment: Attachment) -> dict[str, Any]:
    return {"size_mb": _mb(attachment.size or 0), "got_type": attachment.content_type or "?"}


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def _as_dict(ctx: StepContext, attachment: Attachment) -> dict[str, Any]:
    return {
        "channel": ctx.inbound.channel,
        "kind": attachment.kind,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "ref": attachment.ref,
        "filename": attachment.filename,
    }
