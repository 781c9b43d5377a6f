"""A small site with a hand-counted October 2026 (America/Chicago, UTC-5 that month).

Every expected figure in ``EXPECTED`` was counted by hand from the records below,
not taken from the report code. Times are UTC unless a comment says otherwise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests import factories
from zonekeeper.actions.models import CorrectiveAction
from zonekeeper.doors.access_log import append_access_event, lock_log_head
from zonekeeper.doors.models import Emergency
from zonekeeper.extensions import db
from zonekeeper.incidents.models import Incident
from zonekeeper.people.models import Designation, Person, TrainingRecord
from zonekeeper.screening.models import (
    Screening,
    ScreeningEvaluation,
    ScreeningSignoff,
    ScreeningSubject,
)
from zonekeeper.site.models import Room, Scanner
from zonekeeper.zone_audits.models import ZoneAudit, ZoneAuditItem

ZONE = "America/Chicago"
TODAY = date(2026, 11, 15)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _staff(given: str, level: str | None, completed: date | None) -> Person:
    person = factories.person(given=given, family="Staffer", screening=True, today=TODAY)
    if level and completed:
        person.trainings.append(
            TrainingRecord(completed_on=completed, level=level, course="MR", course_version="1")
        )
    db.session.flush()
    return person


def build_october() -> dict[str, int]:
    """The records; returns ids the tests need (users, the director's account...)."""
    doors = factories.door_site()
    factories.screening_site()
    for room in db.session.query(Room):
        room.created_at = utc(2026, 1, 1)
    for scanner in db.session.query(Scanner):
        scanner.created_at = utc(2026, 1, 1)
    a = _staff("Avery", "level_2", date(2026, 6, 1))  # current
    b = _staff("Blake", "level_1", date(2025, 11, 20))  # current, lapses in 20 days
    c = _staff("Casey", "level_2", date(2025, 9, 1))  # lapsed since 2026-09-02
    d = _staff("Devon", "level_1", date(2025, 10, 15))  # lapses on 2026-10-16
    e = _staff("Emery", None, None)  # never trained
    db.session.add(
        Designation(person_id=a.id, role="mrso", in_charge=True, granted_on=date(2025, 1, 1))
    )
    director = factories.user("director", "safety_director", person_id=b.id)
    mrso = factories.user("mrso", "mrso", person_id=a.id)
    tech = factories.user("tech", "technologist")
    _access(doors, a, c, d, e)
    db.session.add(
        Emergency(
            kind="fire",
            declared_at=utc(2026, 10, 8, 10),
            ended_at=utc(2026, 10, 8, 10, 45),
            declared_by_user_id=mrso.id,
        )
    )
    _screenings(mrso.id)
    _audits(mrso.id)
    _actions(a.id)
    _incidents(mrso.id)
    db.session.commit()
    return {"director": director.id, "mrso": mrso.id, "tech": tech.id}


def _access(doors: dict[str, int], a: Person, c: Person, d: Person, e: Person) -> None:
    head = lock_log_head()

    def event(when: datetime, door: str, person: Person | None, outcome: str, **kw: object):
        return append_access_event(
            head,
            kind=kw.pop("kind", "scan"),
            occurred_at=when,
            door_id=doors[door],
            direction="in",
            person_id=person.id if person else None,
            outcome=outcome,
            display_text="test",
            policy_version="sha256:test",
            source="test",
            **kw,
        )

    event(utc(2026, 10, 1, 4, 30), "mri-1", a, "grant")  # 30 Sep 23:30 local: September
    event(utc(2026, 10, 3, 15), "zone-iii", e, "deny", reason_codes=["no_rule_grants"])
    event(utc(2026, 10, 4, 15), "mri-1", a, "deny", reason_codes=["badge_revoked"])
    event(utc(2026, 10, 5, 15), "zone-iii", d, "grant")  # D still current
    event(
        utc(2026, 10, 6, 15),
        "zone-iii",
        e,
        "deny",
        kind="expiry",
        reason_codes=["escort_timeout"],
    )
    event(utc(2026, 10, 7, 15), "zone-iii", a, "grant", flags=["passback"])
    event(utc(2026, 10, 10, 15), "mri-1", c, "grant_with_escort")  # C lapsed
    event(utc(2026, 10, 12, 15), "zone-iii", e, "grant_with_escort")  # never trained
    event(utc(2026, 10, 20, 15), "zone-iii", d, "grant_with_escort")  # D lapsed
    event(utc(2026, 11, 1, 4, 30), "zone-iii", a, "grant")  # 31 Oct 23:30 local: October
    event(utc(2026, 11, 1, 5, 30), "zone-iii", None, "deny", reason_codes=["system_error"])


def _subject(n: int) -> tuple[ScreeningSubject, Person]:
    patient = factories.person(kind="patient", given=f"P{n}", family="Patient", screening=None)
    subject = ScreeningSubject(
        person_id=patient.id, mrn=f"MRN-{n:04d}", date_of_birth=date(1970, 1, 1)
    )
    db.session.add(subject)
    db.session.flush()
    return subject, patient


def _screening(n: int, user_id: int, visit: date, **values: object) -> Screening:
    subject, patient = _subject(n)
    scanner_id = db.session.query(Scanner.id).filter(Scanner.name == "MRI 1").scalar()
    screening = Screening(
        lineage=f"lineage{n}",
        subject_id=subject.id,
        person_id=patient.id,
        subject_kind="patient",
        visit_date=visit,
        form_id="patient",
        form_version=1,
        definition_hash="sha256:test",
        scanner_id=scanner_id,
        body_region="head",
        transmit_coil="body",
        setting=values.pop("setting", "outpatient"),
        created_by_user_id=user_id,
        **values,
    )
    db.session.add(screening)
    db.session.flush()
    return screening


def _evaluate(screening: Screening, disposition: str, when: datetime) -> None:
    db.session.add(
        ScreeningEvaluation(
            screening_id=screening.id,
            evaluated_at=when,
            trigger="answers",
            exam_key=screening.exam_key,
            disposition=disposition,
            contrast_disposition="not_applicable",
            decision={},
            policy_version="sha256:test",
        )
    )
    db.session.flush()


def _screenings(user_id: int) -> None:
    day = date(2026, 10, 20)
    s1 = _screening(
        1,
        user_id,
        day,
        first_screen_at=utc(2026, 10, 20, 10),
        second_screen_at=utc(2026, 10, 20, 10, 15),
        final_check_at=utc(2026, 10, 20, 10, 30),
        state="safe_to_scan",
    )
    _evaluate(s1, "cleared", utc(2026, 10, 20, 10))
    s2 = _screening(
        2,
        user_id,
        day,
        first_screen_at=utc(2026, 10, 20, 10),
        final_check_at=utc(2026, 10, 20, 11),
        state="safe_to_scan",
    )
    _evaluate(s2, "cleared", utc(2026, 10, 20, 10))
    _screening(
        3,
        user_id,
        day,
        emergent=True,
        single_screen_emergent=True,
        first_screen_at=utc(2026, 10, 20, 9),
        final_check_at=utc(2026, 10, 20, 9, 10),
        state="safe_to_scan",
    )
    _screening(
        4,
        user_id,
        day,
        exception_at=utc(2026, 10, 20, 12),
        exception_ordering_physician="Dr Ordering",
        final_check_at=utc(2026, 10, 20, 12, 5),
        state="final_check_done",
    )
    s5 = _screening(
        5,
        user_id,
        day,
        answers={"pregnant": "yes", "egfr": 50, "egfr_date": "2026-09-01"},
        implants=[{"astm_class": "mr_conditional", "description": "stent"}],
        contrast_agent="gadodiamide",
    )
    _evaluate(s5, "not_cleared", utc(2026, 10, 20, 8))
    _evaluate(s5, "conditional", utc(2026, 10, 20, 9))
    _screening(6, user_id, date(2026, 10, 21), contrast_agent="gadoterate meglumine")
    s7 = _screening(
        7,
        user_id,
        date(2026, 10, 21),
        setting="inpatient",
        answers={"eye_injury": "yes", "egfr": 70, "egfr_date": "2026-10-21"},
        contrast_agent="gadodiamide",
    )
    signer = db.session.query(Person).filter(Person.given_name == "Avery").one()
    db.session.add(
        ScreeningSignoff(
            screening_id=s7.id,
            lineage=s7.lineage,
            clearance="clearance.orbits",
            basis="Orbit radiographs clear",
            designation="level_2_physician",
            signed_at=utc(2026, 10, 21, 12),
            signed_by_user_id=user_id,
            signed_by_person_id=signer.id,
        )
    )
    _screening(8, user_id, day, superseded=True)  # an older version: not counted
    _screening(9, user_id, date(2026, 11, 1))  # November


def _audit(day: date, key: str, checklist: str, user_id: int, **values: object) -> ZoneAudit:
    audit = ZoneAudit(
        checklist_id=checklist,
        target_key=key,
        zone="III" if key.startswith("zone") else "IV",
        audit_date=day,
        status=values.pop("status", "signed"),
        policy_version="sha256:test",
        started_by_user_id=user_id,
        **values,
    )
    db.session.add(audit)
    db.session.flush()
    return audit


def _fail(audit: ZoneAudit, position: int, item_id: str, severity: str) -> None:
    db.session.add(
        ZoneAuditItem(
            audit_id=audit.id,
            position=position,
            item_id=item_id,
            text=item_id.replace("-", " "),
            frequency="daily",
            severity=severity,
            result="fail",
            comment="broken",
        )
    )


def _audits(user_id: int) -> None:
    rooms = {r.name: r.id for r in db.session.query(Room)}
    mri_1, mri_2 = f"room:{rooms['MRI 1 magnet room']}", f"room:{rooms['MRI 2 magnet room']}"
    for n in range(30):  # 2..31 October; the first audit ever is on the 2nd
        day = date(2026, 10, 2) + timedelta(days=n)
        _audit(day, "zone:III", "zone-ii-iii", user_id)
        if day != date(2026, 10, 15):
            _audit(day, mri_1, "scanner-room", user_id)
        if day not in (date(2026, 10, 16), date(2026, 10, 17)):
            _audit(day, mri_2, "scanner-room", user_id)
    _audit(date(2026, 10, 17), mri_2, "scanner-room", user_id, status="draft")
    first = (
        db.session.query(ZoneAudit)
        .filter_by(target_key="zone:III", audit_date=date(2026, 10, 5))
        .one()
    )
    _fail(first, 0, "detector-self-test", "high")
    amended = _audit(
        date(2026, 10, 5), "zone:III", "zone-ii-iii", user_id, version=2, supersedes_id=first.id
    )
    _fail(amended, 0, "detector-self-test", "high")
    _fail(amended, 1, "crash-cart-outside", "high")


def _actions(owner_id: int) -> None:
    def action(
        title: str,
        source: str,
        severity: str,
        created: datetime,
        due: date,
        closed: datetime | None,
    ) -> None:
        db.session.add(
            CorrectiveAction(
                title=title,
                severity=severity,
                source=source,
                owner_person_id=owner_id,
                due_on=due,
                status="closed" if closed else "open",
                closed_at=closed,
                created_at=created,
            )
        )

    action("CA1", "audit", "high", utc(2026, 9, 20, 12), date(2026, 9, 25), utc(2026, 10, 3, 12))
    action("CA2", "audit", "low", utc(2026, 10, 5, 10), date(2026, 10, 30), utc(2026, 10, 7, 10))
    action("CA3", "audit", "high", utc(2026, 10, 10, 12), date(2026, 10, 20), None)
    action("CA4", "audit", "medium", utc(2026, 10, 25, 12), date(2026, 11, 5), None)
    action("CA5", "manual", "low", utc(2026, 11, 1, 5, 30), date(2026, 11, 5), None)
    action(
        "Report incident #2 to FDA MedWatch (device involved)",
        "incident",
        "high",
        utc(2026, 10, 12, 12),
        date(2026, 10, 22),
        utc(2026, 10, 20, 12),
    )


def _incidents(user_id: int) -> None:
    def incident(
        reported: datetime,
        delay: int,
        category: str,
        severity: str,
        closed: datetime | None,
        mrn: str | None = None,
    ) -> None:
        db.session.add(
            Incident(
                occurred_at=reported - timedelta(minutes=delay),
                reported_at=reported,
                reported_by_user_id=user_id,
                report_delay_minutes=delay,
                late_report=delay > 24 * 60,
                zone="IV",
                category=category,
                severity=severity,
                description="test",
                patient_mrn=mrn,
                status="closed" if closed else "new",
                closed_at=closed,
            )
        )

    incident(utc(2026, 9, 15, 12), 60, "other", "near_miss", None)  # September, still open
    incident(utc(2026, 10, 3, 12), 120, "thermal", "minor", utc(2026, 10, 10), mrn="MRN-9001")
    incident(utc(2026, 10, 12, 12), 1800, "projectile", "near_miss", None)
    incident(utc(2026, 11, 1, 4, 30), 60, "thermal", "minor", None)  # 31 Oct 23:30 local
    incident(utc(2026, 11, 1, 6), 30, "thermal", "minor", None)  # November


# (metric_id, dimension) -> (value, numerator, denominator); None where not applicable
EXPECTED: dict[tuple[str, str], tuple[float | None, float | None, float | None]] = {
    ("attestation.scanners", ""): (2, None, None),
    ("attestation.safety_officers", ""): (1, None, None),
    ("attestation.safety_officers", "MRSO: Avery Staffer (in charge)"): (1, None, None),
    ("attestation.audit_chain_head", ""): (0, None, None),
    ("attestation.access_log_chain_head", ""): (10, None, None),
    ("training.current_rate", ""): (50.0, 2, 4),
    ("training.current_rate", "Level 2 MR personnel"): (50.0, 1, 2),
    ("training.current_rate", "Level 1 MR personnel"): (50.0, 1, 2),
    ("training.lapsing", ""): (1, None, None),
    ("training.lapsing", "90 days"): (1, None, None),
    ("training.lapsed_entries", ""): (2, None, None),
    ("training.lapsed_entries", "Zone III"): (1, None, None),
    ("training.lapsed_entries", "Zone IV"): (1, None, None),
    ("screening.count", ""): (7, None, None),
    ("screening.count", "Patients"): (7, None, None),
    ("screening.two_screen_rate", ""): (50.0, 1, 2),
    ("screening.emergent_single", ""): (1, None, None),
    ("screening.no_screen_exceptions", ""): (1, 0, 1),
    ("screening.exceptions_missing_signature", ""): (1, None, None),
    ("screening.outcomes", ""): (3, None, None),
    ("screening.outcomes", "cleared"): (2, None, None),
    ("screening.outcomes", "conditional"): (1, None, None),
    ("screening.outcomes_by_scanner", "MRI 1 / cleared"): (2, None, None),
    ("screening.conditional_clearances", ""): (1, None, None),
    ("screening.conditional_clearances", "conditional"): (1, None, None),
    ("screening.signoffs", ""): (1, None, None),
    ("screening.signoffs", "orbits"): (1, None, None),
    ("screening.median_minutes_to_final_check", ""): (30.0, None, 3),
    ("screening.pregnancy_workups", ""): (1, None, None),
    ("screening.pregnancy_workups", "no pregnancy clearance"): (1, None, None),
    ("screening.orbit_workups", ""): (1, None, None),
    ("screening.orbit_workups", "orbits clearance signed"): (1, None, None),
    ("contrast.planned", ""): (3, None, None),
    ("contrast.planned", "Group I"): (2, None, None),
    ("contrast.planned", "Group II"): (1, None, None),
    ("contrast.egfr_in_window_rate", ""): (50.0, 1, 2),
    ("access.entries", ""): (6, None, None),
    ("access.entries", "Zone III / Staff"): (5, None, None),
    ("access.entries", "Zone IV / Staff"): (1, None, None),
    ("access.denials", ""): (2, None, None),
    ("access.denials", "no_rule_grants"): (1, None, None),
    ("access.denials", "badge_revoked"): (1, None, None),
    ("access.escort_timeouts", ""): (1, None, None),
    ("access.passback_flags", ""): (1, None, None),
    ("access.emergency_periods", ""): (1, None, None),
    ("audits.completion_rate", ""): (96.7, 87, 90),
    ("audits.completion_rate", "Zones II and III walk-through · Zone III"): (100.0, 30, 30),
    ("audits.completion_rate", "Magnet room check · MRI 1 magnet room"): (96.7, 29, 30),
    ("audits.completion_rate", "Magnet room check · MRI 2 magnet room"): (93.3, 28, 30),
    ("audits.missed_days", ""): (3, None, None),
    ("audits.failed_items", ""): (2, None, None),
    ("actions.opened", ""): (4, None, None),
    ("actions.opened", "audit"): (3, None, None),
    ("actions.opened", "incident"): (1, None, None),
    ("actions.closed", ""): (3, None, None),
    ("actions.open_at_end", ""): (2, None, None),
    ("actions.overdue", ""): (1, None, None),
    ("actions.overdue", "high"): (1, None, None),
    ("actions.median_days_to_close", ""): (8.0, None, 3),
    ("incidents.count", ""): (3, None, None),
    ("incidents.count", "Thermal / burn / Minor harm"): (2, None, None),
    ("incidents.count", "Projectile / Near miss (no one reached)"): (1, None, None),
    ("incidents.rate_per_1000_screenings", ""): (428.57, 3, 7),
    ("incidents.median_hours_to_report", ""): (2.0, None, 3),
    ("incidents.late_reports", ""): (1, None, None),
    ("incidents.medwatch", ""): (1, 1, 1),
    ("incidents.medwatch", "open past due"): (0, None, None),
    ("incidents.reviews_pending", ""): (3, None, None),
}


def october_report(month: str = "2026-10", kind: str = "monthly", **kw: bool):  # type: ignore[no-untyped-def]
    """The report for the dataset's site time zone (the app itself runs in UTC)."""
    from zonekeeper.policy_store import current_policy
    from zonekeeper.reports.compute import build_report
    from zonekeeper.reports.definitions import load_definition
    from zonekeeper.reports.period import parse_period

    return build_report(
        load_definition("reports", kind),
        parse_period(kind, month, ZONE),
        current_policy(),
        TODAY,
        "Test site",
        **kw,
    )
