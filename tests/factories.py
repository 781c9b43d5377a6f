"""Builders for test records, written through the real models."""

from __future__ import annotations

from datetime import date, timedelta

from zonekeeper.auth.models import User
from zonekeeper.auth.passwords import hash_password
from zonekeeper.db import utcnow
from zonekeeper.extensions import db
from zonekeeper.people.models import Person, StaffScreening, TrainingRecord

PASSWORD = "correct horse battery"


def person(
    *,
    kind: str = "staff",
    given: str = "Alex",
    family: str = "Test",
    level: str | None = None,
    trained_days_ago: int | None = None,
    screening: bool | None = True,
    today: date | None = None,
) -> Person:
    today = today or utcnow().date()
    record = Person(kind=kind, given_name=given, family_name=family)
    if level is not None and trained_days_ago is not None:
        record.trainings.append(
            TrainingRecord(
                completed_on=today - timedelta(days=trained_days_ago),
                level=level,
                course="MR Safety",
                course_version="1",
            )
        )
    if screening is not None:
        record.screenings.append(
            StaffScreening(
                screened_on=today, valid_until=today + timedelta(days=365), cleared=screening
            )
        )
    db.session.add(record)
    db.session.flush()
    return record


def user(username: str, role: str, password: str = PASSWORD, person_id: int | None = None) -> User:
    account = User(
        username=username, password_hash=hash_password(password), role=role, person_id=person_id
    )
    db.session.add(account)
    db.session.commit()
    return account


def door_site() -> dict[str, int]:
    """A Zone III corridor behind a Zone II door, and a scanner room behind a Zone IV door."""
    from zonekeeper.site.models import Door, Room

    corridor = Room(name="Zone III corridor", zone="III")
    magnet = Room(name="MRI 1", zone="IV")
    db.session.add_all([corridor, magnet])
    db.session.flush()
    door_iii = Door(
        code="zone-iii",
        name="Zone III entrance",
        from_zone="II",
        to_zone="III",
        room_id=corridor.id,
    )
    door_iv = Door(
        code="mri-1", name="MRI 1 door", from_zone="III", to_zone="IV", room_id=magnet.id
    )
    db.session.add_all([door_iii, door_iv])
    db.session.flush()
    return {"zone-iii": door_iii.id, "mri-1": door_iv.id}


def badge(owner: Person, *, valid_days: int = 365, starts_in_days: int = 0) -> str:
    """Issue a badge to ``owner`` and return the text its QR code carries."""
    from zonekeeper.badges.models import Badge
    from zonekeeper.badges.services import token_for

    today = utcnow().date()
    record = Badge(
        person=owner,
        valid_from=today + timedelta(days=starts_in_days),
        valid_until=today + timedelta(days=valid_days),
    )
    db.session.add(record)
    db.session.flush()
    return token_for(record)


def screening_site() -> dict[str, int]:
    """A 1.5 T and a 3 T scanner (as in the demo) for screening tests; returns their ids."""
    from zonekeeper.site.models import Room, Scanner

    ids = {}
    for name, tesla, gradient in (("MRI 1", 1.5, 12.0), ("MRI 2", 3.0, 20.0)):
        room = Room(name=f"{name} magnet room", zone="IV")
        scanner = Scanner(
            name=name,
            room=room,
            field_strength_t=tesla,
            spatial_field_gradient_t_per_m=gradient,
            max_slew_rate_t_per_m_per_s=200.0,
            operating_modes=["normal", "first_level"],
            transmit_coils=["body", "head", "extremity"],
        )
        db.session.add(scanner)
        db.session.flush()
        ids[name] = scanner.id
    return ids


def screener(
    username: str, role: str = "technologist", *, level_2_days_ago: int | None = 10
) -> int:
    """A screening account; with current Level 2 training unless ``level_2_days_ago`` is None
    (or lapsed when it is more than the policy's renewal period)."""
    record = person(
        given=username.capitalize(),
        family="Screener",
        level="level_2" if level_2_days_ago is not None else None,
        trained_days_ago=level_2_days_ago,
    )
    return user(username, role, person_id=record.id).id
