"""Badges through their pages, and their QR codes read back by a real decoder (zbar)."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import factories
from tests.conftest import IN_CI, AuthActions, csrf_token
from zonekeeper.audit.models import AuditEvent
from zonekeeper.badges.models import Badge
from zonekeeper.badges.qr import qr_png
from zonekeeper.badges.services import check_scanned_text, token_for
from zonekeeper.db import utcnow
from zonekeeper.extensions import db


@pytest.fixture
def mrso(setup_data, auth: AuthActions) -> int:  # type: ignore[no-untyped-def]
    def data() -> int:
        factories.user("mrso1", "mrso")
        return factories.person(
            given="Maria", family="Gonzalez", level="level_2", trained_days_ago=10
        ).id

    person_id = setup_data(data)
    auth.sign_in("mrso1", factories.PASSWORD)
    return person_id


def _post(client: FlaskClient, url: str, **data: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get("/").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def _issue(client: FlaskClient, person_id: int) -> int:
    today = utcnow().date()
    response = _post(
        client,
        f"/people/{person_id}/badge",
        valid_from=today.isoformat(),
        valid_until=(today + timedelta(days=365)).isoformat(),
    )
    assert response.status_code == 302
    page = client.get(f"/people/{person_id}").get_data(as_text=True)
    return int(re.search(r"/badges/(\d+)/print", page).group(1))


def test_issue_reissue_revoke_and_what_the_door_would_see(
    client: FlaskClient, mrso: int, app: Flask
) -> None:
    badge_id = _issue(client, mrso)
    with app.app_context():
        first_print = token_for(db.session.get(Badge, badge_id))
        assert check_scanned_text(first_print, utcnow().date()).status == "valid"
    again = _post(
        client, f"/people/{mrso}/badge", valid_from="2026-01-01", valid_until="2026-12-31"
    )
    assert again.status_code == 302  # refused with a message: one badge per person
    assert "already has a badge" in client.get(f"/people/{mrso}").get_data(as_text=True)

    until = (utcnow().date() + timedelta(days=200)).isoformat()
    assert (
        _post(client, f"/badges/{badge_id}/reissue", valid_until=until, reason="lost").status_code
        == 302
    )
    with app.app_context():
        badge = db.session.get(Badge, badge_id)
        assert badge.version == 2
        today = utcnow().date()
        assert check_scanned_text(first_print, today).status == "superseded"
        second_print = token_for(badge)
        assert check_scanned_text(second_print, today).status == "valid"
        assert check_scanned_text(second_print, today + timedelta(days=201)).status == "expired"
        assert check_scanned_text(second_print[:-2] + "AA", today).status in {"forged", "malformed"}

    assert (
        _post(client, f"/badges/{badge_id}/revoke", reason="left the department").status_code == 302
    )
    with app.app_context():
        assert check_scanned_text(second_print, utcnow().date()).status == "revoked"
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
    assert actions[-3:] == ["badge.issue", "badge.reissue", "badge.revoke"]
    assert client.get(f"/badges/{badge_id}/print").status_code == 302  # revoked: nothing to print


def test_printable_sheet_shows_the_qr_name_level_and_expiry(client: FlaskClient, mrso: int) -> None:
    badge_id = _issue(client, mrso)
    page = client.get(f"/badges/{badge_id}/print").get_data(as_text=True)
    assert 'src="data:image/png;base64,' in page
    assert "Maria Gonzalez" in page and "Level 2 MR personnel" in page and "level-level_2" in page
    assert "Badge valid until" in page and "MR training until" in page
    colours = client.get("/badges/level-colours.css").get_data(as_text=True)
    assert ".level-band.level-level_2 { background: #1d4ed8; }" in colours


def test_the_printed_qr_decodes_back_to_the_token(
    client: FlaskClient, mrso: int, app: Flask, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        if IN_CI:
            pytest.fail("zbarimg (Debian zbar-tools) is needed to decode QR codes", pytrace=False)
        pytest.skip("zbarimg not installed")
    badge_id = _issue(client, mrso)
    page = client.get(f"/badges/{badge_id}/print").get_data(as_text=True)
    png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1))
    (tmp_path / "badge.png").write_bytes(png)
    decoded = subprocess.run(
        [zbarimg, "--quiet", "--raw", str(tmp_path / "badge.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    with app.app_context():
        expected = token_for(db.session.get(Badge, badge_id))
    assert decoded == expected
    assert qr_png(expected)  # the same renderer the page uses


def test_technologists_cannot_issue_badges(
    client: FlaskClient, auth: AuthActions, setup_data
) -> None:  # type: ignore[no-untyped-def]
    person_id = setup_data(
        lambda: (factories.user("tech1", "technologist"), factories.person())[1].id
    )
    auth.sign_in("tech1", factories.PASSWORD)
    assert (
        _post(
            client, f"/people/{person_id}/badge", valid_from="2026-01-01", valid_until="2026-12-31"
        ).status_code
        == 403
    )
    assert client.get("/badges/").status_code == 403


def test_bad_badge_dates_are_refused(client: FlaskClient, mrso: int) -> None:
    response = _post(
        client, f"/people/{mrso}/badge", valid_from="2026-05-01", valid_until="2026-04-01"
    )
    assert response.status_code == 302
    assert "expire before it starts" in client.get(f"/people/{mrso}").get_data(as_text=True)
    _post(client, f"/people/{mrso}/badge", valid_from="2026-05-01", valid_until="9999-01-01")
    assert "between 1990 and 2100" in client.get(f"/people/{mrso}").get_data(as_text=True)
