"""Bad input at the reader API: a clear 4xx or a logged deny, never a 500; kiosk sessions."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests import factories
from tests.conftest import AuthActions, csrf_token
from zonekeeper.doors.devices import add_device
from zonekeeper.doors.models import AccessEvent
from zonekeeper.extensions import db

URL = "/api/v1/doors/mri-1/scans"


@pytest.fixture
def reader(setup_data) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    def build() -> dict[str, Any]:
        doors = factories.door_site()
        tech = factories.person(given="Lee", family="Tech", level="level_2", trained_days_ago=9)
        factories.user("kiosk-mri-1", "kiosk")
        from zonekeeper.auth.models import User

        kiosk = db.session.scalars(select(User).where(User.username == "kiosk-mri-1")).one()
        kiosk.door_id = doors["mri-1"]
        factories.user("kiosk-zone-iii", "kiosk").door_id = doors["zone-iii"]
        return {
            "token": add_device("mri-1", "reader"),
            "other_door_token": add_device("zone-iii", "reader"),
            "badge": factories.badge(tech),
        }

    return setup_data(build)


def _events(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AccessEvent)) or 0


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        (b"", 400, "invalid_json"),
        (b"\x00\xff\xfe binary \x89PNG", 400, "invalid_json"),
        (b"[1, 2]", 422, "invalid_scan"),
        (b'{"text": ""}', 422, "invalid_scan"),
        (b'{"text": "   "}', 422, "invalid_scan"),
        (b'{"text": 42}', 422, "invalid_scan"),
        (b'{"text": "ZK1AAAA", "direction": "sideways"}', 422, "invalid_scan"),
        (b'{"text": "ZK1AAAA", "extra": 1}', 422, "invalid_scan"),
        (b'{"text": "' + b"A" * 100_000 + b'"}', 413, "payload_too_large"),
        (b"[" * 2000 + b"]" * 2000, 400, "invalid_json"),  # nesting deeper than the parser
    ],
)
def test_bad_bodies_get_a_4xx_with_a_json_reason(
    client: FlaskClient, reader, app: Flask, body: bytes, status: int, error: str
) -> None:
    response = client.post(
        URL, data=body, headers={**_auth(reader["token"]), "Content-Type": "application/json"}
    )
    assert response.status_code == status
    assert response.get_json()["error"] == error
    assert response.get_json()["message"]
    assert _events(app) == 0  # not a scan: nothing to decide


@pytest.mark.parametrize(
    ("headers", "url", "status"),
    [
        ({}, URL, 401),
        ({"Authorization": "Bearer wrong-token"}, URL, 401),
        ({"Authorization": "Basic abc"}, URL, 401),
        ({"Authorization": "Bearer " + "x" * 5000}, URL, 401),
        (None, URL, 403),  # a token for another door
        (None, "/api/v1/doors/no-such-door/scans", 404),
        (None, "/api/v1/doors/" + "d" * 300 + "/scans", 404),
    ],
)
def test_who_may_post_is_checked(
    client: FlaskClient, reader, headers: dict[str, str] | None, url: str, status: int
) -> None:
    headers = headers if headers is not None else _auth(reader["other_door_token"])
    response = client.post(url, json={"text": reader["badge"]}, headers=headers)
    assert response.status_code == status
    assert response.get_json()["error"]


@pytest.mark.parametrize(
    "text",
    [
        "<img src=x onerror=alert(1)>",
        "ZK1" + "A" * 500,
        "\u0000\u0001\u0002",
        "https://example.com/not-a-badge",
        "ZK1 ' OR 1=1 --",
    ],
)
def test_hostile_scans_are_denied_and_logged_with_a_bounded_escaped_excerpt(
    client: FlaskClient, reader, app: Flask, text: str
) -> None:
    response = client.post(URL, json={"text": text}, headers=_auth(reader["token"]))
    assert response.status_code == 201
    data = response.get_json()
    assert data["outcome"] == "deny" and data["reason_codes"][0] in {
        "badge_unreadable",
        "badge_forged",
        "invalid_credential",  # anything but ASCII letters and digits (issue #12)
    }
    with app.app_context():
        event = db.session.get(AccessEvent, data["event_id"])
        assert len(event.scanned_excerpt) <= 80
        assert "<" not in event.scanned_excerpt and "\u0000" not in event.scanned_excerpt


def test_a_kiosk_session_posts_for_its_own_door_only_with_the_page_csrf_token(
    client: FlaskClient, reader, auth: AuthActions
) -> None:
    auth.sign_in("kiosk-mri-1", factories.PASSWORD)
    page = client.get("/kiosk")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-scan-url="/api/v1/doors/mri-1/scans"' in html
    token = html.split('name="csrf-token" content="')[1].split('"')[0]
    no_csrf = client.post(URL, json={"text": reader["badge"]})
    assert no_csrf.status_code == 403
    granted = client.post(URL, json={"text": reader["badge"]}, headers={"X-CSRFToken": token})
    assert granted.status_code == 201 and granted.get_json()["outcome"] == "grant"
    other = client.post(
        "/api/v1/doors/zone-iii/scans",
        json={"text": reader["badge"]},
        headers={"X-CSRFToken": token},
    )
    assert other.status_code == 403
    status = client.get("/api/v1/doors/mri-1/status", headers={"X-CSRFToken": token})
    assert status.get_json()["emergency"] is None
    # a kiosk account has its kiosk page and nothing else
    assert client.get("/people/").status_code == 403


def test_staff_accounts_have_no_kiosk_page(client: FlaskClient, setup_data, auth) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.user("tech", "technologist"))
    auth.sign_in("tech", factories.PASSWORD)
    assert client.get("/kiosk").status_code == 403


def test_the_openapi_document_describes_the_reader_api(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    scans = document["paths"]["/doors/{code}/scans"]["post"]
    assert set(scans["responses"]) >= {"201", "400", "401", "403", "404", "413", "422"}
    assert "ScanResult" in document["components"]["schemas"]


def test_admin_creates_a_kiosk_account_for_one_door(  # type: ignore[no-untyped-def]
    client: FlaskClient, auth: AuthActions, setup_data, app: Flask
) -> None:
    door_id = setup_data(lambda: (factories.user("admin1", "admin"), factories.door_site())[1])[
        "mri-1"
    ]
    auth.sign_in("admin1", factories.PASSWORD)
    page = client.get("/admin/users/new").get_data(as_text=True)
    assert "MRI 1 door (Zone III → IV)" in page
    form = {
        "csrf_token": csrf_token(page),
        "username": "kiosk-mri-1",
        "role": "kiosk",
        "person_id": "0",
        "door_id": "0",
        "password": "a sturdy kiosk passphrase",
    }
    no_door = client.post("/admin/users/new", data=form)
    assert no_door.status_code == 400
    assert "stands at one door" in no_door.get_data(as_text=True)
    assert (
        client.post("/admin/users/new", data={**form, "door_id": str(door_id)}).status_code == 302
    )
    kiosk = AuthActions(app.test_client())
    assert kiosk.sign_in("kiosk-mri-1", "a sturdy kiosk passphrase").headers["Location"] == "/kiosk"
