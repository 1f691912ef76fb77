"""Trainings for owners: browse the catalogue, enrol or join the waitlist, manage "pelatihan saya",
and answer reminders, seat offers and feedback questions.

All storage goes through `ctx.services.trainings` (`bot.trainings.desk.TrainingDesk`); these
functions only move plain values between it and the conversation data the YAML flows route on.
"""

from __future__ import annotations

from typing import Any

from bot.flows.answers import Ambiguous, Answer, Invalid, Option, Parsed
from bot.flows.parsers import DECLINE_WORDS, YES_WORDS
from bot.flows.registry import StepContext, action, matcher, option_source, parser
from bot.textnorm import normalize

PAGE_SIZE = 3
MAX_LISTED = 30
ATTEND_WORDS = {
    "hadir",
    "saya hadir",
    "insya allah hadir",
    "insyaallah hadir",
    "datang",
    "attend",
    "i will attend",
    "i will come",
    "present",
    "siap hadir",
    "ok hadir",
    "oke hadir",
}
ABSENT_WORDS = {
    "tidak hadir",
    "gak hadir",
    "ga hadir",
    "nggak hadir",
    "tidak bisa hadir",
    "gak bisa",
    "ga bisa",
    "tidak bisa",
    "cannot attend",
    "can't attend",
    "cant attend",
    "not coming",
    "batal",
}
NAVIGATION = {"trainings", "training_signup", "my_trainings"}
PICK_STOP_WORDS = {"pelatihan", "training", "yang", "the", "mau", "ikut", "pilih", "kelas", "saya", "my"}
SCORE_WORDS = {
    "satu": 1,
    "dua": 2,
    "tiga": 3,
    "empat": 4,
    "lima": 5,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
}


def _desk(ctx: StepContext) -> Any:
    return ctx.services.trainings  # type: ignore[attr-defined]


# ---------------------------------------------------------------------- browsing
@action("load_catalogue")
def load_catalogue(ctx: StepContext) -> None:
    """The upcoming trainings, ranked for this owner and the words of their message."""
    listed = _desk(ctx).catalogue(ctx.inbound.text, ctx.lang)[:MAX_LISTED]
    ctx.data["catalogue"] = [[training_id, label] for training_id, label in listed]
    ctx.data["page"] = 0
    ctx.data["total"] = len(listed)
    _bounds(ctx)


@action("next_page")
def next_page(ctx: StepContext) -> None:
    pages = max(1, -(-len(ctx.data.get("catalogue", [])) // PAGE_SIZE))
    ctx.data["page"] = (int(ctx.data.get("page", 0)) + 1) % pages
    _bounds(ctx)


def _bounds(ctx: StepContext) -> None:
    """`shown_from`–`shown_to` for the list heading (rendered before the options are built)."""
    first = int(ctx.data["page"]) * PAGE_SIZE
    ctx.data["shown_from"] = first + 1
    ctx.data["shown_to"] = min(first + PAGE_SIZE, len(ctx.data.get("catalogue", [])))


@matcher("has_trainings")
def has_trainings(ctx: StepContext) -> bool:
    return bool(ctx.data.get("catalogue"))


@option_source("training_page")
def training_page(ctx: StepContext) -> list[Option]:
    """A few trainings, then "next page" (or "from the start") and "my trainings"."""
    listed, page = ctx.data.get("catalogue", []), int(ctx.data.get("page", 0))
    shown = listed[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
    options = [Option(training_id, label) for training_id, label in shown]
    if len(listed) > PAGE_SIZE:
        last = (page + 1) * PAGE_SIZE >= len(listed)
        key = "trainings.choice_first_page" if last else "trainings.choice_more"
        options.append(Option("more", ctx.content.text(key, ctx.lang)))
    options.append(Option("my_trainings", ctx.content.text("trainings.choice_mine", ctx.lang)))
    return options


@parser("training_pick")
def parse_training_pick(ctx: StepContext, text: str) -> Answer:
    """A training named by a word of its title ("wastra", "barista"), beyond number or full label."""
    words = [w for w in normalize(text).split() if w not in PICK_STOP_WORDS]
    options = [Option(v, label) for v, label in ctx.data.get("_options") or [] if isinstance(v, int)]
    found = [o for o in options if words and all(w in normalize(o.label) for w in words)]
    if len(found) == 1:
        return Parsed(found[0].value, found[0].label)
    if found:
        return Ambiguous(tuple(found))
    intent = ctx.content.commands_index.intent(text)
    return Parsed(intent) if intent in NAVIGATION else Invalid("choice")


@matcher("is_navigation")
def is_navigation(ctx: StepContext, key: str) -> bool:
    """The answer asks for another training list ("pelatihan", "pelatihan saya"), not an item."""
    return ctx.data.get(key) in NAVIGATION


@action("load_training")
def load_training(ctx: StepContext) -> None:
    detail = _desk(ctx).detail(int(ctx.data["picked"]), ctx.lang)
    ctx.data["has_training"] = detail is not None
    ctx.data.update(detail or {})


@matcher("has_training")
def has_training(ctx: StepContext) -> bool:
    return bool(ctx.data.get("has_training"))


@action("enrol_training")
def enrol_training(ctx: StepContext) -> None:
    """Enrol, join the waitlist, or learn exactly which requirement is missing."""
    ctx.data.update(_desk(ctx).enrol(int(ctx.data["training_id"]), ctx.lang))


# ---------------------------------------------------------------------- my trainings
@action("load_my_trainings")
def load_my_trainings(ctx: StepContext) -> None:
    mine = _desk(ctx).mine(ctx.lang)
    ctx.data["mine"] = [[m["enrolment_id"], m["title"]] for m in mine]
    lines = [ctx.content.text("my_trainings.line", ctx.lang, number=i, **m) for i, m in enumerate(mine, 1)]
    ctx.data["mine_text"] = "\n\n".join(lines)


@matcher("has_my_trainings")
def has_my_trainings(ctx: StepContext) -> bool:
    return bool(ctx.data.get("mine"))


@option_source("my_enrolments")
def my_enrolments(ctx: StepContext) -> list[Option]:
    options = [Option(enrolment_id, title) for enrolment_id, title in ctx.data.get("mine", [])]
    return [*options, Option("trainings", ctx.content.text("my_trainings.choice_browse", ctx.lang))]


@action("load_my_enrolment")
def load_my_enrolment(ctx: StepContext) -> None:
    """The picked enrolment's status, for the manage/offer steps."""
    picked = str(ctx.data.get("picked"))
    item = next((m for m in _desk(ctx).mine(ctx.lang) if str(m["enrolment_id"]) == picked), None)
    ctx.data["enrolment_id"] = int(picked) if item else None
    ctx.data.update(item or {"status": "missing"})
    ctx.data["training_title"] = (item or {}).get("title", "")


# ---------------------------------------------------------------------- answers to reminders and offers
@action("load_prompt")
def load_prompt(ctx: StepContext) -> None:
    """The newest unanswered question sent to this contact (entered with "hadir", "nilai" …)."""
    prompt = _desk(ctx).pending_prompt() or {"kind": "none"}
    kind = prompt["kind"]
    answer = {"reminder": parse_attend_answer, "offer": parse_offer_answer}.get(kind)
    said = answer(ctx, ctx.inbound.text) if answer else None
    if isinstance(said, Parsed) and said.value in ("attend", "accept"):
        kind = f"{kind}_{said.value}"  # "hadir" / "ambil kursi" already answers the question
    ctx.data["prompt_kind"] = kind
    ctx.data.update({k: v for k, v in prompt.items() if k != "kind"})


@parser("attend_answer")
def parse_attend_answer(ctx: StepContext, text: str) -> Answer:
    words = normalize(text)
    if words in ATTEND_WORDS or words in YES_WORDS:
        return Parsed("attend")
    if words in ABSENT_WORDS or words in DECLINE_WORDS:
        return Parsed("cancel")
    return Invalid("choice")


@parser("offer_answer")
def parse_offer_answer(ctx: StepContext, text: str) -> Answer:
    words = normalize(text)
    if words in YES_WORDS or words in ATTEND_WORDS or words in {"ambil", "ambil kursi", "terima", "accept"}:
        return Parsed("accept")
    if words in DECLINE_WORDS or words in ABSENT_WORDS or words in {"lepas", "tolak", "decline"}:
        return Parsed("decline")
    return Invalid("choice")


@parser("score")
def parse_score(ctx: StepContext, text: str) -> Answer:
    """1–5 as a digit, a word ("lima") or stars."""
    words = normalize(text)
    stars = text.count("⭐") or text.count("*")
    value = SCORE_WORDS.get(words) or (int(words) if words.isdigit() else 0) or stars
    return Parsed(str(value)) if 1 <= value <= 5 else Invalid("score")


@parser("comment")
def parse_comment(ctx: StepContext, text: str) -> Answer:
    cleaned = " ".join(text.split())
    if normalize(cleaned) in {"lewati", "lewat", "skip", "tidak", "gak", "ga", "tidak ada", "no", "none"}:
        return Parsed(None)
    return Parsed(cleaned[:500]) if any(ch.isalnum() for ch in cleaned) else Invalid()


@action("confirm_attendance")
def confirm_attendance(ctx: StepContext) -> None:
    ctx.data["outcome"] = _desk(ctx).confirm(ctx.data.get("enrolment_id"))


@action("cancel_enrolment")
def cancel_enrolment(ctx: StepContext) -> None:
    ctx.data["outcome"] = _desk(ctx).cancel(ctx.data.get("enrolment_id"))


@action("accept_offer")
def accept_offer(ctx: StepContext) -> None:
    ctx.data["outcome"] = _desk(ctx).answer_offer(ctx.data.get("enrolment_id"), True)


@action("decline_offer")
def decline_offer(ctx: StepContext) -> None:
    ctx.data["outcome"] = _desk(ctx).answer_offer(ctx.data.get("enrolment_id"), False)


@action("save_feedback")
def save_feedback(ctx: StepContext) -> None:
    ctx.data["outcome"] = _desk(ctx).save_feedback(
        ctx.data.get("enrolment_id"), ctx.data.get("score"), ctx.data.get("comment")
    )
