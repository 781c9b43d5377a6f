"""The MRSO makes a staff account from the roster and hands over a one-time code."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..people.models import Person
from .accounts import StaffAccountError, create_staff_account, reissue_code, suggested_username
from .forms import EmptyForm, StaffAccountForm

bp = Blueprint("staff_accounts", __name__, url_prefix="/people")


def _staff_person(person_id: int) -> Person:
    person = db.session.get(Person, person_id)
    if person is None or person.kind != "staff":
        abort(404)
    return person


def _code_page(person: Person, user: User, code: str) -> ResponseReturnValue:
    page = render_template("training/account_code.html", person=person, user=user, code=code)
    return page, 200, {"Cache-Control": "no-store"}


@bp.route("/<int:person_id>/staff-account", methods=["GET", "POST"])
def create(person_id: int) -> ResponseReturnValue:
    person = _staff_person(person_id)
    actor = db.session.get(User, current_user.id)
    form = StaffAccountForm()
    if not form.is_submitted():
        form.username.data = suggested_username(person)
    if form.validate_on_submit():
        try:
            user, code = create_staff_account(
                person, form.username.data, form.email.data or "", actor
            )
        except StaffAccountError as exc:
            db.session.rollback()
            form.username.errors.append(str(exc))
        else:
            db.session.commit()
            return _code_page(person, user, code)
    page = render_template("training/account_new.html", form=form, person=person)
    return page, (400 if form.errors else 200)


@bp.route("/<int:person_id>/staff-account/code", methods=["POST"])
def new_code(person_id: int) -> ResponseReturnValue:
    person = _staff_person(person_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    user = db.session.scalar(select(User).where(User.person_id == person.id))
    if user is None:
        abort(404)
    try:
        code = reissue_code(user, db.session.get(User, current_user.id))
    except StaffAccountError as exc:
        flash(str(exc), "error")
        return redirect(url_for("people.person", person_id=person.id))
    db.session.commit()
    return _code_page(person, user, code)
