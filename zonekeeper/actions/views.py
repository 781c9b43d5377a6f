"""Corrective actions: list, open by hand, update, close with a note, export."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import ROSTER_WRITERS
from ..choices import options
from ..clock import site_today
from ..csv_export import csv_response
from ..date_range import rows_in_range
from ..extensions import db
from ..incidents.models import Incident
from ..inputs import database_id
from ..people.models import Person
from ..policy_store import current_policy
from .forms import ActionForm, ActionUpdateForm
from .links import source_audit
from .models import CorrectiveAction
from .services import (
    ActionError,
    ReassignError,
    action_history,
    due_date,
    open_action,
    update_action,
)

bp = Blueprint("actions", __name__, url_prefix="/actions")


def _staff_choices() -> list:  # type: ignore[type-arg]
    staff = db.session.scalars(
        select(Person)
        .where(Person.kind == "staff", Person.active.is_(True))
        .order_by(Person.family_name, Person.given_name)
    )
    return options([(0, "Choose…")] + [(p.id, f"{p.family_name}, {p.given_name}") for p in staff])


def _may_update(action: CorrectiveAction) -> bool:
    return current_user.role in ROSTER_WRITERS or current_user.person_id == action.owner_person_id


@bp.route("/")
def index() -> ResponseReturnValue:
    show = request.args.get("show", "open")
    if show not in ("open", "overdue", "closed", "all"):
        abort(400)
    today = site_today()
    query = select(CorrectiveAction).order_by(CorrectiveAction.due_on, CorrectiveAction.id)
    if show in ("open", "overdue"):
        query = query.where(CorrectiveAction.status != "closed")
    if show == "overdue":
        query = query.where(CorrectiveAction.due_on < today)
    if show == "closed":
        query = query.where(CorrectiveAction.status == "closed")
    return render_template(
        "actions/index.html",
        actions=db.session.scalars(query).all(),
        show=show,
        today=today,
        can_open=current_user.role in ROSTER_WRITERS,
    )


@bp.route("/new", methods=["GET", "POST"])
def new() -> ResponseReturnValue:
    form = ActionForm()
    form.owner_person_id.choices = _staff_choices()
    incident_id = request.args.get("incident_id", type=database_id)
    if request.args.get("incident_id") and (
        incident_id is None or db.session.get(Incident, incident_id) is None
    ):
        abort(404)
    if form.validate_on_submit():
        policy, today = current_policy(), site_today()
        try:
            action = open_action(
                title=form.title.data,
                detail=form.detail.data or "",
                severity=form.severity.data,
                source="manual",
                owner=db.session.get(Person, form.owner_person_id.data),
                due_on=form.due_on.data or due_date(form.severity.data, today, policy),
                incident_id=incident_id,
            )
        except ActionError as exc:
            form.owner_person_id.errors.append(str(exc))
        else:
            db.session.commit()
            flash("Corrective action opened.", "info")
            return redirect(url_for("actions.action", action_id=action.id))
    return render_template("actions/new.html", form=form), (400 if form.errors else 200)


@bp.route("/<int:action_id>", methods=["GET", "POST"])
def action(action_id: int) -> ResponseReturnValue:
    locking = request.method == "POST"
    record = db.session.get(CorrectiveAction, action_id, with_for_update=locking) or abort(404)
    form = ActionUpdateForm(obj=record if request.method == "GET" else None)
    form.owner_person_id.choices = _staff_choices()
    if request.method == "POST":
        if not _may_update(record):
            abort(403)
        if form.validate_on_submit():
            try:
                update_action(
                    record,
                    actor=current_user,
                    status=form.status.data,
                    note=form.note.data or "",
                    owner_id=form.owner_person_id.data,
                    due_on=form.due_on.data,
                )
            except ReassignError as exc:
                form.owner_person_id.errors.append(str(exc))
            except ActionError as exc:
                form.note.errors.append(str(exc))
            else:
                db.session.commit()
                flash("Action updated.", "info")
                return redirect(url_for("actions.action", action_id=record.id))
    return render_template(
        "actions/action.html",
        action=record,
        form=form,
        today=site_today(),
        can_update=_may_update(record),
        history=action_history(record),
        source_audit=source_audit(record),
    ), (400 if form.errors else 200)


@bp.route("/export.csv")
def export_csv() -> ResponseReturnValue:
    query = rows_in_range(
        select(CorrectiveAction).order_by(CorrectiveAction.created_at), CorrectiveAction.created_at
    )
    today = site_today()
    header = [
        "id",
        "opened_at_utc",
        "title",
        "severity",
        "source",
        "owner",
        "due_on",
        "status",
        "overdue",
        "closed_at_utc",
        "closing_note",
        "audit_item_id",
        "incident_id",
    ]
    rows = (
        [
            a.id,
            a.created_at.isoformat(),
            a.title,
            a.severity,
            a.source,
            a.owner.display_name,
            a.due_on.isoformat(),
            a.status,
            "yes" if a.overdue_on(today) else "no",
            a.closed_at.isoformat() if a.closed_at else "",
            a.closing_note,
            a.audit_item_id,
            a.incident_id,
        ]
        for a in db.session.scalars(query)
    )
    return csv_response("actions", header, rows)
