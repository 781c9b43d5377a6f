"""Incidents and corrective actions through their pages."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pandas as pd
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import factories
from tests.conftest import AuthActions, csrf_token
from zonekeeper.actions.models import CorrectiveAction
from zonekeeper.audit.models import AuditEvent
from zonekeeper.db import utcnow
from zonekeeper.extensions import db
from zonekeeper.incidents.models import Incident


def _report(client: FlaskClient, hours_ago: float, **fields: str):  # type: ignore[no-untyped-def]
    page = client.get("/incidents/new").get_data(as_text=True)
    when = (utcnow() - timedelta(hours=hours_ago)).strftime(
        "%Y-%m-%dT%H:%M"
    )  # test site runs on UTC
    data = {
        "csrf_token": csrf_token(page),
        "occurred_at": when,
        "zone": "IV",
        "room_id": "0",
        "scanner_id": "0",
        "category": "projectile",
        "severity": "near_miss",
        "description": "Oxygen cylinder stopped at the Zone IV door",
        **fields,
    }
    return client.post("/incidents/new", data=data)


def _signed_in(app: Flask, setup_data, username: str, role: str) -> FlaskClient:  # type: ignore[no-untyped-def]
    person_id = setup_data(
        lambda: factories.person(family=username.title(), level="level_2", trained_days_ago=3).id
    )
    setup_data(lambda: factories.user(username, role, person_id=person_id))
    client = app.test_client()
    AuthActions(client).sign_in(username, factories.PASSWORD)
    return client


def test_anyone_reports_and_late_reports_are_flagged(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    tech = _signed_in(app, setup_data, "tech1", "technologist")
    assert _report(tech, hours_ago=2).status_code == 302
    assert _report(tech, hours_ago=30, patient_mrn="MRN-12345").status_code == 302
    with app.app_context():
        prompt, late = db.session.scalars(select(Incident).order_by(Incident.id)).all()
        assert (
            not prompt.late_report and late.late_report and late.report_delay_minutes >= 30 * 60 - 1
        )
        summaries = " ".join(db.session.scalars(select(AuditEvent.summary)))
        assert "MRN-12345" not in summaries  # no patient identifiers in the audit trail


def test_future_time_and_missing_fields_are_form_errors(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    tech = _signed_in(app, setup_data, "tech1", "technologist")
    future = _report(tech, hours_ago=-3)
    assert future.status_code == 400 and "in the future" in future.get_data(as_text=True)
    missing = _report(tech, hours_ago=1, category="", description="")
    assert missing.status_code == 400 and "Choose a category." in missing.get_data(as_text=True)


def test_mrn_is_shown_only_to_reviewers(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    tech = _signed_in(app, setup_data, "tech1", "technologist")
    location = _report(tech, hours_ago=1, patient_mrn="MRN-777").headers["Location"]
    assert "MRN-777" not in tech.get(location).get_data(as_text=True)
    mrso = _signed_in(app, setup_data, "mrso1", "mrso")
    assert "MRN-777" in mrso.get(location).get_data(as_text=True)
    other = _signed_in(app, setup_data, "tech2", "technologist")
    assert other.get(location).status_code == 403  # someone else's report
    assert "MRN-777" not in mrso.get("/incidents/export.csv").get_data(as_text=True)


def test_device_involved_opens_a_medwatch_task(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    mrso = _signed_in(app, setup_data, "mrso1", "mrso")
    no_device = _report(
        mrso, hours_ago=1, device_involved="y", severity="minor", category="thermal"
    )
    assert no_device.status_code == 400 and "Describe the device" in no_device.get_data(
        as_text=True
    )
    assert (
        _report(
            mrso,
            hours_ago=1,
            device_involved="y",
            device_description="Pulse oximeter, model X",
            severity="minor",
            category="thermal",
        ).status_code
        == 302
    )
    with app.app_context():
        action = db.session.scalars(select(CorrectiveAction)).one()
        assert "MedWatch" in action.title and action.incident_id is not None
        assert (action.due_on - utcnow().date()).days == 10


def test_review_and_close_an_incident(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    mrso = _signed_in(app, setup_data, "mrso1", "mrso")
    location = _report(mrso, hours_ago=1).headers["Location"]
    token = csrf_token(mrso.get(location).get_data(as_text=True))
    refused = mrso.post(location, data={"csrf_token": token, "close": "y"})
    assert refused.status_code == 400 and "root cause" in refused.get_data(as_text=True)
    closed = mrso.post(
        location,
        data={
            "csrf_token": token,
            "close": "y",
            "root_cause": "Porter not screened",
            "monthly_review_on": utcnow().date().isoformat(),
        },
    )
    assert closed.status_code == 302
    tech = _signed_in(app, setup_data, "tech1", "technologist")
    assert (
        tech.post(
            location, data={"csrf_token": csrf_token(tech.get("/").get_data(as_text=True))}
        ).status_code
        == 403
    )


def test_actions_need_a_note_to_close_and_export(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    mrso = _signed_in(app, setup_data, "mrso1", "mrso")
    page = mrso.get("/actions/new").get_data(as_text=True)
    owner = re.search(r'<option value="(\d+)">Mrso1', page).group(1)
    opened = mrso.post(
        "/actions/new",
        data={
            "csrf_token": csrf_token(page),
            "title": "Replace door sign",
            "severity": "medium",
            "owner_person_id": owner,
        },
    )
    assert opened.status_code == 302
    location = opened.headers["Location"]
    token = csrf_token(mrso.get(location).get_data(as_text=True))
    due = (utcnow().date() + timedelta(days=7)).isoformat()
    no_note = mrso.post(
        location,
        data={"csrf_token": token, "status": "closed", "owner_person_id": owner, "due_on": due},
    )
    assert no_note.status_code == 400 and "needs a note" in no_note.get_data(as_text=True)
    done = mrso.post(
        location,
        data={
            "csrf_token": token,
            "status": "closed",
            "owner_person_id": owner,
            "due_on": due,
            "note": "New sign fitted by facilities",
        },
    )
    assert done.status_code == 302
    frame = pd.read_csv(io.BytesIO(mrso.get("/actions/export.csv").data), encoding="utf-8-sig")
    assert (
        frame["status"].tolist() == ["closed"]
        and frame["closing_note"][0] == "New sign fitted by facilities"
    )
    tech = _signed_in(app, setup_data, "tech1", "technologist")
    assert tech.get("/actions/new").status_code == 403
    assert (
        tech.post(
            location, data={"csrf_token": csrf_token(tech.get("/").get_data(as_text=True))}
        ).status_code
        == 403
    )


def test_implausible_dates_and_unknown_incidents_are_4xx(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    mrso = _signed_in(app, setup_data, "mrso1", "mrso")
    page = mrso.get("/incidents/new").get_data(as_text=True)
    for when in ("0001-01-01T00:00", "9999-12-31T23:59"):
        response = mrso.post(
            "/incidents/new",
            data={
                "csrf_token": csrf_token(page),
                "occurred_at": when,
                "zone": "IV",
                "room_id": "0",
                "scanner_id": "0",
                "category": "other",
                "severity": "near_miss",
                "description": "x",
            },
        )
        assert response.status_code == 400 and "between 1990 and 2100" in response.get_data(
            as_text=True
        )
    assert mrso.get("/actions/new?incident_id=99999").status_code == 404


def test_owners_update_status_but_not_due_date_or_owner(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    mrso = _signed_in(app, setup_data, "mrso1", "mrso")
    tech = _signed_in(app, setup_data, "tech1", "technologist")
    page = mrso.get("/actions/new").get_data(as_text=True)
    owner = re.search(r'<option value="(\d+)">Tech1', page).group(1)
    location = mrso.post(
        "/actions/new",
        data={
            "csrf_token": csrf_token(page),
            "title": "Restock earplugs",
            "severity": "low",
            "owner_person_id": owner,
        },
    ).headers["Location"]
    form = tech.get(location).get_data(as_text=True)
    due = re.search(r'name="due_on"[^>]*value="([^"]+)"', form).group(1)
    pushed = tech.post(
        location,
        data={
            "csrf_token": csrf_token(form),
            "status": "in_progress",
            "owner_person_id": owner,
            "due_on": "2100-01-01",
        },
    )
    assert pushed.status_code == 400 and "Only the MRSO" in pushed.get_data(as_text=True)
    ok = tech.post(
        location,
        data={
            "csrf_token": csrf_token(form),
            "status": "in_progress",
            "owner_person_id": owner,
            "due_on": due,
        },
    )
    assert ok.status_code == 302


def test_export_days_are_site_days(another_app, setup_data) -> None:  # type: ignore[no-untyped-def]
    """In Chicago, an incident at 20:00 on 20 November is on the 20th (02:00 UTC on the 21st)."""
    from datetime import UTC, datetime

    chicago = another_app(SITE_TIMEZONE="America/Chicago")

    def data() -> None:
        user = factories.user("mrso1", "mrso")
        db.session.add(
            Incident(
                occurred_at=datetime(2026, 11, 21, 2, 0, tzinfo=UTC),
                reported_by_user_id=user.id,
                report_delay_minutes=10,
                late_report=False,
                zone="IV",
                category="other",
                severity="near_miss",
                description="Evening near miss",
            )
        )

    setup_data(data)
    client = chicago.test_client()
    AuthActions(client).sign_in("mrso1", factories.PASSWORD)
    on_the_20th = pd.read_csv(
        io.BytesIO(
            client.get("/incidents/export.csv?date_from=2026-11-20&date_to=2026-11-20").data
        ),
        encoding="utf-8-sig",
    )
    on_the_21st = pd.read_csv(
        io.BytesIO(
            client.get("/incidents/export.csv?date_from=2026-11-21&date_to=2026-11-21").data
        ),
        encoding="utf-8-sig",
    )
    assert len(on_the_20th) == 1 and len(on_the_21st) == 0
