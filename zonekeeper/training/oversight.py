"""The MRSO's side of training: assignments, who is overdue or lapsing, per-question
statistics and reminders (on the person's page, and by e-mail when SMTP is set)."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage
from typing import Any

from flask import current_app
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..audit.services import record_event
from ..auth.models import User
from ..extensions import db
from ..people.models import Person
from ..people.services import PersonStanding, active_staff, person_standing
from ..policy import Policy
from .models import CourseAssignment, QuizAnswer, QuizAttempt, TrainingReminder


class OversightError(ValueError):
    """An assignment or reminder that cannot be made, with a message for the user."""


@dataclass(frozen=True)
class Lapsing:
    standing: PersonStanding
    days_left: int | None  # None: already lapsed / never trained


def staff_standings(policy: Policy, today: date) -> list[PersonStanding]:
    return [person_standing(p, today, policy) for p in active_staff()]


def lapsing_lists(policy: Policy, today: date) -> dict[str, list[Lapsing]]:
    """Lapsed (trained once, no longer current), and current but lapsing in 30 / 60 days."""
    out: dict[str, list[Lapsing]] = {"lapsed": [], "30": [], "60": []}
    for standing in staff_standings(policy, today):
        level = standing.level
        if level.lapsed:
            out["lapsed"].append(Lapsing(standing, None))
        elif level.current_until is not None and level.level != "non_mr":
            left = (level.current_until - today).days
            if left < 30:
                out["30"].append(Lapsing(standing, left))
            elif left < 60:
                out["60"].append(Lapsing(standing, left))
    for key in ("30", "60"):  # soonest to lapse first
        out[key].sort(key=lambda lapsing: lapsing.days_left or 0)
    return out


def assignees(target: str, policy: Policy, today: date) -> list[Person]:
    """``person:<id>``, ``level:<level id>`` (level today) or ``job:<job title>``."""
    kind, _, value = target.partition(":")
    standings = staff_standings(policy, today)
    if kind == "person" and value.isdigit():
        chosen = [s.person for s in standings if s.person.id == int(value)]
    elif kind == "level":
        chosen = [s.person for s in standings if s.level.level == value]
    elif kind == "job":
        chosen = [s.person for s in standings if s.person.job_title == value]
    else:
        raise OversightError("Choose a person, a level or a job.")
    if not chosen:
        raise OversightError("Nobody on the roster matches.")
    return chosen


def assign_course(
    people: list[Person], course_id: str, due_on: date, note: str, actor: User, today: date
) -> list[CourseAssignment]:
    if due_on < today:
        raise OversightError("The due date is in the past.")
    made = []
    for person in people:
        assignment = CourseAssignment(
            person_id=person.id,
            course_id=course_id,
            due_on=due_on,
            note=note.strip(),
            assigned_by_user_id=actor.id,
        )
        db.session.add(assignment)
        made.append(assignment)
    db.session.flush()
    record_event(
        "training.assign",
        f"Assigned {course_id} to {len(made)} person(s), due {due_on}",
        actor=(actor.id, actor.username),
        after={"course": course_id, "due_on": due_on.isoformat(), "people": len(made)},
    )
    return made


def _passed_since_assigned() -> Any:
    """Whether the person passed the assigned course after it was assigned (correlated)."""
    return (
        select(QuizAttempt.id)
        .where(
            QuizAttempt.person_id == CourseAssignment.person_id,
            QuizAttempt.course_id == CourseAssignment.course_id,
            QuizAttempt.state == "passed",
            QuizAttempt.submitted_at >= CourseAssignment.assigned_at,
        )
        .exists()
    )


def overdue_assignments(today: date) -> list[CourseAssignment]:
    """Assignments past their due date with no pass of that course since they were made."""
    return list(
        db.session.scalars(
            select(CourseAssignment)
            .where(CourseAssignment.due_on < today, ~_passed_since_assigned())
            .options(selectinload(CourseAssignment.person))
            .order_by(CourseAssignment.due_on)
        )
    )


def assignments_of(person_id: int) -> list[tuple[CourseAssignment, bool]]:
    """A person's assignments, soonest due first, each with whether it is done (passed
    since it was assigned): a done assignment is never shown as overdue."""
    rows = db.session.execute(
        select(CourseAssignment, _passed_since_assigned().label("done"))
        .where(CourseAssignment.person_id == person_id)
        .order_by(CourseAssignment.due_on)
    ).all()
    return [(assignment, bool(done)) for assignment, done in rows]


def question_statistics() -> list[dict[str, Any]]:
    """Per question: how often answered and the share right, most missed first."""
    rows = db.session.execute(
        select(
            QuizAnswer.question_id,
            func.count(),
            func.sum(case((QuizAnswer.correct.is_(True), 1), else_=0)),
        )
        .where(QuizAnswer.correct.is_not(None))
        .group_by(QuizAnswer.question_id)
    ).all()
    stats = [
        {"question_id": qid, "answered": n, "percent_correct": round(100 * (right or 0) / n, 1)}
        for qid, n, right in rows
    ]
    return sorted(stats, key=lambda s: (s["percent_correct"], -s["answered"]))


def send_reminder(person: Person, message: str, actor: User) -> TrainingReminder:
    """Shown on the person's training page; e-mailed too when SMTP and an address exist."""
    if not message.strip():
        raise OversightError("Write the reminder.")
    account = db.session.scalar(select(User).where(User.person_id == person.id))
    address = account.email if account is not None and account.email else ""
    emailed = ""
    if address and current_app.config["SMTP_HOST"]:
        try:
            _send_email(address, "MR safety training reminder", message.strip())
            emailed = address
        except (smtplib.SMTPException, OSError) as exc:  # the page reminder still stands
            current_app.logger.warning("training reminder e-mail failed: %s", type(exc).__name__)
    reminder = TrainingReminder(
        person_id=person.id, message=message.strip(), sent_by_user_id=actor.id, emailed_to=emailed
    )
    db.session.add(reminder)
    record_event(
        "training.remind",
        f"Training reminder to person #{person.id}" + (" (e-mailed)" if emailed else ""),
        target=reminder,
        person_id=person.id,
        actor=(actor.id, actor.username),
    )
    return reminder


def _send_email(to: str, subject: str, body: str) -> None:
    config = current_app.config
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = config["SMTP_FROM"], to, subject
    message.set_content(body)
    with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=10) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
        smtp.send_message(message)


def training_waiting(today: date) -> dict[str, int]:
    """What waits on the MRSO's Training page: co-signatures and overdue assignments."""
    cosign = db.session.scalar(
        select(func.count()).select_from(QuizAttempt).where(QuizAttempt.state == "awaiting_cosign")
    )
    return {"cosign": cosign or 0, "overdue": len(overdue_assignments(today))}
