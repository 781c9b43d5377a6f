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
