"""The MRSO's training page: co-signatures, assignments, overdue and lapsing people,
per-question statistics and reminders."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from ..auth.models import User
from ..choices import options
from ..clock import site_today
from ..extensions import db
from ..people.models import Person
from ..policy_store import current_policy
from .forms import AssignForm, EmptyForm, ReminderForm
from .models import QuizAttempt
from .oversight import (
    OversightError,
    assign_course,
    assignees,
    lapsing_lists,
    overdue_assignments,
    question_statistics,
    send_reminder,
    staff_standings,
)
from .quiz import QuizError
from .services import cosign_attempt, course_or_none, current_courses

bp = Blueprint("training_admin", __name__, url_prefix="/training/manage")


def _actor() -> User:
    return db.session.get(User, current_user.id)  # type: ignore[no-any-return]


def _assign_form() -> AssignForm:
    policy, today = current_policy(), site_today()
    form = AssignForm()
    form.course_id.choices = options((c.id, c.title) for c in current_courses().values())
    standings = staff_standings(policy, today)
    jobs = sorted({s.person.job_title for s in standings if s.person.job_title})
    form.target.choices = options(
        [(f"level:{lv.id}", f"Everyone who is {lv.name} today") for lv in policy.levels]
        + [(f"job:{job}", f"Everyone whose job is {job}") for job in jobs]
        + [(f"person:{s.person.id}", s.person.display_name) for s in standings]
    )
    return form


@bp.route("/", methods=["GET", "POST"])
def index() -> ResponseReturnValue:
    policy, today = current_policy(), site_today()
    form = _assign_form()
    if form.validate_on_submit():
        try:
            people = assignees(form.target.data, policy, today)
            assign_course(
                people, form.course_id.data, form.due_on.data, form.note.data or "", _actor(), today
            )
        except OversightError as exc:
            form.due_on.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"Assigned to {len(people)} person(s).", "info")
            return redirect(url_for(".index"))
    waiting = db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.state == "awaiting_cosign")
        .order_by(QuizAttempt.submitted_at)
    ).all()
    stats = question_statistics()
    questions = {q.id: q for c in current_courses().values() for q in c.questions}
    return render_template(
        "training/manage.html",
        form=form,
        waiting=waiting,
        lists=lapsing_lists(policy, today),
        overdue=overdue_assignments(today),
        stats=stats[:20],
        questions=questions,
        confirm=EmptyForm(),
        reminder=ReminderForm(),
        today=today,
    ), (400 if form.errors else 200)


@bp.route("/attempts/<int:attempt_id>/cosign", methods=["POST"])
def cosign(attempt_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    attempt = db.session.get(QuizAttempt, attempt_id) or abort(404)
    try:
        cosign_attempt(attempt, _actor(), policy=current_policy(), today=site_today())
    except QuizError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        course = course_or_none(attempt.course_id)
        flash(
            f"Co-signed: {attempt.person.display_name}'s "
            f"{course.title if course else attempt.course_id} now counts.",
            "info",
        )
    return redirect(url_for(".index"))


@bp.route("/people/<int:person_id>/remind", methods=["POST"])
def remind(person_id: int) -> ResponseReturnValue:
    form = ReminderForm()
    person = db.session.get(Person, person_id)
    if person is None or person.kind != "staff":
        abort(404)
    if not form.validate_on_submit():
        flash("Write the reminder (at most 1000 characters).", "error")
        return redirect(url_for(".index"))
    try:
        sent = send_reminder(person, form.message.data, _actor())
    except OversightError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        how = " and by e-mail" if sent.emailed_to else " (on their training page)"
        flash(f"Reminder sent to {person.display_name}{how}.", "info")
    return redirect(request.referrer or url_for(".index"))
