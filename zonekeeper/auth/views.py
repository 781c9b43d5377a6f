from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from ..audit.services import record_event
from ..choices import options
from ..db import utcnow
from ..extensions import db
from ..people.models import Person
from ..site.services import doors
from .forms import ConfirmForm, PasswordChangeForm, SignInForm, UserCreateForm
from .models import User
from .passwords import verify_password
from .services import WRONG_CURRENT, AccountError, change_password, create_user, set_active
from .sessions import start_session
from .throttle import record_attempt, seconds_until_allowed

bp = Blueprint("auth", __name__)
log = logging.getLogger(__name__)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths; anything else goes to the dashboard (kiosks: their page)."""
    if current_user.is_authenticated and current_user.role == "kiosk":
        return url_for("doors.kiosk")
    if current_user.is_authenticated and current_user.role == "staff":
        return url_for("training.home")  # a staff account sees its own training, nothing else
    physician = current_user.is_authenticated and current_user.role == "physician"
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        # physicians sign off on screenings and see nothing else
        allowed_here = not physician or parts.path.startswith("/screenings")
        if not parts.scheme and not parts.netloc and allowed_here:
            return target
    if physician:
        return url_for("screening.index")
    return url_for("site.dashboard")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = SignInForm()
    if not form.validate_on_submit():
        return render_template("auth/sign_in.html", form=form), (400 if form.errors else 200)

    username = form.username.data.strip()
    address = request.remote_addr
    wait = seconds_until_allowed(username, address)
    if wait:
        log.warning("sign-in throttled for an account or address")
        form.password.errors.append(
            f"Too many failed sign-ins. Wait {max(1, round(wait / 60))} minute(s) and try again, "
            "or ask an administrator."
        )
        return render_template("auth/sign_in.html", form=form), 429

    user = db.session.scalar(select(User).where(User.username == username))
    password_ok = verify_password(user.password_hash if user else None, form.password.data)
    if not (user and password_ok and user.active):
        record_attempt(username, address, succeeded=False)
        reason = (
            "wrong password"
            if user and not password_ok
            else "disabled account"
            if user
            else "unknown account"
        )
        record_event(
            "auth.sign_in_failed",
            f"Failed sign-in ({reason})" + (f" for '{user.username}'" if user else ""),
            target=user,
            target_type="users",
            person_id=user.person_id if user else None,
        )
        db.session.commit()
        form.password.errors.append("Wrong username or password, or the account is disabled.")
        return render_template("auth/sign_in.html", form=form), 400

    record_attempt(username, address, succeeded=True)
    user.last_sign_in_at = utcnow()
    session.clear()
    login_user(user)
    start_session()
    record_event(
        "auth.sign_in", f"'{user.username}' signed in", target=user, person_id=user.person_id
    )
    db.session.commit()
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> ResponseReturnValue:
    user = db.session.get(User, current_user.id)
    if user is not None:
        user.session_version += 1  # every cookie of this session stops working now
        record_event(
            "auth.sign_out", f"'{user.username}' signed out", target=user, person_id=user.person_id
        )
        db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
def password() -> ResponseReturnValue:
    form = PasswordChangeForm()
    if form.validate_on_submit():
        user = db.session.get(User, current_user.id)
        address = request.remote_addr
        if seconds_until_allowed(user.username, address):
            # someone is guessing the current password in a stolen session: end it
            user.session_version += 1
            record_event(
                "auth.password_change_locked",
                f"Too many wrong current passwords for '{user.username}'; signed out",
                target=user,
                person_id=user.person_id,
            )
            db.session.commit()
            logout_user()
            session.clear()
            flash("Too many wrong passwords. You have been signed out.", "error")
            return redirect(url_for("auth.sign_in"))
        try:
            change_password(user, form.current_password.data, form.new_password.data)
        except AccountError as exc:
            if str(exc) == WRONG_CURRENT:
                record_attempt(user.username, address, succeeded=False)
                record_event(
                    "auth.password_change_failed",
                    f"Wrong current password for '{user.username}'",
                    target=user,
                    person_id=user.person_id,
                )
                db.session.commit()
            form.new_password.errors.append(str(exc))
        else:
            signed_in_at = session.get("signed_in_at")
            login_user(user)  # this session continues under the new session version
            start_session()
            session["signed_in_at"] = signed_in_at or session["signed_in_at"]  # no longer lifetime
            flash("Password changed. Other sessions of your account have been signed out.", "info")
            return redirect(_safe_next(None))
    return render_template("auth/password.html", form=form), (400 if form.errors else 200)


@bp.route("/admin/users")
def users() -> ResponseReturnValue:
    accounts = db.session.scalars(select(User).order_by(User.username)).all()
    return render_template("auth/users.html", users=accounts, confirm=ConfirmForm())


@bp.route("/admin/users/new", methods=["GET", "POST"])
def user_new() -> ResponseReturnValue:
    form = UserCreateForm()
    taken = select(User.person_id).where(User.person_id.is_not(None))
    people = db.session.scalars(
        select(Person)
        .where(Person.kind == "staff", Person.id.not_in(taken))
        .order_by(Person.family_name, Person.given_name)
    )
    form.person_id.choices = options(
        [(0, "No person (kiosk device)")]
        + [(p.id, f"{p.family_name}, {p.given_name} — {p.job_title}") for p in people]
    )
    form.door_id.choices = options(
        [(0, "No door (not a kiosk)")]
        + [(d.id, f"{d.name} (Zone {d.from_zone} → {d.to_zone})") for d in doors()]
    )
    if form.validate_on_submit():
        if form.role.data == "kiosk" and not form.door_id.data:
            form.door_id.errors.append("A kiosk account stands at one door: choose it.")
        elif form.role.data != "kiosk" and not form.person_id.data:
            form.person_id.errors.append(
                "A person's account must be linked to their person record."
            )
        else:
            try:
                create_user(
                    form.username.data,
                    form.password.data,
                    form.role.data,
                    form.person_id.data or None,
                    form.door_id.data or None,
                )
            except AccountError as exc:
                target = form.password if "password" in str(exc).lower() else form.username
                target.errors.append(str(exc))
            else:
                flash(f"Account '{form.username.data}' created.", "info")
                return redirect(url_for("auth.users"))
    return render_template("auth/user_new.html", form=form), (400 if form.errors else 200)


@bp.route("/admin/users/<int:user_id>/active", methods=["POST"])
def user_set_active(user_id: int) -> ResponseReturnValue:
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    user = db.session.get(User, user_id) or abort(404)
    make_active = request.form.get("active") == "1"
    if user.id == current_user.id and not make_active:
        flash("You cannot disable your own account.", "error")
        return redirect(url_for("auth.users"))
    set_active(user, make_active)
    flash(f"Account '{user.username}' {'enabled' if make_active else 'disabled'}.", "info")
    return redirect(url_for("auth.users"))
