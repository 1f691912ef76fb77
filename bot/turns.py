"""One inbound message = one database transaction.

find or create and lock the contact and load its conversation (one query) → run the engine →
save the state, update the contact → write replies to the outbox → log the message under its
provider id (unique: a retried webhook, even one racing on another worker, conflicts here and the
whole transaction rolls back as a duplicate) → commit. Sending
happens later, from the outbox, so a crash never loses a reply nor sends one twice.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from lokal import mask_pii
from sqlalchemy.exc import DBAPIError

from bot import store
from bot.clock import utcnow
from bot.core import Core
from bot.db import transaction
from bot.messages import Inbound, Reply
from bot.profiles import ProfileStore

logger = logging.getLogger(__name__)
INBOUND_TIME_PRECISION = timedelta(minutes=1)


@dataclass
class TurnOutcome:
    """`duplicate` when the provider id was seen before; else the outbox rows written."""

    duplicate: bool = False
    outbox_ids: list[int] = field(default_factory=list)
    contact_id: int | None = None


def handle_inbound(core: Core, inbound: Inbound) -> TurnOutcome:
    """Run one turn for `inbound`; safe to call from several processes at once."""
    inbound = clean_inbound(inbound)
    provider_id = inbound.message_id or f"local-{uuid.uuid4().hex}"
    try:
        return _retrying_on_disconnect(core, inbound, provider_id)
    except _Duplicate:
        logger.info("duplicate %s message %s ignored", inbound.channel, provider_id)
        return TurnOutcome(duplicate=True)
    except Exception:
        logger.exception("turn failed for a %s message %s", inbound.channel, provider_id)
        return _apologise(core, inbound, provider_id)


def _retrying_on_disconnect(core: Core, inbound: Inbound, provider_id: str) -> TurnOutcome:
    """The database restarted since this connection was pooled: run the turn again, once."""
    try:
        return _turn(core, inbound, provider_id)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        logger.warning("database connection was lost; retrying the turn once")
        return _turn(core, inbound, provider_id)


def _apologise(core: Core, inbound: Inbound, provider_id: str) -> TurnOutcome:
    """A bug must not mean silence nor a retry loop: say sorry, keep the state, mark the id handled."""
    now = utcnow()
    with transaction(core.db) as session:
        contact, _, state = store.lock_turn(
            session, channel=inbound.channel, address=inbound.address, language=core.settings.default_language
        )
        text = core.content.text("common.error", contact.language)
        ids = store.enqueue(session, contact=contact, payloads=[Reply(text=text).to_json()])
        logged = store.log_turn(
            session,
            channel=inbound.channel,
            provider_id=provider_id,
            text="[failed turn]",
            contact_id=contact.id,
            flow=state.flow,
            before=state.step,
            after=state.step,
            now=now,
        )
        if not logged:
            session.rollback()
            return TurnOutcome(duplicate=True)
        return TurnOutcome(outbox_ids=ids, contact_id=contact.id)


class _Duplicate(Exception):
    """Raised inside the transaction to roll it back when another worker handled the message."""


def _turn(core: Core, inbound: Inbound, provider_id: str) -> TurnOutcome:
    now = inbound.received_at or utcnow()
    with transaction(core.db) as session:
        contact, version, state = store.lock_turn(
            session, channel=inbound.channel, address=inbound.address, language=core.settings.default_language
        )
        original = replace(contact)
        turn = core.engine.handle(
            state,
            inbound,
            lang=contact.language,
            now=now,
            channel_phone=_channel_phone(inbound),
            services=ProfileStore(session, contact, core.content, now),
            opted_out=contact.opted_out,
        )
        _apply_contact_changes(contact, turn.contact_changes, inbound, now)
        if contact != original:
            store.save_contact(session, contact)
        store.save_state(session, contact_id=contact.id, version=version, state=turn.state)
        payloads = [reply.to_json() for reply in core.engine.replies(turn)]
        ids = store.enqueue(session, contact=contact, payloads=payloads)
        logged = store.log_turn(
            session,
            channel=inbound.channel,
            provider_id=provider_id,
            text=_masked(inbound.text),
            contact_id=contact.id,
            flow=turn.state.flow or state.flow,
            before=state.step,
            after=turn.state.step,
            now=now,
        )
        if not logged:
            raise _Duplicate
        return TurnOutcome(outbox_ids=ids, contact_id=contact.id)


def _apply_contact_changes(
    contact: store.ContactRow, changes: dict[str, object], inbound: Inbound, now: datetime
) -> None:
    """The turn's changes to the contact. The last inbound time is kept to the minute, so a quick
    exchange does not rewrite the row on every message; the 24-hour window then closes at most a
    minute early, never late."""
    for name, value in changes.items():
        setattr(contact, name, value)
    contact.unreachable = False  # they just wrote to us: reachable again (e.g. unblocked the bot)
    if inbound.profile_name:
        contact.profile_name = inbound.profile_name[:100]
    if contact.last_inbound_at is None or now - contact.last_inbound_at >= INBOUND_TIME_PRECISION:
        contact.last_inbound_at = now


def clean_inbound(inbound: Inbound) -> Inbound:
    """Text any store can hold: no NUL bytes (PostgreSQL refuses them), no lone surrogates."""
    text = inbound.text.encode("utf-8", "replace").decode("utf-8").replace("\x00", "")
    return inbound if text == inbound.text else replace(inbound, text=text)


def _channel_phone(inbound: Inbound) -> str | None:
    """WhatsApp addresses are phone numbers already; other channels must ask."""
    return inbound.address if inbound.channel == "whatsapp" else None


def _masked(text: str) -> str:
    """Message history keeps no raw NIK, phone or e-mail (UU PDP data minimisation)."""
    clipped = text[:2000]
    if not any(ch.isdigit() or ch == "@" for ch in clipped):
        return clipped
    try:
        return mask_pii(clipped).text
    except Exception:  # noqa: BLE001 - masking must never cost a turn
        return "[unmaskable]"
