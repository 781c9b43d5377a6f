"""The spatial field gradient at the implant's position (issue #11 item 3) and the exam's
operating mode (item 8), through the real pages: the scanner's gradient data page, the
MRSE's sign-off on the screening page, and the planned operating mode."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests import factories
from tests.conftest import AuthActions, csrf_token
from tests.functional.screening_helpers import complete_answers, page_text, save, start, step
from zonekeeper.audit.models import AuditEvent
from zonekeeper.db import utcnow
from zonekeeper.extensions import db
from zonekeeper.people.models import Designation, Person
from zonekeeper.screening.models import Screening, ScreeningSignoff
from zonekeeper.site.models import Scanner

# "1.5 T and 3 T, spatial gradient ≤ 7.2 T/m, Normal mode", in the chest
STENT = {
    "category": "stent_coil_filter",
    "description": "Coronary stent",
    "manufacturer": "Acme",
    "model": "CS-72",
    "astm_class": "mr_conditional",
    "body_location": "chest",
    "implant_date": "2020-05-01",
    "field_strengths": [1.5, 3.0],
    "max_spatial_gradient": {"value": 720, "unit": "G/cm"},
    "max_whole_body_sar": 2.0,
    "operating_mode": "normal",
}
BASIS = "Stent 40 cm from isocentre for a head exam; gradient plot read at 20 cm off axis"


def _designate(user_id: int, role: str) -> None:
    from zonekeeper.auth.models import User

    person = db.session.get(Person, db.session.get(User, user_id).person_id)
    person.designations.append(
        Designation(role=role, granted_on=utcnow().date() - timedelta(days=30))
    )
    db.session.commit()


@pytest.fixture
def site(setup_data) -> dict[str, int]:  # type: ignore[no-untyped-def]
    def data() -> dict[str, int]:
        ids = factories.screening_site()  # MRI 2: 3 T, worst case 20 T/m, no gradient table
        factories.screener("tech1")
        factories.screener("tech2", "mrso")
        _designate(factories.screener("physicist", "physician"), "mrse")
        factories.screener("director", "safety_director")
        return ids

    return setup_data(data)


@pytest.fixture
def as_user(app: Flask):  # type: ignore[no-untyped-def]
    clients: dict[str, FlaskClient] = {}

    def signed_in(username: str) -> FlaskClient:
        if username not in clients:
            clients[username] = app.test_client()
            response = AuthActions(clients[username]).sign_in(username, factories.PASSWORD)
            assert response.status_code == 302
        return clients[username]

    return signed_in


def _sign(client: FlaskClient, sid: int, scanner_id: int, **fields: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/screenings/{sid}").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(page),
        "implant": "0",
        "scanner_id": str(scanner_id),
        "value": "4",
        "unit": "T/m",
        "position": "40 cm from isocentre",
        "source": "vendor MR safety manual rev X, p. 12",
        "basis": BASIS,
        **fields,
    }
    return client.post(f"/screenings/{sid}/gradient-signoffs", data=data)


def _state(app: Flask, sid: int) -> tuple[str, int, int]:
    with app.app_context():
        screening = db.session.get(Screening, sid)
        signoffs = db.session.scalar(
            select(func.count())
            .select_from(ScreeningSignoff)
            .where(ScreeningSignoff.screening_id == sid)
        )
        return screening.latest_evaluation.disposition, len(screening.evaluations), signoffs


def _stent_on_the_3t(as_user, site) -> int:  # type: ignore[no-untyped-def]
    tech1 = as_user("tech1")
    sid = start(tech1, site["MRI 2"])
    assert save(tech1, sid, complete_answers(stent_coil_filter="yes"), [STENT]).status_code == 302
    return sid


def test_stent_on_the_3t_waits_for_the_gradient_then_a_physicist_signs_it_off(
    app: Flask, site, as_user
) -> None:  # type: ignore[no-untyped-def]
    sid = _stent_on_the_3t(as_user, site)
    tech1 = as_user("tech1")
    text = page_text(tech1, sid)
    assert _state(app, sid)[0] == "more_info_required"
    assert "confirm the spatial gradient at the coronary stent's position" in text
    assert "Your account cannot sign this" in text  # the technologist sees who may

    physicist = as_user("physicist")
    assert "Sign off the spatial gradient for Coronary stent on MRI 2" in page_text(physicist, sid)
    response = _sign(physicist, sid, site["MRI 2"])
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _state(app, sid)[0] == "conditional"
    text = page_text(physicist, sid)
    assert "Spatial gradient signed off. Outcome: conditional." in text
    assert "spatial gradient at its position ≤ 4 T/m (40 cm from isocentre" in text
    with app.app_context():
        signoff = db.session.scalars(select(ScreeningSignoff)).one()
        assert signoff.clearance == "clearance.spatial_gradient"
        assert signoff.designation == "mrse"
        assert signoff.details["value_t_per_m"] == 4.0
        assert signoff.details["scanner"] == "MRI 2" and signoff.details["implant"] == 0
        assert len(signoff.fingerprint) == 64

    # the technologist confirms the constraints and does the Level 2 final check
    tech1, tech2 = as_user("tech1"), as_user("tech2")
    assert step(tech1, sid, "first-screen").status_code == 302
    assert step(tech2, sid, "second-screen", reviewed="y", note="ok").status_code == 302
    with app.app_context():
        constraints = [
            c["id"]
            for c in db.session.get(Screening, sid).latest_evaluation.decision["constraints"]
        ]
    page = tech2.get(f"/screenings/{sid}").get_data(as_text=True)
    tech2.post(
        f"/screenings/{sid}/confirmations",
        data={"csrf_token": csrf_token(page), "constraint": constraints},
    )
    step(tech2, sid, "final-check", forms_reviewed="y", visual_inspection="y", detector="used")
    with app.app_context():
        assert db.session.get(Screening, sid).state == "safe_to_scan"


def test_a_technologist_cannot_sign_the_gradient_and_nothing_changes(
    app: Flask, site, as_user
) -> None:  # type: ignore[no-untyped-def]
    sid = _stent_on_the_3t(as_user, site)
    before = _state(app, sid)
    tech1 = as_user("tech1")
    response = _sign(tech1, sid, site["MRI 2"])
    assert response.status_code == 302
    assert "Spatial gradient sign-off refused" in page_text(tech1, sid)
    assert _state(app, sid) == before


@pytest.mark.parametrize(
    ("value", "unit", "message"),
    [
        ("-4", "T/m", "not plausible"),
        ("nan", "T/m", "finite"),
        ("1e309", "T/m", "finite"),
        ("four", "T/m", "must be a number"),
        ("4", "G/m", "Not a valid choice"),
    ],
)
def test_impossible_gradient_values_are_refused_with_a_message(
    app: Flask, site, as_user, value: str, unit: str, message: str
) -> None:  # type: ignore[no-untyped-def]
    sid = _stent_on_the_3t(as_user, site)
    before = _state(app, sid)
    physicist = as_user("physicist")
    response = _sign(physicist, sid, site["MRI 2"], value=value, unit=unit)
    assert response.status_code in (302, 400)
    assert message in page_text(physicist, sid)
    assert _state(app, sid) == before


def test_a_signed_value_in_gcm_above_the_limit_is_not_cleared_and_can_be_voided(
    app: Flask, site, as_user
) -> None:  # type: ignore[no-untyped-def]
    sid = _stent_on_the_3t(as_user, site)
    physicist = as_user("physicist")
    assert _sign(physicist, sid, site["MRI 2"], value="800", unit="G/cm").status_code == 302
    assert _state(app, sid)[0] == "not_cleared"
    with app.app_context():
        signoff_id = db.session.scalars(select(ScreeningSignoff.id)).one()
    page = physicist.get(f"/screenings/{sid}").get_data(as_text=True)
    response = physicist.post(
        f"/screenings/{sid}/gradient-signoffs/{signoff_id}/void",
        data={"csrf_token": csrf_token(page), "reason": "Read the wrong plot"},
    )
    assert response.status_code == 302
    assert _state(app, sid)[0] == "more_info_required"
    with app.app_context():
        assert db.session.get(ScreeningSignoff, signoff_id).void_reason == "Read the wrong plot"


def test_a_gradient_table_places_the_stent_without_a_signoff(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    director = as_user("director")
    url = f"/scanners/{site['MRI 2']}/gradients"
    page = director.get(url).get_data(as_text=True)
    response = director.post(
        url,
        data={
            "csrf_token": csrf_token(page),
            "worst_case": "2000",
            "worst_case_unit": "G/cm",
            "rows-0-within_cm": "40",
            "rows-0-max_gradient": "400",
            "rows-0-unit": "G/cm",
            "rows-0-note": "patient path, 20 cm off axis",
            "rows-1-within_cm": "80",
            "rows-1-max_gradient": "20",
            "rows-1-unit": "T/m",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        scanner = db.session.get(Scanner, site["MRI 2"])
        assert scanner.spatial_field_gradient_t_per_m == pytest.approx(20.0)
        assert [r["max_t_per_m"] for r in scanner.spatial_gradient_map] == [4.0, 20.0]
        assert db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "site.scanner_gradients")
        ).first()
    assert "patient path, 20 cm off axis" in director.get("/scanners").get_data(as_text=True)
    sid = _stent_on_the_3t(as_user, site)
    assert _state(app, sid)[0] == "conditional"
    assert "Coronary stent (Acme CS-72) kept within 40 cm of isocentre" in page_text(
        as_user("tech1"), sid
    )


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"worst_case": "abc"}, "must be a number"),
        ({"worst_case": "-1"}, "not plausible"),
        ({"rows-0-within_cm": "40", "rows-0-max_gradient": "1e309"}, "must be a number"),
        ({"rows-0-within_cm": "forty", "rows-0-max_gradient": "4"}, "centimetres"),
        ({"rows-0-within_cm": "40", "rows-0-max_gradient": "30"}, "above the scanner"),
        (
            {
                "rows-0-within_cm": "40",
                "rows-0-max_gradient": "8",
                "rows-1-within_cm": "60",
                "rows-1-max_gradient": "4",
            },
            "cannot be lower",
        ),
    ],
)
def test_bad_gradient_data_is_a_form_message_and_nothing_is_saved(
    app: Flask, site, as_user, fields: dict[str, str], message: str
) -> None:  # type: ignore[no-untyped-def]
    director = as_user("director")
    url = f"/scanners/{site['MRI 2']}/gradients"
    page = director.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "worst_case": "20", "worst_case_unit": "T/m", **fields}
    response = director.post(url, data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with app.app_context():
        scanner = db.session.get(Scanner, site["MRI 2"])
        assert scanner.spatial_field_gradient_t_per_m == 20.0 and not scanner.spatial_gradient_map


def test_a_technologist_may_read_but_not_edit_the_scanner_data(site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1 = as_user("tech1")
    assert tech1.get("/scanners").status_code == 200
    assert tech1.get(f"/scanners/{site['MRI 2']}/gradients").status_code == 403


def test_a_first_level_plan_against_a_normal_only_label_is_not_eligible(
    app: Flask, site, as_user
) -> None:  # type: ignore[no-untyped-def]
    tech1 = as_user("tech1")
    sid = start(tech1, site["MRI 1"], operating_mode="first_level")
    assert save(tech1, sid, complete_answers(stent_coil_filter="yes"), [STENT]).status_code == 302
    assert _state(app, sid)[0] == "not_cleared"
    text = page_text(tech1, sid)
    assert "the exam is planned in First Level Controlled Operating Mode" in text
    # back to Normal: the exam change clears the finding
    step(
        tech1,
        sid,
        "exam",
        scanner_id=site["MRI 1"],
        body_region="head",
        transmit_coil="body",
        setting="outpatient",
        operating_mode="normal",
    )
    with app.app_context():
        screening = db.session.get(Screening, sid)
        assert screening.operating_mode == "normal" and screening.exam_key.endswith("|normal")
        decision = screening.latest_evaluation.decision
        codes = [r["code"] for r in decision["reasons"]]
    # MRI 1's worst case (12 T/m) still needs the gradient at the stent's position
    assert "implant_mode_not_allowed" not in codes and decision["disposition"] != "not_cleared"
