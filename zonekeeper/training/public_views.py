"""Pages without sign-in: certificate verification and a staff member's first sign-in.

Both refuse guessing: unknown codes are counted per address in the sign-in
attempts table and the address is refused for a while past the limit.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, current_app, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user
from sqlalchemy import func, select
from werkzeug.utils import redirect

from ..auth.models import SignInAttempt
from ..auth.sessions import start_session
from ..auth.throttle import record_attempt, seconds_until_allowed
from ..clock import site_today
from ..db import utcnow
from ..extensions import db
from ..policy_store import current_policy
from .accounts import WRONG_CODE, StaffAccountError, first_sign_in
from .certificates import certificate_by_code, certificate_status
from .forms import FirstSignInForm

bp = Blueprint("public_training", __name__)

VERIFY_KEY = "(certificate-verify)"


def _verify_blocked(address: str | None) -> bool:
    window = timedelta(minutes=current_app.config["SIGN_IN_WINDOW_MINUTES"])
    failures = db.session.scalar(
        select(func.count())
        .select_from(SignInAttempt)
        .where(
            SignInAttempt.username == VERIFY_KEY,
            SignInAttempt.remote_addr == address,
            SignInAttempt.succeeded.is_(False),
            SignInAttempt.attempted_at >= utcnow() - window,
        )
    )
    return bool(failures and failures >= current_app.config["VERIFY_MAX_UNKNOWN_PER_ADDRESS"])


@bp.route("/verify/<code>")
def verify(code: str) -> ResponseReturnValue:
    address = request.remote_addr
    if _verify_blocked(address):
        return render_template("training/verify.html", status=None, throttled=True), 429
    certificate = certificate_by_code(code)
    if certificate is None:
        record_attempt(VERIFY_KEY, address, succeeded=False)
        db.session.commit()
        return render_template("training/verify.html", status=None, throttled=False), 404
    status = certificate_status(certificate, current_policy(), site_today())
    response = render_template("training/verify.html", status=status, throttled=False)
    return response, 200, {"X-Robots-Tag": "noindex"}


@bp.route("/first-sign-in", methods=["GET", "POST"])
def first_sign_in_page() -> ResponseReturnValue:
    form = FirstSignInForm()
    if not form.validate_on_submit():
        return render_template("training/first_sign_in.html", form=form), (
            400 if form.errors else 200
        )
    username, address = form.username.data.strip(), request.remote_addr
    wait = seconds_until_allowed(username, address)
    if wait:
        form.code.errors.append(
            f"Too many wrong codes. Wait {max(1, round(wait / 60))} minute(s) and try again."
        )
        return render_template("training/first_sign_in.html", form=form), 429
    try:
        user = first_sign_in(username, form.code.data, form.new_password.data)
    except StaffAccountError as exc:
        db.session.rollback()
        if str(exc) == WRONG_CODE:
            record_attempt(username, address, succeeded=False)
            db.session.commit()
        # a wrong code is the code's problem; anything else is about the new password
        (form.code if str(exc) == WRONG_CODE else form.new_password).errors.append(str(exc))
        return render_template("training/first_sign_in.html", form=form), 400
    record_attempt(username, address, succeeded=True)
    user.last_sign_in_at = utcnow()
    db.session.commit()
    session.clear()
    login_user(user)
    start_session()
    return redirect(url_for("training.home"))
