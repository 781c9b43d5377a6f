"""Driving the screening pages through the real HTML forms (shared by the screening tests)."""

from __future__ import annotations

import html as html_module
import json
import re
from collections.abc import Callable
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token

STENT_15_ONLY: dict[str, Any] = {
    "category": "stent_coil_filter",
    "description": "Coronary stent",
    "manufacturer": "Acme",
    "model": "Flow 3",
    "astm_class": "mr_conditional",
    "implant_date": "2020-05-01",
    "complete_system": True,
    "abandoned_components": False,
    "field_strengths": [1.5],
    "max_spatial_gradient": {"value": 3000, "unit": "G/cm"},
    "max_b1rms": 2.0,
    "operating_mode": "normal",
    "active_scan_minutes": 30,
}


def complete_answers(**changes: str) -> dict[str, str]:
    """Every always-shown question of the patient form answered, all 'no' (a clean history)."""
    from zonekeeper.questionnaires import load_forms

    form = load_forms("forms").current("patient")
    answers = {
        q.id: "no"
        for q in form.questions.values()
        if q.type == "yes_no_unknown" and q.show_if is None
    }
    answers.update(respondent="patient", history_reliable="yes", weight_kg="70", height_cm="175")
    answers.update(changes)
    return answers


def start(client: FlaskClient, scanner_id: int, *, mrn: str = "MRN-1001", **extra: Any) -> int:
    token = csrf_token(client.get("/screenings/new").get_data(as_text=True))
    data = {
        "csrf_token": token,
        "subject_kind": "patient",
        "mrn": mrn,
        "given_name": "Ann",
        "family_name": "Lee",
        "date_of_birth": "1970-01-02",
        "scanner_id": scanner_id,
        "body_region": "head",
        "transmit_coil": "body",
        "setting": "outpatient",
        **extra,
    }
    response = client.post("/screenings/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/screenings/(\d+)", response.headers["Location"]).group(1))


def save(client: FlaskClient, screening_id: int, answers: dict[str, str], implants=None):  # type: ignore[no-untyped-def]
    page = client.get(f"/screenings/{screening_id}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), **answers}
    if implants is not None:
        data["implants"] = json.dumps(implants)
    return client.post(f"/screenings/{screening_id}/answers", data=data)


def step(client: FlaskClient, screening_id: int, name: str, **data: Any):  # type: ignore[no-untyped-def]
    page = client.get(f"/screenings/{screening_id}").get_data(as_text=True)
    return client.post(
        f"/screenings/{screening_id}/{name}", data={"csrf_token": csrf_token(page), **data}
    )


def page_text(client: FlaskClient, screening_id: int) -> str:
    html = client.get(f"/screenings/{screening_id}").get_data(as_text=True)
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def signed_in_clients(app: Flask) -> Callable[[str], FlaskClient]:
    """A test client per username, signed in through the real form on first use."""
    from tests import factories
    from tests.conftest import AuthActions

    clients: dict[str, FlaskClient] = {}

    def signed_in(username: str) -> FlaskClient:
        if username not in clients:
            clients[username] = app.test_client()
            assert (
                AuthActions(clients[username]).sign_in(username, factories.PASSWORD).status_code
                == 302
            )
        return clients[username]

    return signed_in
