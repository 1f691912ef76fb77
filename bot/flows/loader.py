"""Reads `content/flows/*.yaml` and checks every cross-reference before any owner meets it.

Checks: file stem == flow id; `start`, `next`, `return` targets exist; every `when`, `do`,
`expect` and `choices_from` names a registered function; every text key exists in every language;
`next_from` targets are real steps; the default route comes last; intents point at real flows.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from bot.flows import actions, matchers, media_parsers, parsers  # noqa: F401  (registration by import)
from bot.flows.registry import ACTIONS, MATCHERS, OPTION_SOURCES, PARSERS, split_call
from bot.flows.spec import Flow, Step

if TYPE_CHECKING:
    from bot.content import Content


class ContentError(ValueError):
    """A content file is inconsistent; the message names the file and the problem."""


def load_flows(folder: Path) -> dict[str, Flow]:
    flows: dict[str, Flow] = {}
    for path in sorted(folder.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            flow = Flow.model_validate(yaml.safe_load(handle))
        if flow.flow != path.stem:
            raise ContentError(f"{path.name}: flow id {flow.flow!r} must equal the file name")
        flows[flow.flow] = flow
    return flows


def validate_content(content: Content) -> None:
    """Raise ContentError on the first inconsistency found."""
    problems = [p for flow in content.flows.values() for p in _flow_problems(content, flow)]
    problems += _intent_problems(content)
    problems += _language_problems(content)
    if problems:
        raise ContentError("; ".join(problems))


def _flow_problems(content: Content, flow: Flow) -> list[str]:
    problems = [] if flow.start in flow.steps else [f"{flow.flow}: start {flow.start} missing"]
    for name, step in flow.steps.items():
        where = f"{flow.flow}.{name}"
        problems += [f"{where}: {p}" for p in _step_problems(content, flow, step)]
    return problems


def _step_problems(content: Content, flow: Flow, step: Step) -> list[str]:
    problems = [f"unknown text {key}" for key in _text_keys(step) if not content.has(key)]
    problems += _call_problems(step.do, ACTIONS, "action")
    problems += _call_problems([r.when for r in step.routes if r.when], MATCHERS, "matcher")
    problems += _call_problems([step.expect] if step.expect else [], PARSERS, "parser")
    if step.choices_from and step.choices_from not in OPTION_SOURCES:
        problems.append(f"unknown option source {step.choices_from}")
    targets = [step.next] + [r.next for r in step.routes]
    problems += [f"unknown step {t}" for t in targets if t and t not in flow.steps]
    problems += ["default route must be last" for r in step.routes[:-1] if r.when is None]
    if step.expect and not step.save_as:
        problems.append("a step that waits must say where to save the answer (save_as)")
    return problems


def _text_keys(step: Step) -> list[str]:
    return list(step.say) + list(step.choices.values()) + list(step.invalid.values())


def _call_problems(specs: list[str], table: dict[str, object], kind: str) -> list[str]:
    problems = []
    for spec in specs:
        name, args = split_call(spec)
        func = table.get(name)
        if func is None:
            problems.append(f"unknown {kind} {name}")
            continue
        try:
            inspect.signature(func).bind(None, *([""] if kind == "parser" else []), *args)
        except TypeError:
            problems.append(f"{kind} {name} called with the wrong arguments {args}")
    return problems


def _intent_problems(content: Content) -> list[str]:
    intents = content.intents["intents"]
    problems = [
        f"intent {n} -> unknown flow {i['flow']}"
        for n, i in intents.items()
        if i["flow"] not in content.flows
    ]
    menu = content.flows["menu"].steps[content.flows["menu"].start]
    problems += [f"menu item {k} is not an intent" for k in menu.choices if k not in intents]
    fields = content.profile_fields
    registration = content.flows["registration"].steps
    problems += [f"profile field {f['key']} -> unknown step" for f in fields if f["step"] not in registration]
    return problems


def _language_problems(content: Content) -> list[str]:
    id_keys, en_keys = set(content.strings["id"]), set(content.strings["en"])
    return [f"text {key} missing in en" for key in sorted(id_keys - en_keys)] + [
        f"text {key} missing in id" for key in sorted(en_keys - id_keys)
    ]
