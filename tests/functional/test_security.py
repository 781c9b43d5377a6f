"""Accounts and security: throttling, passwords, sessions, every route's roles."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import factories
from tests.conftest import AuthActions, csrf_token
from zonekeeper.audit.models import AuditEvent
from zonekeeper.auth.access import ACCESS, ANY_ACCOUNT, PUBLIC, SIGNED_IN
from zonekeeper.auth.models import ROLES, User
from zonekeeper.auth.passwords import password_problem
from zonekeeper.db import utcnow
from zonekeeper.extensions import db


def test_sixth_rapid_wrong_password_is_throttled(auth: AuthActions, setup_data) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.user("tech1", "technologist"))
    for _ in range(5):
        assert auth.sign_in("tech1", "wrong password!").status_code == 400
    sixth = auth.sign_in("tech1", factories.PASSWORD)  # even the right password waits
    assert sixth.status_code == 429
    assert "Too many failed sign-ins" in sixth.get_data(as_text=True)


def test_throttle_is_per_address_too(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.user("tech1", "technologist"))
    client = app.test_client()
    auth = AuthActions(client)
    for n in range(20):
        auth.sign_in(f"guess{n}", "wrong password!")
    assert auth.sign_in("tech1", factories.PASSWORD).status_code == 429


def test_throttle_state_is_shared_between_workers(app: Flask, another_app, setup_data) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.user("tech1", "technologist"))
    first = AuthActions(app.test_client())
    for _ in range(5):
        first.sign_in("tech1", "wrong password!")
    other_worker = another_app()  # another process would share only the database
    second = AuthActions(other_worker.test_client())
    assert second.sign_in("tech1", factories.PASSWORD).status_code == 429


def test_failed_and_successful_sign_ins_are_audited(
    auth: AuthActions, app: Flask, setup_data
) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.user("tech1", "technologist"))
    auth.sign_in("tech1", "wrong password!")
    auth.sign_in("tech1", factories.PASSWORD)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
        failed = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "auth.sign_in_failed")
        ).one()
    assert actions == ["auth.sign_in_failed", "auth.sign_in"]
    assert "wrong password" in failed.summary and "wrong password!" not in failed.summary


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short pass", "at least 12"),
        ("password1234", "commonly used"),
        ("aaaaaaaaaaaaaaa", "easy to guess"),
        ("correct horse battery", None),
    ],
)
def test_password_policy(password: str, problem: str | None) -> None:
    found = password_problem(password)
    assert (found is None) if problem is None else (problem in found)


def test_password_change_ends_other_sessions(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.user("tech1", "technologist"))
    laptop, tablet = AuthActions(app.test_client()), AuthActions(app.test_client())
    laptop.sign_in("tech1", factories.PASSWORD)
    tablet.sign_in("tech1", factories.PASSWORD)
    page = laptop.client.get("/account/password").get_data(as_text=True)
    new = "a brand new passphrase for tech"
    response = laptop.client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(page),
            "current_password": factories.PASSWORD,
            "new_password": new,
            "confirm_password": new,
        },
    )
    assert response.status_code == 302
    assert laptop.client.get("/").status_code == 200  # this session continues
    assert tablet.client.get("/").status_code == 302  # the other one is signed out
    fresh = AuthActions(app.test_client())
    assert fresh.sign_in("tech1", factories.PASSWORD).status_code == 400
    assert fresh.sign_in("tech1", new).status_code == 302


def test_password_change_refuses_a_common_password(
    client: FlaskClient, auth: AuthActions, setup_data
) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.user("tech1", "technologist"))
    auth.sign_in("tech1", factories.PASSWORD)
    page = client.get("/account/password").get_data(as_text=True)
    response = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(page),
            "current_password": factories.PASSWORD,
            "new_password": "qwertyuiop123",
            "confirm_password": "qwertyuiop123",
        },
    )
    assert response.status_code == 400
    assert "commonly used" in response.get_data(
        as_text=True
    ) or "easy to guess" in response.get_data(as_text=True)


def test_session_cookie_flags(client: FlaskClient, auth: AuthActions, setup_data) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.user("tech1", "technologist"))
    response = auth.sign_in("tech1", factories.PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_https_mode_sets_secure_cookies_and_hsts(another_app) -> None:  # type: ignore[no-untyped-def]
    app = another_app(HTTPS=True)
    assert app.config["SESSION_COOKIE_SECURE"] is True
    response = app.test_client().get("/sign-in")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


# ---- every route, every role --------------------------------------------------


@pytest.fixture
def open_app(another_app) -> Flask:  # type: ignore[no-untyped-def]
    """The same app without CSRF, so the table test reaches the role check on POSTs."""
    return another_app(WTF_CSRF_ENABLED=False)


def _url_for_rule(rule, ids: dict[str, object]) -> str:  # type: ignore[no-untyped-def]
    url = rule.rule
    for argument in rule.arguments:
        url = re.sub(rf"<(?:\w+:)?{argument}>", str(ids[argument]), url)
    return url


# Data-dependent refusals for the records this test creates: the view, not the role
# table, refuses them (an incident is shown to its reporter and to reviewers only).
# refused in the view: admins hold no MR training, so cannot end an emergency
VIEW_REFUSALS = {("incidents.incident", "admin"), ("doors.emergency_end", "admin")}


def test_every_route_answers_each_role_as_the_access_table_says(
    open_app: Flask, setup_data
) -> None:  # type: ignore[no-untyped-def]
    def data() -> dict[str, object]:
        from zonekeeper.actions.models import CorrectiveAction
        from zonekeeper.incidents.models import Incident
        from zonekeeper.people.models import Designation
        from zonekeeper.zone_audits.models import AuditPhoto, ZoneAudit

        person = factories.person(level="level_2", trained_days_ago=10)
        start = person.trainings[0].completed_on
        designation = Designation(person=person, role="mrso", granted_on=start)
        # the technologist is a current Level 2 delegated to run zone audits
        delegation = Designation(person=person, role="zone_audit_delegate", granted_on=start)
        db.session.add_all([designation, delegation])
        users = {
            role: factories.user(
                f"user_{role}", role, person_id=person.id if role == "technologist" else None
            )
            for role in ROLES
        }
        target = factories.user(
            "target_of_admin_actions", "kiosk"
        )  # the admin route may disable it
        audit = ZoneAudit(
            checklist_id="zone-ii-iii",
            target_key="zone:III",
            zone="III",
            audit_date=start,
            policy_version="test",
            started_by_user_id=users["mrso"].id,
        )
        photo = AuditPhoto(
            mime_type="image/png", size_bytes=8, sha256="0" * 64, data=b"\x89PNG\r\n\x1a\n"
        )
        action = CorrectiveAction(
            title="Fix sign",
            severity="low",
            source="manual",
            owner_person_id=person.id,
            due_on=start,
        )
        incident = Incident(
            occurred_at=utcnow(),
            reported_by_user_id=users["technologist"].id,
            report_delay_minutes=0,
            late_report=False,
            zone="IV",
            category="projectile",
            severity="near_miss",
            description="Oxygen cylinder stopped at the door",
        )
        from zonekeeper.badges.models import Badge

        badge = Badge(person=person, valid_from=start, valid_until=start + timedelta(days=30))
        db.session.add_all([audit, photo, action, incident, badge])
        db.session.flush()
        from zonekeeper.doors.access_log import append_access_event, lock_log_head
        from zonekeeper.doors.models import Presence

        door_id = factories.door_site()["mri-1"]
        event = append_access_event(
            lock_log_head(),
            kind="scan",
            door_id=door_id,
            direction="in",
            person_id=person.id,
            outcome="grant",
            display_text="granted",
            policy_version="test",
            source="test",
        )
        presence = Presence(
            person_id=person.id,
            zone="IV",
            door_id=door_id,
            entered_at=utcnow(),
            entry_event_id=event.id,
        )
        db.session.add(presence)
        db.session.flush()
        from zonekeeper.screening.models import Screening, ScreeningSubject
        from zonekeeper.site.models import Scanner

        scanner_id = factories.screening_site()["MRI 1"]
        patient = factories.person(kind="patient", screening=None)
        subject = ScreeningSubject(person=patient, mrn="MRN-SEC", date_of_birth=start)
        screening = Screening(
            lineage="security-walk",
            subject=subject,
            person_id=patient.id,
            subject_kind="patient",
            visit_date=start,
            form_id="patient",
            form_version=1,
            definition_hash="test",
            answers={},
            implants=[],
            final_check={},
            scanner=db.session.get(Scanner, scanner_id),
            body_region="head",
            transmit_coil="body",
            setting="outpatient",
            created_by_user_id=users["mrso"].id,
        )
        db.session.add(screening)
        db.session.flush()
        return {
            "screening_id": screening.id,
            "scanner_id": scanner_id,
            "signoff_id": 1,  # voiding a missing sign-off is refused in the view, not by role
            "step_id": 1,  # voiding a missing work-up step is refused in the view, not by role
            "presence_id": presence.id,
            "person_id": person.id,
            "designation_id": designation.id,
            "user_id": target.id,
            "slug": "zone-ii-iii--zone-III",
            "audit_id": audit.id,
            "photo_id": photo.id,
            "action_id": action.id,
            "incident_id": incident.id,
            "training_id": person.trainings[0].id,
            "badge_id": badge.id,
            # compliance reports (issue #17)
            "kind": "monthly",
            "label": "2026-10",
            "chart_id": "audit-completion",
            "metric_id": "audits.missed_days",
            "snapshot_id": 1,  # none signed: 404, refused by role before that
            "fmt": "pdf",
            # training (issue #14): others' attempts and certificates are a 404 in the view
            "course_id": "test-level-1",
            "attempt_id": 1,
            "number": 1,
            "certificate_id": 1,
        }

    ids = setup_data(data)
    checked = 0
    for rule in open_app.url_map.iter_rules():
        allowed = ACCESS[rule.endpoint]
        if allowed == PUBLIC:
            continue
        url = _url_for_rule(rule, ids)
        method = "POST" if "POST" in rule.methods and "GET" not in rule.methods else "GET"
        anonymous = open_app.test_client().open(url, method=method)
        if url.startswith("/api/"):  # the JSON API answers 401 instead of redirecting
            assert anonymous.status_code == 401, url
        else:
            assert anonymous.status_code == 302 and "/sign-in" in anonymous.headers["Location"], url
        for role in ROLES:
            client = open_app.test_client()
            client.post(
                "/sign-in", data={"username": f"user_{role}", "password": factories.PASSWORD}
            )
            response = client.open(url, method=method)
            if allowed == ANY_ACCOUNT:
                may = True
            elif allowed == SIGNED_IN:
                may = role != "kiosk"
            else:
                may = role in allowed
            if (rule.endpoint, role) in VIEW_REFUSALS:
                may = False
            if may:
                assert response.status_code != 403 and response.status_code < 500, (url, role)
            else:
                assert response.status_code == 403, (url, role, response.status_code)
            checked += 1
    assert checked >= 20 * len(ROLES) - 10


def test_technologist_gets_403_on_roster_writes(
    client: FlaskClient, auth: AuthActions, setup_data, app: Flask
) -> None:  # type: ignore[no-untyped-def]
    person_id = setup_data(
        lambda: (factories.user("tech1", "technologist"), factories.person())[1].id
    )
    auth.sign_in("tech1", factories.PASSWORD)
    assert client.get("/people/").status_code == 200  # reading is fine
    token = csrf_token(client.get("/").get_data(as_text=True))
    for url in (
        "/people/new",
        f"/people/{person_id}/trainings/new",
        f"/people/{person_id}/screenings/new",
        f"/people/{person_id}/designations/new",
        "/people/import",
    ):
        assert client.get(url).status_code == 403, url
        assert client.post(url, data={"csrf_token": token}).status_code == 403, url
    with app.app_context():
        refused = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "auth.forbidden")
        ).all()
    assert len(refused) == 10


def test_admin_creates_and_disables_an_account(
    client: FlaskClient, auth: AuthActions, setup_data, app: Flask
) -> None:  # type: ignore[no-untyped-def]
    person_id = setup_data(
        lambda: (factories.user("admin1", "admin"), factories.person(given="Nia"))[1].id
    )
    auth.sign_in("admin1", factories.PASSWORD)
    page = client.get("/admin/users/new").get_data(as_text=True)
    form = {
        "csrf_token": csrf_token(page),
        "username": "nia",
        "role": "technologist",
        "person_id": "0",
        "password": "a sturdy passphrase here",
    }
    missing_person = client.post("/admin/users/new", data=form)
    assert missing_person.status_code == 400
    assert "linked to their person record" in missing_person.get_data(as_text=True)
    created = client.post("/admin/users/new", data={**form, "person_id": str(person_id)})
    assert created.status_code == 302
    with app.app_context():
        nia = db.session.scalars(select(User).where(User.username == "nia")).one()
        nia_id = nia.id
    token = csrf_token(client.get("/admin/users").get_data(as_text=True))
    assert (
        client.post(
            f"/admin/users/{nia_id}/active", data={"csrf_token": token, "active": "0"}
        ).status_code
        == 302
    )
    assert (
        AuthActions(app.test_client()).sign_in("nia", "a sturdy passphrase here").status_code == 400
    )


def test_guessing_the_current_password_signs_the_session_out(
    client: FlaskClient, auth: AuthActions, setup_data, app: Flask
) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.user("tech1", "technologist"))
    auth.sign_in("tech1", factories.PASSWORD)
    for _ in range(5):
        page = client.get("/account/password").get_data(as_text=True)
        wrong = client.post(
            "/account/password",
            data={
                "csrf_token": csrf_token(page),
                "current_password": "not it at all",
                "new_password": "a brand new passphrase",
                "confirm_password": "a brand new passphrase",
            },
        )
        assert wrong.status_code == 400
    page = client.get("/account/password").get_data(as_text=True)
    locked = client.post(
        "/account/password",
        data={
            "csrf_token": csrf_token(page),
            "current_password": factories.PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert locked.status_code == 302 and "/sign-in" in locked.headers["Location"]
    assert client.get("/").status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("auth.password_change_failed") == 5
    assert "auth.password_change_locked" in actions


def test_out_of_range_inputs_are_4xx_not_500(
    client: FlaskClient, auth: AuthActions, setup_data
) -> None:  # type: ignore[no-untyped-def]
    setup_data(lambda: factories.user("director1", "safety_director"))
    auth.sign_in("director1", factories.PASSWORD)
    assert client.get("/people/99999999999999999999").status_code == 404
    assert client.get("/audit/?date_to=9999-12-31").status_code == 400
    assert client.get("/audit/export.csv?date_to=9999-12-31").status_code == 400
    assert client.get("/people/?endpoint=x&_external=1").status_code == 200
    assert client.get("/audit/?endpoint=x").status_code == 200
    assert client.get("/zone-audits/export.csv?date_from=abc").status_code == 400
