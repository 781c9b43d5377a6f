"""The unreliable-history work-up through the real pages: a patient who cannot give a
reliable history, with no knowledgeable proxy, finishes screening after the scar
examination, the radiographs (each recorded by current Level 2) and the supervising
radiologist's decision; a refused step changes nothing and keeps the finding typed."""

from __future__ import annotations

import html as html_module
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests import factories
from tests.conftest import AuthActions, csrf_token
from tests.functional.screening_helpers import page_text, save, start, step
from zonekeeper.audit.models import AuditEvent
from zonekeeper.db import utcnow
from zonekeeper.extensions import db
from zonekeeper.people.models import Designation, Person
from zonekeeper.screening.models import Screening, ScreeningWorkupStep

SCARS = "Midline sternotomy scar; no scar over the chest wall, head or spine"
FILMS = "Chest, skull and orbit radiographs: no implant and no metallic foreign body"
DECISION = "No scars of concern; radiographs show no implant or foreign body: scan at 1.5 T"


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
        ids = factories.screening_site()
        factories.screener("tech1")
        factories.screener("tech2", "mrso")
        factories.screener("lapsed", level_2_days_ago=400)
        level_1 = factories.person(given="Lev", family="One", level="level_1", trained_days_ago=5)
        factories.user("level1", "technologist", person_id=level_1.id)
        _designate(factories.screener("rad", "physician"), "level_2_physician")
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


def _nobody_can_answer() -> dict[str, str]:
    """Staff fill in the form for an unconscious patient with nobody to answer for them."""
    from zonekeeper.questionnaires import load_forms

    form = load_forms("forms").current("patient")
    answers = {
        q.id: "unknown"
        for q in form.questions.values()
        if q.type == "yes_no_unknown" and q.show_if is None and q.required
    }
    answers.update(
        respondent="staff",
        history_reliable="no",
        proxy_available="no",
        weight_kg="70",
        height_cm="175",
    )
    return answers


def _record(client: FlaskClient, sid: int, step_id: str, finding: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/screenings/{sid}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "step": step_id, "finding": finding}
    return client.post(f"/screenings/{sid}/workup", data=data)


def _state(app: Flask, sid: int) -> tuple[str, int, int]:
    with app.app_context():
        record = db.session.get(Screening, sid)
        steps = db.session.scalar(select(func.count()).select_from(ScreeningWorkupStep))
        return record.latest_evaluation.disposition, len(record.evaluations), steps or 0


def _codes(app: Flask, sid: int) -> set[str]:
    with app.app_context():
        decision = db.session.get(Screening, sid).latest_evaluation.decision
        return {r["code"] for r in decision["reasons"]}


def test_nobody_can_answer_finishes_after_the_work_up(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1, tech2, rad = as_user("tech1"), as_user("tech2"), as_user("rad")
    sid = start(tech1, site["MRI 1"])
    assert save(tech1, sid, _nobody_can_answer()).status_code == 302
    assert _state(app, sid)[0] == "more_info_required"
    assert {"unknown_answers_need_workup", "workup_scar_examination_missing"} <= _codes(app, sid)
    text = page_text(tech1, sid)
    assert "Work-up: no reliable history and no knowledgeable proxy" in text
    assert "Waiting for a physician: supervising radiologist" in text
    assert "Record the physical examination for scars" in text
    assert "Unanswered:" not in text  # the questions nobody can answer are not asked

    assert _record(tech1, sid, "workup.scar_examination", SCARS).status_code == 302
    assert "workup_scar_examination_missing" not in _codes(app, sid)
    assert _record(tech2, sid, "workup.radiographs", FILMS).status_code == 302
    assert _codes(app, sid) >= {"unreliable_history", "unknown_answers_need_workup"}
    assert _state(app, sid)[0] == "more_info_required"

    page = rad.get(f"/screenings/{sid}").get_data(as_text=True)
    signed = rad.post(
        f"/screenings/{sid}/signoffs",
        data={
            "csrf_token": csrf_token(page),
            "clearance": "clearance.unreliable_history",
            "basis": DECISION,
        },
    )
    assert signed.status_code == 302, signed.get_data(as_text=True)
    assert _state(app, sid)[0] == "cleared"
    assert "unknown_answers_covered_by_workup" in _codes(app, sid)
    text = page_text(tech1, sid)
    assert SCARS in text and FILMS in text

    # the screening finishes: first screen, Level 2 review, final check
    assert step(tech1, sid, "first-screen").status_code == 302
    step(tech2, sid, "second-screen", reviewed="y")
    step(tech2, sid, "final-check", forms_reviewed="y", visual_inspection="y", detector="used")
    with app.app_context():
        assert db.session.get(Screening, sid).state == "safe_to_scan"
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert actions.count("screening.workup") == 2


@pytest.mark.parametrize("username", ["level1", "lapsed"])
def test_a_step_by_someone_not_current_level_2_is_refused_and_keeps_the_finding(
    app: Flask, site, as_user, username: str
) -> None:  # type: ignore[no-untyped-def]
    tech1 = as_user("tech1")
    sid = start(tech1, site["MRI 1"])
    save(tech1, sid, _nobody_can_answer())
    before = _state(app, sid)
    typed = "Long scar over the left chest wall: possible device pocket"
    refused = _record(as_user(username), sid, "workup.scar_examination", typed)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert 'id="workup-refused"' in html and "Level 2" in html
    assert typed in html  # the finding typed is not lost
    assert _state(app, sid) == before  # nothing changed: no step, no new evaluation


def test_a_step_needs_a_finding_and_a_request(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1 = as_user("tech1")
    sid = start(tech1, site["MRI 1"])
    save(tech1, sid, _nobody_can_answer())
    assert _record(tech1, sid, "workup.scar_examination", "ok").status_code == 400
    assert _record(tech1, sid, "workup.unknown", SCARS).status_code == 400
    # a patient who can answer is not worked up
    other = start(tech1, site["MRI 1"], mrn="MRN-2002")
    answers = {**_nobody_can_answer(), "history_reliable": "yes"}
    answers.pop("proxy_available")
    save(tech1, other, answers)
    refused = _record(tech1, other, "workup.radiographs", FILMS)
    assert refused.status_code == 400
    assert "Nothing on this screening asks for" in refused.get_data(as_text=True)
    assert "Work-up: no reliable history" not in page_text(tech1, other)
    assert _state(app, sid)[2] == 0


def test_a_wrong_step_is_voided_with_a_reason_and_is_needed_again(
    app: Flask, site, as_user
) -> None:  # type: ignore[no-untyped-def]
    tech1 = as_user("tech1")
    sid = start(tech1, site["MRI 1"])
    save(tech1, sid, _nobody_can_answer())
    assert _record(tech1, sid, "workup.radiographs", FILMS).status_code == 302
    assert "workup_radiographs_missing" not in _codes(app, sid)
    with app.app_context():
        step_id = db.session.scalars(select(ScreeningWorkupStep.id)).one()
    page = tech1.get(f"/screenings/{sid}").get_data(as_text=True)
    no_reason = tech1.post(
        f"/screenings/{sid}/workup/{step_id}/void",
        data={"csrf_token": csrf_token(page), "reason": ""},
    )
    assert no_reason.status_code == 302
    assert "workup_radiographs_missing" not in _codes(app, sid)
    # without CSRF the void is refused outright
    assert (
        tech1.post(f"/screenings/{sid}/workup/{step_id}/void", data={"reason": "x" * 10})
    ).status_code == 400
    voided = tech1.post(
        f"/screenings/{sid}/workup/{step_id}/void",
        data={"csrf_token": csrf_token(page), "reason": "Films of another patient"},
    )
    assert voided.status_code == 302
    assert "workup_radiographs_missing" in _codes(app, sid)
    with app.app_context():
        record = db.session.get(ScreeningWorkupStep, step_id)
        assert record.voided_at is not None and record.void_reason == "Films of another patient"
    text = page_text(tech1, sid)
    assert "VOID" in text and "Films of another patient" in text


def test_a_changed_answer_needs_the_step_again(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1 = as_user("tech1")
    sid = start(tech1, site["MRI 1"])
    save(tech1, sid, _nobody_can_answer())
    _record(tech1, sid, "workup.scar_examination", SCARS)
    assert "workup_scar_examination_missing" not in _codes(app, sid)
    save(tech1, sid, {**_nobody_can_answer(), "pregnant": "no"})
    assert "workup_scar_examination_missing" in _codes(app, sid)
    assert "NO LONGER APPLIES" in page_text(tech1, sid)


def test_the_work_up_needs_csrf(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1 = as_user("tech1")
    sid = start(tech1, site["MRI 1"])
    save(tech1, sid, _nobody_can_answer())
    response = tech1.post(
        f"/screenings/{sid}/workup", data={"step": "workup.scar_examination", "finding": SCARS}
    )
    assert response.status_code == 400
    assert _state(app, sid)[2] == 0


def test_the_banner_says_who_can_lift_a_finding(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    from tests.functional.screening_helpers import complete_answers

    tech1 = as_user("tech1")
    pregnant = start(tech1, site["MRI 1"])
    save(tech1, pregnant, complete_answers(pregnant="yes"))
    text = page_text(tech1, pregnant)
    assert "More information required" in text
    assert (
        "Waiting for a physician: radiologist, with the referring physician — "
        "The radiologist decides, with the referring physician:"
    ) in text
    assert "nobody at the desk can lift this" not in text

    lead = start(tech1, site["MRI 1"], mrn="MRN-3003")
    save(tech1, lead, complete_answers(leads_abandoned_or_fractured="yes"))
    text = page_text(tech1, lead)
    assert "Not cleared: nobody at the desk can lift this." in text
    assert "Waiting for a physician" not in text


def test_nobody_can_answer_needs_no_i_dont_know_typed_into_every_question(
    app: Flask, site, as_user
) -> None:  # type: ignore[no-untyped-def]
    """A user trial: answering only 'no reliable history' and 'no proxy' left the first screen
    refused ('32 questions unanswered'); typing "I don't know" then voided the work-up."""
    tech1, tech2, rad = as_user("tech1"), as_user("tech2"), as_user("rad")
    sid = start(tech1, site["MRI 1"])
    only = {
        "respondent": "staff",
        "history_reliable": "no",
        "proxy_available": "no",
        "weight_kg": "70",
        "height_cm": "175",
    }
    assert save(tech1, sid, only).status_code == 302
    assert _record(tech1, sid, "workup.scar_examination", SCARS).status_code == 302
    assert _record(tech2, sid, "workup.radiographs", FILMS).status_code == 302
    page = rad.get(f"/screenings/{sid}").get_data(as_text=True)
    rad.post(
        f"/screenings/{sid}/signoffs",
        data={
            "csrf_token": csrf_token(page),
            "clearance": "clearance.unreliable_history",
            "basis": DECISION,
        },
    )
    assert _state(app, sid)[0] == "cleared"
    assert step(tech1, sid, "first-screen").status_code == 302
    step(tech2, sid, "second-screen", reviewed="y")
    step(tech2, sid, "final-check", forms_reviewed="y", visual_inspection="y", detector="used")
    with app.app_context():
        assert db.session.get(Screening, sid).state == "safe_to_scan"


def test_open_questions_still_block_the_first_screen_when_someone_can_answer(
    app: Flask, site, as_user
) -> None:  # type: ignore[no-untyped-def]
    tech1 = as_user("tech1")
    sid = start(tech1, site["MRI 1"])
    partial = {"respondent": "patient", "history_reliable": "yes", "weight_kg": "70"}
    save(tech1, sid, partial)
    refused = step(tech1, sid, "first-screen")
    with app.app_context():
        assert db.session.get(Screening, sid).state == "draft"
    # a refused step answers with the page and the reason by its button (issue #15)
    assert refused.status_code == 409
    assert "question(s) are unanswered" in html_module.unescape(refused.get_data(as_text=True))
