"""Any malformed roster CSV is a line-numbered error and nothing is imported, on SQLite and
PostgreSQL alike (issue #15): huge cells, bad encoding, NULs and control characters,
wrong columns."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests import factories
from tests.conftest import AuthActions, csrf_token
from zonekeeper.extensions import db
from zonekeeper.people.models import Person

HEADER = b"staff_number,given_name,family_name,job_title\n"
GOOD = b"S100,Ann,Lee,Nurse\n"


@pytest.fixture
def mrso(setup_data, auth: AuthActions) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.screener("mrso1", "mrso"))
    assert auth.sign_in("mrso1", factories.PASSWORD).status_code == 302


def _upload(client: FlaskClient, raw: bytes):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get("/people/import").get_data(as_text=True))
    return client.post(
        "/people/import",
        data={"csrf_token": token, "file": (io.BytesIO(raw), "roster.csv")},
        content_type="multipart/form-data",
    )


def _people(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Person))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (HEADER + GOOD + b"S101,Bo," + b"x" * 140_000 + b",Porter\n", "Line 3: "),
        (HEADER + GOOD + b'S101,Bo,"Kim,Porter\n' + b"y" * 140_000, "Line 3: "),
        (HEADER + GOOD + b"S101,B\xffo,Kim,Porter\n", "Line 3: "),
        (HEADER + GOOD + b"S101,Bo\x00,Kim,Porter\n", "Line 3: given_name contains"),
        (HEADER + GOOD + b"S101,Bo,Kim\x1b,Porter\n", "Line 3: family_name contains"),
        (HEADER + GOOD + b"S101,Bo,Kim\n", "Line 3: fewer values than columns"),
        (HEADER + GOOD + b"S101,Bo,Kim,Porter,extra\n", "Line 3: more values than columns"),
        (b"staff_number,given_name,family_name,given_name\n" + GOOD, "Line 1: "),
        (b"staff_\x00number,given_name,family_name\n" + GOOD, "Line 1: "),
        (b"x" * 140_000 + b"\n" + GOOD, "Line 1: "),
    ],
    ids=[
        "huge-cell",
        "huge-quoted-cell",
        "not-utf8",
        "nul",
        "escape",
        "too-few",
        "too-many",
        "duplicate-column",
        "nul-in-header",
        "huge-header",
    ],
)
def test_a_malformed_roster_csv_is_a_line_numbered_error_and_nothing_is_imported(
    app: Flask, client: FlaskClient, mrso: None, raw: bytes, message: str
) -> None:
    before = _people(app)
    response = _upload(client, raw)
    html = response.get_data(as_text=True)
    assert response.status_code == 400, html[:500]
    assert "Nothing was imported" in html
    assert message in html
    assert _people(app) == before
