"""The physicians' sign-off POSTs (record, void): each locks the screening row, acts,
commits and goes back to the page; a refusal is shown at the form and changes nothing."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue

from ..clock import site_today
from ..extensions import db
from ..policy_store import current_policy
from .forms import SignoffForm, VoidSignoffForm
from .services import ScreeningError
from .signoffs import CLEARANCES, record_signoff, void_signoff


def signoff(screening_id: int) -> ResponseReturnValue:
    """A physician records a clearance; a refusal is shown at the form (400)."""
    record = _load(screening_id, lock=True)
    form = SignoffForm()
    valid = form.validate_on_submit()
    if "csrf_token" in form.errors:
        abort(400)
    if not valid:
        return _render(record, signoff_form=form, status=400)
    kind = CLEARANCES.get(form.clearance.data or "")
    try:
        record_signoff(
            record,
            form.clearance.data or "",
            form.basis.data or "",
            form.co_signer.data or "",
            site_today(),
            current_policy(),
        )
        db.session.commit()
    except ScreeningError as exc:
        db.session.rollback()
        record = _load(screening_id)
        return _render(record, signoff_form=form, signoff_error=str(exc), status=400)
    evaluation = record.latest_evaluation
    outcome = evaluation.disposition.replace("_", " ") if evaluation else "not evaluated"
    flash(
        f"{kind.label.capitalize() if kind else 'Sign-off'} recorded. Outcome: {outcome}.", "info"
    )
    return redirect(url_for("screening.screening", screening_id=record.id) + "#outcome")


def void_signoff_view(screening_id: int, signoff_id: int) -> ResponseReturnValue:
    """Void a wrong sign-off with a reason; it stays on the record, the finding returns."""
    record = _load(screening_id, lock=True)
    form = VoidSignoffForm()
    if not form.validate_on_submit():
        if "csrf_token" in form.errors:
            abort(400)
        flash("Give the reason for voiding the sign-off (at least 5 characters).", "error")
        return redirect(url_for("screening.screening", screening_id=record.id) + "#signoffs")
    try:
        void_signoff(record, signoff_id, form.reason.data or "", site_today(), current_policy())
        db.session.commit()
    except ScreeningError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("screening.screening", screening_id=screening_id) + "#signoffs")
    flash("Sign-off voided. The screening was evaluated again without it.", "info")
    return redirect(url_for("screening.screening", screening_id=record.id) + "#outcome")


def _load(screening_id: int, *, lock: bool = False):  # type: ignore[no-untyped-def]
    from .views import load_screening

    return load_screening(screening_id, lock=lock)


def _render(*args, **kwargs):  # type: ignore[no-untyped-def]
    from .views import _page

    return _page(*args, **kwargs)


def register_signoffs(bp: Blueprint) -> None:
    bp.add_url_rule(
        "/<int:screening_id>/signoffs", endpoint="signoff", view_func=signoff, methods=["POST"]
    )
    bp.add_url_rule(
        "/<int:screening_id>/signoffs/<int:signoff_id>/void",
        endpoint="void_signoff",
        view_func=void_signoff_view,
        methods=["POST"],
    )
