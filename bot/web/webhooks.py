"""Provider webhooks: `POST /webhooks/whatsapp`, `/webhooks/whatsapp/status`, `/webhooks/telegram`.

Each verifies the provider (Twilio signature over PUBLIC_URL + path and every form field;
Telegram's secret-token header), turns the payload into an `Inbound`, runs one turn in a worker
thread and answers at once; replies leave through the outbox, sent by the dispatcher this module
starts in the app's lifespan (`channels_running`), which may also long-poll Telegram.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field, replace
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool
from telegram import Update
from telegram.error import InvalidToken, TelegramError
from twilio.request_validator import RequestValidator

from bot.channels import telegram, whatsapp
from bot.channels.base import Channel
from bot.channels.media import probe_twilio_size
from bot.core import Core
from bot.db import transaction
from bot.delivery import Dispatcher, Limits, record_status
from bot.messages import Inbound
from bot.turns import TurnOutcome, handle_inbound

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])
TELEGRAM_SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TWILIO_ERRORS = {
    "63016": "outside WhatsApp's 24-hour window: an approved template is needed",
    "63018": "rate or tier limit reached",
    "63024": "invalid recipient",
    "63003": "the number is not on WhatsApp",
    "30003": "unreachable destination",
    "30005": "unknown destination",
    "30006": "landline or unreachable carrier",
    "30007": "message filtered",
    "30008": "unknown delivery error",
}


@dataclass
class ChannelRuntime:
    """The configured channels of one web process, its dispatcher and background tasks."""

    core: Core
    telegram: telegram.TelegramChannel | None = None
    whatsapp: whatsapp.WhatsAppChannel | None = None
    validator: RequestValidator | None = None
    dispatcher: Dispatcher | None = None
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)

    async def turn(self, inbound: Inbound) -> TurnOutcome:
        """One turn in a worker thread (it is one blocking DB transaction), then wake delivery."""
        outcome = await run_in_threadpool(handle_inbound, self.core, inbound)
        if outcome.outbox_ids and self.dispatcher is not None:
            self.dispatcher.wake()
        return outcome

    async def telegram_update(self, update: Update) -> None:
        """The same path for webhook and long polling; button taps are always answered."""
        inbound = telegram.to_inbound(update)
        if inbound is None:
            return
        outcome = await self.turn(inbound)
        query_id = inbound.raw.get("callback_query_id")
        if query_id and not outcome.duplicate and self.telegram is not None:
            self.spawn(self.telegram.answer_tap(query_id))

    def spawn(self, work: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def senders(self) -> dict[str, Channel]:
        found = {"telegram": self.telegram, "whatsapp": self.whatsapp}
        return {name: channel for name, channel in found.items() if channel is not None}


def _runtime(request: Request) -> ChannelRuntime:
    return request.app.state.channels  # type: ignore[no-any-return]


Runtime = Annotated[ChannelRuntime, Depends(_runtime)]


# ---------------------------------------------------------------------------------- WhatsApp
async def _verified_form(request: Request, runtime: ChannelRuntime) -> Any:
    if runtime.validator is None:
        raise HTTPException(404, "WhatsApp channel is not configured")
    form = await request.form()
    url = whatsapp.public_url(runtime.core.settings, request.url.path, request.url.query)
    if not whatsapp.is_signed(runtime.validator, url, form, request.headers.get("X-Twilio-Signature")):
        logger.warning("WhatsApp webhook with a missing or wrong signature refused (%s)", url)
        raise HTTPException(403, "invalid Twilio signature")
    return form


def _twiml() -> Response:
    return Response(whatsapp.EMPTY_TWIML, media_type="application/xml")


@router.post("/whatsapp")
async def whatsapp_message(request: Request, runtime: Runtime) -> Response:
    """Twilio's inbound message: verify, one turn, empty TwiML (replies go through the outbox)."""
    form = await _verified_form(request, runtime)
    inbound = whatsapp.to_inbound(form)
    if inbound.attachments and inbound.attachments[0].ref:
        inbound = await _with_sizes(runtime, inbound)
    await runtime.turn(inbound)
    return _twiml()


async def _with_sizes(runtime: ChannelRuntime, inbound: Inbound) -> Inbound:
    """Twilio sends no file size; ask the media URL so over-size files are refused right away."""
    settings = runtime.core.settings
    sized = [
        replace(a, size=await probe_twilio_size(settings, a.ref)) if a.ref else a for a in inbound.attachments
    ]
    return replace(inbound, attachments=tuple(sized))


@router.post("/whatsapp/status")
async def whatsapp_status(request: Request, runtime: Runtime) -> Response:
    """Twilio's status callback: queued → sent → delivered → read, or failed/undelivered + code."""
    form = await _verified_form(request, runtime)
    sid, status = form.get("MessageSid", ""), form.get("MessageStatus", "")
    code = str(form.get("ErrorCode") or "") or None
    reason = str(form.get("ErrorMessage") or "") or TWILIO_ERRORS.get(code or "")
    if sid and status:
        await run_in_threadpool(_record_status, runtime.core, str(sid), str(status), code, reason)
    return _twiml()


def _record_status(core: Core, sid: str, status: str, code: str | None, reason: str | None) -> None:
    from bot.clock import utcnow

    with transaction(core.db) as session:
        record_status(session, provider_id=sid, status=status, error_code=code, error=reason, now=utcnow())


# ---------------------------------------------------------------------------------- Telegram
@router.post("/telegram")
async def telegram_webhook(request: Request, runtime: Runtime) -> dict[str, bool]:
    """Telegram's update: check the secret token header, one turn, 200."""
    if runtime.telegram is None:
        raise HTTPException(404, "Telegram channel is not configured")
    secret = runtime.core.settings.telegram_webhook_secret
    given = request.headers.get(TELEGRAM_SECRET_HEADER, "")
    if secret is None or not hmac.compare_digest(given.encode(), secret.get_secret_value().encode()):
        logger.warning("Telegram webhook with a missing or wrong secret token refused")
        raise HTTPException(403, "invalid secret token")
    try:
        update = Update.de_json(await request.json(), runtime.telegram.bot)
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise HTTPException(400, "not a Telegram update") from error
    await runtime.telegram_update(update)
    return {"ok": True}


# ---------------------------------------------------------------------------------- lifespan
@asynccontextmanager
async def channels_running(
    app: FastAPI, *, telegram_polling: bool = False, limits: Limits | None = None
) -> AsyncIterator[ChannelRuntime]:
    """Build the configured channels, start the dispatcher (and polling), close all at the end."""
    core: Core = app.state.core
    runtime = ChannelRuntime(core)
    await _start_telegram(runtime, polling=telegram_polling)
    _start_whatsapp(runtime)
    app.state.channels = runtime
    background = []
    if runtime.senders():
        runtime.dispatcher = Dispatcher(core, runtime.senders(), limits=limits)
        background.append(asyncio.create_task(runtime.dispatcher.run()))
    if telegram_polling and runtime.telegram is not None:
        background.append(asyncio.create_task(telegram.poll(runtime.telegram.bot, runtime.telegram_update)))
    try:
        yield runtime
    finally:
        await _stop(runtime, background)


async def _start_telegram(runtime: ChannelRuntime, *, polling: bool) -> None:
    settings = runtime.core.settings
    bot = telegram.build_bot(settings)
    if bot is None:
        logger.info("Telegram channel off: TELEGRAM_BOT_TOKEN is not set")
        return
    try:
        await bot.initialize()
    except InvalidToken:
        logger.error("Telegram channel off: TELEGRAM_BOT_TOKEN was rejected by %s", settings.telegram_api_url)
        return
    except TelegramError as error:
        logger.error("Telegram: getMe failed (%s); the channel stays on and retries when sending", error)
    runtime.telegram = telegram.TelegramChannel(bot, runtime.core.content)
    if polling:
        logger.info("Telegram channel on, by long polling")
    elif settings.telegram_webhook_secret is None:
        logger.warning(
            "Telegram webhook refuses every update: TELEGRAM_WEBHOOK_SECRET is not set "
            "(set it and run `python -m bot telegram set-webhook`, or use --telegram-polling)"
        )
    else:
        logger.info("Telegram channel on: webhook at %s/webhooks/telegram", settings.public_url.rstrip("/"))


def _start_whatsapp(runtime: ChannelRuntime) -> None:
    settings = runtime.core.settings
    client = whatsapp.build_client(settings)
    if client is None:
        logger.info(
            "WhatsApp channel off: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_WHATSAPP_FROM are needed"
        )
        return
    policy = whatsapp.load_templates(settings.content_dir)
    runtime.whatsapp = whatsapp.WhatsAppChannel(client, settings, policy)
    runtime.validator = RequestValidator(settings.twilio_auth_token.get_secret_value())  # type: ignore[union-attr]
    logger.info(
        "WhatsApp channel on: %s, webhook at %s/webhooks/whatsapp; templates for %s",
        settings.twilio_whatsapp_from,
        settings.public_url.rstrip("/"),
        ", ".join(sorted(policy.templates)) or "no kind (messages outside the 24-hour window are held)",
    )


async def _stop(runtime: ChannelRuntime, background: list[asyncio.Task[Any]]) -> None:
    for task in background:
        task.cancel()
    for task in background:
        with suppress(asyncio.CancelledError):
            await task
    if runtime.tasks:
        await asyncio.wait(runtime.tasks, timeout=5)
    for channel in runtime.senders().values():
        with suppress(Exception):
            await channel.close()
