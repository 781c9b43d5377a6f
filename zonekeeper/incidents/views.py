"""Incident and near-miss reporting (anyone signed in) and review (MRSO, safety director)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import ROSTER_WRITERS
from ..choices import options
from ..clock import site_time, site_to_utc, site_today
from ..csv_export import csv_response
from ..date_range import rows_in_range
from ..extensions import db
from ..people.models import Person
from ..people.search import active_staff, picker_label
from ..policy_store import current_policy
from ..site.models import Room, Scanner
from .forms import IncidentForm, IncidentReviewForm
from .models import CATEGORIES, SEVERITIES, Incident
from .services import IncidentError, report_incident, review_incident

bp = Blueprint("incidents", __name__, url_prefix="/incidents")
REVIEWERS = (
    ROSTER_WRITERS  # the MRSO and the safety director review incidents and see patient details
)


def _visible(incident: Incident) -> bool:
    return current_user.role in REVIEWERS or incident.reported_by_user_id == current_user.id


@bp.route("/")
def index() -> ResponseReturnValue:
    query = select(Incident).order_by(Incident.reported_at.desc())
    if current_user.role not in REVIEWERS:
        query = query.where(Incident.reported_by_user_id == current_user.id)
    return render_template(
        "incidents/index.html",
        incidents=db.session.scalars(query).all(),
        categories=CATEGORIES,
        severities=SEVERITIES,
        reviewer=current_user.role in REVIEWERS,
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    policy = current_policy()
    form = IncidentForm()
    form.zone.choices = options([("", "Choose…")] + [(z.id, z.name) for z in policy.zones])
    form.room_id.choices = options(
        [(0, "—")] + [(r.id, r.name) for r in db.session.scalars(select(Room).order_by(Room.name))]
    )
    form.scanner_id.choices = options(
        [(0, "—")]
        + [(s.id, s.name) for s in db.session.scalars(select(Scanner).order_by(Scanner.name))]
    )
    # the picker searches as you type (never a list of the whole roster); the choices are
    # the people chosen so far, so an id that is not an active staff member is refused
    chosen = active_staff(request.form.getlist(form.staff_person_ids.name))
    form.staff_person_ids.choices = options((p.id, picker_label(p)) for p in chosen)
    if form.validate_on_submit():
        try:
            incident = report_incident(
                occurred_at=site_to_utc(form.occurred_at.data),
                zone=form.zone.data,
                room_id=form.room_id.data or None,
                scanner_id=form.scanner_id.data or None,
                category=form.category.data,
                severity=form.severity.data,
                description=form.description.data,
                immediate_actions=form.immediate_actions.data or "",
                patient_mrn=form.patient_mrn.data,
                staff_person_ids=list(form.staff_person_ids.data or []),
                device_involved=form.device_involved.data,
                device_description=form.device_description.data or "",
                policy=policy,
                today=site_today(),
            )
        except IncidentError as exc:
            target = form.device_description if "device" in str(exc).lower() else form.occurred_at
            target.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Thank you. The report has reached the MRSO and the safety director.", "info")
            return redirect(url_for("incidents.incident", incident_id=incident.id))
    return render_template("incidents/new.html", form=form), (400 if form.errors else 200)


@bp.route("/<int:incident_id>", methods=["GET", "POST"])
def incident(incident_id: int) -> ResponseReturnValue:
    record = db.session.get(Incident, incident_id) or abort(404)
    if not _visible(record):
        abort(403)
    form = IncidentReviewForm(obj=record if request.method == "GET" else None)
    if request.method == "POST":
        if current_user.role not in REVIEWERS:
            abort(403)
        if form.validate_on_submit():
            try:
                review_incident(
                    record,
                    root_cause=form.root_cause.data or "",
                    review_notes=form.review_notes.data or "",
                    monthly_review_on=form.monthly_review_on.data,
                    close=form.close.data,
                )
            except IncidentError as exc:
                form.close.errors.append(str(exc))
            else:
                db.session.commit()
                flash("Review saved.", "info")
                return redirect(url_for("incidents.incident", incident_id=record.id))
    staff = db.session.scalars(
        select(Person).where(Person.id.in_(record.staff_person_ids or []))
    ).all()
    from ..actions.models import CorrectiveAction

    actions = db.session.scalars(
        select(CorrectiveAction).where(CorrectiveAction.incident_id == record.id)
    ).all()
    return render_template(
        "incidents/incident.html",
        incident=record,
        form=form,
        staff=staff,
        actions=actions,
        categories=CATEGORIES,
        severities=SEVERITIES,
        reviewer=current_user.role in REVIEWERS,
        occurred=site_time(record.occurred_at),
    ), (400 if form.errors else 200)


@bp.route("/export.csv")
def export_csv() -> ResponseReturnValue:
    query = rows_in_range(select(Incident).order_by(Incident.occurred_at), Incident.occurred_at)
    # no patient identifiers in the export: it travels by e-mail to committees
    header = [
        "id",
        "occurred_at_utc",
        "reported_at_utc",
        "report_delay_hours",
        "late_report",
        "zone",
        "room",
        "scanner",
        "category",
        "severity",
        "device_involved",
        "status",
        "root_cause",
        "monthly_review_on",
    ]
    rows = (
        [
            i.id,
            i.occurred_at.isoformat(),
            i.reported_at.isoformat(),
            round(i.report_delay_minutes / 60, 1),
            "yes" if i.late_report else "no",
            i.zone,
            i.room.name if i.room else "",
            i.scanner.name if i.scanner else "",
            i.category,
            i.severity,
            "yes" if i.device_involved else "no",
            i.status,
            i.root_cause,
            i.monthly_review_on.isoformat() if i.monthly_review_on else "",
        ]
        for i in db.session.scalars(query)
    )
    return csv_response("incidents", header, rows)
