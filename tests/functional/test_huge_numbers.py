"""Numbers outside any field's range (huge integers, NaN, infinities) at the screening API,
form and CLI: a 422 / field message / exit 2, never a 500 or a traceback (issue #15)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.conftest import AuthActions
from tests.functional.screening_helpers import STENT_15_ONLY, complete_answers, save, start
from zonekeeper.extensions import db
from zonekeeper.screening.models import Screening

URL = "/api/v1/screenings/evaluate"
HUGE = "1" + "0" * 309  # an integer too large for a float
NUMBERS = [HUGE, "-" + HUGE, "1e309", "-1e309", "NaN", "Infinity", "-Infinity", "1e-400"]


@pytest.fixture
def site(client: FlaskClient, auth: AuthActions, setup_data) -> dict[str, int]:  # type: ignore[no-untyped-def]
    ids = setup_data(lambda: (factories.screener("tech1"), factories.screening_site())[1])
    auth.sign_in("tech1", factories.PASSWORD)
    return ids  # type: ignore[no-any-return]


def _case_json(answer: str = "70", implant_value: str = "2.0", gradient: str = "3000") -> str:
    """The case as JSON text with raw number literals put in (json.dumps cannot write them)."""
    case = {
        "form": "patient",
        "answers": {
            **complete_answers(stent_coil_filter="yes"),
            "weight_kg": "@W",
            "height_cm": 175,
        },
        "implants": [
            {
                **STENT_15_ONLY,
                "max_b1rms": "@B",
                "max_spatial_gradient": {"value": "@G", "unit": "G/cm"},
            }
        ],
        "exam": {
            "scanner": "MRI 1",
            "body_region": "head",
            "transmit_coil": "body",
            "setting": "outpatient",
        },
    }
    text = json.dumps(case)
    return text.replace('"@W"', answer).replace('"@B"', implant_value).replace('"@G"', gradient)


@pytest.mark.parametrize("where", ["answer", "implant", "unit_quantity"])
@pytest.mark.parametrize("number", NUMBERS)
def test_the_api_answers_a_huge_or_non_finite_number_with_422(
    client: FlaskClient, site, where: str, number: str
) -> None:  # type: ignore[no-untyped-def]
    literal = {"answer": "answer", "implant": "implant_value", "unit_quantity": "gradient"}[where]
    body = _case_json(**{literal: number})
    response = client.post(URL, data=body, content_type="application/json")
    if number == "1e-400":  # parses as 0.0: a number, possibly out of range, never a 500
        assert response.status_code in (200, 422), response.get_data(as_text=True)[:300]
        return
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:300]
    assert response.is_json
    assert response.get_json()["error"] in ("invalid_case", "bad_json")


@pytest.mark.parametrize("number", [HUGE, "-" + HUGE, "1e309", "NaN", "Infinity"])
def test_the_cli_exits_2_with_a_message_on_a_huge_number(
    app: Flask, runner, setup_data, tmp_path: Path, number: str
) -> None:  # type: ignore[no-untyped-def]
    setup_data(factories.screening_site)
    case = tmp_path / "case.json"
    for literal in ("answer", "implant_value", "gradient"):
        case.write_text(_case_json(**{literal: number}), encoding="utf-8")
        result = runner.invoke(["screen", "evaluate", str(case)])
        assert result.exit_code == 2, (literal, result.output, result.exception)
        assert "Traceback" not in result.output
        assert "problem" in result.output or "not valid" in result.output


@pytest.mark.parametrize("number", [HUGE, "-" + HUGE, "1e309", "NaN", "inf", "-inf"])
def test_the_screening_form_gives_a_field_message_for_a_huge_number(
    app: Flask, client: FlaskClient, site, number: str
) -> None:  # type: ignore[no-untyped-def]
    sid = start(client, site["MRI 1"])
    response = save(client, sid, complete_answers(weight_kg=number))
    assert response.status_code == 400, response.status_code
    html = response.get_data(as_text=True)
    assert "Give a number" in html or "Give a value between" in html
    implant = {**STENT_15_ONLY, "max_b1rms": 1}
    page = client.get(f"/screenings/{sid}").get_data(as_text=True)
    from tests.conftest import csrf_token

    implants = json.dumps([implant]).replace('"max_b1rms": 1', f'"max_b1rms": {number}')
    data = {
        "csrf_token": csrf_token(page),
        **complete_answers(stent_coil_filter="yes"),
        "implants": implants,
    }
    response = client.post(f"/screenings/{sid}/answers", data=data)
    assert response.status_code == 400, response.status_code
    with app.app_context():
        assert db.session.get(Screening, sid).answers == {}  # nothing saved


@pytest.mark.parametrize("hours", ["NaN", "sNaN", "Infinity", "-inf", HUGE, "1e309"])
def test_a_non_finite_or_huge_authorization_length_is_a_field_message(
    app: Flask, client: FlaskClient, auth: AuthActions, setup_data, hours: str
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import csrf_token

    def build() -> int:
        lee = factories.person(family="Lee", level="level_2", trained_days_ago=3)
        factories.user("lee", "mrso", person_id=lee.id)
        return factories.person(kind="visitor", family="Nurse").id

    nurse_id = setup_data(build)
    auth.sign_in("lee", factories.PASSWORD)
    page = client.get("/authorizations").get_data(as_text=True)
    data = {"person_id": nurse_id, "zone": "III", "hours": hours, "note": "day shift"}
    response = client.post("/authorizations", data={**data, "csrf_token": csrf_token(page)})
    assert response.status_code in (200, 400), response.status_code
    html = response.get_data(as_text=True)
    messages = re.findall(r'class="field-error">([^<]*)<', html)
    assert {"Say for how long.", "Number must be between 0.5 and 24."} & set(messages), messages


@pytest.mark.parametrize("field", ["implant", "scanner_id"])
@pytest.mark.parametrize("number", [HUGE, "9223372036854775808", "-" + HUGE])
def test_a_huge_id_in_the_gradient_signoff_form_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, setup_data, field: str, number: str
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import csrf_token

    ids = setup_data(lambda: (factories.screener("tech1"), factories.screening_site())[1])
    auth.sign_in("tech1", factories.PASSWORD)
    sid = start(client, ids["MRI 2"])
    assert (
        save(client, sid, complete_answers(stent_coil_filter="yes"), [STENT_15_ONLY]).status_code
        == 302
    )
    page = client.get(f"/screenings/{sid}").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token(page),
        "implant": "0",
        "scanner_id": str(ids["MRI 2"]),
        "value": "4",
        "unit": "T/m",
        "position": "40 cm from isocentre",
        "source": "vendor manual",
        "basis": "the vendor's manual gives the value at this position",
        field: number,
    }
    response = client.post(f"/screenings/{sid}/gradient-signoffs", data=data)
    assert response.status_code in (302, 400), response.status_code


@pytest.mark.parametrize("incident_id", [HUGE, "9223372036854775808", "-1", "0", "x"])
def test_an_impossible_incident_id_in_a_query_string_is_a_404(
    client: FlaskClient, auth: AuthActions, setup_data, incident_id: str
) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.screener("mrso1", "mrso"))
    auth.sign_in("mrso1", factories.PASSWORD)
    assert client.get(f"/actions/new?incident_id={incident_id}").status_code == 404
