"""The door cases (tests/data/door_cases.yaml) against the pure scan decision: snapshot in,
plan out. No database, no app: the decision reads nothing but its snapshot."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import RULES_DIR
from zonekeeper.doors.decision import (
    Expired,
    Holder,
    Place,
    Plan,
    Snapshot,
    Waiting,
    decide_scan,
)
from zonekeeper.policy import load_policy

POLICY = load_policy(RULES_DIR)
DATA = yaml.safe_load((Path(__file__).parents[1] / "data" / "door_cases.yaml").read_text())
PEOPLE: dict[str, dict[str, Any]] = DATA["people"]
CASES: list[dict[str, Any]] = DATA["cases"]
NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
DOORS = {"III": ("II", 1, False), "IV": ("III", 2, True)}  # from zone, room, from restricted
ROOMS = {"III": 1, "IV": 2}
TRAINING = {"level_2": ("level_2", 10), "level_1": ("level_1", 10), "lapsed": ("level_2", 400)}
COVERS = {"III": ("III",), "IV": ("III", "IV")}


def holder(key: str, zone: str, inside: str | None = None, escort: int | None = None) -> Holder:
    spec = PEOPLE[key]
    person_id = list(PEOPLE).index(key) + 1
    level, age = TRAINING.get(spec.get("level", ""), (None, None))
    authorized = zone in COVERS.get(spec.get("authorized", ""), ())
    screening = spec.get("screening", "cleared")
    facts = {
        "person.id": person_id,
        "person.kind": spec["kind"],
        "person.screening_status": screening,
        "person.designations": spec.get("designations", []),
        "person.level_2_authorized": True if authorized else None,
        "site.emergency_mode": False,
        "site.magnet_quenched": False,
        "person.training_level": level,
        "person.training_age_days": age,
    }
    escort_facts = {
        "escort.id": person_id,
        "escort.training_level": level,
        "escort.training_age_days": age,
        "escort.screening_status": screening,
    }
    place = Place(100 + person_id, inside, ROOMS[inside], escort) if inside else None
    current = level if spec.get("level") in ("level_1", "level_2") else "non_mr"
    return Holder(
        person_id,
        spec["name"],
        facts,
        escort_facts,
        current or "non_mr",
        place,
        "Lee Tech" if authorized else None,
    )


def snapshot(case: dict[str, Any]) -> Snapshot:
    zone = case["door"]
    from_zone, room, from_restricted = DOORS[zone]
    who = case.get("who")
    inside_of = case.get("waiting_inside", {})
    return Snapshot(
        door_id=ROOMS[zone],
        from_zone=from_zone,
        to_zone=zone,
        room_id=room,
        from_restricted=from_restricted,
        direction=case.get("direction", "in"),
        badge_status=case.get("badge", "valid"),
        holder=holder(who, zone, case.get("inside"), case.get("inside_escort")) if who else None,
        now=NOW,
        policy=POLICY,
        anti_passback=case.get("anti_passback", "soft"),
        escort_window_seconds=case.get("window", 30),
        emergency=case.get("emergency"),
        waiting=tuple(
            Waiting(500 + n, 900 + n, holder(key, zone, inside_of.get(key)))
            for n, key in enumerate(case.get("waiting", []))
        ),
        expired=tuple(Expired(700 + n, 1, 50 + n, 800 + n) for n in range(case.get("expired", 0))),
    )


def check(plan: Plan, expect: dict[str, Any]) -> None:  # noqa: C901 - one line per key
    answer = plan.answer
    if "outcome" in expect:
        assert answer.outcome == expect["outcome"]
    if "headline" in expect:
        assert answer.headline == expect["headline"]
    if "codes" in expect:
        assert answer.reason_codes == expect["codes"]
    if "codes0" in expect:
        assert answer.reason_codes[0] == expect["codes0"]
    if "codes_has" in expect:
        assert expect["codes_has"] in answer.reason_codes
    if "flags" in expect:
        assert answer.flags == expect["flags"]
    if "events" in expect:
        assert [f"{e.kind}:{e.outcome}" for e in plan.events] == expect["events"]
    if "waits" in expect:
        assert [w.op for w in plan.waits] == expect["waits"]
    if "enter" in expect:
        assert [e.enter.zone for e in plan.events if e.enter] == expect["enter"]
    if "enter_escort" in expect:
        assert [e.enter.escort_id for e in plan.events if e.enter] == expect["enter_escort"]
    if "close" in expect:
        assert sum(e.close is not None for e in plan.events) == expect["close"]
    if "escorting" in expect:
        assert answer.escorting == expect["escorting"]
    if "waiting_for_escort" in expect:
        assert answer.waiting_for_escort == expect["waiting_for_escort"]
    if "detail_has" in expect:
        assert expect["detail_has"] in answer.detail
    if "pairing_flags" in expect:
        assert [e.flags for e in plan.events if e.kind == "pairing"] == [expect["pairing_flags"]]
    if "expiry_text_has" in expect:
        assert all(
            expect["expiry_text_has"] in e.display_text for e in plan.events if e.kind == "expiry"
        )
    # every plan: one scan event, the answer's codes are that event's
    scans = [e for e in plan.events if e.kind == "scan"]
    assert len(scans) == 1 and plan.events[plan.scan_event] is scans[0]
    assert scans[0].reason_codes == answer.reason_codes


def test_there_are_at_least_sixty_door_cases() -> None:
    assert len(CASES) >= 60
    assert len({case["name"] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_door_case(case: dict[str, Any]) -> None:
    check(decide_scan(snapshot(case)), case["expect"])


def test_the_decision_is_a_function_of_its_snapshot() -> None:
    for case in CASES:
        first, second = decide_scan(snapshot(case)), decide_scan(snapshot(case))
        assert first == second


def test_a_common_scan_is_decided_in_under_50_microseconds_median() -> None:
    grant = snapshot({"door": "IV", "who": "level_2"})
    for _ in range(200):
        decide_scan(grant)
    timings = []
    for _ in range(2000):
        start = time.perf_counter()
        decide_scan(grant)
        timings.append(time.perf_counter() - start)
    assert statistics.median(timings) < 50e-6 * 4  # generous here; bench/door_decision_bench.py
