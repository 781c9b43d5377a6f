"""Physicians' sign-offs: the clearance.* facts a radiologist or the MRMD records, which the
screening rules wait for (orbit clearance, pregnancy risk/benefit, ...)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import factories
from tests.conftest import AuthActions, csrf_token
from tests.functional.screening_helpers import complete_answers, page_text, save, start, step
from zonekeeper.audit.models import AuditEvent
from zonekeeper.db import utcnow
from zonekeeper.extensions import db
from zonekeeper.people.models import Designation, Person
from zonekeeper.screening.models import Screening, ScreeningSignoff

ORBIT = {"eye_injury": "yes", "eye_injury_treated": "yes", "eye_injury_imaging": "no"}
BASIS = "Orbit radiographs, 2 views, read: no metallic foreign body"


def _designate(user_id: int, role: str, *, ended: bool = False) -> None:
    from zonekeeper.auth.models import User

    person = db.session.get(Person, db.session.get(User, user_id).person_id)
    today = utcnow().date()
    person.designations.append(
        Designation(
            role=role,
            granted_on=today - timedelta(days=30),
            ended_on=today - timedelta(days=1) if ended else None,
        )
    )
    db.session.commit()


@pytest.fixture
def site(setup_data) -> dict[str, int]:  # type: ignore[no-untyped-def]
    def data() -> dict[str, int]:
        ids = factories.screening_site()
        factories.screener("tech1")
        factories.screener("tech2", "mrso")
        _designate(factories.screener("rad"), "level_2_physician")
        _designate(factories.screener("mrmd", "safety_director"), "mrmd")
        _designate(factories.screener("formerrad"), "level_2_physician", ended=True)
        _designate(factories.screener("lapsedrad", level_2_days_ago=400), "level_2_physician")
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


def _sign(client: FlaskClient, sid: int, clearance: str, basis: str = BASIS, **extra: str):  # type: ignore[no-untyped-def]
    page = client.get(f"/screenings/{sid}").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "clearance": clearance, "basis": basis, **extra}
    return client.post(f"/screenings/{sid}/signoffs", data=data)


def _disposition(app: Flask, sid: int) -> str:
    with app.app_context():
        return db.session.get(Screening, sid).latest_evaluation.disposition


def _orbit_patient(client: FlaskClient, scanner_id: int) -> int:
    sid = start(client, scanner_id)
    assert save(client, sid, complete_answers(**ORBIT)).status_code == 302
    return sid


def test_orbit_clearance_by_a_radiologist_clears_the_patient(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1, tech2, rad = as_user("tech1"), as_user("tech2"), as_user("rad")
    sid = _orbit_patient(tech1, site["MRI 1"])
    assert _disposition(app, sid) == "more_info_required"
    text = page_text(tech1, sid)
    waiting = "Waiting for a physician: radiologist — The radiologist decides: they need plain"
    assert f"{waiting} radiographs of the orbits" in text
    assert "→ Record the radiologist's orbit clearance" in text
    assert "Your account cannot sign this" in text

    # a technologist (current Level 2, no physician designation) is refused at the form
    refused = _sign(tech1, sid, "clearance.orbits")
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "Only a person designated Level 2 MR physician or MR Medical Director" in html
    assert 'id="signoff-orbits" open' in html
    # so are an ended designation and a radiologist whose Level 2 training lapsed
    for username in ("formerrad", "lapsedrad"):
        assert _sign(as_user(username), sid, "clearance.orbits").status_code == 400
    # a clearance nothing asks for, and a sign-off without its basis
    assert "Nothing on this screening asks for" in _sign(
        rad, sid, "clearance.pregnancy", co_signer="Dr Ref"
    ).get_data(as_text=True)
    assert _sign(rad, sid, "clearance.orbits", basis="ok").status_code == 400
    assert _disposition(app, sid) == "more_info_required"

    response = _sign(rad, sid, "clearance.orbits")
    assert response.status_code == 302
    assert _disposition(app, sid) == "cleared"
    text = page_text(tech1, sid)
    assert "Cleared on the 1.5 T (MRI 1)" in text
    assert BASIS in text and "level 2 physician" in text
    # recorded once: a second one is refused (nothing asks for it any more)
    assert _sign(rad, sid, "clearance.orbits").status_code == 400

    assert step(tech1, sid, "first-screen").status_code == 302
    step(tech2, sid, "second-screen", reviewed="y")
    step(tech2, sid, "final-check", forms_reviewed="y", visual_inspection="y", detector="used")
    with app.app_context():
        record = db.session.get(Screening, sid)
        assert record.state == "safe_to_scan"
        assert record.latest_evaluation.decision["actions"] == []
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert "screening.signoff" in actions
        summaries = db.session.scalars(select(AuditEvent.summary)).all()
        assert not any("Lee" in s or "MRN-1001" in s for s in summaries)

    printed = tech2.get(f"/screenings/{sid}/record").get_data(as_text=True)
    assert "Physicians&#39; sign-offs" in printed or "Physicians' sign-offs" in printed
    assert BASIS in printed and "clearance.orbits" in printed

    # the screening is locked: no sign-off and no void; amend instead
    with app.app_context():
        signoff_id = db.session.scalars(select(ScreeningSignoff.id)).one()
    locked = _sign(rad, sid, "clearance.orbits")
    assert locked.status_code == 400
    page = rad.get(f"/screenings/{sid}").get_data(as_text=True)
    rad.post(
        f"/screenings/{sid}/signoffs/{signoff_id}/void",
        data={"csrf_token": csrf_token(page), "reason": "wrong patient's films"},
    )
    assert "amend it" in page_text(rad, sid)
    with app.app_context():
        assert db.session.get(ScreeningSignoff, signoff_id).voided_at is None


def test_voiding_a_signoff_brings_the_finding_back(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1, rad = as_user("tech1"), as_user("rad")
    sid = _orbit_patient(tech1, site["MRI 1"])
    assert _sign(rad, sid, "clearance.orbits").status_code == 302
    assert _disposition(app, sid) == "cleared"
    with app.app_context():
        signoff_id = db.session.scalars(select(ScreeningSignoff.id)).one()
    page = tech1.get(f"/screenings/{sid}").get_data(as_text=True)
    url = f"/screenings/{sid}/signoffs/{signoff_id}/void"
    tech1.post(url, data={"csrf_token": csrf_token(page), "reason": ""})
    assert _disposition(app, sid) == "cleared"  # a reason is required
    response = tech1.post(
        url, data={"csrf_token": csrf_token(page), "reason": "Films of another patient"}
    )
    assert response.status_code == 302
    assert _disposition(app, sid) == "more_info_required"
    text = page_text(tech1, sid)
    assert "VOID" in text and "Films of another patient" in text  # kept, with the reason
    assert "→ Record the radiologist's orbit clearance" in text  # asked for again
    with app.app_context():
        signoff = db.session.get(ScreeningSignoff, signoff_id)
        assert signoff.voided_at is not None and signoff.basis == BASIS
        assert "screening.signoff_void" in db.session.scalars(select(AuditEvent.action)).all()
    # a new sign-off can be recorded after the void
    assert _sign(rad, sid, "clearance.orbits").status_code == 302
    assert _disposition(app, sid) == "cleared"


def test_pregnancy_needs_the_referrer_and_the_mrmd_may_sign(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1, mrmd = as_user("tech1"), as_user("mrmd")
    sid = start(tech1, site["MRI 1"])
    save(tech1, sid, complete_answers(pregnant="yes"))
    assert _disposition(app, sid) == "more_info_required"
    assert "Record the radiologist's pregnancy risk/benefit decision" in page_text(tech1, sid)
    refused = _sign(mrmd, sid, "clearance.pregnancy", basis="Needed now, no alternative")
    assert refused.status_code == 400
    assert "Name the referring physician" in refused.get_data(as_text=True)
    ok = _sign(
        mrmd, sid, "clearance.pregnancy", basis="Needed now, no alternative", co_signer="Dr Ref"
    )
    assert ok.status_code == 302
    assert _disposition(app, sid) == "conditional"  # prefer Normal Operating Mode
    assert "Dr Ref" in page_text(tech1, sid)


def test_signoffs_carry_into_an_amendment(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1, tech2, rad = as_user("tech1"), as_user("tech2"), as_user("rad")
    sid = _orbit_patient(tech1, site["MRI 1"])
    _sign(rad, sid, "clearance.orbits")
    step(tech1, sid, "first-screen")
    step(tech2, sid, "second-screen", reviewed="y")
    step(tech2, sid, "amend", reason="Weight corrected")
    with app.app_context():
        amended = db.session.scalars(select(Screening).where(Screening.supersedes_id == sid)).one()
        assert amended.latest_evaluation.disposition == "cleared"
        new_id = amended.id
    assert "on version 1" in page_text(tech2, new_id)


def test_mrmd_decision_is_for_the_mrmd_only(app: Flask, site) -> None:  # type: ignore[no-untyped-def]
    from zonekeeper.screening.signoffs import CLEARANCES, requested_clearances

    assert "clearance.mrmd_risk_benefit" in CLEARANCES
    with app.app_context():
        from zonekeeper.policy_store import current_policy

        policy = current_policy()
        assert policy.steps["signoff.clearance.mrmd_risk_benefit"].designations == ("mrmd",)
        # abandoned leads (rule with an 'unless'): the MRMD's decision is asked for
        leads = {
            "actions": [{"code": "mrmd_risk_benefit", "source": "abandoned-or-fractured-leads"}],
            "reasons": [],
            "contrast": {},
        }
        assert requested_clearances(leads, policy) == {
            "clearance.mrmd_risk_benefit": ["mrmd_risk_benefit"]
        }
        # an MR Unsafe implant: no sign-off lifts it, so none is offered
        unsafe = {
            "actions": [{"code": "mrmd_risk_benefit", "source": "implants[0]"}],
            "reasons": [{"implant": "implants[0]", "rule_id": "implant.mr_unsafe"}],
            "contrast": {},
        }
        assert requested_clearances(unsafe, policy) == {}


STALE = "given on different answers: record it again if it still holds"
METALWORKING = "Welder: orbit radiographs and chest film reviewed, no fragments"


def test_a_metalworking_review_never_clears_shrapnel_declared_later(
    app: Flask, site, as_user
) -> None:  # type: ignore[no-untyped-def]
    """The verified finding: a sign-off given for a metalworking history lifted the
    shrapnel rule added afterwards (one fact for both, and not bound to the answers)."""
    tech1, rad = as_user("tech1"), as_user("rad")
    sid = start(tech1, site["MRI 1"])
    assert save(tech1, sid, complete_answers(metalworking="yes")).status_code == 302
    assert _disposition(app, sid) == "more_info_required"
    assert "→ Record the radiologist's metalworking history review" in page_text(tech1, sid)
    assert _sign(rad, sid, "clearance.metalworking", basis=METALWORKING).status_code == 302
    assert _disposition(app, sid) == "cleared"

    save(tech1, sid, complete_answers(metalworking="yes", metal_fragments="yes"))
    with app.app_context():
        evaluation = db.session.get(Screening, sid).latest_evaluation
        assert evaluation.disposition == "more_info_required"
        codes = {r["code"] for r in evaluation.decision["reasons"]}
        assert "metallic_foreign_body" in codes
    # the metalworking review is shown as no longer applying: the history finding is back too
    text = page_text(tech1, sid)
    assert "NO LONGER APPLIES" in text and STALE in text.lower()
    assert "→ Record the radiologist's foreign body review" in text
    assert "→ Record the radiologist's metalworking history review" in text

    # the shrapnel review, in turn, does not lift the metalworking history
    basis = "Chest radiograph: fragment non-ferromagnetic, away from vital organs"
    assert _sign(rad, sid, "clearance.foreign_body", basis=basis).status_code == 302
    with app.app_context():
        evaluation = db.session.get(Screening, sid).latest_evaluation
        assert evaluation.disposition == "more_info_required"
        assert {r["code"] for r in evaluation.decision["reasons"]} == {"metalworking_history"}
    # recorded again on these answers, it applies again
    assert _sign(rad, sid, "clearance.metalworking", basis=METALWORKING).status_code == 302
    assert _disposition(app, sid) == "cleared"


def test_a_signoff_applies_only_to_the_answers_it_was_given_on(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1, rad = as_user("tech1"), as_user("rad")
    sid = _orbit_patient(tech1, site["MRI 1"])
    assert _sign(rad, sid, "clearance.orbits").status_code == 302
    assert _disposition(app, sid) == "cleared"
    # saving the very same answers again changes nothing
    save(tech1, sid, complete_answers(**ORBIT))
    assert _disposition(app, sid) == "cleared"

    # any change of the answers (or the implants) and the finding comes back
    save(tech1, sid, complete_answers(**ORBIT, weight_kg="82"))
    assert _disposition(app, sid) == "more_info_required"
    text = page_text(tech1, sid)
    assert "NO LONGER APPLIES" in text and STALE in text.lower()
    assert "→ Record the radiologist's orbit clearance" in text
    printed = page_text_of(tech1, f"/screenings/{sid}/record")
    assert "Given on different answers: record it again if it still holds" in printed
    from tests.functional.test_screening_record_pdf import _pdf_text

    pdf = "".join(_pdf_text(tech1.get(f"/screenings/{sid}/record.pdf").data).split())
    assert "Givenondifferentanswers:recorditagainifitstillholds" in pdf  # wrapped in the cell

    # back to the answers it was given on: it holds again
    save(tech1, sid, complete_answers(**ORBIT))
    assert _disposition(app, sid) == "cleared"
    # on new answers it is recorded again (the stale one does not block it)
    save(tech1, sid, complete_answers(**ORBIT, weight_kg="82"))
    assert _sign(rad, sid, "clearance.orbits").status_code == 302
    assert _disposition(app, sid) == "cleared"
    with app.app_context():
        assert len(db.session.scalars(select(ScreeningSignoff)).all()) == 2


def test_an_amendment_that_changes_the_answers_drops_the_signoff(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    tech1, tech2, rad = as_user("tech1"), as_user("tech2"), as_user("rad")
    sid = _orbit_patient(tech1, site["MRI 1"])
    _sign(rad, sid, "clearance.orbits")
    step(tech1, sid, "first-screen")
    step(tech2, sid, "second-screen", reviewed="y")
    step(tech2, sid, "amend", reason="Shrapnel disclosed")
    with app.app_context():
        amended = db.session.scalars(select(Screening).where(Screening.supersedes_id == sid)).one()
        assert amended.latest_evaluation.disposition == "cleared"  # same answers: still holds
        new_id = amended.id
    save(tech2, new_id, complete_answers(**ORBIT, metal_fragments="yes"))
    with app.app_context():
        evaluation = db.session.get(Screening, new_id).latest_evaluation
        codes = {r["code"] for r in evaluation.decision["reasons"]}
        assert evaluation.disposition == "more_info_required"
        assert {"orbit_foreign_body", "metallic_foreign_body"} <= codes
    assert STALE in page_text(tech2, new_id).lower()


def test_the_mrmd_decision_does_not_cover_a_new_implant(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    from tests.functional.screening_helpers import STENT_15_ONLY

    tech1, mrmd = as_user("tech1"), as_user("mrmd")
    sid = start(tech1, site["MRI 1"])
    save(tech1, sid, complete_answers(leads_abandoned_or_fractured="yes"))
    assert _disposition(app, sid) == "not_cleared"
    basis = "Abandoned lead: benefit outweighs the risk; 1.5 T, Normal Mode, monitored"
    assert _sign(mrmd, sid, "clearance.mrmd_risk_benefit", basis=basis).status_code == 302
    assert _disposition(app, sid) != "not_cleared"
    before = _disposition(app, sid)
    # an incomplete system declared afterwards needs a new decision
    implant = {**STENT_15_ONLY, "complete_system": False}
    save(
        tech1,
        sid,
        complete_answers(leads_abandoned_or_fractured="yes", stent_coil_filter="yes"),
        [implant],
    )
    with app.app_context():
        evaluation = db.session.get(Screening, sid).latest_evaluation
        codes = {r["code"] for r in evaluation.decision["reasons"]}
        assert evaluation.disposition == "not_cleared", before
        assert "abandoned_leads" in codes


def page_text_of(client: FlaskClient, url: str) -> str:
    import html as html_module
    import re

    html = client.get(url).get_data(as_text=True)
    return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))
