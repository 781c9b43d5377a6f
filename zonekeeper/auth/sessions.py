"""Server-checked sessions and the access table enforced on every request."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, abort, flash, jsonify, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user

from ..db import utcnow
from ..extensions import db, login_manager
from .access import ANY_ACCOUNT, PUBLIC, SIGNED_IN, allowed_roles
from .models import User

log = logging.getLogger(__name__)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Accept the cookie only if its session version is the account's current one."""
    user_id, _, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def start_session() -> None:
    now = utcnow().timestamp()
    session.permanent = True
    session["signed_in_at"] = now
    session["last_seen"] = now


def session_expired(app: Flask) -> bool:
    """Idle or too old. Kiosk stations stand at a door all day: no idle limit, a long lifetime."""
    now = utcnow().timestamp()
    if current_user.is_authenticated and current_user.role == "kiosk":
        idle = float("inf")
        lifetime = timedelta(days=app.config["KIOSK_SESSION_DAYS"]).total_seconds()
    else:
        idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"]).total_seconds()
        lifetime = timedelta(hours=app.config["SESSION_MAX_HOURS"]).total_seconds()
    last_seen = float(session.get("last_seen", 0))
    signed_in_at = float(session.get("signed_in_at", 0))
    return now - last_seen > idle or now - signed_in_at > lifetime


def _refuse(role: str) -> None:
    """Log and audit an authorization failure, then answer 403."""
    from ..audit.services import record_event

    log.info("role %s refused endpoint %s", role, request.endpoint)
    record_event(
        "auth.forbidden",
        f"Refused {request.method} {request.path} (role {role})"[:300],
        target=current_user._get_current_object(),
        target_type="users",
        person_id=current_user.person_id,
    )
    db.session.commit()
    abort(403)


def _wants_json() -> bool:
    return request.path.startswith("/api/")


SESSION_ENDED = "Your session ended; sign in to continue."


def _page_to_return_to() -> str | None:
    """Where to come back after signing in: this page for a GET; for a POST (a form sent
    after the session ended) the page the form was on, never the POST's own URL (a GET
    there would be a 405)."""
    if request.method in ("GET", "HEAD"):
        return request.full_path.rstrip("?")
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not referrer.path.startswith("/"):
        return None
    if referrer.path.startswith("//") or referrer.path == url_for("auth.sign_in"):
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def sign_in_again(ended: bool) -> ResponseReturnValue:
    """To the sign-in page, saying so if a session ended (idle, too old, or signed out
    elsewhere), then back to the page the user was on."""
    if ended:
        flash(SESSION_ENDED, "info")
        log.info("session ended; %s %s sent to sign in", request.method, request.endpoint)
    target = _page_to_return_to()
    return redirect(url_for("auth.sign_in", next=target) if target else url_for("auth.sign_in"))


def session_was_ended() -> bool:
    """The cookie names an account the server no longer accepts (its session version
    changed: signed out elsewhere, password changed, account disabled)."""
    return "_user_id" in session and not current_user.is_authenticated


def init_sessions(app: Flask) -> None:
    @app.before_request
    def enforce_access() -> ResponseReturnValue | None:
        if request.endpoint is None:
            return None  # no such route: the 404 handler answers
        rule = allowed_roles(request.endpoint)
        if rule is None:
            log.warning("endpoint %s is missing from the access table; refused", request.endpoint)
            abort(403)
        if rule == PUBLIC:
            return None
        ended = session_was_ended()
        if current_user.is_authenticated and session_expired(app):
            logout_user()
            ended = True
        if ended:
            session.clear()  # a stale account id is not kept (the message is shown once)
        if not current_user.is_authenticated:
            if _wants_json():
                return jsonify(error="authentication_required", message="Sign in first."), 401
            return sign_in_again(ended)
        session["last_seen"] = utcnow().timestamp()
        role = current_user.role
        if rule == ANY_ACCOUNT:
            return None
        if rule == SIGNED_IN:
            if role == "kiosk":
                _refuse(role)
            return None
        if role not in rule:
            _refuse(role)
        return None
