"""Photos and documents from both channels: refused politely where no step expects them, checked
for type and size where one does, stored durably, and fetchable from the provider."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.channels.media import MediaError, fetch
from bot.db import transaction
from bot.flows.spec import Flow
from bot.flows.state import State
from bot.messages import Attachment
from bot.store import lock_contact, save_state
from tests.channels import payloads
from tests.channels.owners import Channels

MEDIA_FLOW = {
    "flow": "media_test",
    "version": 1,
    "start": "ask_document",
    "steps": {
        "ask_document": {
            "say": ["channels.no_media"],
            "expect": "media image pdf",
            "save_as": "certificate",
            "next": "stored",
        },
        "stored": {"do": ["save_media certificate halal_certificate"], "say": ["channels.names.telegram"]},
    },
}


def _waiting_for_a_file(channels: Channels, channel: str, address: str) -> None:
    """A step with `expect: media` (the halal and HAKI flows will have such steps) is waiting."""
    core = channels.app.state.core
    core.content.flows["media_test"] = Flow.model_validate(MEDIA_FLOW)
    with transaction(core.db) as session:
        contact = lock_contact(session, channel=channel, address=address, language="id")
        save_state(
            session, contact_id=contact.id, version=None, state=State("media_test", "ask_document", "waiting")
        )


def _media_rows(channels: Channels) -> list:
    from bot.channels.models import MediaFile

    with transaction(channels.app.state.core.db) as session:
        return list(session.execute(select(MediaFile)).scalars())


def test_a_photo_nobody_asked_for_gets_a_clear_answer(channels: Channels) -> None:
    owner = channels.telegram_owner(777301)
    owner.post(payloads.tg_photo(777301))
    assert "foto sudah saya terima" in owner.last and "belum bisa memprosesnya" in owner.last
    wa = channels.whatsapp_owner("+6281200000301")
    wa.post(
        payloads.twilio_media("+6281200000301", channels.twilio.add_media("image/jpeg", b"jpg"), "image/jpeg")
    )
    assert "foto sudah saya terima" in wa.last


def test_a_photo_where_text_is_expected_is_refused(channels: Channels) -> None:
    owner = channels.telegram_owner(777302)
    owner.say("daftar")
    owner.pick("Ya, setuju")
    owner.post(payloads.tg_photo(777302))
    assert "butuh jawaban berupa teks, bukan foto" in owner.last


def test_a_document_for_a_media_step_is_stored(channels: Channels) -> None:
    _waiting_for_a_file(channels, "telegram", "777303")
    owner = channels.telegram_owner(777303)
    owner.post(payloads.tg_document(777303, "BQACAgIAAxk-pdf1", "sertifikat.pdf", "application/pdf", 250_000))
    assert "Telegram" in owner.last  # the step after the file
    [media] = _media_rows(channels)
    assert (media.kind, media.content_type, media.size, media.filename) == (
        "document",
        "application/pdf",
        250_000,
        "sertifikat.pdf",
    )
    assert media.ref == "telegram:BQACAgIAAxk-pdf1" and media.purpose == "halal_certificate"


def test_files_too_big_or_of_the_wrong_type_are_refused(channels: Channels) -> None:
    _waiting_for_a_file(channels, "telegram", "777304")
    owner = channels.telegram_owner(777304)
    owner.post(payloads.tg_document(777304, "BQAC-big", "scan.pdf", "application/pdf", 12 * 1024 * 1024))
    assert "terlalu besar (12 MB)" in owner.last and "10 MB" in owner.last
    owner.post(payloads.tg_document(777304, "BQAC-zip", "data.zip", "application/zip", 1000))
    assert "application/zip" in owner.last and "JPG" in owner.last and "PDF" in owner.last
    owner.say("ini sertifikatnya")
    assert "saya butuh berkas" in owner.last
    assert _media_rows(channels) == []


def test_whatsapp_media_size_comes_from_the_media_url(channels: Channels) -> None:
    _waiting_for_a_file(channels, "whatsapp", "+6281200000305")
    owner = channels.whatsapp_owner("+6281200000305")
    big = channels.twilio.add_media("image/jpeg", b"x" * (11 * 1024 * 1024))
    owner.post(payloads.twilio_media("+6281200000305", big, "image/jpeg"))
    assert "terlalu besar (11 MB)" in owner.last
    small = channels.twilio.add_media("image/png", b"\x89PNG small")
    owner.post(payloads.twilio_media("+6281200000305", small, "image/png"))
    [media] = _media_rows(channels)
    assert (media.channel, media.kind, media.size, media.ref) == ("whatsapp", "image", 10, small)
    assert ("HEAD", small.rsplit("/", 1)[1]) in channels.twilio.media_requests


def test_files_can_be_fetched_from_either_provider(channels: Channels) -> None:
    channels.telegram.add_file("BQAC-fetch", b"%PDF-1.7 sertifikat", "documents/file_7.pdf")
    telegram_file = Attachment("document", "application/pdf", 19, "telegram:BQAC-fetch")
    assert asyncio.run(fetch(channels.settings, telegram_file)) == b"%PDF-1.7 sertifikat"
    url = channels.twilio.add_media("image/jpeg", b"\xff\xd8jpeg")
    assert (
        asyncio.run(fetch(channels.settings, Attachment("image", "image/jpeg", None, url))) == b"\xff\xd8jpeg"
    )
    big = channels.twilio.add_media("image/jpeg", b"x" * (channels.settings.max_media_bytes + 1))
    with pytest.raises(MediaError):
        asyncio.run(fetch(channels.settings, Attachment("image", "image/jpeg", None, big)))
