"""Demo badges, door kiosks and a morning's scans, so the door pages have something to show."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from .auth.models import User
from .auth.passwords import hash_password
from .badges.models import Badge
from .badges.services import token_for
from .doors.scan_store import record_scan
from .extensions import db
from .people.models import Person
from .site.models import Door

KIOSK_LOGINS = [
    ("kiosk-mri-1", "zonekeeper-kiosk", "mri-1"),
    ("kiosk-zone-iii", "zonekeeper-kiosk", "zone-iii"),
]
# who badges in this morning (family names), through which doors
MORNING = [
    ("Gonzalez", ["zone-iii", "mri-1"]),
    ("Harris", ["zone-iii"]),
    ("Mendes", ["zone-iii"]),
]


def issue_demo_badges(today: date) -> dict[str, str]:
    """A badge for every active staff member and for the screened companion."""
    tokens = {}
    people = db.session.scalars(select(Person).where(Person.active.is_(True))).all()
    for person in people:
        if person.kind not in {"staff", "visitor"} or (
            person.kind == "visitor" and not person.screenings
        ):
            continue
        badge = Badge(
            person=person,
            valid_from=today - timedelta(days=30),
            valid_until=today + timedelta(days=335 if person.kind == "staff" else 0),
        )
        db.session.add(badge)
        db.session.flush()
        tokens[person.family_name] = token_for(badge)
    return tokens


def add_kiosk_accounts() -> None:
    for username, password, door_code in KIOSK_LOGINS:
        door = db.session.scalars(select(Door).where(Door.code == door_code)).one()
        db.session.add(
            User(
                username=username,
                password_hash=hash_password(password),
                role="kiosk",
                door_id=door.id,
            )
        )


def morning_scans(tokens: dict[str, str]) -> int:
    """Real scans through the door service (each commits): the occupancy page starts filled."""
    doors = {door.code: door for door in db.session.scalars(select(Door))}
    count = 0
    for family_name, route in MORNING:
        for code in route:
            record_scan(doors[code], tokens[family_name], "in", "demo")
            count += 1
    return count
