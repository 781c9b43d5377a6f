"""A person's own training: their standing, courses, quizzes (one question per
screen, resumable), results with explanations, certificates and flash cards.

Every page is about the signed-in account's own person and nobody else's.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from ..auth.models import User
from ..clock import site_today
from ..extensions import db
from ..people.models import Person
from ..people.services import person_standing
from ..policy import PolicyError
from ..policy_store import current_policy
from .certificates import certificate_pdf as build_certificate_pdf
from .certificates import certificate_status
from .courses import Course
from .forms import EmptyForm
from .models import Certificate, QuizAttempt, TrainingReminder
from .oversight import assignments_of
from .quiz import QuizError
from .services import (
    answer_question,
    can_start_at,
    course_or_none,
    current_courses,
    drawn_of,
    may_take,
    open_attempt,
    start_attempt,
    submit_attempt,
)

bp = Blueprint("training", __name__, url_prefix="/training")


def _me() -> tuple[User, Person]:
    user = db.session.get(User, current_user.id)
    if user is None or user.person is None:
        abort(404)
    return user, user.person


def _courses_or_none() -> dict[str, Course] | None:
    try:
        return current_courses()
    except PolicyError:
        current_app.logger.exception("the training courses do not load")
        return None


def _my_attempt(attempt_id: int) -> tuple[User, QuizAttempt]:
    user, person = _me()
    # a POST changes the attempt: on PostgreSQL lock its row, so a double submit scores once
    # (SQLite's writes already take turns: every transaction begins IMMEDIATE)
    attempt = db.session.get(QuizAttempt, attempt_id, with_for_update=request.method == "POST")
    if attempt is None or attempt.person_id != person.id:
        abort(404)
    return user, attempt


def _course_of(attempt: QuizAttempt) -> Course:
    course = course_or_none(attempt.course_id)
    if course is None:
        abort(404)
    return course


def cosign_required(course: Course) -> bool:
    if course.requires_cosign is not None:
        return course.requires_cosign
    return course.grants_level == "level_2" and bool(current_app.config["TRAINING_LEVEL_2_COSIGN"])


@bp.route("/")
def home() -> ResponseReturnValue:
    user = db.session.get(User, current_user.id)
    if user is None or user.person is None:
        return render_template("training/no_person.html")
    person = user.person
    policy, today = current_policy(), site_today()
    courses = _courses_or_none()
    attempts = db.session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.person_id == person.id)
        .order_by(QuizAttempt.started_at.desc())
    ).all()
    certificates = db.session.scalars(
        select(Certificate)
        .where(Certificate.person_id == person.id)
        .order_by(Certificate.issued_at.desc())
    ).all()
    assignments = assignments_of(person.id)
    reminders = db.session.scalars(
        select(TrainingReminder)
        .where(TrainingReminder.person_id == person.id)
        .order_by(TrainingReminder.sent_at.desc())
        .limit(5)
    ).all()
    return render_template(
        "training/home.html",
        person=person,
        standing=person_standing(person, today, policy),
        level_names={level.id: level.name for level in policy.levels},
        today=today,
        courses=courses,
        wait={c.id: can_start_at(person, c) for c in (courses or {}).values()},
        open_attempts={c.id: open_attempt(person, c.id) for c in (courses or {}).values()},
        available={c.id for c in (courses or {}).values() if may_take(person, c)},
        attempts=attempts,
        certificates=certificates,
        assignments=assignments,
        reminders=reminders,
        form=EmptyForm(),
    )


@bp.route("/courses/<course_id>/start", methods=["POST"])
def start(course_id: str) -> ResponseReturnValue:
    user, person = _me()
    if not EmptyForm().validate_on_submit():
        abort(400)
    course = course_or_none(course_id)
    if course is None:
        abort(404)
    db.session.get(Person, person.id, with_for_update=True)  # one open attempt per person
    try:
        attempt = start_attempt(person, course, user)
    except QuizError as exc:
        flash(str(exc), "error")
        return redirect(url_for("training.home"))
    db.session.commit()
    first_open = next(
        (i for i, d in enumerate(drawn_of(attempt)) if d.question_id not in _answered(attempt)), 0
    )
    return redirect(url_for("training.question", attempt_id=attempt.id, number=first_open + 1))


def _answered(attempt: QuizAttempt) -> dict[str, list[str]]:
    return {a.question_id: a.selected for a in attempt.answers}


@bp.route("/attempts/<int:attempt_id>/questions/<int:number>", methods=["GET", "POST"])
def question(attempt_id: int, number: int) -> ResponseReturnValue:
    user, attempt = _my_attempt(attempt_id)
    if attempt.state != "in_progress":
        return redirect(url_for("training.attempt", attempt_id=attempt.id))
    course = _course_of(attempt)
    drawn = drawn_of(attempt)
    if not 1 <= number <= len(drawn):
        abort(404)
    item = drawn[number - 1]
    asked = course.question(item.question_id)
    if asked is None:
        abort(404)
    form, error, status = EmptyForm(), None, 200
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        selected = frozenset(request.form.getlist("answer"))
        try:
            answer_question(attempt, course, request.form.get("question_id", ""), selected, user)
        except QuizError as exc:
            db.session.rollback()
            error, status = str(exc), 400
        else:
            db.session.commit()
            if number < len(drawn):
                return redirect(url_for(".question", attempt_id=attempt.id, number=number + 1))
            return redirect(url_for(".review", attempt_id=attempt.id))
    by_id = {o.id: o for o in asked.options}
    return render_template(
        "training/question.html",
        attempt=attempt,
        course=course,
        number=number,
        count=len(drawn),
        question=asked,
        options=[by_id[o] for o in item.option_order if o in by_id],
        chosen=set(_answered(attempt).get(asked.id, [])),
        error=error,
        form=form,
    ), status


@bp.route("/attempts/<int:attempt_id>/review", methods=["GET", "POST"])
def review(attempt_id: int) -> ResponseReturnValue:
    """Before submitting: which questions are answered; then submit and score."""
    user, attempt = _my_attempt(attempt_id)
    if attempt.state != "in_progress":
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    course = _course_of(attempt)
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        try:
            submit_attempt(
                attempt,
                course,
                user,
                policy=current_policy(),
                today=site_today(),
                cosign_required=cosign_required(course),
            )
        except QuizError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            return redirect(url_for(".attempt", attempt_id=attempt.id))
    answered = _answered(attempt)
    return render_template(
        "training/review.html",
        attempt=attempt,
        course=course,
        drawn=drawn_of(attempt),
        answered=answered,
        form=form,
    )


@bp.route("/attempts/<int:attempt_id>")
def attempt(attempt_id: int) -> ResponseReturnValue:
    _, attempt = _my_attempt(attempt_id)
    if attempt.state == "in_progress":
        return redirect(url_for(".review", attempt_id=attempt.id))
    course = course_or_none(attempt.course_id)
    given = {a.question_id: a for a in attempt.answers}
    rows = [
        (given.get(d.question_id), course.question(d.question_id) if course else None)
        for d in drawn_of(attempt)
    ]
    certificate = db.session.scalar(select(Certificate).where(Certificate.attempt_id == attempt.id))
    return render_template(
        "training/result.html",
        attempt=attempt,
        course=course,
        rows=rows,
        certificate=certificate,
    )


@bp.route("/certificates/<int:certificate_id>.pdf")
def certificate_pdf(certificate_id: int) -> ResponseReturnValue:
    _, person = _me()
    certificate = db.session.get(Certificate, certificate_id)
    if certificate is None or certificate.person_id != person.id:
        abort(404)
    status = certificate_status(certificate, current_policy(), site_today())
    if status.status == "revoked":
        abort(410)
    course = course_or_none(certificate.attempt.course_id)
    url = url_for("public_training.verify", code=certificate.code, _external=True)
    pdf = build_certificate_pdf(
        certificate,
        status,
        course.title if course else certificate.attempt.course_id,
        current_app.config["SITE_NAME"],
        url,
    )
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="certificate-{certificate.id}.pdf"',
            "Cache-Control": "no-store",
        },
    )
