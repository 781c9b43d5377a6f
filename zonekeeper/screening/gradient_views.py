"""The spatial gradient sign-off on the screening page: its form, its POSTs, its panel.

Registered on the screening blueprint (``screening.gradient_signoff``,
``screening.void_gradient_signoff``); the panel's context comes from the template
global ``gradient_panel(screening, decision)``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..choices import options
from ..clock import site_today
from ..extensions import db
from ..policy_store import current_policy
from ..site.models import Scanner
from .authorization import may_take
from .forms import VoidSignoffForm
from .gradient_signoffs import (
    STEP,
    UNITS,
    gradient_signoffs,
    record_gradient_signoff,
    requested_gradient_signoffs,
    void_gradient_signoff,
)
from .models import Screening
from .services import ScreeningError

ANCHOR = "#gradient-signoffs"


class GradientSignoffForm(FlaskForm):
    implant = IntegerField(validators=[InputRequired()])
    scanner_id = IntegerField(validators=[InputRequired()])
    value = StringField(
        "Spatial gradient at the implant's position",
        validators=[InputRequired("Give the value."), Length(max=40)],
    )
    unit = SelectField("Unit", choices=options((u, u) for u in UNITS), default="T/m")
    position = StringField(
        "Where it applies",
        validators=[InputRequired("Say where the value applies."), Length(max=200)],
    )
    source = StringField(
        "Source (document and page, or measurement)",
        validators=[InputRequired("Name the source of the value."), Length(max=300)],
    )
    basis = TextAreaField(
        "Basis of the sign-off",
        validators=[InputRequired("State the basis of the sign-off."), Length(min=10, max=2000)],
    )


def gradient_panel(screening: Screening, decision: dict[str, Any] | None) -> dict[str, Any]:
    """What the panel shows: the requests with a form each, and the recorded sign-offs."""
    scanners = {s.name: s.id for s in db.session.scalars(db.select(Scanner))}
    requests = [
        r for r in requested_gradient_signoffs(screening, decision) if r.scanner in scanners
    ]
    return {
        "requests": requests,
        "scanner_ids": scanners,
        "form": GradientSignoffForm(formdata=None),
        "void_form": VoidSignoffForm(formdata=None),
        "may_sign": bool(requests) and may_take(STEP, current_user, site_today(), current_policy()),
        "rows": gradient_signoffs(screening) if screening.lineage else [],
        "open": not screening.superseded and not screening.signed,
    }


def _back(screening_id: int) -> Response:
    return redirect(url_for("screening.screening", screening_id=screening_id) + ANCHOR)


def _load(screening_id: int) -> Screening:
    return db.session.get(Screening, screening_id, with_for_update=True) or abort(404)


def gradient_signoff(screening_id: int) -> ResponseReturnValue:
    """An MRSE or Level 2 MR physician records the value; a refusal changes nothing."""
    form = GradientSignoffForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        errors = " ".join(e for field_errors in form.errors.values() for e in field_errors)
        flash(f"Spatial gradient sign-off refused: {errors}", "error")
        return _back(screening_id)
    record = _load(screening_id)
    try:
        record_gradient_signoff(
            record,
            implant_index=form.implant.data or 0,
            scanner_id=form.scanner_id.data or 0,
            value=form.value.data,
            unit=form.unit.data,
            position=form.position.data or "",
            source=form.source.data or "",
            basis=form.basis.data or "",
            today=site_today(),
            policy=current_policy(),
        )
        db.session.commit()
    except ScreeningError as exc:
        db.session.rollback()
        flash(f"Spatial gradient sign-off refused: {exc}", "error")
        return _back(screening_id)
    evaluation = record.latest_evaluation
    outcome = evaluation.disposition.replace("_", " ") if evaluation else "not evaluated"
    flash(f"Spatial gradient signed off. Outcome: {outcome}.", "info")
    return redirect(url_for("screening.screening", screening_id=record.id) + "#outcome")


def void_gradient_signoff_view(screening_id: int, signoff_id: int) -> ResponseReturnValue:
    form = VoidSignoffForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash("Give the reason for voiding the sign-off (at least 5 characters).", "error")
        return _back(screening_id)
    record = _load(screening_id)
    try:
        void_gradient_signoff(
            record, signoff_id, form.reason.data or "", site_today(), current_policy()
        )
        db.session.commit()
    except ScreeningError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(screening_id)
    flash("Spatial gradient sign-off voided. The screening was evaluated again without it.", "info")
    return redirect(url_for("screening.screening", screening_id=record.id) + "#outcome")


def register_gradient_signoffs(bp: Blueprint) -> None:
    bp.add_url_rule(
        "/<int:screening_id>/gradient-signoffs",
        endpoint="gradient_signoff",
        view_func=gradient_signoff,
        methods=["POST"],
    )
    bp.add_url_rule(
        "/<int:screening_id>/gradient-signoffs/<int:signoff_id>/void",
        endpoint="void_gradient_signoff",
        view_func=void_gradient_signoff_view,
        methods=["POST"],
    )
    bp.add_app_template_global(gradient_panel, "gradient_panel")
