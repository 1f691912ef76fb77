"""The shape of a flow file in `content/flows/`: immutable data, validated when loaded."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


def _as_list(value: object) -> object:
    return [value] if isinstance(value, str) else value


class Route(_Frozen):
    """First route whose `when` matcher matches wins; a route without `when` is the default."""

    when: str | None = None
    next: str | None = None
    next_from: str | None = None
    goto_from: str | None = None
    returns: bool = Field(default=False, alias="return")


class Step(_Frozen):
    """One step: say something, maybe wait for an answer, then route onwards.

    `choices` maps a stored value to the text key of its label; the value `none` stores null.
    """

    say: list[str] = []
    do: list[str] = []
    choices: dict[str, str] = {}
    choices_from: str | None = None
    expect: str | None = None
    save_as: str | None = None
    request_phone: bool = False
    next: str | None = None
    returns: bool = Field(default=False, alias="return")
    routes: list[Route] = []
    invalid: dict[str, str] = {}

    _list_fields = field_validator("say", "do", mode="before")(_as_list)

    @property
    def waits(self) -> bool:
        return self.expect is not None

    def all_routes(self) -> list[Route]:
        """The step's routes, with a plain `next` read as the default route."""
        if self.routes:
            return list(self.routes)
        return [Route(next=self.next, returns=self.returns)]


class Flow(_Frozen):
    """A named set of steps with a start; the file stem must equal `flow`."""

    flow: str
    version: int
    start: str
    steps: dict[str, Step]
    pausable: bool = False  # "menu" mid-way keeps the answers; "lanjut" picks up again

    @field_validator("version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value != 1:
            raise ValueError(f"unknown flow format version {value}")
        return value
