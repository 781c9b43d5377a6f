"""The personnel and training roster through its pages."""

from __future__ import annotations

import io
from datetime import timedelta

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests import factories
from tests.conftest import AuthActions, csrf_token
from zonekeeper.audit.models import AuditEvent
from zonekeeper.db import utcnow
from zonekeeper.extensions import db
from zonekeeper.people.models import Designation, Person, TrainingRecord


@pytest.fixture
def mrso(setup_data, auth: AuthActions) -> int:  # type: ignore[no-untyped-def]
    """Signs in an MRSO (Level 2, MRSO) and returns their person id."""

    def data() -> int:
        person = factories.person(
            given="Dana", family="Reyes", level="level_2", trained_days_ago=20
        )
        person.staff_number = "S9000"
        db.session.add(
            Designation(person=person, role="mrso", granted_on=utcnow().date(), in_charge=True)
        )
        factories.user("mrso1", "mrso", person_id=person.id)
        return person.id

    person_id = setup_data(data)
    auth.sign_in("mrso1", factories.PASSWORD)
    return person_id


def _post(client: FlaskClient, url: str, **data: object):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **{k: str(v) for k, v in data.items()}})


def test_recording_training_changes_the_level(
    client: FlaskClient, mrso: int, setup_data, app: Flask
) -> None:  # type: ignore[no-untyped-def]
    nurse_id = setup_data(lambda: factories.person(given="Rachel", family="Green").id)
    assert "Non-MR personnel" in client.get(f"/people/{nurse_id}").get_data(as_text=True)
    today = utcnow().date()
    response = _post(
        client,
        f"/people/{nurse_id}/trainings/new",
        completed_on=today.isoformat(),
        level="level_2",
        course="MR Safety Level 2",
        course_version="2026.1",
        approver_id=mrso,
        evidence="quiz 19/20",
    )
    assert response.status_code == 302
    page = client.get(f"/people/{nurse_id}").get_data(as_text=True)
    assert 'MR level today: <span class="level level-level_2">' in page
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "training.record")
        ).one()
        assert event.person_id == nurse_id and event.after["level"] == "level_2"
        record = db.session.scalars(
            select(TrainingRecord).where(TrainingRecord.person_id == nurse_id)
        ).one()
        assert record.recorded_by_user_id is not None and record.approver_id == mrso


def test_training_in_the_future_is_refused_at_the_field(
    client: FlaskClient, mrso: int, setup_data
) -> None:  # type: ignore[no-untyped-def]
    nurse_id = setup_data(lambda: factories.person().id)
    tomorrow = (utcnow().date() + timedelta(days=2)).isoformat()
    response = _post(
        client,
        f"/people/{nurse_id}/trainings/new",
        completed_on=tomorrow,
        level="level_2",
        course="MR Safety",
        course_version="1",
        approver_id=mrso,
    )
    assert response.status_code == 400
    assert "This date is in the future." in response.get_data(as_text=True)


def test_screening_not_cleared_needs_a_reason(client: FlaskClient, mrso: int, setup_data) -> None:  # type: ignore[no-untyped-def]
    person_id = setup_data(lambda: factories.person(screening=None).id)
    today = utcnow().date().isoformat()
    response = _post(client, f"/people/{person_id}/screenings/new", screened_on=today, cleared="no")
    assert response.status_code == 400
    assert "Say why the person is not cleared." in response.get_data(as_text=True)
    ok = _post(
        client,
        f"/people/{person_id}/screenings/new",
        screened_on=today,
        cleared="no",
        reason="Neurostimulator: refer to MRMD",
    )
    assert ok.status_code == 302
    assert "not cleared" in client.get(f"/people/{person_id}").get_data(as_text=True)


def test_designation_needs_level_2_and_in_charge_hands_over(
    client: FlaskClient, mrso: int, setup_data, app: Flask
) -> None:  # type: ignore[no-untyped-def]
    ids = setup_data(
        lambda: (
            factories.person(level="level_1", trained_days_ago=5).id,
            factories.person(level="level_2", trained_days_ago=5).id,
        )
    )
    level_1, level_2 = ids
    today = utcnow().date().isoformat()
    refused = _post(client, f"/people/{level_1}/designations/new", role="mrso", granted_on=today)
    assert refused.status_code == 400 and "requires current Level 2" in refused.get_data(
        as_text=True
    )
    granted = _post(
        client, f"/people/{level_2}/designations/new", role="mrso", granted_on=today, in_charge="y"
    )
    assert granted.status_code == 302
    with app.app_context():
        in_charge = db.session.scalars(
            select(Designation).where(Designation.in_charge.is_(True))
        ).all()
        assert [d.person_id for d in in_charge] == [level_2]
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
        assert "designation.in_charge_handover" in actions and "designation.grant" in actions
        designation_id = in_charge[0].id
    token = csrf_token(client.get(f"/people/{level_2}").get_data(as_text=True))
    response = client.post(
        f"/people/{level_2}/designations/{designation_id}/end",
        data={"csrf_token": token, "ended_on": today},
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Designation, designation_id).ended_on is not None


ROSTER_CSV = """\
staff_number,given_name,family_name,job_title,training_level,training_completed_on,course,course_version,evidence
S100,Ann,Lee,MR Technologist,level_2,{recent},MR Safety Level 2,2026.1,quiz 18/20
S101,Bo,Kim,Porter,level_1,{old},MR Safety Level 1,2025.1,
S102,Cy,Ng,Nurse,,,,,
"""


def _upload(client: FlaskClient, text: str):  # type: ignore[no-untyped-def]
    token = csrf_token(client.get("/people/import").get_data(as_text=True))
    return client.post(
        "/people/import",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), "roster.csv")},
        content_type="multipart/form-data",
    )


def _count(app: Flask, model) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_csv_import_adds_people_and_trainings_once(
    client: FlaskClient, mrso: int, app: Flask
) -> None:
    today = utcnow().date()
    text = ROSTER_CSV.format(
        recent=(today - timedelta(days=10)).isoformat(),
        old=(today - timedelta(days=400)).isoformat(),
    )
    first = _upload(client, text)
    assert first.status_code == 302
    people, trainings = _count(app, Person), _count(app, TrainingRecord)
    assert _upload(client, text).status_code == 302  # the same file again adds nothing
    assert (_count(app, Person), _count(app, TrainingRecord)) == (people, trainings)
    roster = client.get("/people/?status=lapsed").get_data(as_text=True)
    assert "Kim, Bo" in roster and "Lee, Ann" not in roster


def test_csv_import_with_a_bad_row_imports_nothing(
    client: FlaskClient, mrso: int, app: Flask
) -> None:
    before = _count(app, Person)
    text = (
        "staff_number,given_name,family_name,training_level,training_completed_on,course,course_version\n"
        "S200,Eve,Ok,level_2,2026-01-05,MR Safety,1\n"
        "S201,Fay,Bad,level_3,2026-01-05,MR Safety,1\n"
        "S202,,NoGiven,,,,\n"
        "S203,Gus,Date,level_1,05/01/2026,MR Safety,1\n"
    )
    response = _upload(client, text)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Nothing was imported" in body
    assert "Line 3: training_level &#39;level_3&#39; is not one of" in body
    assert "Line 4: given_name is empty." in body
    assert "Line 5: training_completed_on &#39;05/01/2026&#39; is not a date" in body
    assert _count(app, Person) == before


def test_csv_import_reports_unknown_columns(client: FlaskClient, mrso: int) -> None:
    response = _upload(client, "staff_number,given_name,family_name,shoe_size\nS1,A,B,9\n")
    assert response.status_code == 400
    assert "unknown column(s): shoe_size" in response.get_data(as_text=True)


def test_csv_export_opens_in_pandas_and_escapes_formulas(
    client: FlaskClient, mrso: int, setup_data
) -> None:  # type: ignore[no-untyped-def]
    setup_data(
        lambda: factories.person(
            given="=HYPERLINK(1)", family="Evil", level="level_1", trained_days_ago=3
        )
    )
    response = client.get("/people/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    frame = pd.read_csv(io.BytesIO(response.data), encoding="utf-8-sig")
    assert list(frame.columns)[:3] == ["staff_number", "given_name", "family_name"]
    assert "'=HYPERLINK(1)" in frame["given_name"].tolist()
    assert set(frame["mr_level"]) <= {"non_mr", "level_1", "level_2"}


def test_roster_filters(client: FlaskClient, mrso: int, setup_data) -> None:  # type: ignore[no-untyped-def]
    setup_data(
        lambda: (
            factories.person(given="Lapsed", family="One", level="level_2", trained_days_ago=366),
            factories.person(given="Expiring", family="Two", level="level_2", trained_days_ago=350),
            factories.person(given="Fresh", family="Three", level="level_1", trained_days_ago=1),
        )
    )
    lapsed = client.get("/people/?status=lapsed").get_data(as_text=True)
    assert "One, Lapsed" in lapsed and "Two, Expiring" not in lapsed
    expiring = client.get("/people/?status=expiring").get_data(as_text=True)
    assert "Two, Expiring" in expiring and "Three, Fresh" not in expiring
    level_1 = client.get("/people/?level=level_1").get_data(as_text=True)
    assert "Three, Fresh" in level_1 and "One, Lapsed" not in level_1
    designated = client.get("/people/?designation=mrso").get_data(as_text=True)
    assert "Reyes, Dana" in designated and "Three, Fresh" not in designated
    assert client.get("/people/?level=level_9").status_code == 400


def test_voiding_a_wrong_training_record_lowers_the_level(
    client: FlaskClient, mrso: int, setup_data, app: Flask
) -> None:  # type: ignore[no-untyped-def]
    def data() -> tuple[int, int]:
        person = factories.person(family="Harris", level="level_1", trained_days_ago=30)
        wrong = TrainingRecord(
            person=person,
            completed_on=utcnow().date(),
            level="level_2",
            course="MR Safety Level 2",
            course_version="1",
        )
        db.session.add(wrong)
        db.session.flush()
        return person.id, wrong.id

    person_id, wrong_id = setup_data(data)
    assert 'class="level level-level_2"' in client.get(f"/people/{person_id}").get_data(
        as_text=True
    )
    token = csrf_token(client.get(f"/people/{person_id}").get_data(as_text=True))
    short = client.post(
        f"/people/{person_id}/trainings/{wrong_id}/void", data={"csrf_token": token, "reason": "x"}
    )
    assert short.status_code == 302
    with app.app_context():
        assert db.session.get(TrainingRecord, wrong_id).voided_at is None
    client.post(
        f"/people/{person_id}/trainings/{wrong_id}/void",
        data={"csrf_token": token, "reason": "Entered for the wrong person"},
    )
    page = client.get(f"/people/{person_id}").get_data(as_text=True)
    assert 'MR level today: <span class="level level-level_1">' in page
    assert "Voided" in page
    with app.app_context():
        record = db.session.get(TrainingRecord, wrong_id)
        assert record.voided_at is not None and record.level == "level_2"  # kept, not deleted
        assert db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "training.void")
        ).one()


def test_csv_approver_later_in_the_file_is_linked(
    client: FlaskClient, mrso: int, app: Flask
) -> None:
    text = (
        "staff_number,given_name,family_name,training_level,training_completed_on,course,course_version,"
        "approver_staff_number\n"
        "N1,Nia,One,level_1,2026-01-05,MR Safety,1,N2\n"
        "N2,Noor,Two,level_2,2026-01-04,MR Safety,1,\n"
    )
    assert _upload(client, text).status_code == 302
    with app.app_context():
        one = db.session.scalars(select(Person).where(Person.staff_number == "N1")).one()
        two = db.session.scalars(select(Person).where(Person.staff_number == "N2")).one()
        assert one.trainings[0].approver_id == two.id


def test_csv_overlong_values_are_reported(client: FlaskClient, mrso: int) -> None:
    response = _upload(client, "staff_number,given_name,family_name\nS1," + "A" * 500 + ",B\n")
    assert response.status_code == 400
    assert "given_name is longer than 120 characters" in response.get_data(as_text=True)
