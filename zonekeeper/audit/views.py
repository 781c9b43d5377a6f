"""The audit trail for the safety director: filter by person, action, dates; CSV."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from sqlalchemy import or_, select

from ..choices import options
from ..csv_export import csv_response
from ..date_range import InvalidDateRange
from ..extensions import db
from ..people.models import Person
from .forms import AuditFilterForm
from .models import AuditEvent

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE_SIZE = 100


def _filtered(form: AuditFilterForm):  # type: ignore[no-untyped-def]
    query = select(AuditEvent).order_by(AuditEvent.seq.desc())
    if form.person_id.data:
        from ..auth.models import User

        account_ids = select(User.id).where(User.person_id == form.person_id.data)
        query = query.where(
            or_(
                AuditEvent.person_id == form.person_id.data,
                AuditEvent.actor_user_id.in_(account_ids),
            )
        )
    if form.action.data:
        query = query.where(AuditEvent.action == form.action.data)
    if form.date_from.data:
        start = datetime.combine(form.date_from.data, time.min, tzinfo=UTC)
        query = query.where(AuditEvent.occurred_at >= start)
    if form.date_to.data:
        end = datetime.combine(form.date_to.data + timedelta(days=1), time.min, tzinfo=UTC)
        query = query.where(AuditEvent.occurred_at < end)
    return query


def _form() -> AuditFilterForm:
    form = AuditFilterForm(request.args, meta={"csrf": False})
    people = db.session.scalars(
        select(Person).where(Person.kind == "staff").order_by(Person.family_name, Person.given_name)
    )
    form.person_id.choices = options(
        [(0, "Anyone")] + [(p.id, f"{p.family_name}, {p.given_name}") for p in people]
    )
    actions = db.session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action))
    form.action.choices = options([("", "Any action")] + [(a, a) for a in actions])
    return form


@bp.route("/")
def events() -> ResponseReturnValue:
    form = _form()
    if request.args and not form.validate():
        return render_template(
            "audit/events.html", form=form, events=[], truncated=False, export_args={}
        ), 400
    rows = db.session.scalars(_filtered(form).limit(PAGE_SIZE + 1)).all()
    return render_template(
        "audit/events.html",
        form=form,
        events=rows[:PAGE_SIZE],
        truncated=len(rows) > PAGE_SIZE,
        export_args=_filter_args(),
    )


def _filter_args() -> dict[str, str]:
    """Only the filter's own fields go into the export link."""
    return {k: v for k, v in request.args.items() if k in AuditFilterForm.FIELDS and v}


@bp.route("/export.csv")
def export_csv() -> ResponseReturnValue:
    form = _form()
    if not form.validate():
        if set(form.errors) <= {"date_from", "date_to"}:
            raise InvalidDateRange(form)  # the dates again, with the message at the field
        problems = "; ".join(f"{name}: {', '.join(errs)}" for name, errs in form.errors.items())
        return jsonify(error="invalid_filter", message=problems), 400
    events = db.session.scalars(_filtered(form).order_by(None).order_by(AuditEvent.seq))
    header = [
        "seq",
        "occurred_at_utc",
        "actor",
        "action",
        "target_type",
        "target_id",
        "person_id",
        "remote_addr",
        "summary",
        "before",
        "after",
        "row_hash",
    ]
    rows = (
        [
            e.seq,
            e.occurred_at.isoformat(),
            e.actor,
            e.action,
            e.target_type,
            e.target_id,
            e.person_id,
            e.remote_addr,
            e.summary,
            _json(e.before),
            _json(e.after),
            e.row_hash,
        ]
        for e in events
    )
    return csv_response("audit", header, rows)


def _json(value: object) -> str:
    return "" if value is None else json.dumps(value, sort_keys=True)
