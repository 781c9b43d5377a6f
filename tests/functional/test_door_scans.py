"""Scans at the doors through the reader API: every outcome, the log, who is inside."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from tests import factories
from zonekeeper.badges.models import Badge
from zonekeeper.db import utcnow
from zonekeeper.doors.access_log import verify_access_log
from zonekeeper.doors.devices import add_device
from zonekeeper.doors.models import AccessEvent, PendingEscort, Presence
from zonekeeper.extensions import db


@pytest.fixture
def site(setup_data) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    def build() -> dict[str, Any]:
        doors = factories.door_site()
        level_2 = factories.person(given="Lee", family="Tech", level="level_2", trained_days_ago=20)
        level_1 = factories.person(
            given="Ola", family="Nurse", level="level_1", trained_days_ago=20
        )
        lapsed = factories.person(
            given="Pat", family="Lapsed", level="level_2", trained_days_ago=400
        )
        visitor = factories.person(kind="visitor", given="Vic", family="Visitor")
        unscreened = factories.person(
            given="Uma", family="Unscreened", level="level_2", trained_days_ago=5, screening=None
        )
        return {
            "doors": doors,
            "ids": {"level_2": level_2.id, "visitor": visitor.id, "level_1": level_1.id},
            "badges": {
                "level_2": factories.badge(level_2),
                "level_1": factories.badge(level_1),
                "lapsed": factories.badge(lapsed),
                "visitor": factories.badge(visitor),
                "unscreened": factories.badge(unscreened),
            },
            "devices": {
                "mri-1": add_device("mri-1", "reader 1"),
                "zone-iii": add_device("zone-iii", "reader 3"),
            },
        }

    return setup_data(build)


def scan(
    client: FlaskClient,
    site: dict[str, Any],
    door: str,
    text: str,
    direction: str = "in",
    token: str | None = None,
):  # type: ignore[no-untyped-def]
    headers = {"Authorization": f"Bearer {token or site['devices'][door]}"}
    return client.post(
        f"/api/v1/doors/{door}/scans", json={"text": text, "direction": direction}, headers=headers
    )


def _count_events(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AccessEvent)) or 0


def test_level_2_is_granted_zone_iv_and_is_then_inside(
    client: FlaskClient, site, app: Flask
) -> None:
    response = scan(client, site, "mri-1", site["badges"]["level_2"])
    assert response.status_code == 201
    data = response.get_json()
    assert data["outcome"] == "grant" and data["headline"] == "GRANTED"
    assert data["reason_codes"] == ["level_2_zone_iv"]
    assert data["policy_version"].startswith("sha256:")
    with app.app_context():
        event = db.session.get(AccessEvent, data["event_id"])
        assert event.person_id == site["ids"]["level_2"] and event.rule_ids == [
            "grant-level-2-zone-iv"
        ]
        inside = db.session.scalars(select(Presence).where(Presence.left_at.is_(None))).all()
        assert [(p.person_id, p.zone) for p in inside] == [(site["ids"]["level_2"], "IV")]


@pytest.mark.parametrize(
    ("who", "code"),
    [("lapsed", "escort_required"), ("unscreened", "screening_not_cleared")],
)
def test_people_the_policy_refuses_are_denied_with_the_reason(
    client: FlaskClient, site, who: str, code: str
) -> None:
    data = scan(client, site, "mri-1", site["badges"][who]).get_json()
    assert data["outcome"] in {"deny", "escort_pending"}
    assert code in data["reason_codes"]


def test_badge_problems_are_denied_in_plain_words(client: FlaskClient, site, app: Flask) -> None:
    good = site["badges"]["level_2"]
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    results = {
        "forged": scan(client, site, "mri-1", forged).get_json(),
        "truncated": scan(client, site, "mri-1", good[:-6]).get_json(),
        "html": scan(client, site, "mri-1", "<script>alert(1)</script>").get_json(),
    }
    assert results["forged"]["reason_codes"][0] == "badge_forged"
    assert results["truncated"]["reason_codes"][0] == "badge_unreadable"
    assert "not genuine" in results["forged"]["display_text"]
    for data in results.values():
        assert data["outcome"] == "deny" and data["person"] is None

    def revoke_and_reissue() -> None:
        badges = db.session.scalars(select(Badge).order_by(Badge.id)).all()
        badges[0].revoked_at = utcnow()  # the Level 2's badge
        badges[1].version += 1  # the Level 1's badge was reissued: the old print is superseded

    with app.app_context():
        revoke_and_reissue()
        db.session.commit()
    revoked = scan(client, site, "mri-1", good).get_json()
    superseded = scan(client, site, "zone-iii", site["badges"]["level_1"]).get_json()
    assert revoked["outcome"] == "deny" and revoked["reason_codes"] == ["badge_revoked"]
    assert revoked["person"] == "Lee Tech"  # the holder is known, and named on the log
    assert superseded["reason_codes"] == ["badge_superseded"]
    with app.app_context():
        html_event = db.session.get(AccessEvent, results["html"]["event_id"])
        assert html_event.scanned_excerpt == "&lt;script&gt;alert(1)&lt;/script&gt;"


def test_visitor_waits_for_a_level_2_escort_and_both_are_inside(
    client: FlaskClient, site, app: Flask
) -> None:
    pending = scan(client, site, "mri-1", site["badges"]["visitor"]).get_json()
    assert pending["outcome"] == "escort_pending" and pending["headline"] == "ESCORT NEEDED"
    assert "Level 2" in pending["display_text"] and pending["escort_window_seconds"] == 30

    level_1 = scan(client, site, "mri-1", site["badges"]["level_1"]).get_json()
    assert level_1["outcome"] == "grant"  # Level 1 may enter Zone IV themselves...
    assert level_1["escorting"] == [] and level_1["waiting_for_escort"] == ["Vic Visitor"]

    escort = scan(client, site, "mri-1", site["badges"]["level_2"]).get_json()
    assert escort["outcome"] == "grant" and escort["escorting"] == ["Vic Visitor"]
    assert escort["headline"] == "ESCORTING" and level_1["headline"] == "GRANTED"
    assert "Escorting Vic Visitor" in escort["display_text"]
    with app.app_context():
        pairing = db.session.scalars(select(AccessEvent).where(AccessEvent.kind == "pairing")).one()
        assert pairing.outcome == "grant_with_escort"
        assert pairing.escort_person_id == site["ids"]["level_2"]
        assert pairing.related_event_id == pending["event_id"]
        assert "escorted_by_level_2_zone_iv" in pairing.reason_codes
        visitor_inside = db.session.scalars(
            select(Presence).where(
                Presence.person_id == site["ids"]["visitor"], Presence.left_at.is_(None)
            )
        ).one()
        assert visitor_inside.escort_person_id == site["ids"]["level_2"]
    page = client.get("/inside")
    assert page.status_code == 302  # not signed in: the page needs an account


def test_a_visitor_whose_escort_never_comes_is_logged_as_not_entered(
    client: FlaskClient, site, app: Flask
) -> None:
    scan(client, site, "zone-iii", site["badges"]["visitor"])
    with app.app_context():
        pending = db.session.scalars(select(PendingEscort)).one()
        pending.expires_at = utcnow().replace(year=2000)
        db.session.commit()
    scan(client, site, "mri-1", site["badges"]["level_2"])  # any later scan expires it
    with app.app_context():
        expiry = db.session.scalars(select(AccessEvent).where(AccessEvent.kind == "expiry")).one()
        assert expiry.reason_codes == ["escort_timeout"]
        assert db.session.scalars(select(PendingEscort)).one().status == "expired"
        assert not db.session.scalars(
            select(Presence).where(Presence.person_id == site["ids"]["visitor"])
        ).all()


def test_soft_anti_passback_flags_a_second_entry(client: FlaskClient, site) -> None:
    first = scan(client, site, "mri-1", site["badges"]["level_2"]).get_json()
    second = scan(client, site, "mri-1", site["badges"]["level_2"]).get_json()
    assert first["flags"] == [] and second["outcome"] == "grant"
    assert second["flags"] == ["passback"]
    out = scan(client, site, "mri-1", site["badges"]["level_2"], "out").get_json()
    assert out["outcome"] == "exit" and out["flags"] == []
    again = scan(client, site, "mri-1", site["badges"]["level_2"]).get_json()
    assert again["flags"] == []


def test_hard_anti_passback_denies_a_second_entry(another_app, site) -> None:  # type: ignore[no-untyped-def]
    hard = another_app(ANTI_PASSBACK="hard")
    client = hard.test_client()
    assert scan(client, site, "mri-1", site["badges"]["level_2"]).get_json()["outcome"] == "grant"
    second = scan(client, site, "mri-1", site["badges"]["level_2"]).get_json()
    assert second["outcome"] == "deny" and second["reason_codes"] == ["anti_passback"]


def test_leaving_is_recorded_never_refused(client: FlaskClient, site, app: Flask) -> None:
    scan(client, site, "zone-iii", site["badges"]["level_2"])
    scan(client, site, "mri-1", site["badges"]["level_2"])
    back = scan(client, site, "mri-1", site["badges"]["level_2"], "out").get_json()
    assert back["outcome"] == "exit" and back["headline"] == "EXIT RECORDED"
    with app.app_context():
        inside = db.session.scalars(select(Presence).where(Presence.left_at.is_(None))).one()
        assert inside.zone == "III"  # out of the magnet room, back in Zone III
    lapsed_out = scan(client, site, "zone-iii", site["badges"]["lapsed"], "out").get_json()
    assert lapsed_out["outcome"] == "exit" and lapsed_out["flags"] == ["no_entry_recorded"]


def test_every_scan_is_one_event_and_the_chain_verifies(
    client: FlaskClient, site, app: Flask
) -> None:
    texts = [site["badges"]["level_2"], "garbage", site["badges"]["visitor"], "ZK1AAAA"]
    for text in texts:
        assert scan(client, site, "zone-iii", text).status_code == 201
    assert _count_events(app) == len(texts)
    with app.app_context():
        assert verify_access_log() == (len(texts), None)
        event = db.session.scalars(select(AccessEvent).where(AccessEvent.seq == 2)).one()
        event.outcome = "grant"  # someone edits the table by hand
        db.session.commit()
        checked, broken = verify_access_log()
        assert checked == 1 and broken is not None and "changed" in broken.problem


def test_a_failure_in_the_decision_denies_with_system_error_and_is_logged(
    another_app,
    site,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    (tmp_path / "access.yaml").write_text("kind: access\nrules: [{id: broken}]\n")
    broken = another_app(RULES_DIR=str(tmp_path))
    response = scan(broken.test_client(), site, "mri-1", site["badges"]["level_2"])
    assert response.status_code == 201
    data = response.get_json()
    assert data["outcome"] == "deny" and data["reason_codes"] == ["system_error"]
    assert "paper procedure" in data["display_text"]
    assert _count_events(broken) == 1


def test_a_change_made_while_the_scan_waits_for_the_lock_is_seen(
    client: FlaskClient, site, app: Flask
) -> None:
    """The decision is prepared before the lock; a voided training in between must win."""
    from zonekeeper.doors.scan_store import decide_locked, load
    from zonekeeper.people.models import TrainingRecord
    from zonekeeper.site.models import Door

    with app.test_request_context():
        door = db.session.get(Door, site["doors"]["mri-1"])
        loaded = load(door, site["badges"]["level_2"], "in", "test")
        assert loaded.holder is not None and loaded.holder.level == "level_2"
        db.session.rollback()  # the read transaction ends, as in the view

        other = app.test_request_context()  # another request voids the training meanwhile
        with other:
            record = db.session.scalars(
                select(TrainingRecord).where(TrainingRecord.person_id == site["ids"]["level_2"])
            ).one()
            record.voided_at = utcnow()
            record.void_reason = "entered for the wrong person"
            db.session.commit()

        result = decide_locked(loaded)  # the records are read again under the lock
        assert result.outcome != "grant"  # not granted on the old facts
        db.session.rollback()
    data = scan(client, site, "mri-1", site["badges"]["level_2"]).get_json()
    assert data["outcome"] != "grant"


def test_the_door_shows_the_rules_display_text_never_the_authors_note(
    client: FlaskClient, site
) -> None:
    """rules/access.yaml's `text` for grant-level-1-zone-iv holds a note for whoever maintains
    the rules ("Remove this rule to keep Level 1 out of Zone IV"): the door shows `display`."""
    data = scan(client, site, "mri-1", site["badges"]["level_1"]).get_json()
    assert data["outcome"] == "grant" and data["reason_codes"] == ["level_1_zone_iv"]
    shown = [data["display_text"], *(reason["text"] for reason in data["reasons"])]
    assert not any("Remove this rule" in text for text in shown)
    assert data["display_text"] == (
        "Ola Nurse: Level 1 MR personnel, Zone IV: for your own work only; bring no one in."
    )
    denied = scan(client, site, "mri-1", site["badges"]["unscreened"]).get_json()
    assert denied["display_text"].startswith("MR screening not on file as cleared")
