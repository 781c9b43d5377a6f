"""Issuing, reissuing and revoking badges, and checking a scanned token."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Protocol, TypeVar

from flask import current_app
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm.interfaces import ORMOption

from ..audit.services import record_event, snapshot
from ..db import utcnow
from ..extensions import db
from ..people.models import Person
from .models import Badge
from .tokens import MAX_STORED_BADGE_ID, BadgeToken, TokenError, decode_token, encode_token

FIELDS = ("person_id", "version", "valid_from", "valid_until")
MAX_VALIDITY_DAYS = 3 * 366


class BadgeError(ValueError):
    pass


def _key() -> bytes:
    return str(current_app.config["BADGE_KEY"]).encode()


def token_for(badge: Badge) -> str:
    return encode_token(badge.id, badge.version, _key())


def current_badge(person: Person) -> Badge | None:
    """The person's badge that is not revoked, if any (there is at most one)."""
    return db.session.scalars(
        select(Badge).where(Badge.person_id == person.id, Badge.revoked_at.is_(None))
    ).first()


def _check_dates(valid_from: date, valid_until: date) -> None:
    if valid_until < valid_from:
        raise BadgeError("The badge would expire before it starts.")
    if (valid_until - valid_from).days > MAX_VALIDITY_DAYS:
        raise BadgeError("Badges are issued for at most three years.")


def issue_badge(person: Person, valid_from: date, valid_until: date) -> Badge:
    if not person.active:
        raise BadgeError("This person is inactive; reactivate them before issuing a badge.")
    if current_badge(person) is not None:
        raise BadgeError("This person already has a badge: reissue it, or revoke it first.")
    _check_dates(valid_from, valid_until)
    badge = Badge(
        person=person,
        valid_from=valid_from,
        valid_until=valid_until,
        issued_by_user_id=current_user.id,
    )
    db.session.add(badge)
    db.session.flush()
    record_event(
        "badge.issue",
        f"Issued badge #{badge.id} to person #{person.id}",
        target=badge,
        person_id=person.id,
        after=snapshot(badge, FIELDS),
    )
    return badge


def reissue_badge(badge: Badge, valid_until: date, reason: str) -> Badge:
    """A new printed code (version + 1): every earlier print stops working at once."""
    if badge.revoked_at is not None:
        raise BadgeError("A revoked badge cannot be reissued; issue a new one.")
    if len(reason.strip()) < 3:
        raise BadgeError("Say why the badge is reissued (lost, damaged, name change ...).")
    _check_dates(badge.valid_from, valid_until)
    before = snapshot(badge, FIELDS)
    badge.version += 1
    badge.valid_until = valid_until
    badge.issued_at, badge.issued_by_user_id = utcnow(), current_user.id
    record_event(
        "badge.reissue",
        f"Reissued badge #{badge.id} as version {badge.version}: {reason.strip()}"[:300],
        target=badge,
        person_id=badge.person_id,
        before=before,
        after=snapshot(badge, FIELDS),
    )
    return badge


def revoke_badge(badge: Badge, reason: str) -> Badge:
    if badge.revoked_at is not None:
        raise BadgeError("This badge is already revoked.")
    if len(reason.strip()) < 3:
        raise BadgeError("Say why the badge is revoked.")
    badge.revoked_at, badge.revoked_by_user_id = utcnow(), current_user.id
    badge.revoke_reason = reason.strip()[:300]
    record_event(
        "badge.revoke",
        f"Revoked badge #{badge.id}",
        target=badge,
        person_id=badge.person_id,
        before={"revoked": False},
        after={"revoked": True},
    )
    return badge


@dataclass(frozen=True)
class BadgeCheck:
    """What a scanned text turned out to be. Only ``valid`` may lead to a grant."""

    status: (
        str  # valid | malformed | forged | unknown | superseded | revoked | expired | not_yet_valid
    )
    badge: Badge | None = None

    @property
    def person(self) -> Person | None:
        return self.badge.person if self.badge is not None else None


class ScannableBadge(Protocol):
    """What deciding a scanned token's status reads of a badge (a model or a plain record)."""

    version: int
    revoked_at: datetime | None

    def status_on(self, day: date) -> str: ...


B = TypeVar("B", bound=ScannableBadge)


@lru_cache(maxsize=64)  # a reader's scan is decoded twice: to read the badge, to decide
def _decoded(text: str, key: bytes) -> BadgeToken | str:
    """The token, or why the text is not one (a pure function of the text and the key).

    A signed token whose badge id is beyond what a badge row can hold is ``out_of_range``:
    looking it up would be a database error (PostgreSQL's integer), not an answer.
    """
    try:
        token = decode_token(text, key)
    except TokenError as exc:
        return exc.reason
    return token if 0 < token.badge_id <= MAX_STORED_BADGE_ID else "out_of_range"


def scanned_badge_id(text: str) -> int | None:
    """The badge a scanned text names if it is a genuine token (any version); else None."""
    token = _decoded(text, _key())
    return token.badge_id if isinstance(token, BadgeToken) else None


def scanned_badge(text: str, today: date, load: Callable[[int], B | None]) -> tuple[str, B | None]:
    """The status of a scanned text and the badge it names, loaded by ``load(badge_id)``."""
    token = _decoded(text, _key())
    if not isinstance(token, BadgeToken):
        return token, None
    badge = load(token.badge_id)
    if badge is None:
        return "unknown", None
    if badge.revoked_at is None and token.version < badge.version:
        return "superseded", badge
    if token.version != badge.version:
        return ("revoked" if badge.revoked_at else "unknown"), badge
    return badge.status_on(today), badge


def check_scanned_text(text: str, today: date, options: Sequence[ORMOption] = ()) -> BadgeCheck:
    """``options``: loader options for the badge (a door loads the person's records with it)."""
    status, badge = scanned_badge(
        text, today, lambda badge_id: db.session.get(Badge, badge_id, options=options)
    )
    return BadgeCheck(status, badge)
