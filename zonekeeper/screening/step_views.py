"""The workflow's POSTs: each step locks the screening row, acts, commits, redirects."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.wrappers import Response

from ..auth.forms import ConfirmForm
from ..clock import site_today
from ..extensions import db
from ..policy_store import current_policy
from ..site.models import Scanner
from .forms import AmendForm, ExamFields, ExceptionForm, FinalCheckForm, SecondScreenForm
from .services import ExamDetails, ScreeningError, change_exam
from .workflow import (
    amend,
    confirm_constraints,
    record_final_check,
    record_no_screen_exception,
    record_second_screen,
    submit_first_screen,
)

log = logging.getLogger(__name__)


def _back(screening_id: int, anchor: str = "") -> Response:
    return redirect(url_for("screening.screening", screening_id=screening_id) + anchor)


def _form_errors(form: object) -> str:
    errors = getattr(form, "errors", {})
    if "csrf_token" in errors:
        abort(400)
    return " ".join(e for field_errors in errors.values() for e in field_errors)


def refused(
    screening_id: int, step: str, reason: str, forms: dict[str, Any] | None = None
) -> ResponseReturnValue:
    """The page again, not a redirect: the reason at the step's button, and what was typed
    (a note, a reason) still in its form. Nothing was changed."""
    from .views import _page, load_screening

    log.info("screening step %s refused", step)  # the reason may name a person: not logged
    return _page(load_screening(screening_id), status=409, refused=(step, reason), step_forms=forms)


def _step(
    screening_id: int,
    act: Callable[..., object],
    success: str,
    anchor: str,
    *,
    screeners_only: bool = True,
    step: str = "",
    forms: dict[str, Any] | None = None,
) -> ResponseReturnValue:
    """Lock, act, commit; a refused step rolls back (changes nothing) and says why."""
    from .views import load_screening, require_screener

    if screeners_only:
        require_screener()
    record = load_screening(screening_id, lock=True)
    try:
        act(record, site_today(), current_policy())
        db.session.commit()
    except ScreeningError as exc:
        db.session.rollback()
        if step:
            return refused(screening_id, step, str(exc), forms)
        flash(str(exc), "error")
        return _back(screening_id, anchor)
    if success:
        flash(success, "info")
    return _back(screening_id, anchor)


def _require_csrf() -> None:
    if not ConfirmForm().validate_on_submit():
        abort(400)


def first_screen(screening_id: int) -> ResponseReturnValue:
    _require_csrf()
    return _step(
        screening_id,
        submit_first_screen,
        "First screen recorded.",
        "#workflow",
        step="first_screen",
    )


def second_screen(screening_id: int) -> ResponseReturnValue:
    form = SecondScreenForm()
    forms = {"second_form": form}
    if not form.validate_on_submit():
        _form_errors(form)
        reason = "Confirm that you reviewed every answer with the patient."
        return refused(screening_id, "second_screen", reason, forms)
    return _step(
        screening_id,
        lambda s, today, policy: record_second_screen(s, form.note.data or "", today, policy),
        "Level 2 review recorded.",
        "#workflow",
        step="second_screen",
        forms=forms,
    )


def exam(screening_id: int) -> ResponseReturnValue:
    """Change the exam; "move the exam to <scanner>" posts only the scanner."""
    from .views import load_screening, require_screener

    require_screener()
    record = load_screening(screening_id, lock=True)
    form = ExamFields(obj=record) if request.form.get("move_only") else ExamFields()
    if request.form.get("move_only"):
        form.scanner_id.data = request.form.get("scanner_id", type=int)
    form.scanner_id.choices = [(s.id, s.name) for s in db.session.scalars(db.select(Scanner))]
    if not form.validate_on_submit():
        flash(_form_errors(form) or "Choose the scanner, region, coil and setting.", "error")
        return _back(screening_id, "#exam")
    scanner = db.session.get(Scanner, form.scanner_id.data) or abort(400)
    details = ExamDetails(
        scanner,
        form.body_region.data,
        form.transmit_coil.data,
        form.setting.data,
        form.contrast_agent.data,
        form.operating_mode.data or "normal",
    )
    try:
        voided = change_exam(record, details, site_today(), current_policy())
        db.session.commit()
    except ScreeningError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _back(screening_id, "#exam")
    message = f"The exam is now on {scanner.name}."
    if voided:
        message += " Earlier constraint confirmations were cleared: confirm them again."
    flash(message, "info")
    return _back(screening_id, "#outcome")


def confirmations(screening_id: int) -> ResponseReturnValue:
    _require_csrf()
    ticked = request.form.getlist("constraint")[:100]
    if not ticked:
        flash("Tick the constraints you have confirmed on the scanner.", "error")
        return _back(screening_id, "#constraints")
    return _step(
        screening_id,
        lambda s, today, policy: confirm_constraints(s, ticked, today, policy),
        f"{len(ticked)} constraint(s) confirmed.",
        "#constraints",
    )


def final_check(screening_id: int) -> ResponseReturnValue:
    form = FinalCheckForm()
    forms = {"final_form": form}
    if not form.validate_on_submit():
        reason = _form_errors(form) or "Complete the final check."
        return refused(screening_id, "final_check", reason, forms)
    checks = {
        "forms_reviewed": bool(form.forms_reviewed.data),
        "visual_inspection": bool(form.visual_inspection.data),
        "detector": form.detector.data,
    }
    return _step(
        screening_id,
        lambda s, today, policy: record_final_check(s, checks, today, policy),
        "Final check recorded.",
        "#outcome",
        step="final_check",
        forms=forms,
    )


def exception(screening_id: int) -> ResponseReturnValue:
    form = ExceptionForm()
    forms = {"exception_form": form}
    if not form.validate_on_submit():
        reason = _form_errors(form) or "Complete the exception."
        return refused(screening_id, "no_screen_exception", reason, forms)
    return _step(
        screening_id,
        lambda s, today, policy: record_no_screen_exception(
            s,
            form.ordering_physician.data,
            form.reason.data,
            bool(form.acknowledged.data),
            today,
            policy,
        ),
        "No-screen exception recorded. A Level 2 technologist does the final check before Zone IV.",
        "#final-check",
        screeners_only=False,  # the physician signs; the step table decides who may
        step="no_screen_exception",
        forms=forms,
    )


def amend_screening(screening_id: int) -> ResponseReturnValue:
    from .views import load_screening, require_screener

    require_screener()
    form = AmendForm()
    forms = {"amend_form": form}
    if not form.validate_on_submit():
        reason = _form_errors(form) or "Give the reason for the amendment."
        return refused(screening_id, "amend", reason, forms)
    record = load_screening(screening_id, lock=True)
    try:
        amended = amend(record, form.reason.data, site_today(), current_policy())
        db.session.commit()
    except ScreeningError as exc:
        db.session.rollback()
        return refused(screening_id, "amend", str(exc), forms)
    flash("Amendment started: correct the form, then screen again.", "info")
    return _back(amended.id)


def register_steps(bp: Blueprint) -> None:
    for rule, view in (
        ("/<int:screening_id>/first-screen", first_screen),
        ("/<int:screening_id>/second-screen", second_screen),
        ("/<int:screening_id>/exam", exam),
        ("/<int:screening_id>/confirmations", confirmations),
        ("/<int:screening_id>/final-check", final_check),
        ("/<int:screening_id>/exception", exception),
        ("/<int:screening_id>/amend", amend_screening),
    ):
        bp.add_url_rule(rule, view_func=view, methods=["POST"])
