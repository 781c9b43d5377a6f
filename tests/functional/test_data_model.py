"""The schema the migrations build: UTC times, constraints, derived levels."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask_migrate import upgrade
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError

from tests import factories
from zonekeeper.db import utcnow
from zonekeeper.extensions import db
from zonekeeper.people.models import Person
from zonekeeper.people.services import person_standing, screening_status
from zonekeeper.policy_store import current_policy
from zonekeeper.site.models import Door, Room, Scanner


def test_timestamps_come_back_timezone_aware_utc(app_context: None) -> None:
    eastern = timezone(timedelta(hours=-5))
    person = factories.person()
    person.created_at = datetime(2026, 3, 1, 7, 30, tzinfo=eastern)
    db.session.commit()
    db.session.expire_all()
    loaded = db.session.get(Person, person.id)
    assert loaded.created_at == datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
    assert loaded.created_at.tzinfo is not None


def test_naive_datetimes_are_refused(app_context: None) -> None:
    person = factories.person()
    person.created_at = datetime(2026, 3, 1, 7, 30)  # noqa: DTZ001 - on purpose
    with pytest.raises(StatementError):
        db.session.commit()
    db.session.rollback()


def test_default_timestamps_are_taken_per_row(app_context: None) -> None:
    first = factories.person(given="A")
    second = factories.person(given="B")
    db.session.commit()
    assert first.created_at <= second.created_at <= utcnow()


def test_scanner_field_strength_is_checked_by_the_database(app_context: None) -> None:
    room = Room(name="Magnet", zone="IV")
    db.session.add(
        Scanner(
            name="Bad",
            room=room,
            field_strength_t=30.0,
            spatial_field_gradient_t_per_m=1,
            max_slew_rate_t_per_m_per_s=200,
            operating_modes=["normal"],
            transmit_coils=["body"],
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_door_must_join_two_different_zones(app_context: None) -> None:
    db.session.add(Door(code="loop", name="Loop", from_zone="III", to_zone="III"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_person_kind_is_checked_by_the_database(app_context: None) -> None:
    db.session.add(Person(kind="alien", given_name="X", family_name="Y"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_level_is_derived_from_training_records(app_context: None) -> None:
    today = utcnow().date()
    policy = current_policy()
    current = factories.person(level="level_2", trained_days_ago=365)
    lapsed = factories.person(level="level_2", trained_days_ago=366)
    assert person_standing(current, today, policy).level.level == "level_2"
    standing = person_standing(lapsed, today, policy)
    assert standing.level.level == "non_mr" and standing.level.lapsed


def test_screening_status_from_records(app_context: None) -> None:
    today = utcnow().date()
    assert screening_status(factories.person(screening=None), today) == "missing"
    assert screening_status(factories.person(screening=False), today) == "not_cleared"
    assert screening_status(factories.person(screening=True), today) == "cleared"
    expired = factories.person(screening=True, today=today - timedelta(days=400))
    assert screening_status(expired, today) == "expired"


def test_migrations_match_the_models(app_context: None) -> None:
    """No model change without a migration: autogenerate finds nothing to do."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_upgrade_is_idempotent(app_context: None) -> None:
    upgrade()
    assert db.session.scalars(select(Person)).all() == []


def test_suite_runs_on_the_requested_backend(app_context: None) -> None:
    import os

    wanted = os.environ.get("ZONEKEEPER_TEST_DATABASE", "sqlite")
    expected = "sqlite" if wanted == "sqlite" else "postgresql"
    assert db.engine.dialect.name == expected
    if expected == "sqlite":
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
