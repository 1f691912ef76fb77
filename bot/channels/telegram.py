"""Telegram through python-telegram-bot, used only as a typed parser and a sending client.

`to_inbound` maps an `Update` (webhook JSON or long polling) to the neutral `Inbound`;
`TelegramChannel.send` renders a `Reply` natively: an inline keyboard for choices (callback data is
the engine's `<step>#<n>` payload, at most 64 bytes), a "share my number" reply keyboard for the
phone step, `*bold*` as entities, and texts over 4096 characters split in several messages.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import Awaitable, Callable
from datetime import timedelta

# PTB's documented opt-in: time periods (RetryAfter.retry_after) as timedelta, without warnings.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import (  # noqa: E402
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.error import (  # noqa: E402
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
)
from telegram.request import HTTPXRequest  # noqa: E402

from bot.channels.base import (  # noqa: E402
    PermanentFailure,
    Recipient,
    RetryLater,
    SendResult,
    Unreachable,
    split_text,
)
from bot.channels.media import TELEGRAM_PREFIX, kind_of  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.content import Content  # noqa: E402
from bot.messages import Attachment, Inbound, Reply  # noqa: E402

logger = logging.getLogger(__name__)

CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]
MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
BOLD = re.compile(r"\*([^*\n]+)\*")


def build_bot(settings: Settings) -> Bot | None:
    """The Bot API client for `TELEGRAM_BOT_TOKEN` at `TELEGRAM_API_URL`; None when not configured."""
    if settings.telegram_bot_token is None:
        return None
    base = settings.telegram_api_url.rstrip("/")
    return Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=f"{base}/bot",
        base_file_url=f"{base}/file/bot",
        request=HTTPXRequest(connection_pool_size=32),
        get_updates_request=HTTPXRequest(read_timeout=60),
    )


# ---------------------------------------------------------------------------------- inbound
def to_inbound(update: Update) -> Inbound | None:
    """The owner's message or button tap as an `Inbound`; None for updates the bot ignores."""
    if update.callback_query is not None:
        query = update.callback_query
        chat_id = query.message.chat.id if query.message else query.from_user.id
        return Inbound(
            channel=CHANNEL,
            address=str(chat_id),
            message_id=f"cb:{query.id}",
            choice=query.data or "",
            profile_name=query.from_user.full_name,
            raw={"callback_query_id": query.id},
        )
    message = update.message
    if message is None:
        return None
    return _message_inbound(message)


def _message_inbound(message: Message) -> Inbound:
    user = message.from_user
    contact = message.contact
    own_contact = bool(contact and user and contact.user_id == user.id)
    text = message.text or message.caption or ""
    if contact and not own_contact:
        text = contact.phone_number  # someone else's card: as good as typing the number
    location = message.location
    return Inbound(
        channel=CHANNEL,
        address=str(message.chat.id),
        text=text,
        message_id=f"{message.chat.id}:{message.message_id}",
        attachments=_attachments(message),
        shared_phone=_international(contact.phone_number) if contact and own_contact else None,
        location=(location.latitude, location.longitude) if location else None,
        profile_name=user.full_name if user else None,
    )


def _international(phone: str) -> str:
    """Telegram shares numbers in international form, usually without the "+" ("6281…")."""
    phone = phone.strip()
    return phone if phone.startswith("+") else "+" + phone


def _attachments(message: Message) -> tuple[Attachment, ...]:
    if message.photo:
        photo = message.photo[-1]  # the largest size
        return (Attachment("image", "image/jpeg", photo.file_size, TELEGRAM_PREFIX + photo.file_id),)
    if message.document:
        doc = message.document
        mime = doc.mime_type or "application/octet-stream"
        return (Attachment(kind_of(mime), mime, doc.file_size, TELEGRAM_PREFIX + doc.file_id, doc.file_name),)
    for name, kind, default_type in _OTHER_MEDIA:
        media = getattr(message, name)
        if media:
            mime = getattr(media, "mime_type", None) or default_type
            return (Attachment(kind, mime, media.file_size, TELEGRAM_PREFIX + media.file_id),)
    if message.location:
        return (Attachment("location", "application/x-location"),)
    return ()


_OTHER_MEDIA = (
    ("sticker", "sticker", "image/webp"),
    ("voice", "audio", "audio/ogg"),
    ("audio", "audio", "audio/mpeg"),
    ("video", "video", "video/mp4"),
    ("video_note", "video", "video/mp4"),
    ("animation", "video", "video/mp4"),
)


# ---------------------------------------------------------------------------------- outbound
class TelegramChannel:
    """Sends outbox replies with a `telegram.Bot`; provider errors become `bot.channels.base` errors."""

    name = CHANNEL

    def __init__(self, bot: Bot, content: Content) -> None:
        self.bot, self.content = bot, content

    async def send(
        self, recipient: Recipient, reply: Reply, *, kind: str, variables: dict[str, str] | None = None
    ) -> SendResult:
        chunks = split_text(reply.text or "…", MAX_TEXT)
        markup = self.markup(reply, recipient.language)
        last = None
        for i, chunk in enumerate(chunks):
            text, entities = bold_entities(chunk)
            final = i == len(chunks) - 1
            last = await self._call(
                self.bot.send_message(
                    chat_id=int(recipient.address),
                    text=text,
                    entities=entities or None,
                    reply_markup=markup if final else None,
                )
            )
        return SendResult(provider_id=str(last.message_id) if last else None, status="sent")

    def markup(
        self, reply: Reply, lang: str
    ) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove:
        if reply.request_phone:
            label = self.content.text("channels.share_phone_button", lang)
            button = KeyboardButton(label, request_contact=True)
            return ReplyKeyboardMarkup([[button]], one_time_keyboard=True, resize_keyboard=True)
        if reply.choices and all(len(c.payload.encode()) <= MAX_CALLBACK_BYTES for c in reply.choices):
            rows = [[InlineKeyboardButton(c.label, callback_data=c.payload)] for c in reply.choices]
            return InlineKeyboardMarkup(rows)
        return ReplyKeyboardRemove()

    async def answer_tap(self, callback_query_id: str) -> None:
        """Stop the button's spinner; a tap too old to answer is harmless."""
        try:
            await self.bot.answer_callback_query(callback_query_id)
        except TelegramError as error:
            logger.info("callback query %s not answered: %s", callback_query_id, error)

    async def close(self) -> None:
        await self.bot.shutdown()

    @staticmethod
    async def _call(request: Awaitable[Message]) -> Message:
        try:
            return await request
        except Forbidden as error:
            raise Unreachable(error.message, "403") from error
        except RetryAfter as error:
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            raise RetryLater(error.message, "429", retry_after=seconds) from error
        except (BadRequest, ChatMigrated) as error:
            raise PermanentFailure(error.message, "400") from error
        except NetworkError as error:
            raise RetryLater(error.message, "network") from error
        except TelegramError as error:
            raise RetryLater(error.message, "telegram") from error


def bold_entities(text: str) -> tuple[str, list[MessageEntity]]:
    """Content marks emphasis WhatsApp-style (`*bold*`); Telegram gets it as bold entities."""
    out, entities, position = [], [], 0
    for match in BOLD.finditer(text):
        out.append(text[position : match.start()])
        offset = _utf16_len("".join(out))
        inner = match.group(1)
        entities.append(MessageEntity(MessageEntity.BOLD, offset, _utf16_len(inner)))
        out.append(inner)
        position = match.end()
    out.append(text[position:])
    return "".join(out), entities


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


# ---------------------------------------------------------------------------------- polling
async def poll(
    bot: Bot, handle: Callable[[Update], Awaitable[None]], *, timeout: int = 25, retry_seconds: float = 10
) -> None:
    """Long polling (`getUpdates`) for machines with no public address; runs until cancelled."""
    await bot.delete_webhook()
    logger.info("Telegram: long polling started (webhook removed)")
    offset: int | None = None
    while True:
        try:
            updates = await bot.get_updates(offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES)
        except Conflict as error:
            logger.error(
                "Telegram refused polling (409 Conflict: %s). Another process is polling with the same "
                "bot token, or a webhook was set again; stop it. Retrying in %ss.",
                error.message,
                retry_seconds,
            )
            await asyncio.sleep(retry_seconds)
            continue
        except NetworkError as error:
            logger.warning("Telegram polling: %s; retrying in %ss", error.message, retry_seconds)
            await asyncio.sleep(retry_seconds)
            continue
        for update in updates:
            await handle(update)
            offset = update.update_id + 1


async def set_webhook(settings: Settings) -> tuple[bool, str]:
    """Register `PUBLIC_URL/webhooks/telegram` with the secret token; (ok, what to tell the user)."""
    bot = build_bot(settings)
    secret = settings.telegram_webhook_secret
    if bot is None or secret is None:
        return False, "Set TELEGRAM_BOT_TOKEN and TELEGRAM_WEBHOOK_SECRET (1-256 of A-Z a-z 0-9 _ -) first."
    url = settings.public_url.rstrip("/") + "/webhooks/telegram"
    try:
        async with bot:
            await bot.set_webhook(
                url, secret_token=secret.get_secret_value(), allowed_updates=ALLOWED_UPDATES
            )
    except TelegramError as error:
        return False, f"Telegram refused the webhook {url}: {error.message}"
    note = (
        "" if url.startswith("https://") else " (Telegram only delivers to https:// URLs; check PUBLIC_URL)"
    )
    return True, f"Telegram webhook set: {url}{note}"
