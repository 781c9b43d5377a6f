"""Who may take each screening step, through the real pages: a refused step changes
nothing (state, evaluations, audit trail) and says who may take it; physicians sign with
their own accounts; the no-screen exception reaches the Zone IV door; `screen recheck`
returns final checks recorded by someone not allowed."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests import factories
from tests.conftest import AuthActions
from tests.functional.screening_helpers import complete_answers, page_text, save, start, step
from zonekeeper.audit.models import AuditEvent
from zonekeeper.auth.models import User
from zonekeeper.db import utcnow
from zonekeeper.doors.devices import add_device
from zonekeeper.extensions import db
from zonekeeper.people.models import Designation, Person
from zonekeeper.screening.models import Screening, ScreeningEvaluation

FINAL = {"forms_reviewed": "y", "visual_inspection": "y", "detector": "used"}
REASON = "Suspected cord compression, patient unresponsive: cannot wait"


def _designate(user_id: int, role: str) -> None:
    person = db.session.get(Person, db.session.get(User, user_id).person_id)
    person.designations.append(
        Designation(role=role, granted_on=utcnow().date() - timedelta(days=30))
    )
    db.session.flush()


def _level_1(username: str) -> int:
    record = factories.person(given=username.capitalize(), level="level_1", trained_days_ago=20)
    return factories.user(username, "technologist", person_id=record.id).id


@pytest.fixture
def site(setup_data) -> dict[str, object]:  # type: ignore[no-untyped-def]
    def data() -> dict[str, object]:
        from zonekeeper.site.models import Door, Scanner

        scanners = factories.screening_site()
        doors = factories.door_site()
        db.session.get(Door, doors["mri-1"]).room_id = db.session.get(
            Scanner, scanners["MRI 1"]
        ).room_id
        factories.screener("tech1")
        escort = factories.screener("tech2")
        factories.screener("lapsed", level_2_days_ago=400)
        _level_1("levelone")
        _designate(factories.screener("drcho", "physician"), "level_2_physician")
        _designate(
            factories.screener("drlapsed", "physician", level_2_days_ago=400), "level_2_physician"
        )
        factories.screener("drnobody", "physician")
        return {
            "scanners": scanners,
            "device": add_device("mri-1", "reader"),
            "escort_badge": factories.badge(db.session.get(User, escort).person),
        }

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


def _snapshot(app: Flask, sid: int) -> tuple[object, ...]:
    with app.app_context():
        record = db.session.get(Screening, sid)
        evaluations = db.session.scalar(
            select(func.count())
            .select_from(ScreeningEvaluation)
            .where(ScreeningEvaluation.screening_id == sid)
        )
        events = db.session.scalar(  # forbidden attempts (auth.*) are logged; nothing else
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action.notlike("auth.%"))
        )
        return (
            record.state,
            record.final_check_at,
            record.final_check_by_user_id,
            evaluations,
            events,
        )


def _reviewed(site, as_user) -> int:  # type: ignore[no-untyped-def]
    tech1, tech2 = as_user("tech1"), as_user("tech2")
    sid = start(tech1, site["scanners"]["MRI 1"])
    save(tech1, sid, complete_answers())
    step(tech1, sid, "first-screen")
    step(tech2, sid, "second-screen", reviewed="y", note="Reviewed every answer")
    return sid


@pytest.mark.parametrize("who", ["levelone", "lapsed", "drcho"])
def test_a_final_check_by_someone_not_current_level_2_staff_changes_nothing(
    app: Flask, site, as_user, who: str
) -> None:  # type: ignore[no-untyped-def]
    sid = _reviewed(site, as_user)
    actor = as_user(who)  # signed in before the snapshot (signing in is audited)
    before = _snapshot(app, sid)
    refused = step(actor, sid, "final-check", **FINAL)
    assert refused.status_code in (403, 409)  # 409: the page again, the reason at the button
    assert _snapshot(app, sid) == before  # same state, no evaluation, no audit event
    if refused.status_code == 302:
        text = page_text(as_user(who), sid)
        assert "Only Level 2 MR personnel with current training" in text
    step(as_user("tech1"), sid, "final-check", **FINAL)
    assert _snapshot(app, sid)[0] == "safe_to_scan"


@pytest.mark.parametrize(
    ("who", "step_name", "data"),
    [
        ("levelone", "second-screen", {"reviewed": "y", "note": "Reviewed"}),
        ("lapsed", "second-screen", {"reviewed": "y", "note": "Reviewed"}),
        ("tech1", "second-screen", {"reviewed": "y", "note": "I screened first"}),
        ("levelone", "amend", {"reason": "Wrong weight typed"}),
    ],
)
def test_other_level_2_steps_are_refused_and_keep_the_state(
    app: Flask, site, as_user, who: str, step_name: str, data: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    tech1 = as_user("tech1")
    sid = start(tech1, site["scanners"]["MRI 1"])
    save(tech1, sid, complete_answers())
    step(tech1, sid, "first-screen")
    if step_name == "amend":
        step(as_user("tech2"), sid, "second-screen", reviewed="y", note="Reviewed")
        step(tech1, sid, "final-check", **FINAL)
    actor = as_user(who)
    before = _snapshot(app, sid)
    refused = step(actor, sid, step_name, **data)
    assert _snapshot(app, sid) == before
    assert "Only " in refused.get_data(as_text=True)  # the reason, on the page answered


def test_the_physician_role_signs_but_cannot_screen(app: Flask, site, as_user) -> None:  # type: ignore[no-untyped-def]
    doctor = as_user("drcho")
    assert doctor.get("/screenings/new").status_code == 403
    home = doctor.get("/", follow_redirects=False)
    assert home.status_code in (302, 403)
    sid = _reviewed(site, as_user)
    assert doctor.get(f"/screenings/{sid}").status_code == 200
    assert step(doctor, sid, "answers", **complete_answers()).status_code == 403
    assert step(doctor, sid, "first-screen").status_code == 403


def test_the_no_screen_exception_needs_the_level_2_mr_physicians_own_account(
    app: Flask, site, as_user
) -> None:  # type: ignore[no-untyped-def]
    tech1 = as_user("tech1")
    sid = start(tech1, site["scanners"]["MRI 1"], emergent="y")
    data = {"ordering_physician": "Dr Ortiz", "reason": REASON, "acknowledged": "y"}
    for who in ("tech1", "drlapsed", "drnobody"):  # no designation, or training lapsed
        step(as_user(who), sid, "exception", **data)
        assert _snapshot(app, sid)[0] == "draft"
    assert "Only a person designated Level 2 MR physician" in page_text(tech1, sid)
    doctor = as_user("drcho")
    step(doctor, sid, "exception", **{**data, "ordering_physician": "Drcho Screener"})
    assert _snapshot(app, sid)[0] == "draft"  # the two signatures are two people
    step(doctor, sid, "exception", **{**data, "acknowledged": ""})
    assert _snapshot(app, sid)[0] == "draft"
    step(doctor, sid, "exception", **data)
    with app.app_context():
        record = db.session.get(Screening, sid)
        assert record.state == "no_screen_exception"
        assert record.exception_mr_physician_user_id == db.session.scalar(
            select(User.id).where(User.username == "drcho")
        )
        assert record.exception_ordering_physician == "Dr Ortiz"
    assert step(doctor, sid, "final-check", **FINAL).status_code == 403  # no technologist rights
    step(as_user("levelone"), sid, "final-check", **FINAL)
    assert _snapshot(app, sid)[0] == "no_screen_exception"
    step(tech1, sid, "final-check", **FINAL)
    assert _snapshot(app, sid)[0] == "final_check_done"
    assert "no-screen exception" in page_text(tech1, sid).lower()


def _scan(app: Flask, site, text: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return (
        app.test_client()
        .post(
            "/api/v1/doors/mri-1/scans",
            json={"text": text},
            headers={"Authorization": f"Bearer {site['device']}"},
        )
        .get_json()
    )


def _wristband(client: FlaskClient, app: Flask, sid: int) -> str:
    from tests.conftest import csrf_token

    with app.app_context():
        patient_id = db.session.get(Screening, sid).person_id
    page = client.get(f"/screenings/{sid}").get_data(as_text=True)
    printed = client.post(f"/people/{patient_id}/wristband", data={"csrf_token": csrf_token(page)})
    sheet = client.get(printed.headers["Location"]).get_data(as_text=True)
    return re.search(r'class="badge-code">([A-Z0-9]+)<', sheet).group(1)


def test_the_no_screen_exception_admits_at_the_zone_iv_door_and_says_so(
    app: Flask, site, as_user
) -> None:  # type: ignore[no-untyped-def]
    tech1 = as_user("tech1")
    sid = start(tech1, site["scanners"]["MRI 1"], emergent="y")
    code = _wristband(tech1, app, sid)
    denied = _scan(app, site, code)
    assert denied["outcome"] == "deny" and "screening_not_cleared" in denied["reason_codes"]
    step(
        as_user("drcho"),
        sid,
        "exception",
        ordering_physician="Dr Ortiz",
        reason=REASON,
        acknowledged="y",
    )
    assert _scan(app, site, code)["outcome"] == "deny"  # no final check yet
    step(tech1, sid, "final-check", **FINAL)
    waiting = _scan(app, site, code)
    assert waiting["outcome"] == "escort_pending"
    escorted = _scan(app, site, site["escort_badge"])
    assert escorted["outcome"] == "grant"
    assert escorted["escorting"] == ["Ann Lee"]
    assert "No-screen exception" in escorted["display_text"]  # the escort is told
    with app.app_context():
        from zonekeeper.doors.models import AccessEvent

        events = list(db.session.scalars(select(AccessEvent).order_by(AccessEvent.id)))
        admitted = [e for e in events if "no_screen_exception" in (e.reason_codes or [])]
        assert admitted and admitted[-1].outcome == "grant_with_escort"
        assert admitted[-1].rule_ids == ["escort-no-screen-exception-zone-iv"]
        assert "No-screen exception" in admitted[-1].display_text  # and the access log


def test_recheck_returns_final_checks_recorded_by_someone_not_level_2(
    app: Flask, site, as_user, runner
) -> None:  # type: ignore[no-untyped-def]
    good = _reviewed(site, as_user)
    step(as_user("tech1"), good, "final-check", **FINAL)
    bad = start(as_user("tech1"), site["scanners"]["MRI 1"], mrn="MRN-3003")
    save(as_user("tech1"), bad, complete_answers())
    step(as_user("tech1"), bad, "first-screen")
    step(as_user("tech2"), bad, "second-screen", reviewed="y", note="Reviewed")
    step(as_user("tech1"), bad, "final-check", **FINAL)
    with app.app_context():  # as the old code allowed: the final check by a Level 1 person
        record = db.session.get(Screening, bad)
        record.final_check_by_user_id = db.session.scalar(
            select(User.id).where(User.username == "levelone")
        )
        db.session.commit()
    dry = runner.invoke(args=["screen", "recheck", "--dry-run"])
    assert dry.exit_code == 1 and f"screening #{bad} " in dry.output and "dry run" in dry.output
    assert _snapshot(app, bad)[0] == "safe_to_scan"
    result = runner.invoke(args=["screen", "recheck"])
    assert result.exit_code == 1, result.output
    assert f"screening #{bad} " in result.output and f"screening #{good} " not in result.output
    with app.app_context():
        old = db.session.get(Screening, bad)
        assert old.superseded and old.state == "safe_to_scan"  # the signed record stays as it was
        new = db.session.scalars(select(Screening).where(Screening.supersedes_id == bad)).one()
        assert new.state == "second_screen_done" and new.final_check_at is None
        assert "Re-check" in new.amendment_reason
        assert db.session.get(Screening, good).state == "safe_to_scan"
        person = db.session.get(Person, new.person_id)
        from zonekeeper.clock import site_today
        from zonekeeper.screening.services import door_screening_status

        assert door_screening_status(person, site_today()) != "cleared"
    again = runner.invoke(args=["screen", "recheck"])
    assert again.exit_code == 0 and "0 screening(s)" in again.output


def test_a_physician_signing_in_from_the_home_page_lands_on_the_screenings(
    app: Flask, site
) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    first = client.get("/")
    assert first.status_code == 302 and "/sign-in" in first.headers["Location"]
    from tests.conftest import csrf_token

    page = client.get(first.headers["Location"]).get_data(as_text=True)
    signed = client.post(
        first.headers["Location"],
        data={"username": "drcho", "password": factories.PASSWORD, "csrf_token": csrf_token(page)},
    )
    assert signed.status_code == 302 and signed.headers["Location"].endswith("/screenings/")
    assert client.get(signed.headers["Location"]).status_code == 200
