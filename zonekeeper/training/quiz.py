"""Quiz rules as pure functions: draw an attempt, check an answer, score it.

No Flask, no SQLAlchemy: the service stores what these return. An attempt is
the list of questions drawn for it (with the order their options were shown
in); an answer for anything else is refused, so a forged form cannot raise a
score.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from .courses import Course, Question


class QuizError(ValueError):
    """An answer the attempt cannot take, with a message for the person."""


@dataclass(frozen=True, slots=True)
class DrawnQuestion:
    question_id: str
    option_order: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        return {"question_id": self.question_id, "option_order": list(self.option_order)}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> DrawnQuestion:
        order = data["option_order"]
        assert isinstance(order, list)  # noqa: S101 - written by to_json only
        return cls(str(data["question_id"]), tuple(str(o) for o in order))


@dataclass(frozen=True, slots=True)
class QuestionResult:
    question_id: str
    selected: frozenset[str]
    correct: bool


@dataclass(frozen=True, slots=True)
class Score:
    correct: int
    total: int
    pass_mark_percent: int
    results: tuple[QuestionResult, ...]

    @property
    def percent(self) -> float:
        return round(100 * self.correct / self.total, 1) if self.total else 0.0

    @property
    def passed(self) -> bool:
        # in whole numbers, so 7 of 10 at a 70 % mark passes exactly
        return self.total > 0 and self.correct * 100 >= self.pass_mark_percent * self.total


def draw(course: Course, rng: random.Random) -> tuple[DrawnQuestion, ...]:
    """N questions per module at random, modules in course order, options shuffled
    (true/false keeps True before False)."""
    drawn: list[DrawnQuestion] = []
    for module in course.modules:
        picked = rng.sample(list(module.questions), course.questions_per_module)
        for question in picked:
            order = [o.id for o in question.options]
            if question.type != "true_false":
                rng.shuffle(order)
            drawn.append(DrawnQuestion(question.id, tuple(order)))
    return tuple(drawn)


def check_answer(
    course: Course, drawn: tuple[DrawnQuestion, ...], question_id: str, selected: frozenset[str]
) -> Question:
    """The question answered, if the answer may be taken; else QuizError."""
    if question_id not in {d.question_id for d in drawn}:
        raise QuizError(f"Question '{question_id}' was not drawn in this attempt.")
    question = course.question(question_id)
    if question is None:
        raise QuizError(f"Question '{question_id}' is no longer in the course.")
    if not selected:
        raise QuizError("Choose an answer.")
    unknown = selected - {o.id for o in question.options}
    if unknown:
        raise QuizError(f"'{sorted(unknown)[0]}' is not an option of this question.")
    if question.type != "multiple" and len(selected) != 1:
        raise QuizError("Choose one answer.")
    return question


def score(
    course: Course,
    drawn: tuple[DrawnQuestion, ...],
    answers: Mapping[str, frozenset[str]],
) -> Score:
    """Score every drawn question (unanswered counts as wrong); a multiple-answer
    question is right only with exactly its correct options."""
    forged = set(answers) - {d.question_id for d in drawn}
    if forged:
        raise QuizError(f"Question '{sorted(forged)[0]}' was not drawn in this attempt.")
    results = []
    for item in drawn:
        question = course.question(item.question_id)
        selected = answers.get(item.question_id, frozenset())
        right = question is not None and selected == question.correct_ids
        results.append(QuestionResult(item.question_id, selected, right))
    return Score(
        correct=sum(1 for r in results if r.correct),
        total=len(results),
        pass_mark_percent=course.pass_mark_percent,
        results=tuple(results),
    )


def next_attempt_at(last_submitted_at: datetime | None, cooldown_minutes: int) -> datetime | None:
    """When a new attempt may start after the last one, or None if now."""
    if last_submitted_at is None or cooldown_minutes <= 0:
        return None
    return last_submitted_at + timedelta(minutes=cooldown_minutes)
