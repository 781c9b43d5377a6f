"""The shape of a questionnaire file in ``forms/`` (pydantic; no Flask).

Names that must match a catalogue (question types, screening facts, the
question a ``show_if`` follows) are plain strings here so that the loader can
check them afterwards and offer a "did you mean" suggestion instead of a bare
enum error. The settings that only some question types take (``unit``,
``options``, ...) are optional here and checked per type by the loader.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from zonekeeper.policy.screening.facts import ScreeningFactType

FORM_ID = r"^[a-z][a-z0-9_]*$"
QUESTION_ID = r"^[a-z][a-z0-9_]*$"
YES_NO_UNKNOWN = ("yes", "no", "unknown")
MAX_IMPLANTS = 20
# Attribute names of a WTForms/Flask-WTF form: a question id cannot be one of them.
RESERVED_QUESTION_IDS = frozenset(
    {
        "csrf_token",
        "data",
        "errors",
        "form_errors",
        "hidden_tag",
        "is_submitted",
        "meta",
        "populate_obj",
        "post_process",
        "process",
        "questionnaire",
        "validate",
        "validate_on_submit",
    }
)


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ShowIf(StrictModel):
    """Show a follow-up question only when an earlier answer calls for it."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    question: str
    # Any, not str: YAML reads a bare `yes` as true, and the loader explains that.
    equals: Any = None
    any_of: list[Any] | None = Field(default=None, alias="in")

    def values(self) -> tuple[Any, ...]:
        """The parent answers that show the question (``equals`` or ``in``)."""
        return tuple(self.any_of) if self.any_of is not None else (self.equals,)


class ChoiceOption(StrictModel):
    value: str = Field(pattern=QUESTION_ID)
    label: str = Field(min_length=1)


class QuestionDefinition(StrictModel):
    id: str = Field(pattern=QUESTION_ID)
    text: str = Field(min_length=1)
    type: str
    required: bool = False
    help: str | None = None
    show_if: ShowIf | None = None
    sets: list[str] = Field(default_factory=list)
    # type-specific settings: see QUESTION_TYPES[type].settings
    red_flag: bool | None = None
    red_flag_answer: Literal["yes", "no"] | None = None
    unit: str | None = None
    min: float | None = None
    max: float | None = None
    options: list[ChoiceOption] | None = None
    max_length: int | None = Field(default=None, ge=1, le=5000)
    not_after_today: bool | None = None
    max_items: int | None = Field(default=None, ge=1, le=MAX_IMPLANTS)


class SectionDefinition(StrictModel):
    id: str = Field(pattern=QUESTION_ID)
    title: str = Field(min_length=1)
    intro: str | None = None
    questions: list[QuestionDefinition] = Field(min_length=1)


class FormDefinition(StrictModel):
    id: str = Field(pattern=FORM_ID)
    title: str = Field(min_length=1)
    version: int = Field(ge=1)
    description: str | None = None
    sections: list[SectionDefinition] = Field(min_length=1)

    def questions(self) -> list[QuestionDefinition]:
        """Every question in the order the form asks them."""
        return [q for section in self.sections for q in section.questions]


@dataclass(frozen=True, slots=True)
class QuestionType:
    """What a question type answers and which settings it takes.

    ``fact_type`` is the screening fact type its ``sets`` may name (None: it
    sets no fact). ``can_lead`` says whether a ``show_if`` may follow it and
    ``answers`` lists the values that ``show_if`` may test (None: any option).
    """

    name: str
    fact_type: ScreeningFactType | None
    settings: frozenset[str] = frozenset()
    required_settings: frozenset[str] = frozenset()
    can_lead: bool = False
    answers: tuple[str, ...] | None = None


TYPE_SPECIFIC_SETTINGS: tuple[str, ...] = (
    "red_flag",
    "red_flag_answer",
    "unit",
    "min",
    "max",
    "options",
    "max_length",
    "not_after_today",
    "max_items",
)

QUESTION_TYPES: dict[str, QuestionType] = {
    spec.name: spec
    for spec in (
        QuestionType(
            "yes_no_unknown",
            "answer",
            settings=frozenset({"red_flag", "red_flag_answer"}),
            can_lead=True,
            answers=YES_NO_UNKNOWN,
        ),
        QuestionType("text", None, settings=frozenset({"max_length"})),
        QuestionType(
            "number",
            "number",
            settings=frozenset({"unit", "min", "max"}),
            required_settings=frozenset({"unit", "min", "max"}),
        ),
        QuestionType("date", "date", settings=frozenset({"not_after_today"})),
        QuestionType(
            "choice",
            None,
            settings=frozenset({"options"}),
            required_settings=frozenset({"options"}),
            can_lead=True,
        ),
        QuestionType("implant_list", None, settings=frozenset({"max_items"})),
    )
}

DEFAULT_TEXT_MAX_LENGTH = 500


def normalise_unit(unit: str) -> str:
    """Compare units as written by people: 'mL/min/1.73 m²' == 'mL/min/1.73m2'."""
    return unit.replace("²", "2").replace(" ", "").lower()
