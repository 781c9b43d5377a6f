"""The exam form's contrast agent: any spelling is stored by its generic name; an unknown
name is refused with a "did you mean" and nothing is created."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import func, select

from tests.conftest import csrf_token
from tests.functional.screening_helpers import start
from zonekeeper.extensions import db
from zonekeeper.screening.models import Screening


def test_a_brand_or_short_form_is_stored_by_its_generic_name(app: Flask, tech) -> None:  # type: ignore[no-untyped-def]
    client, ids = tech
    sid = start(client, ids["MRI 1"], contrast_agent="  Gd-BOPTA ")
    with app.app_context():
        assert db.session.get(Screening, sid).contrast_agent == "gadobenate dimeglumine"


def test_an_unknown_agent_is_refused_with_did_you_mean(app: Flask, tech) -> None:  # type: ignore[no-untyped-def]
    client, ids = tech
    token = csrf_token(client.get("/screenings/new").get_data(as_text=True))
    response = client.post(
        "/screenings/new",
        data={
            "csrf_token": token,
            "subject_kind": "patient",
            "mrn": "MRN-9",
            "given_name": "Ann",
            "family_name": "Lee",
            "date_of_birth": "1970-01-02",
            "scanner_id": ids["MRI 1"],
            "body_region": "head",
            "transmit_coil": "body",
            "setting": "outpatient",
            "contrast_agent": "Dotarm",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True).replace("&#39;", "'")
    assert "did you mean Dotarem (gadoterate meglumine, group II)?" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Screening)) == 0
