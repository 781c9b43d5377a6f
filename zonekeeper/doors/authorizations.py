"""Level 2 authorizations: a Non-MR person's final authorization for a zone, as a record.

The ACR lets a Level 1 escort take a Non-MR person into Zone III only when that
person was screened and given final authorization by Level 2 MR personnel. The door
reads it here: who authorized, for which zone (IV covers III), until when. A patient
or companion gets one from the screening's final check; Non-MR staff from a current
Level 2 person (the MRSO, a technologist) on the *Level 2 authorizations* page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select

from ..audit.services import record_event
from ..clock import site_today
from ..db import fetch_rows, utcnow
from ..extensions import db
from ..people.models import Person
from ..people.services import person_standing
from ..policy import Policy
from .models import ZoneAuthorization

AUTHORIZABLE_ZONES = ("III", "IV")
MAX_AUTHORIZATION_HOURS = 24  # a shift, a visit: never an open-ended pass
# the zones an authorization for a zone covers (Zone IV lies inside Zone III)
COVERS = {"III": ("III",), "IV": ("III", "IV")}


class AuthorizationError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class AuthorizationRef:
    """The authorization a door used: what the answer and the log say about it."""

    id: int
    zone: str
    valid_until: datetime
    by_name: str


_auth = ZoneAuthorization.__table__
_people = Person.__table__
# a person's authorizations not revoked and not yet over (the door picks the one that
# covers its zone and is in force at the scan's time); few rows per person
CURRENT_AUTHORIZATIONS = (
    select(
        _auth.c.id,
        _auth.c.zone,
        _auth.c.valid_from,
        _auth.c.valid_until,
        _people.c.given_name,
        _people.c.family_name,
    )
    .select_from(_auth.join(_people, _people.c.id == _auth.c.authorized_by_person_id))
    .where(
        _auth.c.person_id == bindparam("person_id"),
        _auth.c.revoked_at.is_(None),
        _auth.c.valid_until > bindparam("now", type_=_auth.c.valid_until.type),
    )
    .order_by(_auth.c.valid_until.desc(), _auth.c.id.desc())
)


def authorizations_of(person_id: int, now: datetime) -> tuple[tuple[object, ...], ...]:
    """The person's authorizations not over at ``now`` (plain rows, newest end first)."""
    rows = fetch_rows(
        db.session.connection(), CURRENT_AUTHORIZATIONS, {"person_id": person_id, "now": now}
    )
    return tuple(tuple(row) for row in rows)


def authorization_for(
    rows: tuple[tuple[object, ...], ...], zone: str, now: datetime
) -> AuthorizationRef | None:
    """Of ``authorizations_of`` rows, the one in force at ``now`` for ``zone`` (pure)."""
    for auth_id, auth_zone, valid_from, valid_until, given, family in rows:
        if (
            zone in COVERS.get(str(auth_zone), ()) and valid_from <= now < valid_until  # type: ignore[operator]
        ):
            return AuthorizationRef(int(auth_id), str(auth_zone), valid_until, f"{given} {family}")  # type: ignore[call-overload,arg-type]
    return None


def authorize_zone(
    person: Person,
    zone: str,
    hours: float,
    by: Person | None,
    policy: Policy,
    *,
    note: str = "",
    by_user_id: int | None = None,
    screening_id: int | None = None,
    now: datetime | None = None,
) -> ZoneAuthorization:
    """Record ``by``'s final authorization of ``person`` for ``zone`` for ``hours``."""
    now = now or utcnow()
    today = site_today()
    if zone not in AUTHORIZABLE_ZONES:
        raise AuthorizationError("Authorize for Zone III or Zone IV.")
    if not 0 < hours <= MAX_AUTHORIZATION_HOURS:
        raise AuthorizationError(
            f"An authorization lasts more than 0 and at most {MAX_AUTHORIZATION_HOURS} hours."
        )
    if by is None or person_standing(by, today, policy).level.level != "level_2":
        raise AuthorizationError(
            "Only current Level 2 MR personnel give the final authorization (ACR)."
        )
    if by.id == person.id:
        raise AuthorizationError("Nobody authorizes themselves.")
    if not person.active:
        raise AuthorizationError("This person is inactive.")
    if screening_id is None:  # given on the authorizations page, not by a final check
        standing = person_standing(person, today, policy)
        if standing.level.level != "non_mr":
            raise AuthorizationError(
                f"{person.display_name} is current MR personnel and needs no authorization."
            )
        if person.kind == "patient":
            raise AuthorizationError(
                "Patients are authorized by the final check of their screening, not here."
            )
        if standing.screening_status != "cleared":
            raise AuthorizationError(
                f"{person.display_name}'s own MR screening is not on file as cleared "
                f"({standing.screening_status.replace('_', ' ')}): screen them first."
            )
    record = ZoneAuthorization(
        person_id=person.id,
        zone=zone,
        authorized_by_person_id=by.id,
        authorized_by_user_id=by_user_id,
        valid_from=now,
        valid_until=now + timedelta(hours=hours),
        note=note.strip()[:300],
        screening_id=screening_id,
    )
    db.session.add(record)
    db.session.flush()
    record_event(
        "door.authorize",
        f"Level 2 authorization #{record.id}: person #{person.id} for Zone {zone} "
        f"by person #{by.id} for {hours:g} h",
        target=record,
        person_id=person.id,
        after={"zone": zone, "valid_until": record.valid_until.isoformat()},
    )
    return record


def revoke_authorization(record: ZoneAuthorization, user_id: int | None) -> None:
    if record.revoked_at is not None:
        return
    record.revoked_at, record.revoked_by_user_id = utcnow(), user_id
    record_event(
        "door.authorization_revoke",
        f"Revoked Level 2 authorization #{record.id}",
        target=record,
        person_id=record.person_id,
    )


def current_authorizations(now: datetime) -> list[ZoneAuthorization]:
    return list(
        db.session.scalars(
            select(ZoneAuthorization)
            .where(ZoneAuthorization.revoked_at.is_(None), ZoneAuthorization.valid_until > now)
            .order_by(ZoneAuthorization.valid_until)
        )
    )
