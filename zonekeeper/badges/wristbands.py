"""Wristbands: a one-day badge for a patient or companion, printed from their screening.

A wristband is a Badge valid for one site day, so the door decides on it exactly as
on a staff badge; the door then looks at the person's screening of the day
(``safe_to_scan`` for Zone IV) rather than at any badge property.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

from ..audit.services import record_event
from ..clock import site_today
from ..db import utcnow
from ..extensions import db
from ..people.models import Person
from .models import Badge
from .qr import qr_data_uri
from .services import current_badge, token_for

bp = Blueprint("wristbands", __name__)
WRISTBAND_KINDS = frozenset({"patient", "visitor"})


class WristbandForm(FlaskForm):
    """A bare POST with its CSRF token."""


def wristband_for(person: Person, today: date) -> Badge:
    """Today's wristband for ``person``: the one already printed today, or a new one."""
    if person.kind not in WRISTBAND_KINDS:
        raise ValueError("wristbands are for patients and companions; staff have badges")
    badge = current_badge(person)
    if badge is not None and badge.valid_from <= today <= badge.valid_until:
        return badge
    if badge is not None:  # yesterday's band: it ends now, a new one is printed
        badge.revoked_at, badge.revoked_by_user_id = utcnow(), current_user.id
        badge.revoke_reason = "wristband of an earlier day"
    badge = Badge(
        person=person, valid_from=today, valid_until=today, issued_by_user_id=current_user.id
    )
    db.session.add(badge)
    db.session.flush()
    record_event(
        "badge.wristband",
        f"Printed wristband #{badge.id} for person #{person.id}",
        target=badge,
        person_id=person.id,
        after={"valid_from": today.isoformat(), "valid_until": today.isoformat()},
    )
    return badge


def todays_wristbands(today: date) -> list[tuple[Person, str]]:
    """People with a wristband valid today, with its code (the kiosk's tap-to-scan list)."""
    rows = db.session.execute(
        select(Badge, Person)
        .join(Person)
        .where(
            Person.kind.in_(WRISTBAND_KINDS),
            Badge.revoked_at.is_(None),
            Badge.valid_from <= today,
            Badge.valid_until >= today,
        )
        .order_by(Person.family_name, Person.given_name)
    ).all()
    return [(person, token_for(badge)) for badge, person in rows]


@bp.post("/people/<int:person_id>/wristband")
def print_wristband(person_id: int) -> ResponseReturnValue:
    person = db.session.get(Person, person_id)
    if person is None or person.kind not in WRISTBAND_KINDS:
        abort(404)
    if not WristbandForm().validate_on_submit():
        abort(400)
    badge = wristband_for(person, site_today())
    db.session.commit()
    return redirect(url_for("wristbands.wristband_sheet", badge_id=badge.id))


@bp.get("/wristbands/<int:badge_id>")
def wristband_sheet(badge_id: int) -> ResponseReturnValue:
    badge = db.session.get(Badge, badge_id)
    if badge is None or badge.person.kind not in WRISTBAND_KINDS:
        abort(404)
    if badge.status_on(site_today()) != "valid":
        flash("This wristband is no longer valid; print today's.", "error")
        return redirect(request.referrer or url_for("doors.inside"))
    from ..screening.models import ScreeningSubject

    subject = db.session.scalars(
        select(ScreeningSubject).where(ScreeningSubject.person_id == badge.person_id)
    ).first()  # date of birth and MRN, as hospital wristbands carry them
    return render_template(
        "badges/wristband.html",
        badge=badge,
        person=badge.person,
        subject=subject,
        qr=qr_data_uri(token_for(badge)),
        token=token_for(badge),
    )
