"""The door defects of issue #12, each through the reader API (or the CLI) on both backends:
Level 1 escorts into Zone III with a Level 2 authorization record, anti-passback for
escorted people, every scan logged whatever it carries, only ASCII badge codes, and an
access log that cannot be rolled back unseen."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token
from tests.functional.test_door_scans import _count_events, scan
from zonekeeper.badges.models import Badge
from zonekeeper.badges.services import token_for
from zonekeeper.badges.tokens import encode_token
from zonekeeper.doors.devices import add_device
from zonekeeper.doors.models import AccessEvent, AccessLogHead, ZoneAuthorization
from zonekeeper.extensions import db


@pytest.fixture
def site(setup_data) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    def build() -> dict[str, Any]:
        doors = factories.door_site()
        tech = factories.person(given="Lee", family="Tech", level="level_2", trained_days_ago=20)
        aide = factories.person(given="Ola", family="Aide", level="level_1", trained_days_ago=20)
        other = factories.person(given="Max", family="Other", level="level_1", trained_days_ago=9)
        nurse = factories.person(given="Nina", family="Nurse")  # screened, no MR training
        factories.user("lee", "technologist", person_id=tech.id)
        factories.user("ola", "technologist", person_id=aide.id)
        return {
            "doors": doors,
            "ids": {"tech": tech.id, "aide": aide.id, "nurse": nurse.id},
            "badges": {
                "tech": factories.badge(tech),
                "aide": factories.badge(aide),
                "other": factories.badge(other),
                "nurse": factories.badge(nurse),
            },
            "devices": {
                "mri-1": add_device("mri-1", "reader 1"),
                "zone-iii": add_device("zone-iii", "reader 3"),
            },
        }

    return setup_data(build)


def _authorize(client: FlaskClient, auth, site, zone: str = "III", user: str = "lee"):  # type: ignore[no-untyped-def]
    auth.sign_in(user, factories.PASSWORD)
    page = client.get("/authorizations")
    assert page.status_code == 200
    response = client.post(
        "/authorizations",
        data={
            "person_id": site["ids"]["nurse"],
            "zone": zone,
            "hours": "8",
            "note": "day shift",
            "csrf_token": csrf_token(page.get_data(as_text=True)),
        },
    )
    auth.sign_out()
    return response


# ---- Level 1 escorts a Non-MR person with a Level 2 authorization into Zone III ------------


def test_a_level_1_aide_escorts_an_authorized_nurse_into_zone_iii_but_not_zone_iv(
    client: FlaskClient, site, auth, app: Flask
) -> None:  # type: ignore[no-untyped-def]
    assert _authorize(client, auth, site).status_code == 302
    waiting = scan(client, site, "zone-iii", site["badges"]["nurse"]).get_json()
    assert waiting["outcome"] == "escort_pending"
    assert "Level 1 or Level 2" in waiting["display_text"]
    aide = scan(client, site, "zone-iii", site["badges"]["aide"]).get_json()
    assert aide["outcome"] == "grant" and aide["escorting"] == ["Nina Nurse"]
    with app.app_context():
        pairing = db.session.scalars(select(AccessEvent).where(AccessEvent.kind == "pairing")).one()
        assert pairing.escort_person_id == site["ids"]["aide"]
        assert pairing.reason_codes == ["escorted_zone_iii"]
        assert "Level 2 authorization by Lee Tech" in pairing.display_text
    assert "Lee Tech" in aide["display_text"]  # the answer says whose authorization was used

    # Zone IV: the same aide cannot admit her; she keeps waiting and the screen says why
    waiting_iv = scan(client, site, "mri-1", site["badges"]["nurse"]).get_json()
    assert waiting_iv["outcome"] == "escort_pending" and "Level 2" in waiting_iv["display_text"]
    aide_iv = scan(client, site, "mri-1", site["badges"]["aide"]).get_json()
    assert aide_iv["escorting"] == [] and aide_iv["waiting_for_escort"] == ["Nina Nurse"]


def test_without_an_authorization_a_level_1_cannot_escort_into_zone_iii(
    client: FlaskClient, site
) -> None:
    waiting = scan(client, site, "zone-iii", site["badges"]["nurse"]).get_json()
    assert waiting["outcome"] == "escort_pending" and "A Level 2" in waiting["display_text"]
    aide = scan(client, site, "zone-iii", site["badges"]["aide"]).get_json()
    assert aide["escorting"] == [] and aide["waiting_for_escort"] == ["Nina Nurse"]


def test_only_current_level_2_personnel_authorize(client: FlaskClient, site, auth, app) -> None:  # type: ignore[no-untyped-def]
    refused = _authorize(client, auth, site, user="ola")  # a Level 1 aide
    assert refused.status_code == 400
    assert "Only current Level 2" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(ZoneAuthorization)).all() == []


def test_a_revoked_authorization_no_longer_lets_a_level_1_escort(
    client: FlaskClient, site, auth, app: Flask
) -> None:  # type: ignore[no-untyped-def]
    _authorize(client, auth, site)
    with app.app_context():
        record = db.session.scalars(select(ZoneAuthorization)).one()
        record.revoked_at = record.valid_from
        db.session.commit()
    scan(client, site, "zone-iii", site["badges"]["nurse"])
    aide = scan(client, site, "zone-iii", site["badges"]["aide"]).get_json()
    assert aide["escorting"] == []


# ---- anti-passback for escorted people ----------------------------------------------------


def _escort_in(client: FlaskClient, site, escort: str = "tech") -> dict[str, Any]:  # type: ignore[no-untyped-def]
    scan(client, site, "zone-iii", site["badges"]["nurse"])
    return scan(client, site, "zone-iii", site["badges"][escort]).get_json()


def test_hard_anti_passback_denies_an_escorted_person_entering_again(another_app, site) -> None:  # type: ignore[no-untyped-def]
    hard = another_app(ANTI_PASSBACK="hard")
    client = hard.test_client()
    assert _escort_in(client, site)["escorting"] == ["Nina Nurse"]
    again = scan(client, site, "zone-iii", site["badges"]["nurse"]).get_json()
    assert again["outcome"] == "deny" and again["reason_codes"] == ["anti_passback"]
    other = scan(client, site, "zone-iii", site["badges"]["other"]).get_json()
    assert other["escorting"] == []
    with hard.app_context():
        pairings = db.session.scalars(
            select(AccessEvent).where(AccessEvent.outcome == "grant_with_escort")
        ).all()
        assert len(pairings) == 1


def test_soft_anti_passback_flags_an_escorted_person_entering_again(
    client: FlaskClient, site, app: Flask
) -> None:
    _escort_in(client, site)
    second = _escort_in(client, site)
    assert second["escorting"] == ["Nina Nurse"]
    with app.app_context():
        pairings = db.session.scalars(
            select(AccessEvent)
            .where(AccessEvent.outcome == "grant_with_escort")
            .order_by(AccessEvent.seq)
        ).all()
        assert [p.flags for p in pairings] == [[], ["passback"]]


# ---- every scan is logged, whatever it carries --------------------------------------------


@pytest.mark.parametrize("badge_id", [2**31, 2**31 + 5, 2**32 - 1])
def test_a_signed_badge_id_beyond_the_database_range_is_a_logged_deny(
    client: FlaskClient, site, app: Flask, badge_id: int
) -> None:
    token = encode_token(badge_id, 1, app.config["BADGE_KEY"].encode())
    response = scan(client, site, "mri-1", token)
    assert response.status_code == 201
    data = response.get_json()
    assert data["outcome"] == "deny" and data["reason_codes"][0] == "badge_out_of_range"
    assert _count_events(app) == 1


def test_a_failure_reading_the_badge_is_a_logged_system_error_deny(
    client: FlaskClient, site, app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from zonekeeper.api import door_auth
    from zonekeeper.doors import scan_records

    def broken(*_args: Any) -> Any:
        raise ValueError("a record the database cannot give back")

    monkeypatch.setattr(door_auth, "badge_from_rows", broken)
    monkeypatch.setattr(scan_records, "badge_from_rows", broken)
    response = scan(client, site, "mri-1", site["badges"]["tech"])
    assert response.status_code == 201
    data = response.get_json()
    assert data["outcome"] == "deny" and data["reason_codes"] == ["system_error"]
    assert _count_events(app) == 1


def _with_look_alike(app: Flask, person_key: str, site) -> str:  # type: ignore[no-untyped-def]
    """The person's badge, reissued until its code has an I or an S, spelled with ı or ſ."""
    with app.app_context():
        badge = db.session.scalars(
            select(Badge).where(Badge.person_id == site["ids"][person_key])
        ).one()
        for _ in range(200):
            token = token_for(badge)
            body = token[3:]
            if "I" in body or "S" in body:
                db.session.commit()
                letter, look_alike = ("I", "\u0131") if "I" in body else ("S", "\u017f")
                return "zk1" + body.lower().replace(letter.lower(), look_alike)
            badge.version += 1
    raise AssertionError("no spelling with I or S found")


def test_a_badge_code_spelled_with_unicode_look_alikes_is_an_invalid_credential(
    client: FlaskClient, site, app: Flask
) -> None:
    spelled = _with_look_alike(app, "tech", site)
    assert spelled.upper() == token_for_tech(app, site)  # what the old parser read: Lee's badge
    data = scan(client, site, "mri-1", spelled).get_json()
    assert data["outcome"] == "deny" and data["reason_codes"][0] == "invalid_credential"
    assert data["person"] is None


def token_for_tech(app: Flask, site) -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        return token_for(
            db.session.scalars(select(Badge).where(Badge.person_id == site["ids"]["tech"])).one()
        )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    text=st.one_of(
        st.text(min_size=1, max_size=80),
        st.builds(
            lambda n, v: encode_token(n, v, b"test-badge-key-not-for-production"),
            st.integers(min_value=1, max_value=2**32 - 1),
            st.integers(min_value=1, max_value=2**16 - 1),
        ),
    ),
    direction=st.sampled_from(["in", "out"]),
)
def test_no_scan_gives_a_500_or_goes_unlogged(
    client: FlaskClient, site, app: Flask, text: str, direction: str
) -> None:
    before = _count_events(app)
    response = scan(client, site, "mri-1", text, direction)
    assert response.status_code in {201, 422}
    if response.status_code == 201:
        assert _count_events(app) >= before + 1  # its event (and a pairing, if it escorted)
        assert response.get_json()["event_id"] is not None
    else:
        assert not text.strip() and _count_events(app) == before


# ---- a log that cannot be rolled back unseen ------------------------------------------------


def _head(runner) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    result = runner.invoke(["door", "verify-log"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("Head:"))
    _, _, seq, _, head = line.split()
    return seq, head


def test_verify_log_prints_the_head_and_checks_a_recorded_one(
    client: FlaskClient, site, app: Flask, runner
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        scan(client, site, "mri-1", site["badges"]["tech"])
    seq, head = _head(runner)
    assert seq == "3" and len(head) == 64
    ok = runner.invoke(["door", "verify-log", "--min-seq", seq, "--expect-head", head])
    assert ok.exit_code == 0 and f"Head: seq 3 hash {head}" in ok.output
    scan(client, site, "mri-1", site["badges"]["tech"])  # the log goes on: still fine
    assert (
        runner.invoke(["door", "verify-log", "--min-seq", seq, "--expect-head", head]).exit_code
        == 0
    )
    wrong = runner.invoke(["door", "verify-log", "--min-seq", "2", "--expect-head", head])
    assert wrong.exit_code == 1 and "not in the chain" in wrong.output


def test_a_wiped_log_reset_to_genesis_is_caught_with_the_recorded_head(
    client: FlaskClient, site, app: Flask, runner
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(3):
        scan(client, site, "mri-1", site["badges"]["tech"])
    seq, head = _head(runner)
    with app.app_context():
        from zonekeeper.doors.models import GENESIS_HASH, Presence

        db.session.execute(Presence.__table__.delete())
        db.session.execute(AccessEvent.__table__.delete())
        row = db.session.get(AccessLogHead, 1)
        row.last_seq, row.last_hash, row.head_mac = 0, GENESIS_HASH, ""
        db.session.commit()
    assert runner.invoke(["door", "verify-log"]).exit_code == 0  # alone, it looks fine
    caught = runner.invoke(["door", "verify-log", "--min-seq", seq, "--expect-head", head])
    assert caught.exit_code == 1 and "BROKEN" in caught.output
    by_head = runner.invoke(["door", "verify-log", "--expect-head", head])
    assert by_head.exit_code == 1


def test_an_older_head_put_back_after_deleting_the_newest_events_is_caught(
    client: FlaskClient, site, app: Flask, runner
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(2):
        scan(client, site, "mri-1", site["badges"]["tech"], "out")
    with app.app_context():
        row = db.session.get(AccessLogHead, 1)
        old = (row.last_seq, row.last_hash, row.head_mac)  # someone keeps a copy
    for _ in range(2):
        scan(client, site, "mri-1", site["badges"]["tech"], "out")
    seq, head = _head(runner)
    with app.app_context():
        from zonekeeper.doors.models import Presence

        db.session.execute(Presence.__table__.delete())
        db.session.execute(AccessEvent.__table__.delete().where(AccessEvent.seq > old[0]))
        row = db.session.get(AccessLogHead, 1)
        row.last_seq, row.last_hash, row.head_mac = old
        db.session.commit()
    assert runner.invoke(["door", "verify-log"]).exit_code == 0  # alone, it looks fine
    caught = runner.invoke(["door", "verify-log", "--min-seq", seq, "--expect-head", head])
    assert caught.exit_code == 1 and "BROKEN" in caught.output


def test_display_text_is_inside_the_hash_and_old_rows_still_verify(
    client: FlaskClient, site, app: Flask
) -> None:
    from zonekeeper.audit.chain import head_mac, row_hash
    from zonekeeper.doors.access_log import verify_access_log
    from zonekeeper.doors.models import ACCESS_HASHED_FIELDS_V1

    scan(client, site, "mri-1", site["badges"]["tech"], "out")
    key = app.config["AUDIT_KEY"].encode()
    with app.app_context():
        event = db.session.scalars(select(AccessEvent)).one()
        assert event.hash_version == 2
        # a row as written before issue #12: version 1, its hash without display_text
        event.hash_version = 1
        event.row_hash = row_hash(key, event.hashed_fields(), ACCESS_HASHED_FIELDS_V1)
        head = db.session.get(AccessLogHead, 1)
        head.last_hash = event.row_hash
        head.head_mac = head_mac(key, head.last_seq, head.last_hash)
        db.session.commit()
        assert verify_access_log() == (1, None)
    scan(client, site, "mri-1", site["badges"]["tech"], "out")  # a version 2 row after it
    with app.app_context():
        assert verify_access_log() == (2, None)
        newest = db.session.scalars(select(AccessEvent).where(AccessEvent.seq == 2)).one()
        newest.display_text = "GRANTED: everything is fine"
        db.session.commit()
        checked, broken = verify_access_log()
        assert checked == 1 and broken is not None and "changed" in broken.problem
        newest.hash_version = 1  # passing it off as an old row does not help
        db.session.commit()
        assert verify_access_log()[1] is not None


def test_an_authorization_for_zone_iv_covers_zone_iii_and_not_the_other_way(
    client: FlaskClient, site, auth, app: Flask
) -> None:  # type: ignore[no-untyped-def]
    from zonekeeper.doors.authorizations import authorization_for

    _authorize(client, auth, site, zone="IV")
    scan(client, site, "zone-iii", site["badges"]["nurse"])
    assert scan(client, site, "zone-iii", site["badges"]["aide"]).get_json()["escorting"] == [
        "Nina Nurse"
    ]
    with app.app_context():
        record = db.session.scalars(select(ZoneAuthorization)).one()
        row = (1, "III", record.valid_from, record.valid_until, "Lee", "Tech")
        assert authorization_for((row,), "IV", record.valid_from) is None
        assert authorization_for((row,), "III", record.valid_from) is not None


def test_only_screened_non_mr_people_are_authorized_on_the_page(
    client: FlaskClient, site, auth, app, setup_data
) -> None:  # type: ignore[no-untyped-def]
    """A user trial: someone whose own screening is not cleared was 'authorized for Zone III'."""
    ids = setup_data(
        lambda: {
            "unscreened": factories.person(given="Mark", family="Lewis", screening=False).id,
            "patient": factories.person(kind="patient", given="Pat", family="Ient").id,
        }
    )
    for who, expected in (
        (ids["unscreened"], "not on file as cleared"),
        (ids["patient"], "final check of their screening"),
        (site["ids"]["aide"], "needs no authorization"),
    ):
        auth.sign_in("lee", factories.PASSWORD)
        page = client.get("/authorizations")
        response = client.post(
            "/authorizations",
            data={
                "person_id": who,
                "zone": "III",
                "hours": "8",
                "note": "",
                "csrf_token": csrf_token(page.get_data(as_text=True)),
            },
        )
        auth.sign_out()
        assert response.status_code == 400, who
        assert expected in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(ZoneAuthorization)).all() == []
    assert _authorize(client, auth, site).status_code == 302  # a screened Non-MR nurse is
