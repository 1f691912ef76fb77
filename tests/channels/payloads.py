"""Real provider payload shapes: Telegram `Update` JSON and Twilio's inbound form fields."""

from __future__ import annotations

import itertools
import time
from typing import Any

from tests.support.fake_twilio import ACCOUNT_SID, SENDER

_update_ids = itertools.count(10_000)
_message_ids = itertools.count(1)
_sids = itertools.count(1)


def _user(chat_id: int) -> dict[str, Any]:
    return {
        "id": chat_id,
        "is_bot": False,
        "first_name": "Siti",
        "last_name": "Aminah",
        "language_code": "id",
    }


def tg_message(chat_id: int, **content: Any) -> dict[str, Any]:
    """An `Update` carrying a private-chat message (text, contact, photo, document…)."""
    message = {
        "message_id": next(_message_ids),
        "from": _user(chat_id),
        "chat": {"id": chat_id, "first_name": "Siti", "type": "private"},
        "date": int(time.time()),
        **content,
    }
    return {"update_id": next(_update_ids), "message": message}


def tg_text(chat_id: int, text: str) -> dict[str, Any]:
    return tg_message(chat_id, text=text)


def tg_contact(chat_id: int, phone: str, *, own: bool = True) -> dict[str, Any]:
    contact = {"phone_number": phone, "first_name": "Siti", "user_id": chat_id if own else chat_id + 1}
    return tg_message(chat_id, contact=contact)


def tg_photo(chat_id: int, file_id: str = "AgACAgIAAx0", size: int = 84_000) -> dict[str, Any]:
    sizes = [
        {"file_id": file_id + "-s", "file_unique_id": "AQADs", "file_size": 1_200, "width": 90, "height": 67},
        {"file_id": file_id, "file_unique_id": "AQADx", "file_size": size, "width": 1280, "height": 960},
    ]
    return tg_message(chat_id, photo=sizes, caption="")


def tg_document(chat_id: int, file_id: str, name: str, mime: str, size: int) -> dict[str, Any]:
    document = {
        "file_id": file_id,
        "file_unique_id": "AgAD" + file_id[-4:],
        "file_name": name,
        "mime_type": mime,
        "file_size": size,
    }
    return tg_message(chat_id, document=document)


def tg_callback(chat_id: int, data: str, message_id: int = 1) -> dict[str, Any]:
    message = {
        "message_id": message_id,
        "from": {"id": 123456, "is_bot": True, "first_name": "Naik Kelas"},
        "chat": {"id": chat_id, "type": "private"},
        "date": int(time.time()),
        "text": "…",
    }
    query = {
        "id": f"{chat_id}{next(_update_ids)}",
        "from": _user(chat_id),
        "message": message,
        "chat_instance": "-5417",
        "data": data,
    }
    return {"update_id": next(_update_ids), "callback_query": query}


def twilio_form(phone: str, body: str = "", **extra: str) -> dict[str, str]:
    """Twilio's inbound WhatsApp message webhook fields."""
    sid = f"SM{next(_sids):032x}"
    form = {
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "ProfileName": "Siti",
        "MessageType": "text",
        "SmsSid": sid,
        "WaId": phone.lstrip("+"),
        "SmsStatus": "received",
        "Body": body,
        "To": SENDER,
        "NumSegments": "1",
        "ReferralNumMedia": "0",
        "MessageSid": sid,
        "AccountSid": ACCOUNT_SID,
        "From": f"whatsapp:{phone}",
        "ApiVersion": "2010-04-01",
    }
    form.update(extra)
    return form


def twilio_button(phone: str, text: str, payload: str) -> dict[str, str]:
    return twilio_form(phone, text, ButtonText=text, ButtonPayload=payload, MessageType="button")


def twilio_media(phone: str, url: str, content_type: str) -> dict[str, str]:
    return twilio_form(
        phone,
        "",
        NumMedia="1",
        MediaUrl0=url,
        MediaContentType0=content_type,
        MessageType="image" if content_type.startswith("image") else "document",
    )


def twilio_location(phone: str, latitude: float, longitude: float) -> dict[str, str]:
    return twilio_form(phone, "", Latitude=str(latitude), Longitude=str(longitude), MessageType="location")
