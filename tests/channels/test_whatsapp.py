"""WhatsApp adapter: Twilio's form fields -> Inbound, rendering, and the sending client's seam."""

from __future__ import annotations

from bot.channels import whatsapp
from bot.messages import Attachment, Choice, Reply
from tests.channels import payloads


def test_text_message() -> None:
    inbound = whatsapp.to_inbound(payloads.twilio_form("+6281234567890", "halo"))
    assert (inbound.channel, inbound.address, inbound.text) == ("whatsapp", "+6281234567890", "halo")
    assert inbound.message_id.startswith("SM") and inbound.profile_name == "Siti"


def test_button_reply() -> None:
    inbound = whatsapp.to_inbound(payloads.twilio_button("+6281234567890", "Ya, setuju", "consent#1"))
    assert (inbound.choice, inbound.text) == ("consent#1", "")


def test_media_and_location() -> None:
    url = "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1"
    media = whatsapp.to_inbound(payloads.twilio_media("+6281234567890", url, "application/pdf"))
    assert media.attachments == (Attachment("document", "application/pdf", None, url),)
    place = whatsapp.to_inbound(payloads.twilio_location("+6281234567890", -2.976, 104.775))
    assert place.location == (-2.976, 104.775) and place.attachments[0].kind == "location"


def test_choices_are_a_numbered_list() -> None:
    reply = Reply("Setuju?", (Choice("consent#1", "Ya, setuju"), Choice("consent#2", "Tidak")))
    assert whatsapp.render(reply) == "Setuju?\n\n1. Ya, setuju\n2. Tidak"


def test_the_client_is_pointed_elsewhere_only_through_settings() -> None:
    from bot.config import Settings

    settings = Settings(
        _env_file=None,
        twilio_account_sid="AC1",
        twilio_auth_token="t",
        twilio_whatsapp_from="whatsapp:+14155238886",
        twilio_api_url="http://127.0.0.1:9",
    )
    client = whatsapp.build_client(settings)
    assert isinstance(client.http_client, whatsapp.LocalTwilioHttpClient)
    assert whatsapp.build_client(Settings(_env_file=None)) is None
    default = whatsapp.build_client(settings.model_copy(update={"twilio_api_url": None}))
    assert type(default.http_client).__name__ == "TwilioHttpClient"
