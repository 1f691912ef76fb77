"""One inbound message = one database transaction.

dedupe by provider id → find or create and lock the contact → load the conversation → run the
engine → save the state, update the contact → write replies to the outbox → commit. Sending
happens later, from the outbox, so a crash never loses a reply nor sends one twice.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field, replace

from lokal import mask_pii

from bot import store
from bot.clock import utcnow
from bot.core import Core
from bot.db import transaction
from bot.messages import Inbound

logger = logging.getLogger(__name__)


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
    now = inbound.received_at or utcnow()
    with transaction(core.db) as session:
        log_id = store.record_inbound(
            session, channel=inbound.channel, provider_id=provider_id, text=_masked(inbound.text)
        )
        if log_id is None:
            logger.info("duplicate %s message %s ignored", inbound.channel, provider_id)
            return TurnOutcome(duplicate=True)
        contact = store.lock_contact(
            session,
            channel=inbound.channel,
            address=inbound.address,
            language=core.settings.default_language,
        )
        row, state = store.load_state(session, contact_id=contact.id)
        services = store.ProfileStore(session, contact, core.content, now)
        turn = core.engine.handle(
            state,
            inbound,
            lang=contact.language,
            services=services,
            now=now,
            channel_phone=_channel_phone(inbound),
            opted_out=contact.opted_out,
        )
        for name, value in turn.contact_changes.items():
            setattr(contact, name, value)
        contact.last_inbound_at = now
        if inbound.profile_name:
            contact.profile_name = inbound.profile_name[:100]
        store.save_state(row, turn.state)
        replies = core.engine.replies(turn)
        rows = store.enqueue(session, contact=contact, payloads=[r.to_json() for r in replies])
        store.finish_log(
            session,
            log_id=log_id,
            contact_id=contact.id,
            flow=turn.state.flow or state.flow,
            before=state.step,
            after=turn.state.step,
        )
        session.flush()
        return TurnOutcome(outbox_ids=[r.id for r in rows if r.id is not None], contact_id=contact.id)


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
    try:
        return mask_pii(clipped).text
    except Exception:  # noqa: BLE001 - masking must never cost a turn
        return "[unmaskable]"
