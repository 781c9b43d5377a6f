"""Hostile or broken input at the screening form and API: a message or a 400, never a 500."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests import factories
from tests.conftest import AuthActions
from tests.functional.screening_helpers import complete_answers, save, start
from zonekeeper.extensions import db
from zonekeeper.screening.models import Screening

URL = "/api/v1/screenings/evaluate"
DEEP = "[" * 30000 + "]" * 30000


@pytest.fixture
def site(client: FlaskClient, auth: AuthActions, setup_data) -> dict[str, int]:  # type: ignore[no-untyped-def]
    ids = setup_data(lambda: (factories.screener("tech1"), factories.screening_site())[1])
    auth.sign_in("tech1", factories.PASSWORD)
    return ids  # type: ignore[no-any-return]


def _case(**answers: object) -> dict[str, object]:
    return {
        "form": "patient",
        "answers": {**complete_answers(), "weight_kg": 70, "height_cm": 175, **answers},
        "implants": [],
        "exam": {
            "scanner": "MRI 1",
            "body_region": "head",
            "transmit_coil": "body",
            "setting": "outpatient",
        },
    }


@pytest.mark.parametrize(
    "body",
    [
        DEEP,
        '{"answers": ' + DEEP + "}",
        '{"form": "patient", "answers": {"weight_kg": ' + "[" * 5000 + "]" * 5000 + "}}",
        '{"form": "patient"',
        "\xff\xfe{}",
    ],
    ids=["deep-list", "deep-in-object", "deep-answer", "truncated", "not-utf8"],
)
def test_the_api_answers_400_to_unreadable_json(client: FlaskClient, site, body: str) -> None:  # type: ignore[no-untyped-def]
    data = body.encode("latin-1") if body.startswith("\xff") else body.encode()
    response = client.post(URL, data=data, content_type="application/json")
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.is_json and response.get_json()["error"] == "bad_json"


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity"])
def test_the_api_refuses_non_finite_numbers(client: FlaskClient, site, value: str) -> None:  # type: ignore[no-untyped-def]
    body = json.dumps(_case())
    body = body.replace('"weight_kg": 70', f'"weight_kg": {value}')
    assert value in body
    response = client.post(URL, data=body, content_type="application/json")
    assert response.status_code in (400, 422), response.get_data(as_text=True)[:300]
    assert response.is_json


@pytest.mark.parametrize("value", ["sNaN", "NaN", "-nan", "Infinity", "inf", "-Inf", "snan"])
def test_a_non_finite_number_is_refused_at_the_field(
    app: Flask, client: FlaskClient, site, value: str
) -> None:  # type: ignore[no-untyped-def]
    sid = start(client, site["MRI 1"])
    response = save(client, sid, complete_answers(weight_kg=value))
    assert response.status_code == 400, response.status_code
    html = response.get_data(as_text=True)
    assert "Give a number" in html
    with app.app_context():
        assert db.session.get(Screening, sid).answers == {}  # nothing saved


def test_a_deeply_nested_implant_list_is_refused_at_the_field(
    app: Flask, client: FlaskClient, site
) -> None:  # type: ignore[no-untyped-def]
    sid = start(client, site["MRI 1"])
    response = save(client, sid, complete_answers(), implants=None)
    assert response.status_code == 302
    from tests.conftest import csrf_token

    page = client.get(f"/screenings/{sid}").get_data(as_text=True)
    for implants, message in (
        (DEEP, "The implant list could not be read."),
        ("[" + ",".join(["{}"] * 40000) + "]", "The implant list is too long"),
    ):
        data = {"csrf_token": csrf_token(page), **complete_answers(), "implants": implants}
        response = client.post(f"/screenings/{sid}/answers", data=data)
        assert response.status_code == 400, response.status_code
        assert message in response.get_data(as_text=True)


@pytest.mark.parametrize("depth", [200, 900, 990])
def test_nesting_just_under_the_parser_limit_is_a_422(
    client: FlaskClient, site, depth: int
) -> None:  # type: ignore[no-untyped-def]
    nested = "[" * depth + "]" * depth
    for body in (
        '{"form": "patient", "answers": {"weight_kg": ' + nested + "}}",
        '{"form": "patient", "answers": {}, "implants": [{"model": ' + nested + "}]}",
        '{"form": "patient", "answers": {}, "exam": ' + nested + "}",
    ):
        response = client.post(URL, data=body, content_type="application/json")
        assert response.status_code in (400, 422), response.get_data(as_text=True)[:300]


def test_an_implant_list_nested_under_the_limit_is_refused_by_the_form(
    app: Flask, client: FlaskClient, site
) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import csrf_token

    sid = start(client, site["MRI 1"])
    page = client.get(f"/screenings/{sid}").get_data(as_text=True)
    nested = "[" * 900 + "]" * 900
    for implants in ('[{"model": ' + nested + "}]", '[{"max_b1rms": NaN}]'):
        data = {
            "csrf_token": csrf_token(page),
            **complete_answers(stent_coil_filter="yes"),
            "implants": implants,
        }
        response = client.post(f"/screenings/{sid}/answers", data=data)
        assert response.status_code == 400, response.status_code
