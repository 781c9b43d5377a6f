"""Error pages and JSON errors: a clear message, never a traceback."""

from __future__ import annotations

import logging

import psycopg
import sqlalchemy.exc
from flask import Flask, jsonify, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .date_range import InvalidDateRange
from .extensions import db

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood.",
    401: "Please sign in.",
    403: "Your account is not allowed to do this. Ask the MRSO or an administrator if you need it.",
    404: "There is no such page.",
    405: "This page cannot be used that way.",
    413: "The upload is too large.",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _render(code: int, title: str, message: str, error: str) -> ResponseReturnValue:
    if _wants_json():
        return jsonify(error=error, message=message), code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError) -> ResponseReturnValue:
        log.warning("CSRF check failed on %s", request.path)
        from .auth.sessions import session_was_ended, sign_in_again

        if session_was_ended() and not _wants_json():  # the form outlived its session
            session.clear()
            return sign_in_again(True)
        return _render(
            400,
            "Form expired",
            "The form expired or did not come from this site. "
            "Go back, reload the page and try again.",
            "csrf_failed",
        )

    @app.errorhandler(InvalidDateRange)
    def invalid_date_range(exc: InvalidDateRange) -> ResponseReturnValue:
        """The dates again, with the message at the field, sent back to the same URL."""
        problems = {name: errors for name, errors in exc.form.errors.items()}
        if _wants_json():
            message = "The date range is not valid."
            return jsonify(error="invalid_date_range", message=message, problems=problems), 400
        others = [
            (name, value)
            for name, value in request.args.items(multi=True)
            if name not in ("date_from", "date_to")
        ]
        page = render_template(
            "errors/date_range.html", form=exc.form, action=request.path, others=others
        )
        return page, 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> ResponseReturnValue:
        code = exc.code or 500
        message = MESSAGES.get(code, exc.description or "Something went wrong.")
        return _render(code, exc.name, message, exc.name.lower().replace(" ", "_"))

    @app.errorhandler(psycopg.OperationalError)
    @app.errorhandler(sqlalchemy.exc.OperationalError)
    def database_unavailable(exc: Exception) -> ResponseReturnValue:
        """The database is down or dropped the connection (a restart)."""
        cause = getattr(exc, "orig", None) or exc  # the driver's own error, not the SQL
        if not _lost_connection(exc, cause):  # a deadlock, a lock timeout...: not an outage
            return unexpected_error(exc)
        log.error(
            "database unavailable on %s %s: %s: %s",
            request.method,
            request.path,
            type(cause).__name__,
            str(cause).splitlines()[0][:200] if str(cause) else "",
        )
        db.engine.dispose(close=False)  # the other pooled connections went with it: start anew
        return _render(
            503,
            "Database unavailable",
            "The database cannot be reached just now. "
            "Try again in a moment; at a door, follow the paper procedure.",
            "database_unavailable",
        )

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception) -> ResponseReturnValue:
        if isinstance(exc, HTTPException):
            return http_error(exc)
        log.exception("unhandled error on %s %s", request.method, request.path)
        return _render(
            InternalServerError.code,
            "Something went wrong",
            "The server could not complete this. Nothing was changed. "
            "If this keeps happening, call the MRSO and use the paper procedure.",
            "internal_error",
        )


def _lost_connection(exc: Exception, cause: BaseException) -> bool:
    """A server restart or a dropped connection, not an error of one statement."""
    if getattr(exc, "connection_invalidated", False):
        return True
    shutdown = (psycopg.errors.AdminShutdown, psycopg.errors.CrashShutdown)
    return type(cause) is psycopg.OperationalError or isinstance(cause, shutdown)
