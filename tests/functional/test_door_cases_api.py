"""The door cases (tests/data/door_cases.yaml) end to end: each case's world is built in
the database (people with their trainings, screenings, designations and Level 2
authorizations, badges, presences, escort waits, an emergency, the settings), the scan
goes through the reader API, and the answer and the events, presences and waits it
wrote are compared with the case, on SQLite and PostgreSQL.

The patients (``patient_*``) are screened for real, through the screening pages, to the
state their spec names, on the scanner in the Zone IV door's room or in another room
(tests/functional/door_case_patients.py).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tests import factories
from tests.functional.door_case_patients import patients_of, scanner_room, screen_patients
from tests.unit.test_door_decision import CASES, PEOPLE
from zonekeeper.badges.models import Badge
from zonekeeper.badges.tokens import encode_token
from zonekeeper.db import utcnow
from zonekeeper.doors.access_log import append_access_event, lock_log_head
from zonekeeper.doors.devices import add_device
from zonekeeper.doors.models import (
    AccessEvent,
    Emergency,
    PendingEscort,
    Presence,
    ZoneAuthorization,
)
from zonekeeper.extensions import db
from zonekeeper.people.models import Designation, Person

DOOR_CODES = {"III": "zone-iii", "IV": "mri-1"}
TRAINING = {"level_2": ("level_2", 10), "level_1": ("level_1", 10), "lapsed": ("level_2", 400)}
SCREENING = {"cleared": True, "missing": None, "not_cleared": False}


def test_every_door_case_is_built_end_to_end_patients_included() -> None:
    assert len(CASES) >= 75 and sum(bool(patients_of(case)) for case in CASES) >= 13


def _person_args(key: str) -> dict[str, Any]:
    """What factories.person makes of a (non-patient) person of the cases."""
    spec = PEOPLE[key]
    given, family = spec["name"].split(" ", 1)
    level, age = TRAINING.get(spec.get("level", ""), (None, None))
    return {
        "kind": spec["kind"],
        "given": given,
        "family": family,
        "level": level,
        "trained_days_ago": age,
        "screening": SCREENING[spec.get("screening", "cleared")],
    }


def _build(app: Flask, case: dict[str, Any], made: dict[str, int]) -> dict[str, Any]:
    """The case's world; returns the scanned text and what the comparison needs.
    ``made``: the people made already (the screened patients, and Lee Tech with them)."""
    with app.app_context():
        today, now = utcnow().date(), utcnow()
        declarer = factories.user("mrso", "mrso")  # who declares the case's emergency
        doors = factories.door_site()
        if made:  # the Zone IV door opens into the room of the patients' scanner
            from zonekeeper.site.models import Door

            db.session.get_one(Door, doors["mri-1"]).room_id = scanner_room()
        devices = {code: add_device(code, code) for code in DOOR_CODES.values()}
        people: dict[str, Any] = {}
        for key, spec in PEOPLE.items():
            if key in made:
                people[key] = db.session.get_one(Person, made[key])
                continue
            if key.startswith("patient_"):
                continue
            person = factories.person(**_person_args(key))
            for role in spec.get("designations", []):
                db.session.add(
                    Designation(person_id=person.id, role=role, granted_on=today - timedelta(30))
                )
            people[key] = person
        for key, spec in PEOPLE.items():  # a patient's comes from the final check
            if "authorized" in spec and key in people and not key.startswith("patient_"):
                db.session.add(
                    ZoneAuthorization(
                        person_id=people[key].id,
                        zone=spec["authorized"],
                        authorized_by_person_id=people["level_2"].id,
                        valid_from=now - timedelta(hours=1),
                        valid_until=now + timedelta(hours=8),
                    )
                )
        door_id = doors[DOOR_CODES[case["door"]]]
        rooms = {"III": _room(doors["zone-iii"]), "IV": _room(doors["mri-1"])}
        setup = append_access_event(
            lock_log_head(),
            kind="scan",
            door_id=door_id,
            direction="in",
            outcome="grant",
            display_text="test set-up",
            policy_version="test",
            source="test",
        )

        def inside(person_id: int, zone: str, escort: int | None = None) -> None:
            db.session.add(
                Presence(
                    person_id=person_id,
                    zone=zone,
                    room_id=rooms[zone],
                    door_id=doors[DOOR_CODES[zone]],
                    entered_at=now - timedelta(minutes=5),
                    entry_event_id=setup.id,
                    escort_person_id=escort,
                )
            )

        who = case.get("who")
        text = _text(app, case.get("badge", "valid"), people.get(who) if who else None)
        if who and case.get("inside"):
            escort = people["level_2"].id if case.get("inside_escort") else None
            inside(people[who].id, case["inside"], escort)
        for key in case.get("waiting", []):
            db.session.add(
                PendingEscort(
                    door_id=door_id,
                    person_id=people[key].id,
                    scan_event_id=setup.id,
                    expires_at=now + timedelta(seconds=30),
                )
            )
            if key in case.get("waiting_inside", {}):
                inside(people[key].id, case["waiting_inside"][key])
        for n in range(case.get("expired", 0)):
            gone = factories.person(kind="visitor", given="Exp", family=f"Ired{n}")
            db.session.add(
                PendingEscort(
                    door_id=door_id,
                    person_id=gone.id,
                    scan_event_id=setup.id,
                    expires_at=now - timedelta(seconds=60),
                )
            )
        if case.get("emergency"):
            db.session.add(
                Emergency(kind=case["emergency"], declared_at=now, declared_by_user_id=declarer.id)
            )
        db.session.commit()
        return {
            "text": text,
            "device": devices[DOOR_CODES[case["door"]]],
            "setup_seq": setup.seq,
            "escort_id": people["level_2"].id,
        }


def _room(door_id: int) -> int | None:
    from zonekeeper.site.models import Door

    return db.session.get_one(Door, door_id).room_id


def _text(app: Flask, status: str, person: Any) -> str:
    key = app.config["BADGE_KEY"].encode()
    if status == "malformed":
        return "NOT A BADGE"
    if status == "unknown":
        return encode_token(999_999, 1, key)
    if status == "out_of_range":
        return encode_token(2**31 + 5, 1, key)
    if status == "invalid_credential":
        return "ZK1\u0131" + "A" * 28
    if person is None:  # forged, with nobody named
        good = encode_token(4242, 1, key)
        return good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    days = {"expired": (-1, -30), "not_yet_valid": (30, 1)}.get(status, (365, 0))
    badge_text = factories.badge(person, valid_days=days[0], starts_in_days=days[1])
    badge = db.session.scalars(select(Badge).where(Badge.person_id == person.id)).one()
    if status == "revoked":
        badge.revoked_at = utcnow()
    elif status == "superseded":
        badge.version += 1
    elif status == "forged":
        badge_text = badge_text[:-2] + ("AA" if not badge_text.endswith("AA") else "BB")
    db.session.flush()
    assert status in ("valid", "revoked", "superseded", "forged", "expired", "not_yet_valid")
    return badge_text


def _written(app: Flask, after_seq: int) -> dict[str, Any]:
    with app.app_context():
        events = db.session.scalars(
            select(AccessEvent).where(AccessEvent.seq > after_seq).order_by(AccessEvent.seq)
        ).all()
        ids = {event.id: event.seq for event in events}
        opened = db.session.scalars(
            select(Presence)
            .where(Presence.entry_event_id.in_(ids))
            .order_by(Presence.entry_event_id, Presence.id)
        ).all()
        closed = db.session.scalars(select(Presence).where(Presence.exit_event_id.in_(ids))).all()
        ops = {"expired": "expire", "paired": "pair", "refused": "refuse"}
        waits: list[tuple[int, int, str]] = []
        for pending in db.session.scalars(select(PendingEscort).order_by(PendingEscort.id)):
            if pending.scan_event_id in ids:
                waits.append((ids[pending.scan_event_id], pending.id, "open"))
            if pending.resolved_event_id in ids and pending.status in ops:
                waits.append((ids[pending.resolved_event_id], pending.id, ops[pending.status]))
        return {
            "events": [f"{event.kind}:{event.outcome}" for event in events],
            "texts": {event.kind: event.display_text for event in events},
            "pairing_flags": [list(event.flags) for event in events if event.kind == "pairing"],
            "enter": [presence.zone for presence in opened],
            "enter_escort": [presence.escort_person_id for presence in opened],
            "close": len(closed),
            "waits": [op for _seq, _id, op in sorted(waits)],
        }


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_door_case_through_the_reader_api(  # noqa: C901 - one line per key
    client: FlaskClient, app: Flask, monkeypatch: pytest.MonkeyPatch, case: dict[str, Any]
) -> None:
    monkeypatch.setitem(app.config, "ANTI_PASSBACK", case.get("anti_passback", "soft"))
    monkeypatch.setitem(app.config, "ESCORT_WINDOW_SECONDS", case.get("window", 30))
    made = screen_patients(app, case, PEOPLE, _person_args("level_2")) if patients_of(case) else {}
    world = _build(app, case, made)
    response = client.post(
        f"/api/v1/doors/{DOOR_CODES[case['door']]}/scans",
        json={"text": world["text"], "direction": case.get("direction", "in")},
        headers={"Authorization": f"Bearer {world['device']}"},
    )
    assert response.status_code == 201
    answer, expect = response.get_json(), case["expect"]
    written = _written(app, world["setup_seq"])
    if "outcome" in expect:
        assert answer["outcome"] == expect["outcome"]
    if "headline" in expect:
        assert answer["headline"] == expect["headline"]
    if "codes" in expect:
        assert answer["reason_codes"] == expect["codes"]
    if "codes0" in expect:
        assert answer["reason_codes"][0] == expect["codes0"]
    if "codes_has" in expect:
        assert expect["codes_has"] in answer["reason_codes"]
    if "flags" in expect:
        assert answer["flags"] == expect["flags"]
    if "escorting" in expect:
        assert answer["escorting"] == expect["escorting"]
    if "waiting_for_escort" in expect:
        assert answer["waiting_for_escort"] == expect["waiting_for_escort"]
    if "detail_has" in expect:
        assert expect["detail_has"] in answer["display_text"]
    for key in ("events", "enter", "close", "waits", "pairing_flags"):
        if key in expect:
            wanted = expect[key] if key != "pairing_flags" else [expect[key]]
            assert written[key] == wanted, key
    if "enter_escort" in expect:
        escort = [world["escort_id"] if e == 1 else e for e in expect["enter_escort"]]
        assert written["enter_escort"] == escort
    if "expiry_text_has" in expect:
        assert expect["expiry_text_has"] in written["texts"]["expiry"]
