"""Sign-in throttling per account and per address, stored in the database so
every worker process sees the same counts."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select, text

from ..db import utcnow
from ..extensions import db
from .models import SignInAttempt


def _serialise(username: str, address: str | None) -> None:
    """On PostgreSQL, one check-then-record at a time per account and per address,
    so parallel guesses cannot all pass the count (SQLite already serialises writers)."""
    if db.engine.dialect.name != "postgresql":
        return
    for key in (f"signin:user:{username.lower()}", f"signin:addr:{address}"):
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def seconds_until_allowed(username: str, address: str | None) -> int:
    """0 if a sign-in may be tried now, else how long to wait."""
    _serialise(username, address)
    config = current_app.config
    window = timedelta(minutes=config["SIGN_IN_WINDOW_MINUTES"])
    since = utcnow() - window
    checks = [
        (SignInAttempt.username == username.lower(), config["SIGN_IN_MAX_FAILURES_PER_ACCOUNT"])
    ]
    if address:  # the address's failed sign-ins, not its guesses on other pages
        checks.append(
            (
                (SignInAttempt.remote_addr == address) & SignInAttempt.username.not_like("(%"),
                config["SIGN_IN_MAX_FAILURES_PER_ADDRESS"],
            )
        )
    wait = 0
    for condition, limit in checks:
        failures = select(SignInAttempt.attempted_at).where(
            condition, SignInAttempt.succeeded.is_(False), SignInAttempt.attempted_at >= since
        )
        count = db.session.scalar(select(func.count()).select_from(failures.subquery()))
        if count and count >= limit:
            oldest = db.session.scalar(
                failures.order_by(SignInAttempt.attempted_at.desc()).offset(limit - 1).limit(1)
            )
            wait = max(wait, int((oldest + window - utcnow()).total_seconds()) + 1)
    return wait


def record_attempt(username: str, address: str | None, succeeded: bool) -> None:
    now = utcnow()
    db.session.add(
        SignInAttempt(
            username=username.lower()[:80],
            remote_addr=address,
            succeeded=succeeded,
            attempted_at=now,
        )
    )
    db.session.execute(
        delete(SignInAttempt).where(SignInAttempt.attempted_at < now - timedelta(days=2))
    )
