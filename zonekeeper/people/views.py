"""The personnel and training roster (MRSO and safety director write; staff read)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.access import ROSTER_WRITERS
from ..auth.models import User
from ..badges.forms import BadgeIssueForm, BadgeReissueForm, BadgeRevokeForm
from ..badges.services import current_badge
from ..choices import options
from ..clock import site_today
from ..csv_export import csv_response
from ..extensions import db
from ..policy_store import current_policy
from .forms import (
    DesignationEndForm,
    DesignationForm,
    PersonForm,
    RosterFilterForm,
    RosterImportForm,
    ScreeningForm,
    TrainingForm,
    VoidTrainingForm,
)
from .models import Designation, Person, TrainingRecord
from .roster import (
    RosterError,
    create_person,
    end_designation,
    grant_designation,
    record_screening,
    record_training,
    void_training,
)
from .roster_csv import EXPORT_HEADER, export_rows, import_roster
from .search import matching
from .services import person_standing

bp = Blueprint("people", __name__, url_prefix="/people")

WITH_RECORDS = (
    selectinload(Person.trainings),
    selectinload(Person.screenings),
    selectinload(Person.designations),
)


def _level_names() -> dict[str, str]:
    return {level.id: level.name for level in current_policy().levels}


def _person_or_404(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None or person.kind == "patient":  # patients live in screening, not the roster
        abort(404)
    return person


def _record_of_person_or_404(model, record_id: int, person: Person):  # type: ignore[no-untyped-def]
    """A training, designation ... by id, only if it belongs to this person."""
    found = db.session.get(model, record_id)
    if found is None or found.person_id != person.id:
        abort(404)
    return found


def _roster_people(form: RosterFilterForm) -> list[Person]:
    query = select(Person).where(Person.kind != "patient").options(*WITH_RECORDS)
    if form.kind.data:
        query = query.where(Person.kind == form.kind.data)
    if form.q.data:
        query = matching(query, form.q.data)
    return list(db.session.scalars(query.order_by(Person.family_name, Person.given_name)))


def _filter_form() -> RosterFilterForm:
    policy = current_policy()
    form = RosterFilterForm(request.args, meta={"csrf": False})
    form.level.choices = options(
        [("", "Any")] + [(lv.id, lv.name) for lv in reversed(policy.levels)]
    )
    form.designation.choices = options(
        [("", "Any")] + [(d.id, d.name) for d in policy.designations]
    )
    return form


@bp.route("/")
def roster() -> ResponseReturnValue:
    form = _filter_form()
    valid = form.validate() if request.args else True
    policy, today = current_policy(), site_today()
    rows = []
    for person in _roster_people(form) if valid else []:
        standing = person_standing(person, today, policy)
        if form.level.data and standing.level.level != form.level.data:
            continue
        if form.designation.data and form.designation.data not in standing.designations:
            continue
        if form.status.data == "lapsed" and not standing.level.lapsed:
            continue
        if form.status.data == "expiring" and not standing.lapses_within(30, today):
            continue
        rows.append(standing)
    return render_template(
        "people/roster.html",
        form=form,
        rows=rows,
        today=today,
        level_names=_level_names(),
        can_write=current_user.role in ROSTER_WRITERS,
        export_args={k: v for k, v in request.args.items() if k in RosterFilterForm.FIELDS and v},
    ), (200 if valid else 400)


@bp.route("/export.csv")
def export_csv() -> ResponseReturnValue:
    form = _filter_form()
    if request.args and not form.validate():
        abort(400)
    people = _roster_people(form)
    return csv_response(
        "roster", EXPORT_HEADER, export_rows(people, current_policy(), site_today())
    )


@bp.route("/new", methods=["GET", "POST"])
def person_new() -> ResponseReturnValue:
    form = PersonForm()
    if form.validate_on_submit():
        try:
            person = create_person(
                kind=form.kind.data,
                given_name=form.given_name.data.strip(),
                family_name=form.family_name.data.strip(),
                staff_number=form.staff_number.data,
                job_title=form.job_title.data or "",
                organisation=form.organisation.data or "",
            )
        except RosterError as exc:
            form.staff_number.errors.append(str(exc))
        else:
            db.session.commit()
            flash(f"{person.display_name} added to the roster.", "info")
            return redirect(url_for("people.person", person_id=person.id))
    return render_template("people/person_new.html", form=form), (400 if form.errors else 200)


@bp.route("/<int:person_id>")
def person(person_id: int) -> ResponseReturnValue:
    record = _person_or_404(person_id)
    policy, today = current_policy(), site_today()
    return render_template(
        "people/person.html",
        person=record,
        standing=person_standing(record, today, policy),
        policy=policy,
        today=today,
        level_names=_level_names(),
        can_write=current_user.role in ROSTER_WRITERS,
        account=db.session.scalar(select(User).where(User.person_id == record.id)),
        end_form=DesignationEndForm(),
        void_form=VoidTrainingForm(),
        badge=current_badge(record),
        badge_forms=badge_forms(today),
        trainings=sorted(
            record.trainings, key=lambda t: (t.completed_on, t.recorded_at), reverse=True
        ),
        screenings=sorted(
            record.screenings, key=lambda s: (s.screened_on, s.recorded_at), reverse=True
        ),
    )


def badge_forms(today: date) -> dict[str, object]:
    issue = BadgeIssueForm(data={"valid_from": today, "valid_until": today + timedelta(days=365)})
    reissue = BadgeReissueForm(data={"valid_until": today + timedelta(days=365)})
    return {"issue": issue, "reissue": reissue, "revoke": BadgeRevokeForm()}


def _approver_choices() -> list[tuple[int, str]]:
    policy, today = current_policy(), site_today()
    staff = db.session.scalars(
        select(Person)
        .where(Person.kind == "staff", Person.active.is_(True))
        .options(*WITH_RECORDS)
        .order_by(Person.family_name)
    )
    choices = [(0, "Choose…")]
    for candidate in staff:
        standing = person_standing(candidate, today, policy)
        if standing.level.level == "level_2" or {"mrso", "mrmd"} & set(standing.designations):
            roles = ", ".join(
                d.upper() for d in standing.designations if d in ("mrso", "mrmd", "mrse")
            )
            choices.append(
                (
                    candidate.id,
                    f"{candidate.family_name}, {candidate.given_name}"
                    + (f" ({roles})" if roles else ""),
                )
            )
    return choices


@bp.route("/<int:person_id>/trainings/new", methods=["GET", "POST"])
def training_new(person_id: int) -> ResponseReturnValue:
    record = _person_or_404(person_id)
    policy = current_policy()
    form = TrainingForm()
    form.level.choices = options((lv.id, lv.name) for lv in reversed(policy.levels) if lv.rank > 0)
    form.approver_id.choices = options(_approver_choices())
    if request.method == "GET" and current_user.person_id:
        form.approver_id.data = current_user.person_id
    if form.validate_on_submit():
        try:
            record_training(
                record,
                completed_on=form.completed_on.data,
                level=form.level.data,
                course=form.course.data,
                course_version=form.course_version.data,
                approver_id=form.approver_id.data or None,
                evidence=form.evidence.data,
                policy=policy,
                today=site_today(),
            )
        except RosterError as exc:
            form.completed_on.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Training recorded.", "info")
            return redirect(url_for("people.person", person_id=record.id))
    return render_template("people/training_new.html", form=form, person=record), (
        400 if form.errors else 200
    )


@bp.route("/<int:person_id>/trainings/<int:training_id>/void", methods=["POST"])
def training_void(person_id: int, training_id: int) -> ResponseReturnValue:
    record = _person_or_404(person_id)
    training = _record_of_person_or_404(TrainingRecord, training_id, record)
    form = VoidTrainingForm()
    if not form.validate_on_submit():
        flash("Say why this training record is wrong (at least 5 characters).", "error")
    else:
        try:
            void_training(training, form.reason.data)
        except RosterError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Training record voided; it no longer counts.", "info")
    return redirect(url_for("people.person", person_id=record.id))


@bp.route("/<int:person_id>/screenings/new", methods=["GET", "POST"])
def screening_new(person_id: int) -> ResponseReturnValue:
    record = _person_or_404(person_id)
    form = ScreeningForm()
    if form.validate_on_submit():
        try:
            record_screening(
                record,
                screened_on=form.screened_on.data,
                cleared=form.cleared.data == "yes",
                reason=form.reason.data,
                valid_until=form.valid_until.data,
                today=site_today(),
            )
        except RosterError as exc:
            form.screened_on.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Screening recorded.", "info")
            return redirect(url_for("people.person", person_id=record.id))
    return render_template("people/screening_new.html", form=form, person=record), (
        400 if form.errors else 200
    )


@bp.route("/<int:person_id>/designations/new", methods=["GET", "POST"])
def designation_new(person_id: int) -> ResponseReturnValue:
    record = _person_or_404(person_id)
    policy = current_policy()
    form = DesignationForm()
    form.role.choices = options((d.id, d.name) for d in policy.designations)
    if request.method == "GET":
        form.granted_on.data = site_today()
    if form.validate_on_submit():
        standing = person_standing(record, site_today(), policy)
        spec = next(d for d in policy.designations if d.id == form.role.data)
        if standing.level.level != spec.requires_level:
            form.role.errors.append(
                f"{spec.name} requires current {_level_names()[spec.requires_level]} training; "
                f"{record.display_name} is {_level_names()[standing.level.level]} today."
            )
        else:
            try:
                grant_designation(
                    record,
                    role=form.role.data,
                    granted_on=form.granted_on.data,
                    in_charge=form.in_charge.data,
                    policy=policy,
                    today=site_today(),
                )
            except RosterError as exc:
                form.role.errors.append(str(exc))
            else:
                db.session.commit()
                flash("Designation recorded.", "info")
                return redirect(url_for("people.person", person_id=record.id))
    return render_template("people/designation_new.html", form=form, person=record), (
        400 if form.errors else 200
    )


@bp.route("/<int:person_id>/designations/<int:designation_id>/end", methods=["POST"])
def designation_end(person_id: int, designation_id: int) -> ResponseReturnValue:
    record = _person_or_404(person_id)
    designation = _record_of_person_or_404(Designation, designation_id, record)
    form = DesignationEndForm()
    if not form.validate_on_submit():
        flash("Choose the date the designation ends.", "error")
        return redirect(url_for("people.person", person_id=record.id)), 303
    try:
        end_designation(designation, form.ended_on.data)
    except RosterError as exc:
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash("Designation ended.", "info")
    return redirect(url_for("people.person", person_id=record.id))


@bp.route("/import", methods=["GET", "POST"])
def import_csv() -> ResponseReturnValue:
    form = RosterImportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        result = import_roster(form.file.data.read(), current_policy(), site_today())
        if result.errors:
            db.session.rollback()
            errors = result.errors
        else:
            codes = _staff_accounts_for(result.people) if form.staff_accounts.data else []
            db.session.commit()
            flash(
                f"Imported: {result.people_added} people added, {result.people_updated} updated, "
                f"{result.trainings_added} trainings recorded"
                + (f", {len(codes)} staff accounts created." if form.staff_accounts.data else "."),
                "info",
            )
            if codes:
                page = render_template("training/account_codes.html", codes=codes)
                return page, 200, {"Cache-Control": "no-store"}
            return redirect(url_for("people.roster"))
    status = 400 if (form.errors or errors) else 200
    return render_template("people/import.html", form=form, errors=errors), status


def _staff_accounts_for(people: list[Person]) -> list[tuple[Person, User, str]]:
    """A staff account with a one-time code for each imported staff person without one."""
    from ..training.accounts import create_staff_account, suggested_username

    actor = db.session.get(User, current_user.id)
    db.session.flush()
    have = set(db.session.scalars(select(User.person_id).where(User.person_id.is_not(None))))
    made = []
    for person in dict.fromkeys(people):
        if person.kind == "staff" and person.active and person.id not in have:
            user, code = create_staff_account(person, suggested_username(person), "", actor)
            db.session.flush()
            made.append((person, user, code))
    return made
