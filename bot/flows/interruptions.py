"""Global commands (menu, batal, bahasa, berhenti, lanjut, data saya, ubah …): interruptions
that work at any step, before the waiting step reads the answer.

A mixin of `Engine`, kept apart so the engine core stays about routing steps; these handlers use
only the engine's small vocabulary (`_start_flow`, `_prompt`, `_resume`, `_say`, `_step`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.flows import commands as cmd
from bot.flows.registry import StepContext
from bot.flows.state import Turn

if TYPE_CHECKING:
    from bot.flows.spec import Step
    from bot.flows.state import State

MENU = "menu"


class GlobalCommands:
    """`_cmd_<name>` handles the command `<name>` of `content/commands.yaml`."""

    # Provided by Engine.
    def _start_flow(
        self,
        turn: Turn,
        ctx: StepContext,
        flow_id: str,
        data: dict[str, Any] | None = None,
        at: str | None = None,
    ) -> None: ...
    def _prompt(self, turn: Turn, ctx: StepContext, step: Step, *, run_actions: bool = False) -> None: ...
    def _resume(self, turn: Turn, ctx: StepContext) -> bool: ...
    def _step(self, state: State) -> Step: ...
    def _say(self, turn: Turn, ctx: StepContext, key: str, **params: Any) -> None: ...

    content: Any

    def _command(self, turn: Turn, ctx: StepContext, command: cmd.Command) -> None:
        handler = getattr(self, f"_cmd_{command.name}")
        handler(turn, ctx, command)

    def _cmd_menu(self, turn: Turn, ctx: StepContext, command: cmd.Command) -> None:
        self._start_flow(turn, ctx, MENU)
        self._note_paused(turn, ctx)

    def _cmd_start(self, turn: Turn, ctx: StepContext, command: cmd.Command) -> None:
        turn.contact_changes["opted_out"] = False
        if ctx.opted_out:
            self._say(turn, ctx, "common.started")
        self._start_flow(turn, ctx, MENU)

    def _cmd_cancel(self, turn: Turn, ctx: StepContext, command: cmd.Command) -> None:
        active = turn.state.waiting and turn.state.flow != MENU
        turn.state.reset()
        ctx.data = turn.state.data
        self._say(turn, ctx, "common.cancelled" if active else "common.nothing_to_cancel")
        self._start_flow(turn, ctx, MENU)

    def _cmd_help(self, turn: Turn, ctx: StepContext, command: cmd.Command) -> None:
        self._say(turn, ctx, "help.text")
        self._reprompt_current(turn, ctx)

    def _cmd_language(self, turn: Turn, ctx: StepContext, command: cmd.Command) -> None:
        chosen = command.argument or ("en" if turn.lang == "id" else "id")
        turn.lang = ctx.lang = chosen
        turn.contact_changes["language"] = chosen
        self._say(turn, ctx, "common.language_set")
        self._reprompt_current(turn, ctx)

    def _cmd_stop(self, turn: Turn, ctx: StepContext, command: cmd.Command) -> None:
        turn.contact_changes["opted_out"] = True
        self._say(turn, ctx, "common.stopped")
        self._reprompt_current(turn, ctx)

    def _cmd_resume(self, turn: Turn, ctx: StepContext, command: cmd.Command) -> None:
        if turn.state.waiting and turn.state.flow != MENU:
            self._prompt(turn, ctx, self._step(turn.state))
        elif not self._resume(turn, ctx):
            self._say(turn, ctx, "common.resume_none")
            self._start_flow(turn, ctx, MENU)

    def _cmd_my_data(self, turn: Turn, ctx: StepContext, command: cmd.Command) -> None:
        self._start_flow(turn, ctx, "my_data")
        self._note_paused(turn, ctx)

    def _cmd_delete_data(self, turn: Turn, ctx: StepContext, command: cmd.Command) -> None:
        self._start_flow(turn, ctx, "delete_data")

    def _cmd_edit(self, turn: Turn, ctx: StepContext, command: cmd.Command) -> None:
        if turn.state.flow == "registration" and turn.state.waiting:
            self._prompt(turn, ctx, self._step(turn.state))
            return
        profile = ctx.services.profile()
        if profile is None:
            self._say(turn, ctx, "common.not_registered")
            self._reprompt_current(turn, ctx)
            return
        data = {**profile, "_return": "save_edit"}
        self._start_flow(turn, ctx, "registration", data, at=command.argument or "pick_field")

    def _reprompt_current(self, turn: Turn, ctx: StepContext) -> None:
        if turn.state.waiting:
            self._prompt(turn, ctx, self._step(turn.state))

    def _note_paused(self, turn: Turn, ctx: StepContext) -> None:
        paused = turn.state.data.get("_paused")
        if paused:
            name = self.content.text(f"common.flow_names.{paused['flow']}", turn.lang)
            self._say(turn, ctx, "common.paused", flow_name=name)
