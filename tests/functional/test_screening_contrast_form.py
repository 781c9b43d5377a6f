"""The exam form's contrast agent: any spelling is stored by its generic name; an unknown
name is refused with a "did you mean" and nothing is created."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests import factories
from tests.conftest import AuthActions, csrf_token
from tests.functional.screening_helpers import start
from zonekeeper.extensions import db
from zonekeeper.screening.models import Screening


@pytest.fixture
def tech(app: Flask, setup_data) -> tuple[FlaskClient, dict[str, int]]:  # type: ignore[no-untyped-def]
    def data() -> dict[str, int]:
        ids = factories.screening_site()
        factories.screener("tech1")
        return ids

    ids = setup_data(data)
    client = app.test_client()
    assert AuthActions(client).sign_in("tech1", factories.PASSWORD).status_code == 302
    return client, ids


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
