"""Checking a set of answers against one questionnaire (pure: no Flask, no database).

Answer values, as JSON (the API) or as the web form converts them:

- ``yes_no_unknown``: ``"yes"``, ``"no"`` or ``"unknown"`` (no booleans);
- ``number``: a number in the question's unit, or ``{"value": 72, "unit": "kg"}``;
- ``date``: ``"YYYY-MM-DD"``;
- ``text``: a string; ``choice``: one option's value;
- ``implant_list``: a list of objects (each implant is checked by the engine).

``None``, a missing key or a blank string is "not answered". Unanswered and
"unknown" both set a fact to None: never False, so the engine treats them as
unknown and fails closed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from zonekeeper.policy.errors import suggest
from zonekeeper.policy.numbers import finite_float

from .definition import (
    DEFAULT_TEXT_MAX_LENGTH,
    MAX_IMPLANTS,
    QUESTION_TYPES,
    QuestionDefinition,
    normalise_unit,
)
from .registry import Questionnaire

EARLIEST_DATE = date(1900, 1, 1)
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
YES_NO_FACT: dict[str, bool | None] = {"yes": True, "no": False, "unknown": None}


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    question: str
    code: str  # unknown_question, wrong_type, wrong_unit, out_of_range, not_an_option,
    # too_long, too_many, hidden
    problem: str

    def to_dict(self) -> dict[str, str]:
        return {"question": self.question, "code": self.code, "problem": self.problem}


@dataclass(frozen=True, slots=True)
class RedFlag:
    question: str
    answer: str  # "yes", "no" (a red_flag_answer) or "unknown" (on a required question)
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"question": self.question, "answer": self.answer, "text": self.text}


@dataclass(frozen=True, slots=True)
class AnswerResult:
    form_id: str
    form_version: int
    definition_hash: str
    answers: dict[str, Any]  # cleaned, visible, valid answers only
    facts: dict[str, Any]  # every fact the form sets; None where unanswered or unknown
    red_flags: tuple[RedFlag, ...] = ()
    problems: tuple[AnswerProblem, ...] = ()
    missing: tuple[str, ...] = field(default=())  # required, visible, unanswered

    @property
    def valid(self) -> bool:
        """No answer was rejected (the form may still be incomplete)."""
        return not self.problems

    @property
    def complete(self) -> bool:
        return not self.problems and not self.missing

    def to_dict(self) -> dict[str, Any]:
        return {
            "form": {
                "id": self.form_id,
                "version": self.form_version,
                "definition_hash": self.definition_hash,
            },
            "answers": self.answers,
            "facts": self.facts,
            "red_flags": [flag.to_dict() for flag in self.red_flags],
            "problems": [problem.to_dict() for problem in self.problems],
            "missing": list(self.missing),
        }


class AnswerRejected(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class CleanAnswer:
    value: Any  # as stored with the screening (JSON-ready)
    fact_value: Any  # what the facts in ``sets`` receive


Cleaner = Callable[[QuestionDefinition, Any, "date | None"], CleanAnswer]


def _clean_yes_no_unknown(
    question: QuestionDefinition, raw: Any, today: date | None
) -> CleanAnswer:
    if not isinstance(raw, str) or raw not in YES_NO_FACT:
        raise AnswerRejected("wrong_type", 'expected "yes", "no" or "unknown"')
    return CleanAnswer(raw, YES_NO_FACT[raw])


def _clean_number(question: QuestionDefinition, raw: Any, today: date | None) -> CleanAnswer:
    unit = question.unit or ""
    if isinstance(raw, Mapping):
        if set(raw) != {"value", "unit"}:
            raise AnswerRejected("wrong_type", 'expected a number or {"value": ..., "unit": ...}')
        given_unit = raw["unit"]
        if not isinstance(given_unit, str) or normalise_unit(given_unit) != normalise_unit(unit):
            raise AnswerRejected("wrong_unit", f"unit '{given_unit}' is not accepted; give {unit}")
        raw = raw["value"]
    number = finite_float(raw)
    if number is None:
        raise AnswerRejected("wrong_type", f"expected a number in {unit}")
    low, high = question.min, question.max
    if (low is not None and number < low) or (high is not None and number > high):
        raise AnswerRejected(
            "out_of_range",
            f"{_plain(number)} {unit} is outside {_plain(low)}–{_plain(high)} {unit}",
        )
    return CleanAnswer(number, number)


def _plain(number: float | None) -> str:
    return "?" if number is None else f"{number:g}"


def _clean_date(question: QuestionDefinition, raw: Any, today: date | None) -> CleanAnswer:
    if isinstance(raw, datetime) or not isinstance(raw, str | date):
        raise AnswerRejected("wrong_type", "expected a date as YYYY-MM-DD")
    if isinstance(raw, str):
        if not ISO_DATE.match(raw.strip()):
            raise AnswerRejected("wrong_type", "expected a date as YYYY-MM-DD")
        try:
            raw = date.fromisoformat(raw.strip())
        except ValueError:
            raise AnswerRejected("wrong_type", "not a real date") from None
    if raw < EARLIEST_DATE:
        raise AnswerRejected("out_of_range", f"{raw.isoformat()} is before {EARLIEST_DATE}")
    if question.not_after_today and today is not None and raw > today:
        raise AnswerRejected("out_of_range", f"{raw.isoformat()} is in the future")
    return CleanAnswer(raw.isoformat(), raw.isoformat())


def _clean_text(question: QuestionDefinition, raw: Any, today: date | None) -> CleanAnswer:
    if not isinstance(raw, str):
        raise AnswerRejected("wrong_type", "expected text")
    text = raw.strip()
    limit = question.max_length or DEFAULT_TEXT_MAX_LENGTH
    if len(text) > limit:
        raise AnswerRejected("too_long", f"{len(text)} characters; at most {limit}")
    return CleanAnswer(text, None)


def _clean_choice(question: QuestionDefinition, raw: Any, today: date | None) -> CleanAnswer:
    values = [option.value for option in question.options or ()]
    if not isinstance(raw, str) or raw not in values:
        hint = suggest(str(raw), values)
        message = f"'{raw}' is not one of: {', '.join(values)}"
        raise AnswerRejected(
            "not_an_option", message + (f" (did you mean '{hint}'?)" if hint else "")
        )
    return CleanAnswer(raw, None)


def _clean_implant_list(question: QuestionDefinition, raw: Any, today: date | None) -> CleanAnswer:
    if not isinstance(raw, list) or not all(isinstance(item, Mapping) for item in raw):
        raise AnswerRejected("wrong_type", "expected a list of implant objects")
    limit = question.max_items or MAX_IMPLANTS
    if len(raw) > limit:
        raise AnswerRejected("too_many", f"{len(raw)} implants; at most {limit}")
    return CleanAnswer([dict(item) for item in raw], None)


ANSWER_CLEANERS: dict[str, Cleaner] = {
    "yes_no_unknown": _clean_yes_no_unknown,
    "number": _clean_number,
    "date": _clean_date,
    "text": _clean_text,
    "choice": _clean_choice,
    "implant_list": _clean_implant_list,
}


def check_answer_registry() -> None:
    """Every registered question type can be answered (checked when forms load)."""
    missing = sorted(set(QUESTION_TYPES) - set(ANSWER_CLEANERS))
    if missing:
        raise RuntimeError(f"question types without an answer checker: {', '.join(missing)}")


def is_unanswered(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def visible_questions(form: Questionnaire, answers: Mapping[str, Any]) -> dict[str, bool]:
    """Whether each question is shown, given the (cleaned) answers to earlier ones.

    A follow-up is shown only if its parent is shown and answered with one of
    the ``show_if`` values; the loader guarantees the parent comes first.
    """
    visible: dict[str, bool] = {}
    for question in form.questions.values():
        visible[question.id] = _is_shown(question, visible, answers)
    return visible


def _is_shown(
    question: QuestionDefinition, visible: Mapping[str, bool], answers: Mapping[str, Any]
) -> bool:
    rule = question.show_if
    return rule is None or (
        visible.get(rule.question, False) and answers.get(rule.question) in rule.values()
    )


def validate_answers(
    form: Questionnaire, answers: Mapping[str, Any], *, today: date | None = None
) -> AnswerResult:
    """Clean ``answers``, derive the facts they set, and list every problem.

    ``today`` (the site's date) lets questions marked ``not_after_today``
    refuse future dates; without it that check is skipped.
    """
    problems: list[AnswerProblem] = []
    if not isinstance(answers, Mapping):
        problems.append(AnswerProblem("", "wrong_type", "answers must be an object"))
        answers = {}
    for key in answers:
        if key not in form.questions:
            hint = suggest(str(key), form.questions)
            message = f"unknown question '{key}'" + (f" (did you mean '{hint}'?)" if hint else "")
            problems.append(AnswerProblem(str(key), "unknown_question", message))

    cleaned: dict[str, Any] = {}
    fact_values: dict[str, Any] = dict.fromkeys(form.facts_set())
    missing: list[str] = []
    visible: dict[str, bool] = {}
    for question in form.questions.values():
        shown = visible[question.id] = _is_shown(question, visible, cleaned)
        raw = answers.get(question.id)
        if is_unanswered(raw):
            if shown and question.required:
                missing.append(question.id)
            continue
        if not shown:
            problems.append(AnswerProblem(question.id, "hidden", _hidden_message(question)))
            continue
        try:
            answer = ANSWER_CLEANERS[question.type](question, raw, today)
        except AnswerRejected as exc:
            problems.append(AnswerProblem(question.id, exc.code, exc.message))
            continue
        cleaned[question.id] = answer.value
        for fact in question.sets:
            fact_values[fact] = answer.fact_value

    return AnswerResult(
        form_id=form.id,
        form_version=form.version,
        definition_hash=form.definition_hash,
        answers=cleaned,
        facts=fact_values,
        red_flags=tuple(red_flags(form, cleaned)),
        problems=tuple(problems),
        missing=tuple(missing),
    )


def _hidden_message(question: QuestionDefinition) -> str:
    rule = question.show_if
    assert rule is not None
    wanted = " or ".join(f"'{v}'" for v in rule.values())
    return f"this question is not asked unless '{rule.question}' is {wanted}; remove the answer"


def red_flags(form: Questionnaire, cleaned: Mapping[str, Any]) -> list[RedFlag]:
    """Answers to summarise at the top of the page, in form order."""
    flags: list[RedFlag] = []
    for question in form.questions.values():
        answer = cleaned.get(question.id)
        if question.type != "yes_no_unknown" or answer is None:
            continue
        flagged_answer = question.red_flag_answer or "yes"
        if (question.red_flag and answer == flagged_answer) or (
            answer == "unknown" and question.required
        ):
            flags.append(RedFlag(question.id, answer, question.text))
    return flags
