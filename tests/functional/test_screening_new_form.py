"""Starting a screening: nothing clinical is preset, and a date of birth must be believable.

Issue #16: a new screening was preset to MRI 1, Head, Body coil and Inpatient (the setting
alone changes the eGFR window), and a date of birth of 1850 was accepted.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token
from tests.functional.screening_helpers import start
from zonekeeper.screening.services import BirthDateError, check_birth_date

EXAM_SELECTS = ("scanner_id", "body_region", "transmit_coil", "setting")


def _count(app: Flask) -> int:
    from zonekeeper.extensions import db
    from zonekeeper.screening.models import Screening

    with app.app_context():
        return db.session.query(Screening).count()


def _post(client: FlaskClient, **fields: object):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get("/screenings/new").get_data(as_text=True))
    data = {
        "csrf_token": token,
        "subject_kind": "patient",
        "mrn": "MRN-77",
        "given_name": "Ann",
        "family_name": "Lee",
        "date_of_birth": "1970-01-02",
        **fields,
    }
    return client.post("/screenings/new", data={k: v for k, v in data.items() if v is not None})


def test_the_new_screening_form_presets_no_scanner_region_coil_or_setting(tech) -> None:  # type: ignore[no-untyped-def]
    client, _ = tech
    page = client.get("/screenings/new").get_data(as_text=True)
    for name in EXAM_SELECTS:
        select = re.search(rf'<select[^>]*id="{name}"[^>]*>(.*?)</select>', page, re.S)
        assert select, name
        first = re.search(r"<option([^>]*)>([^<]*)</option>", select.group(1))
        assert first and 'value=""' in first.group(1) and "Choose" in first.group(2), name
        chosen = re.findall(r"<option[^>]*selected[^>]*>", select.group(1))
        assert all('value=""' in option for option in chosen), f"{name} is preset: {chosen}"


def test_a_screening_without_the_exam_chosen_is_refused_and_not_started(app: Flask, tech) -> None:  # type: ignore[no-untyped-def]
    client, ids = tech
    response = _post(client, scanner_id=ids["MRI 1"], body_region="head")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Choose the transmit coil" in html
    assert "Choose the setting (inpatient or outpatient)" in html
    assert _count(app) == 0
    response = _post(client, scanner_id="", body_region="head", transmit_coil="body",
                     setting="outpatient")  # fmt: skip
    assert response.status_code == 400
    assert "Choose the scanner" in response.get_data(as_text=True)
    assert _count(app) == 0


@pytest.mark.parametrize(
    ("born", "message"),
    [
        ("1850-06-01", "130 or more years ago cannot be right"),
        ("2999-01-01", "in the future"),
    ],
)
def test_an_impossible_date_of_birth_is_a_field_error(app: Flask, tech, born, message) -> None:  # type: ignore[no-untyped-def]
    client, ids = tech
    response = _post(client, date_of_birth=born, scanner_id=ids["MRI 1"], body_region="head",
                     transmit_coil="body", setting="outpatient")  # fmt: skip
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(app) == 0


def test_a_chosen_exam_and_a_believable_birth_date_start_the_screening(app: Flask, tech) -> None:  # type: ignore[no-untyped-def]
    client, ids = tech
    start(client, ids["MRI 1"])
    assert _count(app) == 1


def test_the_birth_date_rule_lives_in_the_service() -> None:
    today = date(2026, 11, 29)
    check_birth_date(date(1896, 11, 30), today)  # 129 years old: unusual, possible
    with pytest.raises(BirthDateError):
        check_birth_date(date(1896, 11, 29), today)  # 130 today
    with pytest.raises(BirthDateError):
        check_birth_date(date(2026, 11, 30), today)
    check_birth_date(today, today)  # a newborn


def test_a_refused_save_lists_each_marked_answer_with_a_link_to_it(tech) -> None:  # type: ignore[no-untyped-def]
    from tests.functional.screening_helpers import complete_answers, save

    client, ids = tech
    sid = start(client, ids["MRI 1"])
    page = client.get(f"/screenings/{sid}").get_data(as_text=True)
    assert 'id="section-nav"' in page and 'href="#section-' in page  # sections, one tap away
    response = save(client, sid, complete_answers(weight_kg="heavy"))
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    summary = html.split('id="error-summary"')[1].split("</div>")[0]
    assert "1 answer(s) need attention" in summary
    assert 'href="#q-weight_kg"' in summary
