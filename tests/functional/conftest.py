"""Fixtures shared by the functional tests of one feature or more."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.conftest import AuthActions
from zonekeeper.extensions import db
from zonekeeper.people.models import Designation


@pytest.fixture
def tech(app: Flask, setup_data) -> tuple[FlaskClient, dict[str, int]]:  # type: ignore[no-untyped-def]
    """A current Level 2 technologist signed in on a site with a 1.5 T and a 3 T scanner;
    returns the client and the scanners' ids by name."""

    def data() -> dict[str, int]:
        ids = factories.screening_site()
        factories.screener("tech1")
        return ids

    ids = setup_data(data)
    client = app.test_client()
    assert AuthActions(client).sign_in("tech1", factories.PASSWORD).status_code == 302
    return client, ids


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Set the clock: frozen(2026, 3, 2) makes it 09:00 UTC that day."""

    def freeze(year: int, month: int, day: int) -> None:
        moment = datetime(year, month, day, 9, 0, tzinfo=UTC)
        monkeypatch.setattr("zonekeeper.clock.utcnow", lambda: moment)

    return freeze


@pytest.fixture
def mrso(setup_data, auth: AuthActions) -> int:  # type: ignore[no-untyped-def]
    def data() -> int:
        person = factories.person(family="Reyes", level="level_2", trained_days_ago=5)
        db.session.add(
            Designation(
                person=person,
                role="mrso",
                in_charge=True,
                granted_on=person.trainings[0].completed_on,
            )
        )
        factories.user("mrso1", "mrso", person_id=person.id)
        return person.id

    person_id = setup_data(data)
    auth.sign_in("mrso1", factories.PASSWORD)
    return person_id
