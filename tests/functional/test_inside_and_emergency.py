"""Who is inside, emergency mode and the muster list, through the pages."""

from __future__ import annotations

import io
from typing import Any

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests import factories
from tests.conftest import AuthActions, csrf_token
from zonekeeper.audit.models import AuditEvent
from zonekeeper.db import utcnow
from zonekeeper.doors.access_log import verify_access_log
from zonekeeper.doors.devices import add_device
from zonekeeper.doors.models import AccessEvent, Presence
from zonekeeper.extensions import db


@pytest.fixture
def site(setup_data) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    def build() -> dict[str, Any]:
        factories.door_site()
        tech = factories.person(given="Lee", family="Tech", level="level_2", trained_days_ago=9)
        nurse = factories.person(given="Ola", family="Nurse", level="level_1", trained_days_ago=9)
        visitor = factories.person(kind="visitor", given="Vic", family="Visitor")
        factories.user("mrso", "mrso")
        factories.user("tech", "technologist", person_id=tech.id)
        factories.user("nurse", "technologist", person_id=nurse.id)
        return {
            "token": add_device("mri-1", "reader"),
            "tech": factories.badge(tech),
            "visitor": factories.badge(visitor),
        }

    return setup_data(build)


def _scan(client: FlaskClient, site: dict[str, Any], text: str, direction: str = "in") -> dict:  # type: ignore[type-arg]
    response = client.post(
        "/api/v1/doors/mri-1/scans",
        json={"text": text, "direction": direction},
        headers={"Authorization": f"Bearer {site['token']}"},
    )
    return response.get_json()  # type: ignore[no-any-return]


def _post(client: FlaskClient, url: str, **data: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get("/emergency").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def test_occupancy_shows_the_escorted_visitor_and_the_escort(
    client: FlaskClient, site, auth: AuthActions
) -> None:
    reader = client.application.test_client()
    _scan(reader, site, site["visitor"])
    _scan(reader, site, site["tech"])
    auth.sign_in("nurse", factories.PASSWORD)
    page = client.get("/inside").get_data(as_text=True)
    assert "Zone IV · MRI 1" in page and "2 inside" in page
    assert "Visitor, Vic" in page and "Tech, Lee" in page
    assert "Lee Tech" in page  # the visitor's escort


def test_stale_entries_are_shown_apart(client: FlaskClient, site, auth, app: Flask) -> None:  # type: ignore[no-untyped-def]
    _scan(client.application.test_client(), site, site["tech"])
    with app.app_context():
        presence = db.session.scalars(select(Presence)).one()
        presence.entered_at = utcnow().replace(year=2020)
        db.session.commit()
    auth.sign_in("mrso", factories.PASSWORD)
    page = client.get("/inside").get_data(as_text=True)
    assert "Probably left without badging out" in page


def test_only_level_2_or_the_mrso_declare_an_emergency(client: FlaskClient, site, auth) -> None:  # type: ignore[no-untyped-def]
    auth.sign_in("nurse", factories.PASSWORD)  # Level 1
    page = client.get("/emergency").get_data(as_text=True)
    assert "Only the MRSO or a person with current Level 2" in page
    assert _post(client, "/emergency", kind="fire").status_code == 403


def test_emergency_mode_logs_without_deciding_and_the_muster_list_leads(
    client: FlaskClient, site, auth: AuthActions, app: Flask
) -> None:
    reader = client.application.test_client()
    _scan(reader, site, site["tech"])
    auth.sign_in("tech", factories.PASSWORD)  # a current Level 2 technologist
    response = _post(client, "/emergency", kind="quench", note="MRI 1")
    assert response.status_code == 302 and response.headers["Location"].endswith("/muster")

    visitor = _scan(reader, site, site["visitor"])  # would need an escort; now only logged
    assert visitor["outcome"] == "emergency_logged"
    assert visitor["headline"] == "EMERGENCY: QUENCH"
    assert "logged, not decided" in visitor["display_text"]

    muster = client.get("/muster").get_data(as_text=True)
    assert "EMERGENCY DECLARED" in muster
    assert "2</strong> not yet accounted for" in muster
    with app.app_context():
        presence_id = db.session.scalars(select(Presence.id).order_by(Presence.id)).first()
    token = csrf_token(muster)
    client.post(f"/muster/{presence_id}/safe", data={"csrf_token": token})
    client.post(f"/muster/{presence_id}/safe", data={"csrf_token": token})  # twice is harmless
    muster = client.get("/muster").get_data(as_text=True)
    assert "1</strong> not yet accounted for" in muster

    csv = client.get("/muster.csv")
    table = pd.read_csv(io.BytesIO(csv.data), encoding="utf-8-sig")
    assert sorted(table["Person"]) == ["Tech, Lee", "Visitor, Vic"]
    assert (table["Marked safe"] == "NOT ACCOUNTED FOR").sum() == 1

    assert _post(client, "/emergency/end").status_code == 400  # not without confirmation
    ended = _post(client, "/emergency/end", confirm="y")
    assert ended.status_code == 302
    assert _scan(reader, site, site["visitor"], "out")["outcome"] == "exit"
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert {"emergency.declare", "emergency.mark_safe", "emergency.end"} <= set(actions)


def test_the_access_log_page_shows_every_scan_and_the_chain(
    client: FlaskClient, site, auth: AuthActions
) -> None:
    reader = client.application.test_client()
    _scan(reader, site, site["tech"])
    _scan(reader, site, "<b>not a badge</b>")
    auth.sign_in("mrso", factories.PASSWORD)
    page = client.get("/access-log").get_data(as_text=True)
    assert "Chain intact: 2 events verified." in page
    assert "&amp;lt;b&amp;gt;" in page or "&lt;b&gt;" in page
    csv = client.get("/access-log.csv")
    table = pd.read_csv(io.BytesIO(csv.data), encoding="utf-8-sig")
    assert list(table["outcome"]) == ["grant", "deny"]
    assert client.get("/access-log?date_from=2026-13-01").status_code == 400


def test_the_safety_dashboard_lists_denied_scans(client: FlaskClient, site, auth) -> None:  # type: ignore[no-untyped-def]
    _scan(client.application.test_client(), site, "FORGEDORFOREIGNCODE")
    auth.sign_in("mrso", factories.PASSWORD)
    panel = client.get("/safety").get_data(as_text=True)
    assert "Door denials, last 24 hours" in panel
    assert "badge unreadable" in panel and "MRI 1 door" in panel


def _presences_open(app: Flask) -> list[int]:
    with app.app_context():
        return list(
            db.session.scalars(select(Presence.person_id).where(Presence.left_at.is_(None)))
        )


@pytest.mark.parametrize("kind", ["fire", "quench"])
def test_a_zone_iv_badge_in_during_a_fire_or_quench_alerts_the_muster_screen(
    client: FlaskClient, site, auth: AuthActions, kind: str
) -> None:
    reader = client.application.test_client()
    auth.sign_in("tech", factories.PASSWORD)
    assert client.get("/muster").status_code == 200
    assert 'id="zone-iv-alert"' not in client.get("/muster").get_data(as_text=True)
    _post(client, "/emergency", kind=kind)
    assert 'id="zone-iv-alert"' not in client.get("/muster").get_data(as_text=True)

    entering = _scan(reader, site, site["tech"])  # mri-1 leads into Zone IV
    assert entering["outcome"] == "emergency_logged" and entering["person"] == "Lee Tech"
    assert entering["headline"] == f"EMERGENCY: {kind.upper()}"
    _scan(reader, site, site["visitor"], "out")  # leaving raises nothing
    muster = client.get("/muster").get_data(as_text=True)
    assert 'id="zone-iv-alert"' in muster and 'role="alert"' in muster
    assert f"1 badge-in to Zone IV during the {kind}" in muster
    assert "Lee Tech</strong>" in muster and "MRI 1 door" in muster


def test_no_zone_iv_alert_in_a_medical_emergency(
    client: FlaskClient, site, auth: AuthActions
) -> None:
    auth.sign_in("tech", factories.PASSWORD)
    _post(client, "/emergency", kind="code")
    _scan(client.application.test_client(), site, site["tech"])
    assert 'id="zone-iv-alert"' not in client.get("/muster").get_data(as_text=True)


def _two_inside_during_a_fire(client: FlaskClient, site, auth: AuthActions) -> FlaskClient:  # type: ignore[no-untyped-def]
    """A visitor escorted in by the technologist, then a fire declared; the reader's client."""
    reader = client.application.test_client()
    _scan(reader, site, site["visitor"])
    _scan(reader, site, site["tech"])  # the visitor is escorted in: two inside
    auth.sign_in("tech", factories.PASSWORD)
    _post(client, "/emergency", kind="fire")
    return reader


def test_ending_an_emergency_asks_for_confirmation_and_can_mark_everyone_out(
    client: FlaskClient, site, auth: AuthActions, app: Flask
) -> None:
    reader = _two_inside_during_a_fire(client, site, auth)
    assert len(_presences_open(app)) == 2

    emergency_page = client.get("/emergency").get_data(as_text=True)
    assert 'href="/emergency/end"' in emergency_page  # a link to the confirmation, no one-click end
    confirm = client.get("/emergency/end").get_data(as_text=True)
    assert "End the emergency: Fire?" in confirm
    assert "<strong>2</strong> people are still recorded inside" in confirm
    assert 'name="mark_out"' in confirm and 'name="reason"' in confirm

    unconfirmed = _post(client, "/emergency/end", mark_out="y", reason="evacuated")
    assert unconfirmed.status_code == 400
    assert "Tick to confirm" in unconfirmed.get_data(as_text=True)
    no_reason = _post(client, "/emergency/end", confirm="y", mark_out="y", reason="  ")
    assert no_reason.status_code == 400
    assert "Give the reason for marking everyone out" in no_reason.get_data(as_text=True)
    assert len(_presences_open(app)) == 2  # nothing ended, nobody marked out

    ended = _post(
        client,
        "/emergency/end",
        confirm="y",
        mark_out="y",
        reason="Building evacuated; all accounted for at the muster point",
    )
    assert ended.status_code == 302 and ended.headers["Location"].endswith("/inside")
    assert _presences_open(app) == []
    assert "No one is recorded inside" in client.get("/inside").get_data(as_text=True)
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "emergency.mark_all_out")
        ).one()
        assert "Building evacuated" in event.summary and "2 person(s)" in event.summary
        assert "emergency.end" in db.session.scalars(select(AuditEvent.action)).all()
    # the doors decide again, and the visitor is not "already inside"
    assert _scan(reader, site, site["tech"])["flags"] == []


def test_ending_without_marking_out_keeps_who_is_inside(
    client: FlaskClient, site, auth: AuthActions, app: Flask
) -> None:
    _scan(client.application.test_client(), site, site["tech"])
    auth.sign_in("mrso", factories.PASSWORD)
    _post(client, "/emergency", kind="other")
    assert _post(client, "/emergency/end", confirm="y").status_code == 302
    assert len(_presences_open(app)) == 1
    assert client.get("/emergency/end").status_code == 302  # nothing left to end


def test_inside_now_and_the_muster_list_refresh_from_a_live_fragment(
    client: FlaskClient, site, auth: AuthActions
) -> None:
    auth.sign_in("nurse", factories.PASSWORD)
    for page_url, live_url in (("/inside", "/inside/live"), ("/muster", "/muster/live")):
        page = client.get(page_url).get_data(as_text=True)
        assert f'data-refresh-url="{live_url}"' in page and 'data-refresh-seconds="5"' in page
        assert "/static/live.js" in page and "<script>" not in page  # a file: the CSP
        assert 'class="live-updated"' in page and "Updated <time" in page
    empty = client.get("/inside/live")
    assert empty.headers["X-ZoneKeeper-Fragment"] == "1"
    assert empty.headers["Cache-Control"] == "no-store"
    assert "No one is recorded inside" in empty.get_data(as_text=True)

    _scan(client.application.test_client(), site, site["tech"])  # someone enters meanwhile
    inside = client.get("/inside/live").get_data(as_text=True)
    assert "<html" not in inside and "Tech, Lee" in inside and "1 inside" in inside
    muster = client.get("/muster/live").get_data(as_text=True)
    assert "<html" not in muster and "Tech, Lee" in muster
    assert "1</strong> not yet accounted for" in muster and "Updated <time" in muster

    signed_out = client.application.test_client().get("/muster/live")
    assert (
        signed_out.status_code in {302, 401} and "X-ZoneKeeper-Fragment" not in signed_out.headers
    )


def test_marking_everyone_out_writes_an_exit_event_each_into_the_access_log(
    client: FlaskClient, site, auth: AuthActions, app: Flask
) -> None:
    _two_inside_during_a_fire(client, site, auth)
    with app.app_context():
        open_now = select(Presence).where(Presence.left_at.is_(None))
        inside = {p.person_id: p.id for p in db.session.scalars(open_now)}
        before = db.session.scalar(select(func.max(AccessEvent.seq)))
    assert len(inside) == 2
    reason = "Building evacuated; all accounted for at the muster point"
    _post(client, "/emergency/end", confirm="y", mark_out="y", reason=reason)
    with app.app_context():
        exits = db.session.scalars(
            select(AccessEvent).where(AccessEvent.seq > before).order_by(AccessEvent.seq)
        ).all()
        assert sorted(e.person_id for e in exits) == sorted(inside)
        for event in exits:
            assert (event.kind, event.direction, event.outcome) == ("mark_out", "out", "exit")
            assert event.reason_codes == ["emergency_mark_out"]
            assert reason in event.display_text
            presence = db.session.get(Presence, inside[event.person_id])
            assert presence.left_at is not None and presence.exit_event_id == event.id
        checked, broken = verify_access_log()
        assert broken is None and checked == before + 2  # hash-chained like every scan
        # the reason is inside the hash: changing it breaks the chain
        exits[0].display_text = "Left on their own"
        db.session.commit()
        assert verify_access_log()[1] is not None
