"""The demo's previous calendar month, so the director's first look at last month's
report has figures to read: screenings through the real screening services, door
scans appended to the hash-chained access log on weekdays (entries, exits, a few
denials, an escort wait that timed out), and three incidents, one reported late.

Patients and MRNs are fictional (DEMO-1nnn)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from .auth.models import User
from .clock import site_zone
from .demo_history import previous_month_start
from .demo_screening import _answers, _start, acting_as
from .doors.access_log import append_access_event, lock_log_head
from .extensions import db
from .incidents.models import Incident
from .people.models import Person
from .policy import Policy
from .screening.services import save_answers
from .screening.workflow import record_final_check, record_second_screen, submit_first_screen
from .site.models import Door, Room, Scanner

# (day of the month, MRN, given, family, born, scanner, region, answers changed, stage)
# stage: "cleared" (two screens, final check), "first" (first screen only, not scanned)
SCREENINGS = [
    (2, "DEMO-1001", "Amir", "Haddad", date(1984, 2, 11), "MRI 1", "knee", {}, "cleared"),
    (3, "DEMO-1002", "Beatriz", "Lopes", date(1957, 9, 30), "MRI 2", "head", {}, "cleared"),
    (6, "DEMO-1003", "Chen", "Wei", date(1990, 6, 5), "MRI 1", "spine", {}, "cleared"),
    (8, "DEMO-1004", "Dana", "Okafor", date(1972, 12, 1), "MRI 1", "pelvis", {}, "cleared"),
    (10, "DEMO-1005", "Emil", "Novak", date(1949, 3, 17), "MRI 2", "head", {}, "cleared"),
    (
        13,
        "DEMO-1006",
        "Farah",
        "Siddiqui",
        date(1993, 8, 22),
        "MRI 1",
        "abdomen",
        {"pregnant": "unknown"},
        "first",
    ),
    (15, "DEMO-1007", "Goran", "Ilic", date(1966, 1, 9), "MRI 2", "spine", {}, "cleared"),
    (17, "DEMO-1008", "Hana", "Sato", date(1981, 5, 14), "MRI 1", "head", {}, "cleared"),
    (20, "DEMO-1009", "Ivan", "Petrov", date(1975, 10, 3), "MRI 2", "knee", {}, "cleared"),
    (22, "DEMO-1010", "Jade", "Moreau", date(1988, 4, 26), "MRI 1", "spine", {}, "cleared"),
    (24, "DEMO-1011", "Kofi", "Mensah", date(1959, 7, 19), "MRI 2", "head", {}, "first"),
    (27, "DEMO-1012", "Lena", "Fischer", date(1970, 11, 8), "MRI 1", "pelvis", {}, "cleared"),
]
CHECKS = {"forms_reviewed": True, "visual_inspection": True, "detector": "used"}
# weekday routine: (family name, door code, local hour, minute)
ROUTINE = [
    ("Gonzalez", "zone-iii", 7, 30),
    ("Gonzalez", "mri-1", 7, 45),
    ("Harris", "zone-iii", 8, 5),
    ("Mendes", "zone-iii", 8, 20),
]
# (day of the month, family name or None for an unknown badge, door, hour, reason codes)
DENIALS = [
    (7, None, "zone-iii", 9, ["badge_unknown"]),
    (14, "Mendes", "mri-1", 11, ["escort_required"]),
    (21, None, "mri-1", 13, ["badge_expired"]),
    (28, "Harris", "mri-1", 10, ["escort_required"]),
]


def add_last_month(today: date, policy: Policy, logins: dict[str, User]) -> dict[str, Any]:
    """The previous month's screenings, door scans and incidents; returns their counts."""
    first = previous_month_start(today)
    return {
        "since": first.isoformat(),
        "screenings": _screenings(first, policy, logins["tech"], logins["mrso"]),
        "scans": _scans(first, today.replace(day=1), policy),
        "incidents": _incidents(first, logins),
    }


def _screenings(first: date, policy: Policy, tech: User, mrso: User) -> int:
    scanners = {s.name: s for s in db.session.scalars(select(Scanner))}
    started = []
    with acting_as(tech):
        for day, mrn, given, family, born, scanner, region, changes, stage in SCREENINGS:
            visit = first.replace(day=day)
            screening = _start(mrn, given, family, born, scanners[scanner], region, visit, policy)
            save_answers(screening, _answers(visit, **changes), [], visit, policy)
            submit_first_screen(screening, visit, policy)
            started.append((screening, visit, stage))
    with acting_as(mrso):  # the Level 2 review and the final check
        for screening, visit, stage in started:
            if stage == "cleared":
                record_second_screen(
                    screening, "Reviewed every answer with the patient.", visit, policy
                )
                record_final_check(screening, CHECKS, visit, policy)
    return len(started)


def _at(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=site_zone())


def _scans(first: date, end: date, policy: Policy) -> int:
    doors = {d.code: d for d in db.session.scalars(select(Door))}
    people = {p.family_name: p for p in db.session.scalars(select(Person))}
    head = lock_log_head()
    planned: list[tuple[datetime, dict[str, Any]]] = []
    day = first
    while day < end:
        if day.weekday() < 5:
            for family, code, hour, minute in ROUTINE:
                person, door = people[family], doors[code]
                base = {"person_id": person.id, "door_id": door.id, "kind": "scan"}
                planned.append(
                    (_at(day, hour, minute), {**base, "direction": "in", "outcome": "grant"})
                )
                planned.append(
                    (_at(day, 16, minute), {**base, "direction": "out", "outcome": "exit"})
                )
        day += timedelta(days=1)
    for day_of_month, family, code, hour, reasons in DENIALS:
        who = {"person_id": people[family].id} if family else {}
        planned.append(
            (
                _at(first.replace(day=day_of_month), hour, 0),
                {
                    **who,
                    "door_id": doors[code].id,
                    "kind": "scan",
                    "direction": "in",
                    "outcome": "deny",
                    "reason_codes": reasons,
                },
            )
        )
    # an escort's wait that ran out (the visitor was not taken in)
    planned.append(
        (
            _at(first.replace(day=18), 14, 30),
            {
                "door_id": doors["mri-1"].id,
                "kind": "expiry",
                "direction": "in",
                "outcome": "deny",
                "reason_codes": ["escort_timeout"],
                "rule_ids": ["door.escort_window"],
                "source": "system",
            },
        )
    )
    for moment, values in sorted(planned, key=lambda p: p[0]):
        append_access_event(
            head,
            **{"rule_ids": [], "source": "demo", **values},
            occurred_at=moment,
            display_text="",
            policy_version=policy.version,
        )
    return len(planned)


def _incidents(first: date, logins: dict[str, User]) -> int:
    rooms = {r.name: r for r in db.session.scalars(select(Room))}
    rows = [
        # (day, hour, delay minutes, zone, room, category, severity, description, actions)
        (
            4,
            10,
            35,
            "IV",
            "MRI 1 magnet room",
            "projectile",
            "near_miss",
            "A visitor's walking stick with a steel core was stopped by the detector at the "
            "MRI 1 door.",
            "Stick kept in Zone II; an MR Conditional cane lent.",
        ),
        (
            12,
            15,
            30 * 60,
            "IV",
            "MRI 2 magnet room",
            "thermal",
            "minor",
            "Patient reported warmth at the left calf during a knee scan; small red mark.",
            "Scan stopped; skin checked; pads and positioning reviewed; reported the next day.",
        ),
        (
            26,
            9,
            50,
            "III",
            "Patient preparation",
            "screening",
            "near_miss",
            "A hearing aid was found at the final check after two screens had missed it.",
            "Hearing aid removed and stored; screener reminded to ask about devices twice.",
        ),
    ]
    for day, hour, delay, zone, room, category, severity, description, actions in rows:
        occurred = _at(first.replace(day=day), hour, 0)
        db.session.add(
            Incident(
                occurred_at=occurred,
                reported_at=occurred + timedelta(minutes=delay),
                reported_by_user_id=logins["tech"].id,
                report_delay_minutes=delay,
                late_report=delay > 24 * 60,
                zone=zone,
                room=rooms[room],
                category=category,
                severity=severity,
                description=description,
                immediate_actions=actions,
                status="closed",
                root_cause="Reviewed at the monthly MR safety meeting.",
                review_notes="Discussed with the staff involved; no further action.",
                monthly_review_on=first.replace(day=28),
                reviewed_by_user_id=logins["mrso"].id,
                closed_at=_at(first.replace(day=28), 16, 0),
                closed_by_user_id=logins["mrso"].id,
            )
        )
    return len(rows)
