"""Attachments on the channel side: the neutral kind of a MIME type, and fetching the bytes from the
provider when a flow needs them (Telegram `getFile` + download, Twilio media URL with Basic auth).

The engine only ever sees `Attachment` (kind, type, size, ref); which types and sizes a step accepts
is decided by the `media` parser (`bot/flows/media_parsers.py`). Bytes are fetched on demand.
"""

from __future__ import annotations

import httpx

from bot.config import Settings
from bot.messages import Attachment, AttachmentKind

TELEGRAM_PREFIX = "telegram:"


class MediaError(Exception):
    """The file can't be fetched, or is bigger than allowed."""


def kind_of(content_type: str) -> AttachmentKind:
    """The neutral kind for a MIME type (`image/png` -> image, `application/pdf` -> document)."""
    major = content_type.split("/", 1)[0].lower()
    if major in ("image", "audio", "video"):
        return major  # type: ignore[return-value]
    return "document"


async def fetch(settings: Settings, attachment: Attachment) -> bytes:
    """The file's bytes, refusing anything over `settings.max_media_bytes`."""
    if attachment.ref.startswith(TELEGRAM_PREFIX):
        return await _fetch_telegram(settings, attachment.ref.removeprefix(TELEGRAM_PREFIX))
    return await _fetch_twilio(settings, attachment.ref)


async def _fetch_telegram(settings: Settings, file_id: str) -> bytes:
    from bot.channels.telegram import build_bot

    bot = build_bot(settings)
    if bot is None:
        raise MediaError("Telegram is not configured")
    async with bot:
        file = await bot.get_file(file_id)
        if file.file_size and file.file_size > settings.max_media_bytes:
            raise MediaError(f"file is {file.file_size} bytes, over the limit")
        return bytes(await file.download_as_bytearray())


def twilio_auth(settings: Settings) -> httpx.BasicAuth:
    token = settings.twilio_auth_token.get_secret_value() if settings.twilio_auth_token else ""
    return httpx.BasicAuth(settings.twilio_account_sid or "", token)


async def _fetch_twilio(settings: Settings, url: str) -> bytes:
    limit = settings.max_media_bytes
    async with httpx.AsyncClient(auth=twilio_auth(settings), follow_redirects=True, timeout=30) as client:
        async with client.stream("GET", url) as response:
            response.raise_for_status()
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > limit:
                    raise MediaError(f"file is over the {limit}-byte limit")
                chunks.append(chunk)
    return b"".join(chunks)


async def probe_twilio_size(settings: Settings, url: str) -> int | None:
    """Twilio's webhook gives no size: ask the media URL (HEAD) so big files are refused at once."""
    try:
        async with httpx.AsyncClient(auth=twilio_auth(settings), follow_redirects=True, timeout=5) as client:
            response = await client.head(url)
    except httpx.HTTPError:
        return None
    length = response.headers.get("content-length")
    return int(length) if response.is_success and length and length.isdigit() else None
