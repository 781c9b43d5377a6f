"""The demo's training (issue #14): staff accounts whose training is lapsed, lapsing and
current, a few past quiz attempts with a certificate, assignments and a reminder.

Attempts are drawn from the Level 1 course the app loads from COURSES_DIR; without
one (or if the courses do not load) only the accounts and assignments-free parts load.
"""

from __future__ import annotations

import random
import secrets
from datetime import UTC, date, datetime, time, timedelta

from .auth.models import User
from .auth.passwords import hash_password
from .extensions import db
from .people.models import Person
from .policy import PolicyError
from .training.courses import Course
from .training.models import (
    Certificate,
    CourseAssignment,
    QuizAnswer,
    QuizAttempt,
    TrainingReminder,
)
from .training.quiz import draw, score
from .training.services import new_attempt

STAFF_PASSWORD = "zonekeeper-staff"  # noqa: S105 - printed demo login
# username, family name on the demo roster, what the demo shows
STAFF_LOGINS = [
    ("nurse", "Harris", "staff: Level 1 current, past attempts and a certificate"),
    ("frontdesk", "Novak", "staff: Level 1 lapsing in 10 days"),
    ("transport", "Kim", "staff: Level 1 lapsed, course overdue"),
]


def _level_1_course() -> Course | None:
    from .training.services import current_courses

    try:
        courses = current_courses()
    except PolicyError:
        return None
    return next((c for c in courses.values() if c.grants_level == "level_1"), None)


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour, 0), tzinfo=UTC)


def add_demo_training(today: date, people: dict[str, Person], mrso: User) -> int:
    """Returns the number of quiz attempts added."""
    users = {}
    password_hash = hash_password(STAFF_PASSWORD)
    for username, family, _ in STAFF_LOGINS:
        users[family] = User(
            username=username,
            password_hash=password_hash,
            role="staff",
            person_id=people[family].id,
            email=f"{username}@demo.invalid",
        )
        db.session.add(users[family])
    db.session.flush()
    course = _level_1_course()
    if course is None:
        return 0
    db.session.add_all(
        [
            CourseAssignment(
                person_id=people["Kim"].id,
                course_id=course.id,
                due_on=today - timedelta(days=7),
                assigned_by_user_id=mrso.id,
                assigned_at=_at(today - timedelta(days=30), 9),
                note="Annual renewal",
            ),
            CourseAssignment(
                person_id=people["Novak"].id,
                course_id=course.id,
                due_on=today + timedelta(days=10),
                assigned_by_user_id=mrso.id,
                note="Annual renewal",
            ),
            TrainingReminder(
                person_id=people["Kim"].id,
                message="Your annual MR safety training has lapsed: please take the course.",
                sent_by_user_id=mrso.id,
                sent_at=_at(today - timedelta(days=2), 8),
            ),
        ]
    )
    harris = people["Harris"]
    record = max(harris.trainings, key=lambda t: t.completed_on)
    rng = random.Random(14)  # noqa: S311 - demo data, not a secret
    _attempt(course, harris, users["Harris"], record.completed_on - timedelta(days=1), rng, 0.5)
    passed = _attempt(course, harris, users["Harris"], record.completed_on, rng, 1.0)
    passed.training_record_id = record.id
    record.evidence = f"ZoneKeeper quiz attempt #{passed.id}: {passed.correct}/{passed.total}"
    db.session.add(
        Certificate(
            code=secrets.token_urlsafe(18),
            attempt_id=passed.id,
            training_record_id=record.id,
            person_id=harris.id,
            issued_at=passed.submitted_at,
        )
    )
    _attempt(course, people["Kim"], users["Kim"], today - timedelta(days=3), rng, 0.4)
    return 3


def _attempt(
    course: Course, person: Person, user: User, day: date, rng: random.Random, right: float
) -> QuizAttempt:
    drawn = draw(course, rng)
    answers = {}
    for index, item in enumerate(drawn):
        question = course.question(item.question_id)
        assert question is not None  # noqa: S101 - drawn from this course
        wrong = [o.id for o in question.options if not o.correct]
        good = index < round(right * len(drawn)) or not wrong
        answers[item.question_id] = question.correct_ids if good else frozenset(wrong[:1])
    result = score(course, drawn, answers)
    attempt = new_attempt(person, user, course, drawn, started_at=_at(day, 10))
    attempt.state = "passed" if result.passed else "failed"
    attempt.submitted_at = _at(day, 10) + timedelta(minutes=12)
    attempt.correct, attempt.total, attempt.percent = result.correct, result.total, result.percent
    db.session.add(attempt)
    for offset, outcome in enumerate(result.results):
        db.session.add(
            QuizAnswer(
                attempt=attempt,
                question_id=outcome.question_id,
                selected=sorted(outcome.selected),
                correct=outcome.correct,
                answered_at=_at(day, 10) + timedelta(minutes=offset + 1),
            )
        )
    db.session.flush()
    return attempt
