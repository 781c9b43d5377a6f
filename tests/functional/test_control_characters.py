"""NUL and other C0 control characters in any text a request carries (query strings, form
fields, JSON bodies, path parameters) are removed at one boundary, the request itself,
so that SQLite and PostgreSQL store and search the same text (issue #15).

PostgreSQL refuses a NUL in text (psycopg DataError, a 500 before); SQLite stored it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import factories
from tests.conftest import AuthActions, csrf_token
from zonekeeper.db import utcnow
from zonekeeper.extensions import db
from zonekeeper.incidents.models import Incident
from zonekeeper.inputs import clean_text
from zonekeeper.people.models import Person

CONTROLS = "\x00\x01\x07\x08\x0b\x0c\x1b\x1f\x7f"


def _signed_in(app: Flask, setup_data, username: str, role: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.screener(username, role))
    client = app.test_client()
    assert AuthActions(client).sign_in(username, factories.PASSWORD).status_code == 302
    return client


def test_clean_text_keeps_tab_and_newlines_and_drops_other_controls() -> None:
    assert clean_text("a\tb\r\nc" + CONTROLS + "d\ud800é") == "a\tb\r\ncdé"


def test_a_nul_in_the_sign_in_username_is_a_wrong_password_not_a_500(
    client: FlaskClient, auth: AuthActions, setup_data
) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.user("tech1", "technologist"))
    response = auth.sign_in("te\x00ch1", "wrong password")
    assert response.status_code == 400
    assert "Wrong username or password" in response.get_data(as_text=True)
    assert auth.sign_in("tech\x00\x1b1", factories.PASSWORD).status_code == 302  # the same name


def test_a_nul_in_an_incident_description_is_removed(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    client = _signed_in(app, setup_data, "tech1", "technologist")
    page = client.get("/incidents/new").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(page),
        "occurred_at": (utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "zone": "IV",
        "room_id": "0",
        "scanner_id": "0",
        "category": "projectile",
        "severity": "near_miss",
        "description": "Oxygen\x00 cylinder\x01 stopped\n\tat the door",
        "immediate_actions": "\x00",
    }
    response = client.post("/incidents/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        incident = db.session.scalars(select(Incident)).one()
        assert incident.description == "Oxygen cylinder stopped\n\tat the door"


def test_a_nul_in_a_persons_name_is_removed(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    client = _signed_in(app, setup_data, "mrso1", "mrso")
    page = client.get("/people/new").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(page),
        "kind": "staff",
        "given_name": "Jo\x00hn",
        "family_name": "Smi\x1bth\x7f",
    }
    response = client.post("/people/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    with app.app_context():
        person = db.session.scalars(select(Person).where(Person.given_name == "John")).one()
        assert person.family_name == "Smith"


@pytest.mark.parametrize("query", ["q=%00", "q=Scr%00een", "status=%00", "q=%1b%7f&kind=%00"])
def test_a_nul_in_the_roster_search_is_not_a_500(app: Flask, setup_data, query: str) -> None:  # type: ignore[no-untyped-def]
    client = _signed_in(app, setup_data, "mrso1", "mrso")
    response = client.get(f"/people/?{query}")
    assert response.status_code in (200, 400), response.status_code
    if query == "q=Scr%00een":
        assert "Screener" in response.get_data(as_text=True)


def test_a_nul_in_a_path_parameter_is_not_a_500(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    client = _signed_in(app, setup_data, "mrso1", "mrso")
    for path in ("/zone-audits/%00/start", "/api/v1/doors/%00/status", "/reports/%00/x%00"):
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
