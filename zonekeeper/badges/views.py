"""Badge pages: issue, reissue, revoke (MRSO, safety director) and the printable sheet."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from ..clock import site_today
from ..extensions import db
from ..people.models import Person
from ..people.services import person_standing
from ..policy_store import current_policy
from .forms import BadgeIssueForm, BadgeReissueForm, BadgeRevokeForm
from .models import Badge
from .qr import qr_data_uri
from .services import BadgeError, issue_badge, reissue_badge, revoke_badge, token_for

bp = Blueprint("badges", __name__)


def _back(person_id: int) -> ResponseReturnValue:
    return redirect(url_for("people.person", person_id=person_id) + "#badge-heading")


def _form_problem(form) -> str:  # type: ignore[no-untyped-def]
    return "; ".join(
        f"{getattr(form, name).label.text}: {' '.join(errs)}" for name, errs in form.errors.items()
    )


@bp.route("/badges/")
def index() -> ResponseReturnValue:
    badges = db.session.scalars(
        select(Badge).join(Person).order_by(Person.family_name, Person.given_name)
    ).all()
    return render_template("badges/index.html", badges=badges, today=site_today())


@bp.route("/people/<int:person_id>/badge", methods=["POST"])
def issue(person_id: int) -> ResponseReturnValue:
    person = db.session.get(Person, person_id)
    if person is None or person.kind == "patient":
        abort(404)
    form = BadgeIssueForm()
    if not form.validate_on_submit():
        flash(f"Badge not issued. {_form_problem(form)}", "error")
        return _back(person_id)
    try:
        issue_badge(person, form.valid_from.data, form.valid_until.data)
    except BadgeError as exc:
        flash(str(exc), "error")
        return _back(person_id)
    db.session.commit()
    flash("Badge issued. Print it and hand it over.", "info")
    return _back(person_id)


def _badge_or_404(badge_id: int) -> Badge:
    return db.session.get(Badge, badge_id, with_for_update=True) or abort(404)


@bp.route("/badges/<int:badge_id>/reissue", methods=["POST"])
def reissue(badge_id: int) -> ResponseReturnValue:
    badge = _badge_or_404(badge_id)
    form = BadgeReissueForm()
    if not form.validate_on_submit():
        flash(f"Badge not reissued. {_form_problem(form)}", "error")
        return _back(badge.person_id)
    try:
        reissue_badge(badge, form.valid_until.data, form.reason.data)
    except BadgeError as exc:
        flash(str(exc), "error")
        return _back(badge.person_id)
    db.session.commit()
    flash(f"Badge reissued as version {badge.version}; earlier prints no longer work.", "info")
    return _back(badge.person_id)


@bp.route("/badges/<int:badge_id>/revoke", methods=["POST"])
def revoke(badge_id: int) -> ResponseReturnValue:
    badge = _badge_or_404(badge_id)
    form = BadgeRevokeForm()
    if not form.validate_on_submit():
        flash(f"Badge not revoked. {_form_problem(form)}", "error")
        return _back(badge.person_id)
    try:
        revoke_badge(badge, form.reason.data)
    except BadgeError as exc:
        flash(str(exc), "error")
        return _back(badge.person_id)
    db.session.commit()
    flash("Badge revoked; it stops working at once.", "info")
    return _back(badge.person_id)


@bp.route("/badges/level-colours.css")
def level_colours() -> ResponseReturnValue:
    """The site's badge colour per MR level (rules/personnel.yaml), as a stylesheet:
    the CSP allows no inline styles."""
    rules = [
        f".level-band.level-{lv.id} {{ background: {lv.badge_colour}; }}"
        for lv in current_policy().levels
    ]
    return Response("\n".join(rules) + "\n", mimetype="text/css")


@bp.route("/badges/<int:badge_id>/print")
def print_sheet(badge_id: int) -> ResponseReturnValue:
    badge = db.session.get(Badge, badge_id) or abort(404)
    today = site_today()
    if badge.status_on(today) in ("revoked", "expired"):
        flash("Only a current badge can be printed.", "error")
        return _back(badge.person_id)
    policy = current_policy()
    standing = person_standing(badge.person, today, policy)
    level = policy.level(standing.level.level)
    return render_template(
        "badges/print.html",
        badge=badge,
        person=badge.person,
        standing=standing,
        level=level,
        qr=qr_data_uri(token_for(badge)),
        token=token_for(badge),
        today=today,
    )
