"""Taking a course: start or resume an attempt, answer, submit; a pass writes the
training record through the roster's own ``record_training`` (audited), so the
person's MR level and their door decisions follow at once.

Every function takes the acting user; the caller commits.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, datetime

from flask import current_app
from sqlalchemy import select

from ..audit.services import record_event
from ..auth.models import User
from ..db import utcnow
from ..extensions import db
from ..people.models import Person
from ..people.roster import record_training
from ..policy import Policy, PolicyError
from .courses import Course, load_courses
from .models import Certificate, CourseAssignment, QuizAnswer, QuizAttempt
from .quiz import DrawnQuestion, QuizError, check_answer, draw, next_attempt_at, score

_KEY = "zonekeeper.courses"


def current_courses() -> dict[str, Course]:
    """The app's courses, loaded from COURSES_DIR on first use (PolicyError if broken)."""
    courses = current_app.extensions.get(_KEY)
    if courses is None:
        courses = load_courses(current_app.config["COURSES_DIR"])
        current_app.extensions[_KEY] = courses
    return courses  # type: ignore[no-any-return]


def course_or_none(course_id: str) -> Course | None:
    try:
        return current_courses().get(course_id)
    except PolicyError:
        return None


def drawn_of(attempt: QuizAttempt) -> tuple[DrawnQuestion, ...]:
    return tuple(DrawnQuestion.from_json(d) for d in attempt.drawn)


def open_attempt(person: Person, course_id: str) -> QuizAttempt | None:
    return db.session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.person_id == person.id,
            QuizAttempt.course_id == course_id,
            QuizAttempt.state == "in_progress",
        )
    )


def last_submitted(person: Person, course_id: str) -> QuizAttempt | None:
    return db.session.scalar(
        select(QuizAttempt)
        .where(
            QuizAttempt.person_id == person.id,
            QuizAttempt.course_id == course_id,
            QuizAttempt.submitted_at.is_not(None),
        )
        .order_by(QuizAttempt.submitted_at.desc())
        .limit(1)
    )


def may_take(person: Person, course: Course) -> bool:
    """Level 1 courses are open to everyone. A Level 2 course is the MRSO's to give: open
    to someone assigned it, or renewing a Level 2 they already earned (never self-upgrade)."""
    if course.grants_level != "level_2":
        return True
    if any(t.level == "level_2" and t.voided_at is None for t in person.trainings):
        return True
    assigned = select(CourseAssignment.id).where(
        CourseAssignment.person_id == person.id, CourseAssignment.course_id == course.id
    )
    return db.session.scalar(assigned.limit(1)) is not None


def new_attempt(
    person: Person,
    user: User,
    course: Course,
    drawn: tuple[DrawnQuestion, ...],
    started_at: datetime | None = None,
) -> QuizAttempt:
    """An attempt at ``course`` with these questions, holding what it was taken against."""
    return QuizAttempt(
        person_id=person.id,
        user_id=user.id,
        course_id=course.id,
        course_version=course.version,
        course_hash=course.content_hash,
        grants_level=course.grants_level,
        pass_mark_percent=course.pass_mark_percent,
        drawn=[d.to_json() for d in drawn],
        state="in_progress",
        started_at=started_at or utcnow(),
    )


def start_attempt(
    person: Person, course: Course, actor: User, rng: random.Random | None = None
) -> QuizAttempt:
    """The open attempt at this course (resumed), or a new one if the cool-down allows."""
    if not may_take(person, course):
        raise QuizError("This course grants Level 2: the MRSO assigns it to you first.")
    current = open_attempt(person, course.id)
    if current is not None and current.course_hash == course.content_hash:
        return current
    wait_until = can_start_at(person, course)
    if wait_until is not None:
        raise QuizError(f"The next attempt can start at {wait_until:%Y-%m-%d %H:%M} UTC.")
    if current is not None:  # the course was edited since: that attempt cannot be scored
        current.state = "failed"
        current.submitted_at = utcnow()
    attempt = new_attempt(person, actor, course, draw(course, rng or random.SystemRandom()))
    db.session.add(attempt)
    record_event(
        "training.attempt_start",
        f"Started {course.id} v{course.version} quiz for person #{person.id}",
        target=attempt,
        person_id=person.id,
        actor=(actor.id, actor.username),
    )
    return attempt


def _check_open(attempt: QuizAttempt, course: Course) -> None:
    if attempt.state != "in_progress":
        raise QuizError("This attempt has been submitted; start a new one.")
    if attempt.course_hash != course.content_hash:
        raise QuizError("The course was changed since this attempt began; start a new one.")


def answer_question(
    attempt: QuizAttempt, course: Course, question_id: str, selected: frozenset[str], actor: User
) -> QuizAnswer:
    """Store (or change) the answer to one drawn question, with its time."""
    _check_open(attempt, course)
    check_answer(course, drawn_of(attempt), question_id, selected)
    answer = next((a for a in attempt.answers if a.question_id == question_id), None)
    if answer is None:
        answer = QuizAnswer(attempt=attempt, question_id=question_id, selected=[])
        db.session.add(answer)
    answer.selected = sorted(selected)
    answer.answered_at = utcnow()
    return answer


def submit_attempt(
    attempt: QuizAttempt,
    course: Course,
    actor: User,
    *,
    policy: Policy,
    today: date,
    cosign_required: bool,
) -> QuizAttempt:
    """Score the attempt; a pass records the training (or waits for the MRSO's co-signature)."""
    _check_open(attempt, course)
    given = {a.question_id: frozenset(a.selected) for a in attempt.answers}
    result = score(course, drawn_of(attempt), given)
    right = {r.question_id: r.correct for r in result.results}
    for answer in attempt.answers:
        answer.correct = right[answer.question_id]
    attempt.submitted_at = utcnow()
    attempt.correct, attempt.total, attempt.percent = result.correct, result.total, result.percent
    if not result.passed:
        attempt.state = "failed"
    elif cosign_required:
        attempt.state = "awaiting_cosign"
    else:
        attempt.state = "passed"
    record_event(
        "training.attempt_submit",
        f"{course.id} quiz for person #{attempt.person_id}: {result.correct}/{result.total} "
        f"({attempt.state})",
        target=attempt,
        person_id=attempt.person_id,
        actor=(actor.id, actor.username),
        after={"correct": result.correct, "total": result.total, "state": attempt.state},
    )
    if attempt.state == "passed":
        _record_pass(attempt, course.title, approver_id=None, policy=policy, today=today)
    return attempt


def cosign_attempt(
    attempt: QuizAttempt, actor: User, *, policy: Policy, today: date
) -> QuizAttempt:
    """The MRSO co-signs a Level 2 pass: the training record is written now."""
    if attempt.state != "awaiting_cosign":
        raise QuizError("This attempt is not waiting for a co-signature.")
    if actor.person_id == attempt.person_id:
        raise QuizError("You cannot co-sign your own attempt.")
    course = course_or_none(attempt.course_id)
    attempt.state, attempt.cosigned_at, attempt.cosigned_by_user_id = "passed", utcnow(), actor.id
    title = course.title if course else attempt.course_id
    _record_pass(attempt, title, approver_id=actor.person_id, policy=policy, today=today)
    return attempt


def _record_pass(
    attempt: QuizAttempt, title: str, *, approver_id: int | None, policy: Policy, today: date
) -> None:
    record = record_training(
        attempt.person,
        completed_on=today,
        level=attempt.grants_level,
        course=f"{attempt.course_id}: {title}"[:200],
        course_version=str(attempt.course_version),
        approver_id=approver_id,
        evidence=(
            f"ZoneKeeper quiz attempt #{attempt.id}: {attempt.correct}/{attempt.total} "
            f"({attempt.percent:g} %, pass mark {attempt.pass_mark_percent} %)"
        ),
        policy=policy,
        today=today,
    )
    db.session.flush()
    attempt.training_record_id = record.id
    db.session.add(
        Certificate(
            code=secrets.token_urlsafe(18),  # 144 random bits
            attempt_id=attempt.id,
            training_record_id=record.id,
            person_id=attempt.person_id,
        )
    )


def can_start_at(person: Person, course: Course) -> datetime | None:
    last = last_submitted(person, course.id)
    wait = next_attempt_at(last.submitted_at if last else None, course.cooldown_minutes)
    return wait if wait is not None and wait > utcnow() else None
