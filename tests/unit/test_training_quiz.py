"""Quiz draw and scoring, and SM-2 intervals, as pure functions (issue #14)."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest

from zonekeeper.training.courses import load_courses
from zonekeeper.training.quiz import QuizError, check_answer, draw, score
from zonekeeper.training.sm2 import CardState, review

COURSE = load_courses(Path(__file__).resolve().parent.parent / "data" / "courses")["test-level-1"]


def test_draw_takes_n_per_module_and_shuffles_options() -> None:
    drawn = draw(COURSE, random.Random(1))
    assert len(drawn) == 4
    modules = [COURSE.question(d.question_id).module_id for d in drawn]  # type: ignore[union-attr]
    assert modules == ["zones", "zones", "items", "items"]
    orders = {
        d.option_order
        for seed in range(30)
        for d in draw(COURSE, random.Random(seed))
        if d.question_id == "t1-items-04"
    }
    assert len(orders) > 1  # shuffled
    assert all(
        d.option_order == ("true", "false")
        for d in drawn
        if COURSE.question(d.question_id).type == "true_false"
    )  # type: ignore[union-attr]


def test_forged_answer_for_an_undrawn_question_is_refused() -> None:
    drawn = draw(COURSE, random.Random(2))
    undrawn = next(q.id for q in COURSE.questions if q.id not in {d.question_id for d in drawn})
    with pytest.raises(QuizError, match="was not drawn"):
        check_answer(COURSE, drawn, undrawn, frozenset({"a"}))
    answers = {d.question_id: COURSE.question(d.question_id).correct_ids for d in drawn}  # type: ignore[union-attr]
    with pytest.raises(QuizError, match="was not drawn"):
        score(COURSE, drawn, {**answers, undrawn: frozenset({"a"})})


def test_answer_must_be_an_option_and_single_takes_one() -> None:
    drawn = draw(replace(COURSE, questions_per_module=5), random.Random(3))
    with pytest.raises(QuizError, match="not an option"):
        check_answer(COURSE, drawn, "t1-zones-01", frozenset({"z"}))
    with pytest.raises(QuizError, match="Choose one"):
        check_answer(COURSE, drawn, "t1-zones-01", frozenset({"a", "b"}))
    assert check_answer(COURSE, drawn, "t1-zones-03", frozenset({"a", "b"})).id == "t1-zones-03"


def test_pass_mark_at_exactly_70_percent() -> None:
    drawn = draw(replace(COURSE, questions_per_module=5), random.Random(4))
    right = {d.question_id: COURSE.question(d.question_id).correct_ids for d in drawn}  # type: ignore[union-attr]
    wrong = {qid: frozenset({"zz"}) for qid in list(right)[:3]}
    seven = score(COURSE, drawn, {**right, **wrong})
    assert (seven.correct, seven.total, seven.percent, seven.passed) == (7, 10, 70.0, True)
    six = score(COURSE, drawn, {**right, **wrong, list(right)[3]: frozenset({"zz"})})
    assert (six.correct, six.passed) == (6, False)


def test_multiple_answer_is_right_only_with_exactly_the_right_options() -> None:
    drawn = draw(replace(COURSE, questions_per_module=5), random.Random(5))
    partial = score(COURSE, drawn, {"t1-zones-03": frozenset({"a"})})
    exact = score(COURSE, drawn, {"t1-zones-03": frozenset({"a", "b"})})
    result = {r.question_id: r.correct for r in partial.results}
    assert result["t1-zones-03"] is False
    assert {r.question_id: r.correct for r in exact.results}["t1-zones-03"] is True
    assert partial.correct == 0  # unanswered questions count as wrong


def test_sm2_intervals() -> None:
    state = CardState()
    intervals = []
    for rating in ("good", "good", "good", "easy"):
        state = review(state, rating)
        intervals.append(state.interval_days)
    assert intervals == [1, 6, 15, 38]  # 6 x 2.5 = 15; 15 x 2.5 = 37.5 -> 38
    again = review(state, "again")
    assert (again.repetitions, again.interval_days) == (0, 1)
    assert again.ease == pytest.approx(state.ease - 0.54)
    hard = review(CardState(), "hard")
    assert hard.ease == pytest.approx(2.36)
    floor = CardState(ease=1.3)
    assert review(floor, "again").ease == 1.3
    with pytest.raises(ValueError, match="again, hard, good, easy"):
        review(state, "perfect")
