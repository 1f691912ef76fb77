"""The flow engine: one inbound message in, the new state and the replies out.

It never sends and never touches the database directly: side effects go through the named
actions and the `Services` they are given, and the caller persists the returned `Turn` in the same
transaction as the outbox rows. Time is passed in, never read here.

Order of a turn (goflow's "continue until wait", with global commands as interruptions):
1. an idle flow older than the configured time expires, with a short note;
2. a global command (menu, batal, bahasa, …) is handled first;
3. otherwise a waiting step reads the answer: re-prompt if invalid, offer a pick-list if
   ambiguous, else save it and route on;
4. with no waiting step, free text is matched to an intent, and unknown text gets the menu.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.content import Content
from bot.flows import commands as cmd
from bot.flows.answers import Ambiguous, Answer, Invalid, Option, Parsed
from bot.flows.interruptions import MENU, GlobalCommands
from bot.flows.options import match_option
from bot.flows.registry import (
    ACTIONS,
    MATCHERS,
    OPTION_SOURCES,
    PARSERS,
    Services,
    StepContext,
    split_call,
)
from bot.flows.spec import Route, Step
from bot.flows.state import State, Turn
from bot.messages import Choice, Inbound, Reply
from bot.textnorm import normalize

NO_VALUE = "none"  # a static choice keyed `none` stores no value ("Lewati", "Belum punya NIB")


class FlowError(RuntimeError):
    """A flow definition led somewhere it must not (a loop, a missing step)."""


class Engine(GlobalCommands):
    """Runs flows from `Content` for one contact at a time; stateless between turns."""

    def __init__(
        self,
        content: Content,
        *,
        idle_timeout: timedelta = timedelta(hours=24),
        max_chars: int = 1000,
        max_steps: int = 50,
        max_media_bytes: int = 10 * 1024 * 1024,
    ) -> None:
        self.content = content
        self.max_media_bytes = max_media_bytes
        self.idle_timeout = idle_timeout
        self.max_chars = max_chars
        self.max_steps = max_steps
        self.commands: cmd.Commands = content.commands_index

    # ------------------------------------------------------------------ entry point
    def handle(
        self,
        state: State,
        inbound: Inbound,
        *,
        lang: str,
        services: Services,
        now: datetime,
        channel_phone: str | None = None,
        opted_out: bool = False,
    ) -> Turn:
        """Process one inbound message; the returned turn always has something to say."""
        turn = Turn(state=state.copy(), lang=lang)
        ctx = StepContext(
            self.content, lang, turn.state.data, inbound, services, now, channel_phone, opted_out
        )
        ctx.extra["max_media_bytes"] = self.max_media_bytes
        self._expire_if_idle(turn, ctx, now)
        command = self.commands.match(inbound.text) if not inbound.choice else None
        if command and turn.state.waiting and _is_option_label(inbound.text, ctx.data):
            command = None  # the step itself offers this word (a reminder's "Batal"): it is an answer
        if command:
            self._command(turn, ctx, command)
        elif turn.state.waiting:
            self._answer(turn, ctx)
        else:
            self._idle(turn, ctx)
        if not turn.parts:
            self._say(turn, ctx, "common.not_understood", text=_clip(inbound.text))
            self._start_flow(turn, ctx, MENU)
        turn.state.updated_at = now
        return turn

    def replies(self, turn: Turn) -> list[Reply]:
        """The turn's texts as one message, with the waiting step's choices attached."""
        text = "\n\n".join(part for part in turn.parts if part)
        choices = tuple(Choice(payload, label) for payload, label in turn.choices)
        return [Reply(text=text, choices=choices, request_phone=turn.request_phone)]

    # ------------------------------------------------------------------ phases
    def _expire_if_idle(self, turn: Turn, ctx: StepContext, now: datetime) -> None:
        state = turn.state
        if not state.waiting or state.updated_at is None or state.flow == MENU:
            return
        if now - state.updated_at > self.idle_timeout:
            collecting = self.content.flows[state.flow or MENU].pausable
            state.reset()
            ctx.data = state.data
            if collecting:  # answers were thrown away: say so; an old question simply lapses
                hours = int(self.idle_timeout.total_seconds() // 3600)
                self._say(turn, ctx, "common.expired", hours=hours)

    def _idle(self, turn: Turn, ctx: StepContext) -> None:
        inbound = ctx.inbound
        if not inbound.text.strip():
            self._idle_media(turn, ctx)
            return
        intent = self.commands.intent(inbound.text)
        if intent is None:
            self._say(turn, ctx, "common.not_understood", text=_clip(inbound.text))
            intent = MENU
        self._start_intent(turn, ctx, intent)

    def _idle_media(self, turn: Turn, ctx: StepContext) -> None:
        attachment = ctx.inbound.attachments[0] if ctx.inbound.attachments else None
        if attachment is not None:
            kind = self.content.text(f"common.media_kind.{attachment.kind}", turn.lang)
            self._say(turn, ctx, "common.unsupported_media", kind=kind)
        self._start_flow(turn, ctx, MENU)

    def _answer(self, turn: Turn, ctx: StepContext) -> None:
        step = self._step(turn.state)
        answer = self._read_answer(turn, ctx, step)
        if answer is None:
            return
        if isinstance(answer, Invalid):
            self._reprompt(turn, ctx, step, answer)
        elif isinstance(answer, Ambiguous):
            self._offer(turn, ctx, step, answer.options)
        else:
            self._accept(turn, ctx, step, answer)

    # ------------------------------------------------------------------ reading answers
    def _read_answer(self, turn: Turn, ctx: StepContext, step: Step) -> Answer | None:
        inbound = ctx.inbound
        if inbound.choice is not None:
            return self._read_button(turn, ctx, step, inbound.choice)
        options = _options(ctx.data, "_pending") or _options(ctx.data, "_options")
        text = inbound.text.strip()
        if self._accepts_media(step) and inbound.attachments:
            return self._parse(ctx, step, text)
        if not text and not (inbound.shared_phone and step.expect == "phone"):
            return self._not_text(turn, ctx)
        if len(text) > self.max_chars:
            return Invalid("too_long", {"length": len(text), "limit": self.max_chars})
        picked = match_option(text, options)
        if picked is not None:
            return Parsed(picked.value, picked.label)
        if _options(ctx.data, "_pending"):
            ctx.data.pop("_pending", None)
        return self._parse(ctx, step, text)

    def _read_button(self, turn: Turn, ctx: StepContext, step: Step, payload: str) -> Answer | None:
        step_id, _, index = payload.rpartition("#")
        options = _options(ctx.data, "_pending") or _options(ctx.data, "_options")
        if step_id != turn.state.step or not index.isdigit() or not 0 < int(index) <= len(options):
            self._say(turn, ctx, "common.stale_button")
            self._prompt(turn, ctx, step)
            return None
        option = options[int(index) - 1]
        return Parsed(option.value, option.label)

    @staticmethod
    def _accepts_media(step: Step) -> bool:
        """Parsers marked `accepts_media = True` read `ctx.inbound.attachments` themselves."""
        name, _ = split_call(step.expect or "choice")
        return bool(getattr(PARSERS.get(name), "accepts_media", False))

    def _not_text(self, turn: Turn, ctx: StepContext) -> Answer:
        attachments = ctx.inbound.attachments
        if not attachments:
            return Invalid("empty")
        kind = self.content.text(f"common.media_kind.{attachments[0].kind}", turn.lang)
        return Invalid("not_text", {"kind": kind})

    def _parse(self, ctx: StepContext, step: Step, text: str) -> Answer:
        name, args = split_call(step.expect or "choice")
        try:
            return PARSERS[name](ctx, text, *args)
        except (ValueError, TypeError, KeyError, IndexError):
            return Invalid()

    # ------------------------------------------------------------------ responding
    def _reprompt(self, turn: Turn, ctx: StepContext, step: Step, answer: Invalid) -> None:
        general = {"empty": "common.empty", "too_long": "common.too_long", "not_text": "common.not_text"}
        general |= {r: f"channels.{r}" for r in ("media_too_big", "media_type", "no_media")}
        key = general.get(answer.reason) or step.invalid.get(answer.reason)
        if key is None and answer.reason == "choice" or (key is None and not step.invalid):
            key = "common.invalid_choice"
        key = key or step.invalid["default"]
        options = _options(ctx.data, "_options")
        params = {**ctx.data, **_flat(ctx.data), "count": len(options), **answer.params}
        self._say(turn, ctx, key, **params)
        self._show_options(turn, ctx, options)
        turn.request_phone = step.request_phone

    def _offer(self, turn: Turn, ctx: StepContext, step: Step, options: tuple[Option, ...]) -> None:
        ctx.data["_pending"] = [[o.value, o.label] for o in options]
        self._say(turn, ctx, "common.ambiguous")
        self._show_options(turn, ctx, list(options))

    def _accept(self, turn: Turn, ctx: StepContext, step: Step, answer: Parsed) -> None:
        ctx.data.pop("_pending", None)
        ctx.data.pop("_options", None)
        if step.save_as:
            picked_none = answer.value == NO_VALUE and NO_VALUE in step.choices
            ctx.data[step.save_as] = None if picked_none else answer.value
        self._follow(turn, ctx, step)

    # ------------------------------------------------------------------ moving through steps
    def _follow(self, turn: Turn, ctx: StepContext, step: Step) -> None:
        """Leave `step` by its first matching route: to another step, another flow, or the end."""
        route = self._route(ctx, step)
        target = self._target(ctx, route)
        if target is None:
            self._end(turn, ctx, route)
        else:
            self._run_from(turn, ctx, target)

    def _end(self, turn: Turn, ctx: StepContext, route: Route | None) -> None:
        """No next step in this flow: hand over to the route's intent, or complete."""
        if route is not None and route.goto_from:
            self._start_intent(turn, ctx, str(ctx.data.get(route.goto_from)))
        else:
            self._complete(turn)

    def _route(self, ctx: StepContext, step: Step) -> Route | None:
        for route in step.all_routes():
            if route.when is None or self._matches(ctx, route.when):
                return route if (route.next or route.next_from or route.goto_from) else None
        return None

    def _matches(self, ctx: StepContext, spec: str) -> bool:
        name, args = split_call(spec)
        return bool(MATCHERS[name](ctx, *args))

    def _run_from(self, turn: Turn, ctx: StepContext, step_id: str) -> None:
        for _ in range(self.max_steps):
            flow = self.content.flows[turn.state.flow or MENU]
            if step_id not in flow.steps:
                raise FlowError(f"{flow.flow} has no step {step_id}")
            turn.state.step, step = step_id, flow.steps[step_id]
            self._prompt(turn, ctx, step, run_actions=True)
            if step.waits:
                turn.state.status = "waiting"
                return
            route = self._route(ctx, step)
            target = self._target(ctx, route)
            if target is None:
                self._end(turn, ctx, route)
                return
            step_id = target
        raise FlowError(f"more than {self.max_steps} steps in one turn")

    def _target(self, ctx: StepContext, route: Route | None) -> str | None:
        """The next step in this flow, or None (no route, or the route leaves the flow)."""
        if route is None or route.goto_from:
            return None
        if route.returns and ctx.data.get("_return"):
            return str(ctx.data.pop("_return"))
        if route.next_from:
            return str(ctx.data.get(route.next_from))
        return route.next

    def _prompt(self, turn: Turn, ctx: StepContext, step: Step, *, run_actions: bool = False) -> None:
        if run_actions:
            for spec in step.do:
                name, args = split_call(spec)
                ACTIONS[name](ctx, *args)
        params = {**ctx.data, **_flat(ctx.data)}
        for key in step.say:
            self._say(turn, ctx, key, **params)
        options = self._step_options(ctx, step)
        if step.waits:
            ctx.data["_options"] = [[o.value, o.label] for o in options]
        self._show_options(turn, ctx, options)
        turn.request_phone = step.request_phone

    def _step_options(self, ctx: StepContext, step: Step) -> list[Option]:
        if step.choices_from:
            return OPTION_SOURCES[step.choices_from](ctx)
        return [Option(value, self.content.text(key, ctx.lang)) for value, key in step.choices.items()]

    def _show_options(self, turn: Turn, ctx: StepContext, options: list[Option]) -> None:
        step = turn.state.step or ""
        turn.choices = [(f"{step}#{i}", o.label) for i, o in enumerate(options, start=1)]

    def _complete(self, turn: Turn) -> None:
        paused = turn.state.data.get("_paused")
        turn.state.reset()
        if paused:
            turn.state.data["_paused"] = paused
        turn.choices = []

    # ------------------------------------------------------------------ starting flows
    def _start_intent(self, turn: Turn, ctx: StepContext, intent: str) -> None:
        spec = self.commands.intent_spec(intent)
        data = {"topic": spec["topic"]} if spec.get("topic") else {}
        self._start_flow(turn, ctx, spec["flow"], data)

    def _start_flow(
        self,
        turn: Turn,
        ctx: StepContext,
        flow_id: str,
        data: dict[str, Any] | None = None,
        at: str | None = None,
    ) -> None:
        state = turn.state
        paused = state.data.get("_paused")
        if paused and paused["flow"] == flow_id and at is None:
            self._resume(turn, ctx)
            return
        if state.waiting and state.flow and self.content.flows[state.flow].pausable:
            paused = {"flow": state.flow, "step": state.step, "data": _public(state.data)}
        state.flow, state.status = flow_id, "idle"
        state.data = {**(data or {}), **({"_paused": paused} if paused else {})}
        ctx.data = state.data
        self._run_from(turn, ctx, at or self.content.flows[flow_id].start)

    def _resume(self, turn: Turn, ctx: StepContext) -> bool:
        paused = turn.state.data.pop("_paused", None)
        if not paused:
            return False
        state = turn.state
        state.flow, state.step, state.status, state.data = (
            paused["flow"],
            paused["step"],
            "waiting",
            paused["data"],
        )
        ctx.data = state.data
        self._prompt(turn, ctx, self._step(state))
        return True

    def _step(self, state: State) -> Step:
        return self.content.flows[state.flow or MENU].steps[state.step or ""]

    def _say(self, turn: Turn, ctx: StepContext, key: str, **params: Any) -> None:
        turn.parts.append(self.content.text(key, turn.lang, **params))


def _is_option_label(text: str, data: dict[str, Any]) -> bool:
    wanted = normalize(text)
    return any(wanted == normalize(label) for _, label in data.get("_options") or [])


def _options(data: dict[str, Any], key: str) -> list[Option]:
    return [Option(value, label) for value, label in data.get(key) or []]


def _public(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "_paused"}


def _flat(data: dict[str, Any]) -> dict[str, Any]:
    """Nested answers (the region) flattened so templates can say `{province}`."""
    flat: dict[str, Any] = {}
    for value in data.values():
        if isinstance(value, dict):
            flat.update({k: v for k, v in value.items() if isinstance(v, str | int | float)})
    return flat


def _clip(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
