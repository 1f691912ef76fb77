"""Messages the bot sends on its own about trainings: reminders, seat offers, cancellations, feedback.

They are only *enqueued* (outbox rows with idempotency keys); the dispatcher sends them. A message
that asks something ("hadir" / "batal", "ambil kursi?", "nilai 1–5") also records a pending prompt
and, when the contact is not in the middle of another flow, puts their conversation on the matching
step of `training_reply`, so "1", "hadir", "ya" or a button tap on the next turn is understood. An
owner busy registering is never interrupted: the message then carries no buttons but a hint, and
`pelatihan saya` / `hadir` answer it later.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from bot import store
from bot.content import Content
from bot.flows.state import State
from bot.messages import Choice, Reply
from bot.models import Business, Contact, Conversation
from bot.trainings.models import Enrolment, Training, TrainingNotice, TrainingPrompt
from bot.trainings.timefmt import local_text, owner_zone

REPLY_FLOW = "training_reply"
PROMPT_STEPS = {"reminder": "reminder", "offer": "offer", "feedback": "feedback_score"}
INTERRUPTIBLE = {None, "menu", "help", "thanks", "coming_soon", REPLY_FLOW, "trainings", "my_trainings"}

Params = Callable[[str], dict[str, Any]]


class _Sql:
    """Statements built once per dialect: building expressions costs more than running them, and
    a fan-out to 10,000 enrolments runs each of these 10,000 times."""

    def __init__(self, dialect: str) -> None:
        contact, business, conv = Contact.__table__.c, Business.__table__.c, Conversation.__table__.c
        self.contacts = (
            select(contact.id, contact.channel, contact.address, contact.language)
            .where(contact.owner_id == bindparam("owner"), contact.unreachable.is_(False))
            .order_by(contact.id)
        )
        self.province = select(business.province_code).where(business.owner_id == bindparam("owner")).limit(1)
        self.lock = select(contact.id).where(contact.id == bindparam("cid")).with_for_update(skip_locked=True)
        self.conversation = select(conv.flow, conv.status, conv.version).where(
            conv.contact_id == bindparam("cid")
        )
        self.prompt = insert(TrainingPrompt.__table__)
        notice = TrainingNotice.__table__
        ins = postgresql.insert if dialect == "postgresql" else sqlite.insert
        self.notice = (
            ins(notice).on_conflict_do_nothing(index_elements=["enrolment_id", "kind"]).returning(notice.c.id)
        )


_SQL: dict[str, _Sql] = {}


def sql(session: Session) -> tuple[Any, _Sql]:
    """The session's connection and the prebuilt statements for its dialect."""
    connection = session.connection()
    name = connection.dialect.name
    if name not in _SQL:
        _SQL[name] = _Sql(name)
    return connection, _SQL[name]


def contacts_of(session: Session, owner_id: int) -> list[Any]:
    """Every chat address of the owner that can still be reached (id, channel, address, language)."""
    connection, statements = sql(session)
    return list(connection.execute(statements.contacts, {"owner": owner_id}).all())


def province_of(session: Session, owner_id: int) -> str | None:
    connection, statements = sql(session)
    return connection.execute(statements.province, {"owner": owner_id}).scalar()


def training_params(content: Content, training: Training, zone: str, lang: str) -> dict[str, Any]:
    """What every training message may mention, rendered for one reader."""
    return {
        "title": training.title,
        "organiser": training.organiser,
        "date_text": local_text(content, training.starts_at, zone, lang),
        "place_text": place_text(content, training, lang),
    }


def place_text(content: Content, training: Training, lang: str) -> str:
    if training.online_url and training.venue:
        return content.text("trainings.place_both", lang, venue=training.venue, url=training.online_url)
    if training.online_url:
        return content.text("trainings.place_online", lang, url=training.online_url)
    return training.venue or "-"


class Notifier:
    """Enqueues training messages to every reachable contact of an owner, in their language."""

    def __init__(self, session: Session, content: Content, now: datetime, skip_contact: int | None = None):
        self.session, self.content, self.now = session, content, now
        self.skip_contact = skip_contact  # the contact whose own turn is running: never re-stated

    def send(
        self,
        enrolment: Enrolment,
        training: Training,
        *,
        text_key: str,
        kind: str,
        key: str,
        prompt: str | None = None,
        extra: dict[str, Any] | Params | None = None,
    ) -> int:
        """Enqueue `text_key` to each contact; returns how many contacts it was written for."""
        zone = owner_zone(province_of(self.session, enrolment.owner_id), training.timezone)
        count = 0
        for contact in contacts_of(self.session, enrolment.owner_id):
            if contact.id == self.skip_contact:
                continue  # the turn's own reply already tells them
            lang = contact.language
            more = extra(lang) if callable(extra) else (extra or {})
            params = {**training_params(self.content, training, zone, lang), **more}
            reply = self._reply(contact, enrolment, training, text_key, params, prompt)
            ids = store.enqueue(
                self.session,
                contact=contact,
                payloads=[reply.to_json()],
                kind=kind,
                key=f"{key}:{contact.id}",
            )
            count += bool(ids)
        return count

    def _reply(
        self,
        contact: Any,
        enrolment: Enrolment,
        training: Training,
        text_key: str,
        params: dict[str, Any],
        prompt: str | None,
    ) -> Reply:
        lang = contact.language
        text = self.content.text(text_key, lang, **params)
        if prompt is None:
            return Reply(text=text, kind="notice")
        connection, statements = sql(self.session)
        row = {"contact_id": contact.id, "enrolment_id": enrolment.id, "kind": prompt, "created_at": self.now}
        connection.execute(statements.prompt, row)
        options = self._options(prompt, lang)
        if not self._ask(contact, enrolment, training, prompt, options):
            return Reply(text=f"{text}\n\n{self.content.text('training_reply.answer_later', lang)}")
        step = PROMPT_STEPS[prompt]
        choices = tuple(Choice(f"{step}#{i}", label) for i, (_, label) in enumerate(options, start=1))
        return Reply(text=text, choices=choices)

    def _options(self, prompt: str, lang: str) -> list[list[str]]:
        step = self.content.flows[REPLY_FLOW].steps[PROMPT_STEPS[prompt]]
        return [[value, self.content.text(key, lang)] for value, key in step.choices.items()]

    def _ask(
        self, contact: Any, enrolment: Enrolment, training: Training, prompt: str, options: list[list[str]]
    ) -> bool:
        """Put the contact's conversation on the prompt's step, unless they are busy elsewhere."""
        connection, statements = sql(self.session)
        if connection.execute(statements.lock, {"cid": contact.id}).first() is None:
            return False  # in the middle of a turn right now: leave it alone
        row = connection.execute(statements.conversation, {"cid": contact.id}).first()
        version = row.version if row else None
        if row and row.status == "waiting" and row.flow not in INTERRUPTIBLE:
            return False
        data = {"enrolment_id": enrolment.id, "training_title": training.title, "_options": options}
        new = State(REPLY_FLOW, PROMPT_STEPS[prompt], "waiting", data, self.now)
        store.save_state(self.session, contact_id=contact.id, version=version, state=new)
        return True
