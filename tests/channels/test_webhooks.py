"""The webhooks: provider verification (403), retries processed once, two workers, channels off."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine, func, select

from bot.config import Settings
from bot.db import transaction
from bot.models import MessageLog, Outbox
from tests.channels import payloads
from tests.channels.conftest import make_channels
from tests.channels.owners import Channels


def _count(channels: Channels, model, *where) -> int:  # noqa: ANN001
    with transaction(channels.app.state.core.db) as session:
        return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_whatsapp_refuses_a_missing_or_wrong_signature(channels: Channels) -> None:
    form = payloads.twilio_form("+6281200000011", "halo")
    assert channels.post_twilio("/webhooks/whatsapp", form, signature="").status_code == 403
    assert channels.post_twilio("/webhooks/whatsapp", form, signature="bm90IGl0").status_code == 403
    tampered = {**form, "Body": "hapus data saya"}
    url = channels.settings.public_url + "/webhooks/whatsapp"
    from twilio.request_validator import RequestValidator

    signature = RequestValidator(channels.twilio.token).compute_signature(url, form)
    assert channels.post_twilio("/webhooks/whatsapp", tampered, signature=signature).status_code == 403
    assert (
        channels.post_twilio("/webhooks/whatsapp/status", {"MessageSid": "SMx"}, signature="x").status_code
        == 403
    )
    assert _count(channels, MessageLog) == 0


def test_whatsapp_signature_is_checked_against_the_public_url_and_every_field(channels: Channels) -> None:
    form = payloads.twilio_form("+6281200000012", "halo", SomeNewTwilioField="x")
    response = channels.post_twilio("/webhooks/whatsapp", form)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert "<Response/>" in response.text


def test_telegram_refuses_a_missing_or_wrong_secret(channels: Channels) -> None:
    update = payloads.tg_text(777100, "halo")
    assert channels.post_telegram(update, secret="").status_code == 403
    assert channels.post_telegram(update, secret="wrong").status_code == 403
    assert _count(channels, MessageLog) == 0
    assert channels.post_telegram(update).status_code == 200


def test_telegram_body_that_is_not_an_update_is_400(channels: Channels) -> None:
    for body in ([1, 2, 3], "halo", 42, {"update_id": "not a number", "message": "x"}):
        assert channels.post_telegram(body).status_code in (200, 400)  # never a 500
    assert channels.post_telegram([1, 2, 3]).status_code == 400


def test_a_retried_webhook_is_answered_and_processed_once(channels: Channels) -> None:
    update = payloads.tg_text(777101, "halo")
    assert channels.post_telegram(update).status_code == 200
    assert channels.post_telegram(update).status_code == 200
    form = payloads.twilio_form("+6281200000013", "halo")
    assert channels.post_twilio("/webhooks/whatsapp", form).status_code == 200
    assert channels.post_twilio("/webhooks/whatsapp", form).status_code == 200
    channels.drain()
    assert len(channels.telegram.sent(777101)) == 1
    assert len(channels.twilio.sent("+6281200000013")) == 1
    assert _count(channels, MessageLog) == 2


def test_two_app_instances_on_one_database_send_one_reply(
    channel_settings: Settings,
    db: Engine,
    fake_tg,
    fake_tw,  # noqa: ANN001
) -> None:
    first = make_channels(channel_settings, db, fake_tg, fake_tw)
    second = make_channels(channel_settings, db, fake_tg, fake_tw)
    a, b = next(first), next(second)
    try:
        update = payloads.tg_text(777102, "halo")
        form = payloads.twilio_form("+6281200000014", "halo")
        with ThreadPoolExecutor(max_workers=4) as pool:
            results = list(
                pool.map(
                    lambda job: job(),
                    [
                        lambda: a.post_telegram(update),
                        lambda: b.post_telegram(update),
                        lambda: a.post_twilio("/webhooks/whatsapp", form),
                        lambda: b.post_twilio("/webhooks/whatsapp", form),
                    ],
                )
            )
            list(pool.map(lambda c: c.drain(), [a, b]))
        assert [r.status_code for r in results] == [200, 200, 200, 200]
        assert len(fake_tg.sent(777102)) == 1
        assert len(fake_tw.sent("+6281200000014")) == 1
    finally:
        for generator in (first, second):
            next(generator, None)


def test_a_channel_without_settings_is_off(db: Engine, fake_tg, fake_tw, caplog) -> None:  # noqa: ANN001
    import logging

    settings = Settings(_env_file=None, database_url=db.url.render_as_string(hide_password=False))
    caplog.set_level(logging.INFO, logger="bot.web.webhooks")
    for channels in make_channels(settings, db, fake_tg, fake_tw):
        assert channels.post_telegram(payloads.tg_text(1, "halo")).status_code == 404
        assert (
            channels.post_twilio("/webhooks/whatsapp", payloads.twilio_form("+628", "x")).status_code == 404
        )
    assert "Telegram channel off" in caplog.text and "WhatsApp channel off" in caplog.text


def test_outbox_rows_record_the_provider_id(channels: Channels) -> None:
    channels.whatsapp_owner("+6281200000015").say("halo")
    with transaction(channels.app.state.core.db) as session:
        row = session.execute(select(Outbox)).scalar_one()
    assert row.status == "queued" and row.provider_message_id == channels.twilio.sent()[0]["Sid"]
    assert row.attempts == 1 and row.error is None
