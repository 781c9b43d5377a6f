"""The Level 2 authorizations page: a current Level 2 person authorizes a Non-MR person."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange

from ..choices import options
from ..db import utcnow
from ..extensions import db
from ..inputs import FiniteDecimalField
from ..people.models import Person
from ..policy_store import current_policy
from .authorizations import (
    MAX_AUTHORIZATION_HOURS,
    AuthorizationError,
    authorize_zone,
    current_authorizations,
    revoke_authorization,
)
from .forms import ConfirmForm
from .models import ZoneAuthorization

bp = Blueprint("door_authorizations", __name__, url_prefix="/authorizations")


class AuthorizeForm(FlaskForm):
    person_id = SelectField("Person (screened, Non-MR)", coerce=int, validators=[DataRequired()])
    zone = SelectField(
        "Authorized for",
        choices=options(
            [("III", "Zone III (a Level 1 escort may take them in)"), ("IV", "Zone IV")]
        ),
        validators=[DataRequired()],
    )
    hours = FiniteDecimalField(
        "For how many hours",
        default=8,
        places=1,
        validators=[
            DataRequired(message="Say for how long."),
            NumberRange(min=0.5, max=MAX_AUTHORIZATION_HOURS),
        ],
    )
    note = StringField("Note (e.g. the shift, the task)", validators=[Length(max=300)])


def _people() -> list[tuple[int, str]]:
    people = db.session.scalars(
        select(Person)
        .where(Person.active.is_(True))
        .order_by(Person.family_name, Person.given_name)
    )
    return [(p.id, f"{p.family_name}, {p.given_name} ({p.kind})") for p in people]


@bp.route("", methods=["GET", "POST"])
def index() -> ResponseReturnValue:
    form = AuthorizeForm()
    form.person_id.choices = options(_people())
    if form.validate_on_submit():
        person = db.session.get(Person, form.person_id.data)
        by = db.session.get(Person, current_user.person_id) if current_user.person_id else None
        try:
            if person is None:
                raise AuthorizationError("Choose a person.")
            record = authorize_zone(
                person,
                form.zone.data,
                float(form.hours.data),
                by,
                current_policy(),
                note=form.note.data or "",
                by_user_id=current_user.id,
            )
        except AuthorizationError as exc:
            db.session.rollback()
            form.person_id.errors = [*form.person_id.errors, str(exc)]
        else:
            db.session.commit()
            flash(
                f"{person.given_name} {person.family_name} is authorized for Zone {record.zone}.",
                "ok",
            )
            return redirect(url_for("door_authorizations.index"))
    return (
        render_template(
            "doors/authorizations.html",
            form=form,
            current=current_authorizations(utcnow()),
            revoke_form=ConfirmForm(),
        ),
        400 if form.errors else 200,
    )


@bp.post("/revoke")
def revoke() -> ResponseReturnValue:
    """Revoke one authorization (the id comes with the form: any account may narrow access)."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    authorization_id = request.form.get("authorization_id", "")
    record = (
        db.session.get(ZoneAuthorization, int(authorization_id))
        if authorization_id.isdigit()
        else None
    )
    if record is None:
        abort(404)
    revoke_authorization(record, current_user.id)
    db.session.commit()
    flash("Authorization revoked.", "ok")
    return redirect(url_for("door_authorizations.index"))
