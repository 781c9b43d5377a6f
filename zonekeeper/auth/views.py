from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from ..db import utcnow
from ..extensions import db
from .forms import SignInForm
from .models import User
from .passwords import verify_password
from .sessions import start_session

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths; anything else goes to the dashboard."""
    if target and target.startswith("/") and not target.startswith("//"):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("site.dashboard")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = SignInForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if (
            verify_password(user.password_hash if user else None, form.password.data)
            and user
            and user.active
        ):
            user.last_sign_in_at = utcnow()
            db.session.commit()
            session.clear()
            login_user(user)
            start_session()
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append("Wrong username or password, or the account is disabled.")
    return render_template("auth/sign_in.html", form=form), (400 if form.errors else 200)


@bp.route("/sign-out", methods=["POST"])
def sign_out() -> ResponseReturnValue:
    user = db.session.get(User, current_user.id)
    if user is not None:
        user.session_version += 1  # every cookie of this session stops working now
        db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.sign_in"))
