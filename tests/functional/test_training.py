"""Annual MR safety training in the app (issue #14): staff accounts from the roster,
quizzes, a pass that records training, certificates anyone can verify."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests import factories
from tests.conftest import AuthActions, csrf_token
from zonekeeper.audit.models import AuditEvent
from zonekeeper.auth.models import User
from zonekeeper.extensions import db
from zonekeeper.people.models import Person, TrainingRecord
from zonekeeper.people.services import person_standing
from zonekeeper.policy_store import current_policy
from zonekeeper.training.models import Certificate, QuizAttempt
from zonekeeper.training.services import current_courses


def _mrso_and_nurse(setup_data) -> dict[str, int]:  # type: ignore[no-untyped-def]
    def data() -> dict[str, int]:
        mrso_person = factories.person(
            given="Maria", family="Safety", level="level_2", trained_days_ago=30
        )
        mrso = factories.user("mrso", "mrso", person_id=mrso_person.id)
        nurse = factories.person(
            given="Nina", family="Nurse", level="level_1", trained_days_ago=400
        )
        return {"mrso": mrso.id, "nurse": nurse.id}

    return setup_data(data)


def _create_staff_account(client: FlaskClient, auth: AuthActions, nurse_id: int) -> str:
    auth.sign_in("mrso", factories.PASSWORD)
    page = client.get(f"/people/{nurse_id}")
    assert "Create staff account" in page.get_data(as_text=True)
    form = client.get(f"/people/{nurse_id}/staff-account").get_data(as_text=True)
    created = client.post(
        f"/people/{nurse_id}/staff-account",
        data={"username": "nnurse", "email": "", "csrf_token": csrf_token(form)},
    )
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    code = re.search(r'id="setup-code" class="code">([A-Z0-9-]+)<', created.get_data(as_text=True))
    assert code
    auth.sign_out()
    return code.group(1)


def _first_sign_in(client: FlaskClient, code: str, password: str = "quiet violet harbour lamp"):  # type: ignore[no-untyped-def]
    return _first_sign_in_as(client, "nnurse", code, password)


def _first_sign_in_as(
    client: FlaskClient, username: str, code: str, password: str = "quiet violet harbour lamp"
):  # type: ignore[no-untyped-def]
    page = client.get("/first-sign-in").get_data(as_text=True)
    return client.post(
        "/first-sign-in",
        data={
            "username": username,
            "code": code.lower().replace("-", " "),  # read aloud or typed loosely still works
            "new_password": password,
            "confirm_password": password,
            "csrf_token": csrf_token(page),
        },
    )


def test_staff_account_from_the_roster_with_a_one_time_code(
    app: Flask, client: FlaskClient, auth: AuthActions, setup_data
) -> None:  # type: ignore[no-untyped-def]
    ids = _mrso_and_nurse(setup_data)
    code = _create_staff_account(client, auth, ids["nurse"])
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "nnurse"))
        assert user.role == "staff" and user.person_id == ids["nurse"]
        assert code not in user.setup_code_hash  # only a hash is kept
    # the code is no password: a normal sign-in with it fails
    assert auth.sign_in("nnurse", code).status_code == 400
    signed_in = _first_sign_in(client, code)
    assert signed_in.status_code == 302 and signed_in.headers["Location"].endswith("/training/")
    home = client.get("/training/").get_data(as_text=True)
    assert "Nina Nurse" in home and "Non-MR" in home and "lapsed after" in home
    # a staff account sees nothing else
    for url in ("/", "/people/", f"/people/{ids['nurse']}", "/incidents/", "/policy"):
        assert client.get(url).status_code == 403, url
    auth.sign_out()
    # the code is spent
    again = client.post("/first-sign-in")
    assert again.status_code == 400
    spent = _first_sign_in(client, code, "another calm river song")
    assert spent.status_code == 400
    # the message is at the code field, where the mistake is (not at the new password)
    code_field = (
        spent.get_data(as_text=True).split('name="code"')[1].split('name="new_password"')[0]
    )
    assert "Ask the MRSO" in code_field
    assert (
        auth.sign_in("nnurse", "quiet violet harbour lamp")
        .headers["Location"]
        .endswith("/training/")
    )


def _take_quiz(
    client: FlaskClient, app: Flask, course_id: str, wrong: int = 0, submit: bool = True
) -> int:
    """Answer every drawn question through the forms (``wrong`` of them wrongly)."""
    home = client.get("/training/").get_data(as_text=True)
    started = client.post(
        f"/training/courses/{course_id}/start", data={"csrf_token": csrf_token(home)}
    )
    attempt_id = int(re.search(r"/attempts/(\d+)/", started.headers["Location"]).group(1))
    with app.app_context():
        course = current_courses()[course_id]
        drawn = [d["question_id"] for d in db.session.get(QuizAttempt, attempt_id).drawn]
    for number, question_id in enumerate(drawn, start=1):
        url = f"/training/attempts/{attempt_id}/questions/{number}"
        page = client.get(url).get_data(as_text=True)
        question = course.question(question_id)
        answer = sorted(question.correct_ids)
        if number <= wrong:
            answer = [o.id for o in question.options if not o.correct][:1] or ["zz"]
        client.post(
            url, data={"csrf_token": csrf_token(page), "question_id": question_id, "answer": answer}
        )
    if submit:
        review = client.get(f"/training/attempts/{attempt_id}/review").get_data(as_text=True)
        client.post(
            f"/training/attempts/{attempt_id}/review", data={"csrf_token": csrf_token(review)}
        )
    return attempt_id


def _staff_signed_in(client, auth, app, setup_data, assigned: str = "") -> dict[str, int]:  # type: ignore[no-untyped-def]
    from zonekeeper.training.models import CourseAssignment

    ids = _mrso_and_nurse(setup_data)

    def account() -> None:
        factories.user("nnurse", "staff", person_id=ids["nurse"])
        if assigned:  # the MRSO gives the course (a Level 2 course is never self-chosen)
            due = factories.utcnow().date()
            db.session.add(CourseAssignment(person_id=ids["nurse"], course_id=assigned, due_on=due))

    setup_data(account)
    auth.sign_in("nnurse", factories.PASSWORD)
    return ids


def test_a_pass_records_training_and_the_level_follows(
    app: Flask, client: FlaskClient, auth: AuthActions, setup_data
) -> None:  # type: ignore[no-untyped-def]
    ids = _staff_signed_in(client, auth, app, setup_data)
    attempt_id = _take_quiz(client, app, "test-level-1", wrong=1)
    result = client.get(f"/training/attempts/{attempt_id}").get_data(as_text=True)
    assert "Passed" in result and "3/4 right (75.0 %)" in result
    assert "Right answer:" in result  # the wrong one, with its explanation
    with app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.state == "passed" and len(attempt.answers) == 4
        assert all(a.answered_at is not None for a in attempt.answers)
        record = db.session.get(TrainingRecord, attempt.training_record_id)
        assert (record.level, record.course_version) == ("level_1", "1")
        assert record.course.startswith("test-level-1")
        assert f"attempt #{attempt_id}: 3/4" in record.evidence
        nurse = db.session.get(Person, ids["nurse"])
        standing = person_standing(nurse, record.completed_on, current_policy())
        assert standing.level.level == "level_1" and not standing.level.lapsed
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"training.record", "training.attempt_submit"} <= actions


def test_a_failed_attempt_records_nothing_and_shows_explanations(
    app: Flask, client: FlaskClient, auth: AuthActions, setup_data
) -> None:  # type: ignore[no-untyped-def]
    _staff_signed_in(client, auth, app, setup_data)
    attempt_id = _take_quiz(client, app, "test-level-1", wrong=2)
    page = client.get(f"/training/attempts/{attempt_id}").get_data(as_text=True)
    assert "Not passed" in page and page.count("Right answer:") == 2
    with app.app_context():
        assert (
            db.session.scalar(
                select(TrainingRecord).where(TrainingRecord.course.like("test-level-1%"))
            )
            is None
        )


def test_an_answer_for_an_undrawn_question_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions, setup_data
) -> None:  # type: ignore[no-untyped-def]
    _staff_signed_in(client, auth, app, setup_data)
    home = client.get("/training/").get_data(as_text=True)
    started = client.post(
        "/training/courses/test-level-1/start", data={"csrf_token": csrf_token(home)}
    )
    url = started.headers["Location"]
    attempt_id = int(re.search(r"/attempts/(\d+)/", url).group(1))
    with app.app_context():
        drawn = {d["question_id"] for d in db.session.get(QuizAttempt, attempt_id).drawn}
        undrawn = next(
            q.id for q in current_courses()["test-level-1"].questions if q.id not in drawn
        )
    page = client.get(url).get_data(as_text=True)
    forged = client.post(
        url, data={"csrf_token": csrf_token(page), "question_id": undrawn, "answer": "a"}
    )
    assert forged.status_code == 400
    assert "was not drawn in this attempt" in forged.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt_id).answers == []


def test_certificate_verification_valid_unknown_revoked(
    app: Flask, client: FlaskClient, auth: AuthActions, setup_data
) -> None:  # type: ignore[no-untyped-def]
    _staff_signed_in(client, auth, app, setup_data)
    attempt_id = _take_quiz(client, app, "test-level-1")
    with app.app_context():
        certificate = db.session.scalar(select(Certificate))
        code, certificate_id = certificate.code, certificate.id
        assert certificate.attempt_id == attempt_id and len(code) >= 24
    pdf = client.get(f"/training/certificates/{certificate_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "no-store" in pdf.headers["Cache-Control"]  # an export: never cached
    assert pdf.headers["Content-Disposition"].startswith("attachment;")
    auth.sign_out()
    anonymous = app.test_client()
    valid = anonymous.get(f"/verify/{code}").get_data(as_text=True)
    assert "VALID" in valid and "Nina Nurse" in valid
    assert anonymous.get("/verify/not-a-real-code").status_code == 404
    # the MRSO voids the record: the certificate is revoked
    with app.app_context():
        from zonekeeper.people.roster import void_training

        void_training(db.session.get(Certificate, certificate_id).training_record, "entered twice")
        db.session.commit()
    assert "REVOKED" in anonymous.get(f"/verify/{code}").get_data(as_text=True)


def test_verify_refuses_guessing(another_app, setup_data) -> None:  # type: ignore[no-untyped-def]
    limited = another_app(VERIFY_MAX_UNKNOWN_PER_ADDRESS=3)
    guesser = limited.test_client()
    statuses = [guesser.get(f"/verify/guess{i}").status_code for i in range(4)]
    assert statuses == [404, 404, 404, 429]


def test_guessing_certificate_codes_does_not_lock_the_address_out_of_sign_in(
    another_app, setup_data
) -> None:  # type: ignore[no-untyped-def]
    """From a user trial: 20 unknown codes from one address (a hospital's shared NAT)
    made every sign-in from it "Too many failed sign-ins"."""
    setup_data(lambda: factories.user("nurse1", "staff", person_id=factories.person().id))
    limited = another_app(VERIFY_MAX_UNKNOWN_PER_ADDRESS=3, SIGN_IN_MAX_FAILURES_PER_ADDRESS=3)
    client = limited.test_client()
    assert [client.get(f"/verify/guess{i}").status_code for i in range(5)][-1] == 429
    assert AuthActions(client).sign_in("nurse1", factories.PASSWORD).status_code == 302


def test_certificate_expires_after_the_validity_window(app: Flask, setup_data) -> None:  # type: ignore[no-untyped-def]
    from zonekeeper.training.certificates import certificate_status

    def data() -> None:
        person = factories.person(level="level_1", trained_days_ago=0)
        user = factories.user("u", "staff", person_id=person.id)
        record = person.trainings[0]
        attempt = QuizAttempt(
            person_id=person.id,
            user_id=user.id,
            course_id="c",
            course_version=1,
            course_hash="h",
            grants_level="level_1",
            pass_mark_percent=70,
            drawn=[],
            state="passed",
            correct=4,
            total=4,
            percent=100.0,
        )
        db.session.add(attempt)
        db.session.flush()
        certificate = Certificate(
            code="x" * 24, attempt_id=attempt.id, training_record_id=record.id, person_id=person.id
        )
        db.session.add(certificate)
        db.session.flush()
        policy = current_policy()
        done = record.completed_on
        assert policy.training_validity_days == 365
        assert certificate_status(certificate, policy, done + timedelta(days=365)).valid
        assert (
            certificate_status(certificate, policy, done + timedelta(days=366)).status == "expired"
        )
        assert not person_standing(person, done + timedelta(days=365), policy).level.lapsed
        assert person_standing(person, done + timedelta(days=366), policy).level.lapsed

    setup_data(data)


def test_level_2_pass_waits_for_the_mrso_when_the_site_asks(another_app, setup_data) -> None:  # type: ignore[no-untyped-def]
    cosign_app = another_app(TRAINING_LEVEL_2_COSIGN=True)
    client = cosign_app.test_client()
    _staff_signed_in(client, AuthActions(client), cosign_app, setup_data, "test-level-2")
    attempt_id = _take_quiz(client, cosign_app, "test-level-2")
    page = client.get(f"/training/attempts/{attempt_id}").get_data(as_text=True)
    assert "waiting for the MRSO" in page
    with cosign_app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.state == "awaiting_cosign" and attempt.training_record_id is None


def test_cooldown_between_attempts(another_app, setup_data, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from tests.unit.test_training_courses import COURSES, _edit

    shutil.copytree(COURSES, tmp_path / "courses")
    _edit(
        tmp_path / "courses" / "test-level-1" / "course.yaml",
        lambda d: d.update(cooldown_minutes=60),
    )
    cooling = another_app(COURSES_DIR=str(tmp_path / "courses"))
    client = cooling.test_client()
    _staff_signed_in(client, AuthActions(client), cooling, setup_data)
    _take_quiz(client, cooling, "test-level-1", wrong=4)
    home = client.get("/training/").get_data(as_text=True)
    assert "Next attempt from" in home
    again = client.post(
        "/training/courses/test-level-1/start",
        data={"csrf_token": csrf_token(home)},
        follow_redirects=True,
    )
    assert "The next attempt can start at" in again.get_data(as_text=True)


def test_flash_cards_one_per_screen_with_sm2_state(
    app: Flask, client: FlaskClient, auth: AuthActions, setup_data
) -> None:  # type: ignore[no-untyped-def]
    from zonekeeper.training.models import FlashCardState

    ids = _staff_signed_in(client, auth, app, setup_data)
    first = client.get("/training/cards/test-level-1").get_data(as_text=True)
    assert "Where are patients greeted and screened?" in first and "0 of 10 cards seen" in first
    shown = client.get("/training/cards/test-level-1?reveal=1").get_data(as_text=True)
    assert "Zone II is the interface" in shown and ">Again<" in shown and ">Easy<" in shown
    client.post(
        "/training/cards/test-level-1",
        data={"csrf_token": csrf_token(shown), "question_id": "t1-zones-01", "rating": "good"},
    )
    nxt = client.get("/training/cards/test-level-1").get_data(as_text=True)
    assert "1 of 10 cards seen" in nxt and "Where are patients greeted" not in nxt
    bad = client.post(
        "/training/cards/test-level-1",
        data={"csrf_token": csrf_token(nxt), "question_id": "t1-zones-02", "rating": "perfect"},
    )
    assert bad.status_code == 400
    with app.app_context():
        state = db.session.scalar(select(FlashCardState))
        assert (state.person_id, state.question_id) == (ids["nurse"], "t1-zones-01")
        assert (state.repetitions, state.interval_days, state.ease) == (1, 1, 2.5)


def test_mrso_cosigns_assigns_sees_lapsing_and_question_statistics(another_app, setup_data) -> None:  # type: ignore[no-untyped-def]
    cosign_app = another_app(TRAINING_LEVEL_2_COSIGN=True)
    staff = cosign_app.test_client()
    ids = _staff_signed_in(staff, AuthActions(staff), cosign_app, setup_data, "test-level-2")
    attempt_id = _take_quiz(staff, cosign_app, "test-level-2", wrong=1)
    mrso = cosign_app.test_client()
    AuthActions(mrso).sign_in("mrso", factories.PASSWORD)
    page = mrso.get("/training/manage/").get_data(as_text=True)
    assert "Nina Nurse · test-level-2 v1 · 3/4" in page
    assert "Lapsed (now Non-MR) (1)" in page  # the nurse's Level 1 is 400 days old
    assert "Questions most people miss" in page and "0.0 %" in page
    mrso.post(
        f"/training/manage/attempts/{attempt_id}/cosign", data={"csrf_token": csrf_token(page)}
    )
    with cosign_app.app_context():
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt.state == "passed" and attempt.cosigned_by_user_id == ids["mrso"]
        record = db.session.get(TrainingRecord, attempt.training_record_id)
        assert record.level == "level_2" and record.approver_id is not None
    result = staff.get(f"/training/attempts/{attempt_id}").get_data(as_text=True)
    assert "Download certificate" in result
    # assign by level, due yesterday is refused, due today becomes overdue tomorrow
    page = mrso.get("/training/manage/").get_data(as_text=True)
    from zonekeeper.db import utcnow

    today = utcnow().date()
    refused = mrso.post(
        "/training/manage/",
        data={
            "csrf_token": csrf_token(page),
            "course_id": "test-level-1",
            "target": "level:level_2",
            "due_on": (today - timedelta(days=1)).isoformat(),
            "note": "",
        },
    )
    assert refused.status_code == 400 and "The due date is in the past." in refused.get_data(
        as_text=True
    )
    done = mrso.post(
        "/training/manage/",
        data={
            "csrf_token": csrf_token(page),
            "course_id": "test-level-1",
            "target": "level:level_2",
            "due_on": today.isoformat(),
            "note": "annual",
        },
        follow_redirects=True,
    )
    assert "Assigned to 2 person(s)." in done.get_data(as_text=True)
    assert "test-level-1" in staff.get("/training/").get_data(as_text=True)


def test_reminder_is_emailed_through_a_real_smtp_server(another_app, setup_data) -> None:  # type: ignore[no-untyped-def]
    import socket

    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received: list = []

    class Collect(Message):  # type: ignore[misc]
        def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
            received.append(message)

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Collect(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        mail_app = another_app(SMTP_HOST="127.0.0.1", SMTP_PORT=port, SMTP_FROM="mrso@example.org")
        ids = _mrso_and_nurse(setup_data)

        def account() -> None:
            user = factories.user("nnurse", "staff", person_id=ids["nurse"])
            user.email = "nina@example.org"

        setup_data(account)
        mrso = mail_app.test_client()
        AuthActions(mrso).sign_in("mrso", factories.PASSWORD)
        page = mrso.get("/training/manage/").get_data(as_text=True)
        sent = mrso.post(
            f"/training/manage/people/{ids['nurse']}/remind",
            data={"csrf_token": csrf_token(page), "message": "Your training has lapsed."},
            follow_redirects=True,
        )
        assert "and by e-mail" in sent.get_data(as_text=True)
    finally:
        controller.stop()
    assert len(received) == 1
    assert received[0]["To"] == "nina@example.org"
    assert received[0]["Subject"] == "MR safety training reminder"
    assert "Your training has lapsed." in received[0].get_payload()
    staff = mail_app.test_client()
    AuthActions(staff).sign_in("nnurse", factories.PASSWORD)
    assert "Your training has lapsed." in staff.get("/training/").get_data(as_text=True)


def test_demo_has_staff_with_lapsed_lapsing_and_current_training(
    app: Flask, runner, client: FlaskClient, auth: AuthActions
) -> None:  # type: ignore[no-untyped-def]
    loaded = runner.invoke(["demo", "load"])
    assert loaded.exit_code == 0, loaded.output
    assert "3 staff accounts, 3 training attempts" in loaded.output
    assert "nurse" in loaded.output and "zonekeeper-staff" in loaded.output
    auth.sign_in("nurse", "zonekeeper-staff")
    home = client.get("/training/").get_data(as_text=True)
    assert "It lapses after" in home and "Download certificate" in home
    assert home.count("not passed") == 1 and home.count(">passed<") == 1
    auth.sign_out()
    auth.sign_in("transport", "zonekeeper-staff")
    home = client.get("/training/").get_data(as_text=True)
    assert "lapsed after" in home and "overdue" in home and "has lapsed" in home
    auth.sign_out()
    auth.sign_in("frontdesk", "zonekeeper-staff")
    assert "(10 days from today)" in client.get("/training/").get_data(as_text=True)
    auth.sign_out()
    auth.sign_in("mrso", "zonekeeper-mrso")
    manage = client.get("/training/manage/").get_data(as_text=True)
    assert "Emily Novak" in manage and "Oliver Kim" in manage
    dashboard = client.get("/safety").get_data(as_text=True)
    assert "0 pass(es) waiting for a co-signature · 1 overdue course assignment(s)" in dashboard


def _import_with_accounts(client: FlaskClient, csv: str):  # type: ignore[no-untyped-def]
    import io

    token = csrf_token(client.get("/people/import").get_data(as_text=True))
    upload = (io.BytesIO(csv.encode()), "roster.csv")
    data = {"csrf_token": token, "staff_accounts": "y", "file": upload}
    return client.post("/people/import", data=data, content_type="multipart/form-data")


def test_roster_csv_import_creates_staff_accounts_with_codes(
    app: Flask, client: FlaskClient, auth: AuthActions, setup_data
) -> None:  # type: ignore[no-untyped-def]
    _mrso_and_nurse(setup_data)
    auth.sign_in("mrso", factories.PASSWORD)
    csv = "staff_number,given_name,family_name,job_title\nS1,Ann,Lee,Nurse\nS2,Bo,Kim,Porter\n"
    page = _import_with_accounts(client, csv)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    text = page.get_data(as_text=True)
    codes = re.findall(r'<td>(\w+)</td><td class="code">([A-Z0-9-]+)</td>', text)
    assert [username for username, _ in codes] == ["alee", "bkim"]
    auth.sign_out()
    signed_in = _first_sign_in_as(client, "bkim", codes[1][1])
    assert signed_in.headers["Location"].endswith("/training/")
    # importing again makes no second account
    auth.sign_out()
    auth.sign_in("mrso", factories.PASSWORD)
    again = _import_with_accounts(client, csv)
    assert again.status_code == 302
    with app.app_context():
        assert (
            db.session.scalar(select(func.count()).select_from(User).where(User.role == "staff"))
            == 2
        )


def test_an_attempt_resumes_and_a_changed_course_cannot_be_submitted(
    another_app, setup_data, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from tests.unit.test_training_courses import COURSES, _edit

    shutil.copytree(COURSES, tmp_path / "courses")
    editable = another_app(COURSES_DIR=str(tmp_path / "courses"))
    client = editable.test_client()
    _staff_signed_in(client, AuthActions(client), editable, setup_data)
    home = client.get("/training/").get_data(as_text=True)
    first = client.post(
        "/training/courses/test-level-1/start", data={"csrf_token": csrf_token(home)}
    ).headers["Location"]
    page = client.get(first).get_data(as_text=True)
    question_id = re.search(r'name="question_id" value="([^"]+)"', page).group(1)
    option = re.search(r'name="answer" value="([^"]+)"', page).group(1)
    client.post(
        first, data={"csrf_token": csrf_token(page), "question_id": question_id, "answer": option}
    )
    home = client.get("/training/").get_data(as_text=True)
    assert "Resume quiz" in home
    resumed = client.post(
        "/training/courses/test-level-1/start", data={"csrf_token": csrf_token(home)}
    ).headers["Location"]
    assert resumed == first.replace("/questions/1", "/questions/2")
    # the site edits the course while the attempt is open: it cannot be scored any more
    _edit(tmp_path / "courses" / "test-level-1" / "course.yaml", lambda d: d.update(version=2))
    editable.extensions.pop("zonekeeper.courses")  # what a restart does
    review_url = resumed.rsplit("/questions/", 1)[0] + "/review"
    review = client.get(review_url).get_data(as_text=True)
    submitted = client.post(
        review_url, data={"csrf_token": csrf_token(review)}, follow_redirects=True
    )
    assert "The course was changed since this attempt began" in submitted.get_data(as_text=True)


def test_a_double_submit_scores_and_records_once(another_app, setup_data) -> None:  # type: ignore[no-untyped-def]
    from concurrent.futures import ThreadPoolExecutor

    application = another_app()
    client = application.test_client()
    _staff_signed_in(client, AuthActions(client), application, setup_data)
    attempt_id = _take_quiz(client, application, "test-level-1", submit=False)
    url = f"/training/attempts/{attempt_id}/review"
    token = csrf_token(client.get(url).get_data(as_text=True))
    cookie = client.get_cookie("session")

    def submit(_: int) -> int:
        other = application.test_client()
        other.set_cookie("session", cookie.value)
        return other.post(url, data={"csrf_token": token}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(submit, range(6)))
    assert all(status == 302 for status in statuses), statuses
    with application.app_context():
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
        records = select(func.count()).select_from(TrainingRecord)
        assert db.session.scalar(records.where(TrainingRecord.course.like("test-level-1%"))) == 1


def test_a_level_2_course_is_not_self_chosen(
    app: Flask, client: FlaskClient, auth: AuthActions, setup_data
) -> None:  # type: ignore[no-untyped-def]
    _staff_signed_in(client, auth, app, setup_data)
    home = client.get("/training/").get_data(as_text=True)
    assert "This course grants Level 2; the MRSO assigns it." in home
    refused = client.post(
        "/training/courses/test-level-2/start",
        data={"csrf_token": csrf_token(home)},
        follow_redirects=True,
    )
    assert "the MRSO assigns it to you first" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 0
