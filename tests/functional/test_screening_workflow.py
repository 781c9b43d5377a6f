"""Screening workflow through its pages: two screens by different Level 2 people, the
constraints checklist, the final check, emergencies, exceptions and amendments."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from tests import factories
from tests.functional.screening_helpers import (
    STENT_15_ONLY,
    complete_answers,
    page_text,
    save,
    signed_in_clients,
    start,
    step,
)
from zonekeeper.audit.models import AuditEvent
from zonekeeper.clock import site_today
from zonekeeper.extensions import db
from zonekeeper.people.models import Person
from zonekeeper.screening.models import Screening
from zonekeeper.screening.services import door_screening_status


@pytest.fixture
def site(setup_data) -> dict[str, int]:  # type: ignore[no-untyped-def]
    def data() -> dict[str, int]:
        ids = factories.screening_site()
        factories.screener("tech1")
        factories.screener("tech2", "mrso")
        factories.screener("lapsed", level_2_days_ago=400)
        factories.screener("untrained", level_2_days_ago=None)
        return ids

    return setup_data(data)


@pytest.fixture
def as_user(app: Flask):  # type: ignore[no-untyped-def]
    return signed_in_clients(app)


def _screening(app: Flask, screening_id: int) -> Screening:
    with app.app_context():
        record = db.session.get(Screening, screening_id)
        db.session.expunge(record)
        return record


def _state(app: Flask, screening_id: int) -> str:
    return _screening(app, screening_id).state


def test_stent_on_the_3t_moves_to_the_15t_and_reaches_safe_to_scan(
    app: Flask, site, as_user
) -> None:  # type: ignore[no-untyped-def]
    tech1, tech2 = as_user("tech1"), as_user("tech2")
    sid = start(tech1, site["MRI 2"])
    saved = save(tech1, sid, complete_answers(stent_coil_filter="yes"), [STENT_15_ONLY])
    assert saved.status_code == 302
    text = page_text(tech1, sid)
    assert "Not cleared on the 3 T (MRI 2)" in text
    assert "Eligible on the 1.5 T (MRI 1) with these constraints" in text
    assert "B1+rms ≤ 2 µT" in text and "Move the exam to MRI 1" in text

    assert step(tech1, sid, "first-screen").status_code == 302
    assert _state(app, sid) == "first_screen_done"
    # the same person cannot do the second screen, nor a lapsed or untrained Level 2
    step(tech1, sid, "second-screen", reviewed="y")
    assert "different person" in page_text(tech1, sid)
    for username in ("lapsed", "untrained"):
        step(as_user(username), sid, "second-screen", reviewed="y")
        assert "current Level 2" in page_text(as_user(username), sid)
    assert _state(app, sid) == "first_screen_done"
    step(tech2, sid, "second-screen", reviewed="y", note="Stent card seen")
    assert _state(app, sid) == "second_screen_done"

    step(tech2, sid, "final-check", forms_reviewed="y", visual_inspection="y", detector="used")
    assert _state(app, sid) == "second_screen_done"  # not cleared on the 3 T: refused
    step(tech2, sid, "exam", move_only="1", scanner_id=site["MRI 1"])
    text = page_text(tech2, sid)
    assert "Conditional on the 1.5 T (MRI 1)" in text
    step(tech2, sid, "final-check", forms_reviewed="y", visual_inspection="y", detector="used")
    assert _state(app, sid) == "second_screen_done"  # constraints not confirmed yet

    with app.app_context():
        constraints = db.session.get(Screening, sid).latest_evaluation.decision["constraints"]
    ids = [c["id"] for c in constraints]
    assert len(ids) >= 2
    step(tech1, sid, "confirmations", constraint=ids)  # tech1 is Level 2 too: allowed
    with app.app_context():
        from zonekeeper.screening.services import unconfirmed_constraints

        assert unconfirmed_constraints(db.session.get(Screening, sid)) == []
    # a new coil clears every confirmation
    step(
        tech2,
        sid,
        "exam",
        scanner_id=site["MRI 1"],
        body_region="head",
        transmit_coil="head",
        setting="outpatient",
        contrast_agent="",
    )
    assert "confirmations were cleared" in page_text(tech2, sid)
    with app.app_context():
        record = db.session.get(Screening, sid)
        from zonekeeper.screening.services import unconfirmed_constraints

        assert len(unconfirmed_constraints(record)) == len(ids)
        assert all(c.voided_at is not None for c in record.confirmations)
    step(tech2, sid, "confirmations", constraint=ids)
    step(tech2, sid, "final-check", forms_reviewed="y", visual_inspection="y", detector="used")
    assert _state(app, sid) == "safe_to_scan"

    record = tech2.get(f"/screenings/{sid}/record").get_data(as_text=True)
    for expected in ("MRN-1001", "Coronary stent", "tech1", "tech2", "sha256:", "B1+rms"):
        assert expected in record
    with app.app_context():
        person = db.session.get(Person, _screening(app, sid).person_id)
        assert person.kind == "patient"
        assert door_screening_status(person, site_today()) == "cleared"
        summaries = db.session.scalars(select(AuditEvent.summary)).all()
        assert summaries and not any("MRN-1001" in s or "Lee" in s for s in summaries)


def test_unknown_answer_is_never_cleared(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1, tech2 = as_user("tech1"), as_user("tech2")
    sid = start(tech1, site["MRI 1"])
    save(tech1, sid, complete_answers(cardiac_device="unknown"))
    with app.app_context():
        evaluation = db.session.get(Screening, sid).latest_evaluation
        assert evaluation.disposition in ("more_info_required", "not_cleared")
        person = db.session.get(Person, evaluation.screening.person_id)
        assert door_screening_status(person, site_today()) in ("pending", "not_cleared")
    step(tech1, sid, "first-screen")
    step(tech2, sid, "second-screen", reviewed="y")
    step(tech2, sid, "final-check", forms_reviewed="y", visual_inspection="y", detector="used")
    assert _state(app, sid) == "second_screen_done"


def test_incomplete_form_cannot_be_submitted(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1 = as_user("tech1")
    sid = start(tech1, site["MRI 1"])
    answers = complete_answers()
    del answers["pump"]
    assert save(tech1, sid, answers).status_code == 302  # a draft may be incomplete
    refused = step(tech1, sid, "first-screen")
    assert _state(app, sid) == "draft"
    assert refused.status_code == 409 and "not complete" in refused.get_data(as_text=True)


def test_hidden_question_data_is_rejected_through_the_form(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1 = as_user("tech1")
    sid = start(tech1, site["MRI 1"])
    response = save(tech1, sid, complete_answers(eye_injury="no", eye_injury_treated="yes"))
    assert response.status_code == 400
    assert "only asked when" in response.get_data(as_text=True)
    assert _screening(app, sid).answers == {}  # nothing saved


def test_emergent_patient_single_screen_by_level_2(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1, untrained = as_user("tech1"), as_user("untrained")
    sid = start(tech1, site["MRI 1"], emergent="y")
    save(tech1, sid, complete_answers())
    step(tech1, sid, "first-screen")
    record = _screening(app, sid)
    assert record.state == "second_screen_done" and record.single_screen_emergent
    # an emergent screen by someone without Level 2 still needs the Level 2 review
    other = start(untrained, site["MRI 1"], mrn="MRN-2002", emergent="y")
    save(untrained, other, complete_answers())
    step(untrained, other, "first-screen")
    assert _state(app, other) == "first_screen_done"


def test_amendment_keeps_the_original(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1, tech2 = as_user("tech1"), as_user("tech2")
    sid = start(tech1, site["MRI 1"])
    save(tech1, sid, complete_answers())
    step(tech1, sid, "first-screen")
    step(tech2, sid, "second-screen", reviewed="y")
    assert save(tech1, sid, complete_answers(tattoo="yes")).status_code == 302  # locked: refused
    assert _screening(app, sid).answers["tattoo"] == "no"
    response = step(tech1, sid, "amend", reason="Patient remembered a tattoo")
    new_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    assert new_id != sid
    original, amended = _screening(app, sid), _screening(app, new_id)
    assert original.superseded and original.state == "second_screen_done"
    assert original.answers["tattoo"] == "no"
    assert amended.version == 2 and amended.supersedes_id == sid and amended.state == "draft"
    assert amended.amendment_reason == "Patient remembered a tattoo"
    assert "was amended" in page_text(tech1, sid)
    save(tech1, new_id, complete_answers(tattoo="yes"))
    assert _screening(app, new_id).answers["tattoo"] == "yes"
    assert _screening(app, sid).answers["tattoo"] == "no"


def test_every_visit_starts_an_empty_form_and_mrns_are_checked(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1 = as_user("tech1")
    first = start(tech1, site["MRI 1"])
    save(tech1, first, complete_answers())
    second = start(tech1, site["MRI 2"])
    assert _screening(app, second).answers == {}
    assert _screening(app, second).person_id == _screening(app, first).person_id
    page = tech1.get("/screenings/new").get_data(as_text=True)
    from tests.conftest import csrf_token

    response = tech1.post(
        "/screenings/new",
        data={
            "csrf_token": csrf_token(page),
            "subject_kind": "patient",
            "mrn": "MRN-1001",
            "given_name": "Someone",
            "family_name": "Else",
            "date_of_birth": "1980-03-04",
            "scanner_id": site["MRI 1"],
            "body_region": "head",
            "transmit_coil": "body",
            "setting": "outpatient",
        },
    )
    assert response.status_code == 400 and "another name or date of birth" in response.get_data(
        as_text=True
    )
    listing = tech1.get("/screenings/").get_data(as_text=True)
    assert listing.count("Ann Lee") == 2


def test_safety_director_reads_but_does_not_screen(app: Flask, site, as_user, setup_data) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.user("director1", "safety_director"))
    sid = start(as_user("tech1"), site["MRI 1"])
    director = as_user("director1")
    assert director.get(f"/screenings/{sid}").status_code == 200
    assert director.get("/screenings/new").status_code == 403


def test_door_status_is_missing_without_a_screening_today(app: Flask, site) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        person = factories.person(kind="patient")
        assert door_screening_status(person, date(2030, 1, 1)) == "missing"
        db.session.rollback()


def test_door_status_for_a_room_needs_a_screening_on_that_rooms_scanner(
    app: Flask, site, as_user
) -> None:  # type: ignore[no-untyped-def]
    """A patient cleared on the 1.5 T is not admitted to the 3 T room."""
    from zonekeeper.site.models import Scanner

    tech1, tech2 = as_user("tech1"), as_user("tech2")
    sid = start(tech1, site["MRI 1"])
    assert save(tech1, sid, complete_answers()).status_code == 302
    with app.app_context():
        person = db.session.get(Person, _screening(app, sid).person_id)
        room_15 = db.session.get(Scanner, site["MRI 1"]).room_id
        room_3 = db.session.get(Scanner, site["MRI 2"]).room_id
        assert room_15 != room_3
        for room in (None, room_15, room_3):
            assert door_screening_status(person, site_today(), room) == "pending"
    step(tech1, sid, "first-screen")
    step(tech2, sid, "second-screen", reviewed="y")
    step(tech2, sid, "final-check", forms_reviewed="y", visual_inspection="y", detector="used")
    assert _state(app, sid) == "safe_to_scan"
    with app.app_context():
        person = db.session.get(Person, _screening(app, sid).person_id)
        today = site_today()
        assert door_screening_status(person, today) == "cleared"  # any room: as before
        assert door_screening_status(person, today, room_id=None) == "cleared"
        assert door_screening_status(person, today, room_id=room_15) == "cleared"
        assert door_screening_status(person, today, room_id=room_3) == "not_cleared"
        assert door_screening_status(person, today, room_id=room_3 + 1000) == "not_cleared"
        # not on another day
        assert door_screening_status(person, date(2030, 1, 1), room_id=room_15) == "missing"
