"""Flash cards: the course bank as cards, scheduled per person with SM-2."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from ..auth.models import User
from ..clock import site_today
from ..db import utcnow
from ..extensions import db
from ..people.models import Person
from .courses import Course, Question
from .forms import EmptyForm
from .models import FlashCardState
from .services import course_or_none
from .sm2 import GRADES, CardState, review

bp = Blueprint("flashcards", __name__, url_prefix="/training/cards")


def card_states(person: Person) -> dict[str, FlashCardState]:
    rows = db.session.scalars(select(FlashCardState).where(FlashCardState.person_id == person.id))
    return {row.question_id: row for row in rows}


def next_card(course: Course, states: dict[str, FlashCardState], today: date) -> Question | None:
    """The most overdue card of the course, else the first never seen; None when all wait."""
    due = [
        (states[q.id].due_on, i, q)
        for i, q in enumerate(course.questions)
        if q.id in states and states[q.id].due_on <= today
    ]
    if due:
        return min(due, key=lambda item: (item[0], item[1]))[2]
    return next((q for q in course.questions if q.id not in states), None)


def rate_card(person: Person, question: Question, rating: str, today: date) -> FlashCardState:
    row = db.session.scalar(
        select(FlashCardState).where(
            FlashCardState.person_id == person.id, FlashCardState.question_id == question.id
        )
    )
    before = (
        CardState(row.repetitions, row.interval_days, row.ease) if row is not None else CardState()
    )
    after = review(before, rating)
    if row is None:
        row = FlashCardState(person_id=person.id, question_id=question.id, due_on=today)
        db.session.add(row)
    row.repetitions, row.interval_days, row.ease = (
        after.repetitions,
        after.interval_days,
        after.ease,
    )
    row.due_on = today + timedelta(days=after.interval_days)
    row.reviewed_at = utcnow()
    return row


def _me_and_course(course_id: str) -> tuple[Person, Course]:
    user = db.session.get(User, current_user.id)
    course = course_or_none(course_id)
    if user is None or user.person is None or course is None:
        abort(404)
    return user.person, course


@bp.route("/<course_id>", methods=["GET", "POST"])
def cards(course_id: str) -> ResponseReturnValue:
    person, course = _me_and_course(course_id)
    today = site_today()
    form = EmptyForm()
    if request.method == "POST":
        question = course.question(request.form.get("question_id", ""))
        rating = request.form.get("rating", "")
        if not form.validate_on_submit() or question is None or rating not in GRADES:
            abort(400)
        rate_card(person, question, rating, today)
        db.session.commit()
        return redirect(url_for(".cards", course_id=course.id))
    states = card_states(person)
    card = next_card(course, states, today)
    upcoming = min((s.due_on for s in states.values()), default=None)
    return render_template(
        "training/cards.html",
        course=course,
        card=card,
        reveal=request.args.get("reveal") == "1",
        seen=len([q for q in course.questions if q.id in states]),
        upcoming=upcoming,
        form=form,
        grades=list(GRADES),
    )
