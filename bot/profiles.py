"""The owner's profile as the flow actions see it (`Services`): read, save, correct, delete, link.

Bound to one contact inside the turn's transaction, so whatever an action does commits or rolls
back with the state and the reply.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlmodel import Session

from bot import regions
from bot.channels.models import MediaFile
from bot.content import Content
from bot.models import Business, Contact, MessageLog, Outbox, Owner
from bot.store import ContactRow

CONSENT_VERSION = "registration-v1"
FINAL_STATUSES = ("sent", "delivered", "read", "failed", "undelivered", "held")


class ProfileStore:
    """`Services` for the flow actions, bound to one contact inside one transaction."""

    def __init__(self, session: Session, contact: ContactRow, content: Content, now: datetime) -> None:
        self.session, self.contact, self.content, self.now = session, contact, content, now

    @property
    def trainings(self) -> Any:
        """The owner's side of trainings (`bot.trainings.desk.TrainingDesk`), in this transaction."""
        from bot.trainings.desk import TrainingDesk

        return TrainingDesk(self.session, self.contact, self.content, self.now)

    def _owner(self) -> Owner | None:
        return self.session.get(Owner, self.contact.owner_id) if self.contact.owner_id else None

    def _business(self, owner: Owner) -> Business | None:
        query = select(Business).where(Business.owner_id == owner.id).limit(1)
        return self.session.execute(query).scalar()

    def profile(self) -> dict[str, Any] | None:
        owner = self._owner()
        business = self._business(owner) if owner else None
        if owner is None or business is None:
            return None
        return _profile_dict(owner, business)

    def save_registration(self, data: dict[str, Any]) -> None:
        owner = Owner(
            full_name=data["full_name"],
            phone=data.get("phone"),
            consent_at=self.now,
            consent_version=CONSENT_VERSION,
            consent_channel=self.contact.channel,
        )
        self.session.add(owner)
        self.session.flush()
        business = Business(owner_id=owner.id, **self._business_fields(data))
        self.session.add(business)
        self.contact.owner_id = owner.id

    def update_profile(self, data: dict[str, Any]) -> None:
        owner = self._owner()
        business = self._business(owner) if owner else None
        if owner is None or business is None:
            return
        owner.full_name, owner.phone, owner.updated_at = data["full_name"], data.get("phone"), self.now
        for field, value in self._business_fields(data).items():
            setattr(business, field, value)
        business.updated_at = self.now

    def delete_profile(self) -> None:
        """UU PDP: the owner, the business, the message history and sent messages are erased."""
        owner = self._owner()
        contact_ids = [self.contact.id]
        if owner is not None:
            contacts = select(Contact.id).where(Contact.owner_id == owner.id)
            contact_ids = list(self.session.execute(contacts).scalars()) or contact_ids
            self.session.execute(delete(Owner).where(Owner.id == owner.id))
        self.session.execute(delete(MessageLog).where(MessageLog.contact_id.in_(contact_ids)))
        self.session.execute(
            delete(Outbox).where(Outbox.contact_id.in_(contact_ids), Outbox.status.in_(FINAL_STATUSES))
        )
        self.contact.owner_id = None

    def save_media(self, media: dict[str, Any], purpose: str) -> int:
        """Keep a received file's reference; the halal and HAKI flows attach it to their records."""
        fields = ("channel", "kind", "content_type", "size", "ref", "filename")
        values = {k: media.get(k) for k in fields}
        row = MediaFile(contact_id=self.contact.id, owner_id=self.contact.owner_id, purpose=purpose, **values)
        self.session.add(row)
        self.session.flush()
        return int(row.id or 0)

    def find_owner_by_phone(self, phone: str) -> dict[str, Any] | None:
        """Another registered owner with this phone number (for linking a second channel)."""
        query = (
            select(Owner.id, Owner.consent_channel, Business.name)
            .join(Business, Business.owner_id == Owner.id)
            .where(Owner.phone == phone, Owner.id != (self.contact.owner_id or 0))
            .order_by(Owner.id)
            .limit(1)
        )
        row = self.session.execute(query).first()
        return {"owner_id": row[0], "channel": row[1], "business_name": row[2]} if row else None

    def link_owner(self, owner_id: int) -> None:
        self.contact.owner_id = owner_id

    def _business_fields(self, data: dict[str, Any]) -> dict[str, Any]:
        sector = self.content.sectors.get(data["sector"])
        region = data["region"]
        band = next(b for b in self.content.scales["bands"] if b["key"] == data["omzet_band"])
        return {
            "name": data["business_name"],
            "sector": data["sector"],
            "products": data["products"],
            "kbli": sector.kbli if sector else None,
            "kbli_version": str(sector.kbli_version) if sector and sector.kbli else None,
            "province_code": region["province_code"],
            "province": region["province"],
            "regency_code": region["regency_code"],
            "regency": region["regency"],
            "nib": data.get("nib"),
            "omzet_band": band["key"],
            "scale": band["scale"],
            "address": data.get("address"),
        }


def _profile_dict(owner: Owner, business: Business) -> dict[str, Any]:
    return {
        "full_name": owner.full_name,
        "phone": owner.phone,
        "business_name": business.name,
        "sector": business.sector,
        "products": business.products,
        "region": {
            "province_code": business.province_code,
            "province": business.province,
            "regency_code": business.regency_code,
            "regency": business.regency,
        },
        "address": business.address,
        "nib": business.nib,
        "omzet_band": business.omzet_band,
        "consent_at": _local_time(owner.consent_at, business.province_code),
        "consent_channel": owner.consent_channel,
    }


def _local_time(moment: datetime, province_code: str) -> str:
    """A timestamp as the owner reads it: their own time zone (WIB/WITA/WIT)."""
    local = moment.astimezone(ZoneInfo(regions.timezone_for(province_code)))
    return f"{local:%d-%m-%Y %H.%M} {regions.zone_label(province_code)}"
