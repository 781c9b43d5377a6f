"""Build a large site for benchmarks: a year of a large MRI department.

At --scale 1: 2,000 staff with training records, ~1 M access events (a valid
hash chain), ~100 k screenings with their evaluations, a year of daily zone
audits (with failures and their corrective actions) and 500 incidents, for the
year ending on the last day of the previous month. Written with bulk inserts
(SQLAlchemy Core executemany) into a SQLite file or a PostgreSQL URL:

    python bench/large_site.py sqlite:////tmp/large.db --scale 0.1
    python bench/large_site.py postgresql+psycopg://postgres@127.0.0.1/large
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from zonekeeper import create_app  # noqa: E402
from zonekeeper.audit.chain import head_mac, row_hash  # noqa: E402
from zonekeeper.extensions import db  # noqa: E402

KEYS = {"SECRET_KEY": "bench", "AUDIT_KEY": "bench-audit", "BADGE_KEY": "bench-badge"}
CHUNK = 20_000


class SiteNotEmptyError(RuntimeError):
    pass


def bench_app(url: str):  # type: ignore[no-untyped-def]
    return create_app({**KEYS, "DATABASE_URL": url, "SITE_NAME": "Large site (benchmark)"})


def _chunks(rows, size: int = CHUNK):  # type: ignore[no-untyped-def]
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _bulk(model, rows) -> int:  # type: ignore[no-untyped-def]
    count = 0
    for batch in _chunks(rows):
        db.session.execute(insert(model), batch)
        count += len(batch)
    return count


def build(url: str, scale: float, seed: int = 17) -> dict[str, int]:
    from flask_migrate import upgrade

    from zonekeeper.demo import load_demo_site

    rng = random.Random(seed)
    app = bench_app(url)
    with app.app_context():
        upgrade()
        from zonekeeper.people.models import Person

        if db.session.scalar(select(func.count()).select_from(Person)):
            raise SiteNotEmptyError(f"{url} is not empty; give a new database")
        load_demo_site()  # rooms, doors, scanners, accounts, the policy's checklists
        db.session.commit()
        today = datetime.now(UTC).date()
        end = today.replace(day=1)
        start = date(end.year - 1, end.month, 1)
        counts = {
            "staff": _staff(rng, int(2000 * scale), end),
            "access_events": _access(app, rng, int(1_000_000 * scale), start, end),
            "screenings": _screenings(rng, int(100_000 * scale), start, end),
            "audit_days": _audits(rng, start, end),
            "incidents": _incidents(rng, max(int(500 * scale), 5), start, end),
        }
        db.session.commit()
    return counts


def _staff(rng: random.Random, n: int, end: date) -> int:
    from zonekeeper.people.models import Person, TrainingRecord

    first = (db.session.scalar(select(func.max(Person.id))) or 0) + 1
    now = datetime.now(UTC)
    _bulk(
        Person,
        (
            {
                "id": first + i,
                "kind": "staff",
                "given_name": f"Staff{i}",
                "family_name": "Bench",
                "staff_number": f"B{i:06d}",
                "job_title": "",
                "organisation": "",
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(n)
        ),
    )
    _bulk(
        TrainingRecord,
        (
            {
                "person_id": first + i,
                "completed_on": end - timedelta(days=rng.randint(0, 500)),
                "level": "level_2" if i % 3 == 0 else "level_1",
                "course": "MR Safety",
                "course_version": "1",
                "evidence": "",
                "recorded_at": now,
                "void_reason": "",
            }
            for i in range(n)
        ),
    )
    return n


def _access(app, rng: random.Random, n: int, start: date, end: date) -> int:  # type: ignore[no-untyped-def]
    from zonekeeper.doors.models import (
        ACCESS_HASH_VERSION,
        ACCESS_HASHED_FIELDS,
        AccessEvent,
        AccessLogHead,
    )
    from zonekeeper.people.models import Person
    from zonekeeper.site.models import Door

    doors = list(db.session.scalars(select(Door.id)))
    people = list(db.session.scalars(select(Person.id).where(Person.kind == "staff")))
    head = db.session.get(AccessLogHead, 1)
    key = str(app.config["AUDIT_KEY"]).encode()
    seq, previous = head.last_seq, head.last_hash
    span = (
        datetime.combine(end, datetime.min.time(), tzinfo=UTC)
        - datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    ).total_seconds()
    base = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    moments = sorted(rng.random() * span for _ in range(n))
    outcomes = ["grant"] * 80 + ["grant_with_escort"] * 8 + ["deny"] * 4 + ["exit"] * 8

    def rows():  # type: ignore[no-untyped-def]
        nonlocal seq, previous
        for offset in moments:
            seq += 1
            outcome = rng.choice(outcomes)
            fields = {
                "seq": seq,
                "occurred_at": base + timedelta(seconds=offset),
                "kind": "scan",
                "door_id": rng.choice(doors),
                "direction": "out" if outcome == "exit" else "in",
                "badge_id": None,
                "badge_version": None,
                "person_id": rng.choice(people),
                "outcome": outcome,
                "reason_codes": [rng.choice(["no_rule_grants", "training_lapsed", "badge_revoked"])]
                if outcome == "deny"
                else [],
                "rule_ids": [],
                "escort_person_id": None,
                "related_event_id": None,
                "flags": ["passback"] if rng.random() < 0.002 else [],
                "policy_version": "sha256:bench",
                "source": "bench",
                "scanned_excerpt": "",
                "prev_hash": previous,
                "display_text": "",
                "hash_version": ACCESS_HASH_VERSION,
            }
            digest = row_hash(key, fields, ACCESS_HASHED_FIELDS)
            previous = digest
            yield {**fields, "row_hash": digest}

    count = _bulk(AccessEvent, rows())
    head.last_seq, head.last_hash = seq, previous
    head.head_mac = head_mac(key, seq, previous)
    return count


def _screenings(rng: random.Random, n: int, start: date, end: date) -> int:
    from zonekeeper.auth.models import User
    from zonekeeper.people.models import Person
    from zonekeeper.screening.models import Screening, ScreeningEvaluation, ScreeningSubject
    from zonekeeper.site.models import Scanner

    user = db.session.scalar(select(User.id).where(User.username == "tech"))
    scanners = list(db.session.scalars(select(Scanner.id)))
    first = (db.session.scalar(select(func.max(Person.id))) or 0) + 1
    first_screening = (db.session.scalar(select(func.max(Screening.id))) or 0) + 1
    now = datetime.now(UTC)
    days = (end - start).days
    _bulk(
        Person,
        (
            {
                "id": first + i,
                "kind": "patient",
                "given_name": "P",
                "family_name": f"{i}",
                "job_title": "",
                "organisation": "",
                "active": True,
                "created_at": now,
                "updated_at": now,
            }
            for i in range(n)
        ),
    )
    _bulk(
        ScreeningSubject,
        (
            {
                "id": first + i,
                "person_id": first + i,
                "mrn": f"BENCH-{i:07d}",
                "date_of_birth": date(1970, 1, 1),
                "created_at": now,
            }
            for i in range(n)
        ),
    )
    agents = [None] * 8 + ["gadoterate meglumine", "gadodiamide"]

    def screening(i: int) -> dict[str, object]:
        visit = start + timedelta(days=rng.randrange(days))
        first_at = datetime.combine(visit, datetime.min.time(), tzinfo=UTC) + timedelta(hours=14)
        emergent = rng.random() < 0.02
        return {
            "id": first_screening + i,
            "lineage": f"bench{i}",
            "version": 1,
            "amendment_reason": "",
            "superseded": False,
            "subject_id": first + i,
            "person_id": first + i,
            "subject_kind": "patient",
            "visit_date": visit,
            "emergent": emergent,
            "form_id": "patient",
            "form_version": 1,
            "definition_hash": "bench",
            "answers": {"pregnant": "no"},
            "implants": [],
            "scanner_id": rng.choice(scanners),
            "body_region": "head",
            "transmit_coil": "body",
            "setting": "outpatient",
            "contrast_agent": rng.choice(agents),
            "operating_mode": "normal",
            "state": "safe_to_scan",
            "created_at": first_at,
            "created_by_user_id": user,
            "first_screen_at": first_at,
            "second_screen_at": None
            if emergent or rng.random() < 0.01
            else first_at + timedelta(minutes=10),
            "second_screen_note": "",
            "single_screen_emergent": emergent,
            "exception_ordering_physician": "",
            "exception_mr_physician": "",
            "exception_reason": "",
            "final_check_at": first_at + timedelta(minutes=25),
            "final_check": {},
        }

    count = _bulk(Screening, (screening(i) for i in range(n)))
    _bulk(
        ScreeningEvaluation,
        (
            {
                "screening_id": first_screening + i,
                "evaluated_at": now,
                "trigger": "answers",
                "exam_key": "x",
                "disposition": rng.choice(["cleared"] * 9 + ["conditional"]),
                "contrast_disposition": "not_applicable",
                "decision": {},
                "policy_version": "sha256:bench",
            }
            for i in range(n)
        ),
    )
    return count


def _audits(rng: random.Random, start: date, end: date) -> int:
    from zonekeeper.actions.models import CorrectiveAction
    from zonekeeper.auth.models import User
    from zonekeeper.people.models import Person
    from zonekeeper.policy_store import current_policy
    from zonekeeper.site.models import Room
    from zonekeeper.zone_audits.models import ZoneAudit, ZoneAuditItem
    from zonekeeper.zone_audits.services import targets

    for room in db.session.scalars(select(Room)):
        room.created_at = datetime.combine(start, datetime.min.time(), tzinfo=UTC)
    db.session.flush()
    user = db.session.scalar(select(User.id).where(User.username == "mrso"))
    owner = db.session.scalar(select(Person.id).where(Person.kind == "staff"))
    found = targets(current_policy())
    first = (db.session.scalar(select(func.max(ZoneAudit.id))) or 0) + 1
    # the demo site's own recent audits stay; the year is filled around them
    existing = set(
        db.session.execute(
            select(ZoneAudit.checklist_id, ZoneAudit.target_key, ZoneAudit.audit_date)
        ).all()
    )
    audits, items, actions = [], [], []
    for n_day in range((end - start).days):
        day = start + timedelta(days=n_day)
        for target in found:
            if rng.random() < 0.03 or (target.checklist.id, target.key, day) in existing:
                continue  # a missed day, or one the demo audited
            audit_id = first + len(audits)
            signed = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=8)
            audits.append(
                {
                    "id": audit_id,
                    "checklist_id": target.checklist.id,
                    "target_key": target.key,
                    "zone": target.zone,
                    "room_id": target.room.id if target.room else None,
                    "audit_date": day,
                    "version": 1,
                    "amendment_reason": "",
                    "status": "signed",
                    "policy_version": "bench",
                    "started_by_user_id": user,
                    "started_at": signed,
                    "signed_by_user_id": user,
                    "signed_at": signed,
                }
            )
            for position, item in enumerate(target.checklist.items):
                failed = rng.random() < 0.01
                items.append(
                    {
                        "audit_id": audit_id,
                        "position": position,
                        "item_id": item.id,
                        "text": item.text,
                        "frequency": item.frequency,
                        "severity": item.severity,
                        "result": "fail" if failed else "pass",
                        "comment": "bench" if failed else "",
                    }
                )
                if failed:
                    closed = signed + timedelta(days=rng.randint(0, 9))
                    actions.append(
                        {
                            "title": f"{item.text} failed",
                            "detail": "",
                            "severity": item.severity,
                            "source": "audit",
                            "owner_person_id": owner,
                            "due_on": day + timedelta(days=3),
                            "status": "closed" if closed.date() < end else "open",
                            "closing_note": "",
                            "closed_at": closed if closed.date() < end else None,
                            "created_at": signed,
                        }
                    )
    _bulk(ZoneAudit, audits)
    _bulk(ZoneAuditItem, items)
    _bulk(CorrectiveAction, actions)
    return len(audits)


def _incidents(rng: random.Random, n: int, start: date, end: date) -> int:
    from zonekeeper.auth.models import User
    from zonekeeper.incidents.models import CATEGORIES, SEVERITIES, Incident

    user = db.session.scalar(select(User.id).where(User.username == "tech"))
    span = (end - start).days * 86400

    def incident() -> dict[str, object]:
        reported = datetime.combine(start, datetime.min.time(), tzinfo=UTC) + timedelta(
            seconds=rng.randrange(span)
        )
        delay = rng.randint(5, 40 * 60)
        return {
            "occurred_at": reported - timedelta(minutes=delay),
            "reported_at": reported,
            "reported_by_user_id": user,
            "report_delay_minutes": delay,
            "late_report": delay > 24 * 60,
            "zone": "IV",
            "category": rng.choice(list(CATEGORIES)),
            "severity": rng.choice(list(SEVERITIES)),
            "description": "bench",
            "immediate_actions": "",
            "staff_person_ids": [],
            "device_involved": False,
            "device_description": "",
            "status": "closed",
            "root_cause": "",
            "review_notes": "",
            "closed_at": reported + timedelta(days=3),
        }

    return _bulk(Incident, (incident() for _ in range(n)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = ~1 M access events")
    args = parser.parse_args()
    started = time.perf_counter()
    counts = build(args.database_url, args.scale)
    print(f"built in {time.perf_counter() - started:.0f} s: {counts}")


if __name__ == "__main__":
    main()
