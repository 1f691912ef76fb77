"""`TrainingDesk`: the owner's side of trainings for the flow actions, inside the turn's transaction.

It hands back plain values (ids, labels, rendered texts), never ORM rows, so `bot/flows/` stays free
of storage code. Messages to *other* owners (a freed seat offered to the next on the waitlist) are
enqueued here too, in the same transaction as the change that caused them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from bot.content import Content
from bot.models import Business
from bot.trainings import catalogue, seats
from bot.trainings.models import ACTIVE, Enrolment, Training, TrainingPrompt
from bot.trainings.notify import Notifier
from bot.trainings.timefmt import local_text


class TrainingDesk:
    """Everything one contact may do with trainings during one turn."""

    def __init__(self, session: Session, contact: Any, content: Content, now: datetime) -> None:
        self.session, self.contact, self.content, self.now = session, contact, content, now
        self._business: dict[int | None, Business | None] = {}

    # ------------------------------------------------------------------ reading
    def business(self) -> Business | None:
        """The owner's business (read once per turn; None before registration)."""
        owner_id = self.contact.owner_id
        if owner_id not in self._business:
            query = select(Business).where(Business.owner_id == owner_id).limit(1)
            self._business[owner_id] = self.session.execute(query).scalars().first() if owner_id else None
        return self._business[owner_id]

    def catalogue(self, text: str, lang: str) -> list[tuple[int, str]]:
        """Upcoming published trainings as (id, label), the most relevant first."""
        business = self.business()
        found = catalogue.upcoming(self.session, self.now)
        ordered = catalogue.ranked(self.content, found, business, catalogue.search_words(text), self.now)
        return [(t.id, catalogue.list_line(self.content, t, business, lang)) for t in ordered]

    def detail(self, training_id: int, lang: str) -> dict[str, Any] | None:
        training = self.session.get(Training, training_id)
        if training is None:
            return None
        taken = seats.seats_taken(self.session, training.id)
        waiting = len(seats.waitlist(self.session, training.id))
        params = catalogue.detail_params(
            self.content, training, self.business(), lang, training.seats - taken, waiting
        )
        return {
            **params,
            "training_id": training.id,
            "detail_text": self.content.text("trainings.detail", lang, **params),
        }

    # ------------------------------------------------------------------ enrolling
    def enrol(self, training_id: int, lang: str) -> dict[str, Any]:
        """`outcome`: enrolled, waitlisted, already_*, or a refusal reason with its message."""
        training = seats.lock_training(self.session, training_id)
        if training is None:
            return {
                "outcome": "unavailable",
                "reason_text": self.content.text("trainings.refused.unavailable", lang),
            }
        business = self.business()
        existing = seats.find_enrolment(self.session, training.id, business.owner_id) if business else None
        if existing is not None and existing.status in ACTIVE:
            return self._already(existing, lang)
        refused = catalogue.refusal(training, business, self.now)
        if refused is not None:
            return self._refused(training, refused, lang)
        enrolment = seats.enrol(self.session, training, business.owner_id, self.now)
        return self._enrolled(training, enrolment, lang)

    def _already(self, enrolment: Enrolment, lang: str) -> dict[str, Any]:
        status = self.content.text(
            f"trainings.status.{enrolment.status}", lang, **self._status_params(enrolment)
        )
        return {"outcome": "already", "status_text": status}

    def _refused(self, training: Training, refused: catalogue.Refusal, lang: str) -> dict[str, Any]:
        params = {**refused.params}
        if "owner_sector" in params:
            params["owner_sector"] = self.content.sectors.label(params["owner_sector"], lang)
            params["sectors"] = catalogue.sector_labels(self.content, training, lang)
        params["region"] = catalogue.region_label(training)
        if training.registration_deadline:
            zone = catalogue.zone_for(self.business(), training)
            params["deadline_text"] = local_text(self.content, training.registration_deadline, zone, lang)
        text = self.content.text(f"trainings.refused.{refused.reason}", lang, **params)
        return {"outcome": refused.reason, "reason_text": text}

    def _enrolled(self, training: Training, enrolment: Enrolment, lang: str) -> dict[str, Any]:
        business = self.business()
        date = local_text(self.content, training.starts_at, catalogue.zone_for(business, training), lang)
        result = {"outcome": enrolment.status, "title": training.title, "date_text": date}
        if enrolment.status == "waitlisted":
            result["position"] = seats.position(self.session, enrolment)
        return result

    # ------------------------------------------------------------------ my trainings
    def mine(self, lang: str) -> list[dict[str, Any]]:
        """The owner's current enrolments (not cancelled, not past), soonest first."""
        if not self.contact.owner_id:
            return []
        query = (
            select(Enrolment, Training)
            .join(Training, Training.id == Enrolment.training_id)
            .where(
                Enrolment.owner_id == self.contact.owner_id,
                Enrolment.status.in_(("enrolled", "waitlisted", "offered")),
            )
            .where(Training.ends_at > self.now, Training.status == "published")
            .order_by(Training.starts_at)
        )
        return [self._mine_item(e, t, lang) for e, t in self.session.execute(query).all()]

    def _mine_item(self, enrolment: Enrolment, training: Training, lang: str) -> dict[str, Any]:
        zone = catalogue.zone_for(self.business(), training)
        status = self.content.text(
            f"trainings.status.{enrolment.status}", lang, **self._status_params(enrolment)
        )
        date = local_text(self.content, training.starts_at, zone, lang)
        return {
            "enrolment_id": enrolment.id,
            "title": training.title,
            "status": enrolment.status,
            "status_text": status,
            "date_text": date,
        }

    def _status_params(self, enrolment: Enrolment) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if enrolment.status == "waitlisted":
            params["position"] = seats.position(self.session, enrolment)
        if enrolment.status == "offered" and enrolment.offer_expires_at:
            training = self.session.get(Training, enrolment.training_id)
            zone = catalogue.zone_for(self.business(), training)
            params["expires_text"] = local_text(
                self.content, enrolment.offer_expires_at, zone, self.lang_of()
            )
        return params

    def lang_of(self) -> str:
        return str(getattr(self.contact, "language", "id"))

    def _own(self, enrolment_id: Any) -> tuple[Enrolment, Training] | None:
        """The owner's enrolment (with its training locked), or None for someone else's id."""
        enrolment = self.session.get(Enrolment, int(enrolment_id)) if str(enrolment_id).isdigit() else None
        if enrolment is None or enrolment.owner_id != self.contact.owner_id:
            return None
        training = seats.lock_training(self.session, enrolment.training_id)
        self.session.refresh(enrolment)
        return (enrolment, training) if training else None

    def _notifier(self) -> Notifier:
        return Notifier(self.session, self.content, self.now, skip_contact=self.contact.id)

    def cancel(self, enrolment_id: Any) -> str:
        """`cancelled` (a held seat goes to the waitlist), or `not_found`."""
        found = self._own(enrolment_id)
        if found is None or found[0].status not in ACTIVE:
            return "not_found"
        enrolment, training = found
        seats.cancel(self.session, self._notifier(), training, enrolment, "owner")
        self._answered(enrolment.id)
        return "cancelled"

    def answer_offer(self, enrolment_id: Any, accept: bool) -> str:
        """`accepted`, `declined`, `expired` or `not_offered`."""
        found = self._own(enrolment_id)
        if found is None:
            return "not_offered"
        enrolment, training = found
        self._answered(enrolment.id)
        if not accept:
            if enrolment.status != "offered":
                return "not_offered"
            seats.cancel(self.session, self._notifier(), training, enrolment, "declined_offer")
            return "declined"
        return seats.accept_offer(self.session, self._notifier(), training, enrolment)

    def confirm(self, enrolment_id: Any) -> str:
        """The owner answered "hadir" to a reminder: `confirmed` or `not_found`."""
        found = self._own(enrolment_id)
        if found is None or found[0].status not in ("enrolled", "attended"):
            return "not_found"
        found[0].confirmed_at = self.now
        self._answered(found[0].id)
        return "confirmed"

    def save_feedback(self, enrolment_id: Any, score: Any, comment: str | None) -> str:
        found = self._own(enrolment_id)
        if found is None or not str(score).isdigit():
            return "not_found"
        enrolment = found[0]
        enrolment.feedback_score, enrolment.feedback_comment = int(score), comment
        enrolment.feedback_at = self.now
        self._answered(enrolment.id)
        return "saved"

    # ------------------------------------------------------------------ proactive prompts
    def pending_prompt(self) -> dict[str, Any] | None:
        """The newest unanswered reminder/offer/feedback question sent to this contact."""
        query = (
            select(TrainingPrompt, Enrolment, Training)
            .join(Enrolment, Enrolment.id == TrainingPrompt.enrolment_id)
            .join(Training, Training.id == Enrolment.training_id)
            .where(TrainingPrompt.contact_id == self.contact.id, TrainingPrompt.answered_at.is_(None))
            .order_by(TrainingPrompt.id.desc())
            .limit(1)
        )
        row = self.session.execute(query).first()
        if row is None:
            return None
        prompt, enrolment, training = row
        return {"kind": prompt.kind, "enrolment_id": enrolment.id, "training_title": training.title}

    def _answered(self, enrolment_id: int) -> None:
        query = select(TrainingPrompt).where(
            TrainingPrompt.enrolment_id == enrolment_id, TrainingPrompt.answered_at.is_(None)
        )
        for prompt in self.session.execute(query).scalars():
            prompt.answered_at = self.now
