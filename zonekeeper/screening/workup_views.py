"""The unreliable-history work-up on the screening page: record a step, void a step.

A refused step changes nothing and re-renders the page with the finding as typed
and the reason shown at the form (400), so nothing the examiner wrote is lost.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from ..clock import site_today
from ..extensions import db
from ..policy_store import current_policy
from .authorization import may_take
from .models import Screening
from .services import ScreeningError
from .signoffs import valid_signoffs
from .workup import (
    WORKUP_STEPS,
    record_workup_step,
    requested_workup_steps,
    valid_workup_steps,
    void_workup_step,
    workup_rows,
    workup_wanted,
)


class WorkupStepForm(FlaskForm):
    step = HiddenField(validators=[DataRequired()])
    finding = TextAreaField(
        "Finding", validators=[DataRequired("Describe the finding."), Length(max=2000)]
    )


class VoidWorkupForm(FlaskForm):
    reason = StringField(
        "Reason for voiding",
        validators=[DataRequired("Give the reason."), Length(min=5, max=500)],
    )


def workup_panel(screening: Screening, decision: Any) -> dict[str, Any]:
    """What the work-up panel shows; ``show`` is False unless the decision is about it."""
    rows = workup_rows(screening)
    if not workup_wanted(decision) and not rows:
        return {"show": False}
    today, policy = site_today(), current_policy()
    open_ = not screening.superseded and not screening.signed
    return {
        "show": True,
        "open": open_,
        "kinds": list(WORKUP_STEPS.values()),
        "requested": requested_workup_steps(decision) if open_ else [],
        "valid": valid_workup_steps(screening),
        "rows": rows,
        "decided": "clearance.unreliable_history" in valid_signoffs(screening),
        "may_record": {step: may_take(step, current_user, today, policy) for step in WORKUP_STEPS},
        "error": getattr(g, "workup_error", ""),
        "error_step": getattr(g, "workup_step", ""),
        "typed": getattr(g, "workup_finding", ""),
    }


def _refused(screening_id: int, step: str, finding: str, error: str) -> ResponseReturnValue:
    from .views import _page, load_screening

    g.workup_error, g.workup_step, g.workup_finding = error, step, finding
    record = load_screening(screening_id)
    if not workup_panel(record, _decision(record)).get("show"):
        flash(f"Not recorded: {error}", "error")  # no panel to show it at
    return _page(record, status=400)


def _decision(record: Screening) -> Any:
    evaluation = record.latest_evaluation
    return evaluation.decision if evaluation else None


def workup_step(screening_id: int) -> ResponseReturnValue:
    from .views import load_screening

    record = load_screening(screening_id, lock=True)
    form = WorkupStepForm()
    valid = form.validate_on_submit()
    if "csrf_token" in form.errors:
        abort(400)
    step, finding = form.step.data or "", form.finding.data or ""
    if not valid:
        errors = " ".join(e for errs in form.errors.values() for e in errs)
        db.session.rollback()
        return _refused(screening_id, step, finding, errors or "Describe the finding.")
    try:
        record_workup_step(record, step, finding, site_today(), current_policy())
        db.session.commit()
    except ScreeningError as exc:
        db.session.rollback()
        return _refused(screening_id, step, finding, str(exc))
    kind = WORKUP_STEPS[step]
    flash(f"{kind.label.capitalize()} recorded.", "info")
    return redirect(url_for("screening.screening", screening_id=screening_id) + "#workup")


def void_workup(screening_id: int, step_id: int) -> ResponseReturnValue:
    from .views import load_screening

    record = load_screening(screening_id, lock=True)
    form = VoidWorkupForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash("Give the reason for voiding the work-up step (at least 5 characters).", "error")
        return redirect(url_for("screening.screening", screening_id=screening_id) + "#workup")
    try:
        void_workup_step(record, step_id, form.reason.data or "", site_today(), current_policy())
        db.session.commit()
    except ScreeningError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("screening.screening", screening_id=screening_id) + "#workup")
    flash("Work-up step voided. The screening was evaluated again without it.", "info")
    return redirect(url_for("screening.screening", screening_id=screening_id) + "#outcome")


def register_workup(bp: Blueprint) -> None:
    bp.add_url_rule(
        "/<int:screening_id>/workup",
        endpoint="workup_step",
        view_func=workup_step,
        methods=["POST"],
    )
    bp.add_url_rule(
        "/<int:screening_id>/workup/<int:step_id>/void",
        endpoint="void_workup_step",
        view_func=void_workup,
        methods=["POST"],
    )
    bp.context_processor(lambda: {"workup_panel": workup_panel})
