"""The demo site's past, dated relative to load day: daily zone audits from the first
of the previous month to yesterday (a few missed days, failed items with their
corrective actions) and two recent near misses. The previous month's screenings,
door scans and incidents are in demo_last_month.py."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from .actions.models import CorrectiveAction
from .auth.models import User
from .clock import site_zone
from .extensions import db
from .incidents.models import Incident
from .people.models import Person
from .policy_store import current_policy
from .site.models import Room
from .zone_audits.models import ZoneAudit, ZoneAuditItem

# (days ago, target key prefix or room name, item id, comment, closing note or None)
DEMO_FAILURES = [
    (
        6,
        "zone",
        "crash-cart-outside",
        "Crash cart left inside the MRI 1 magnet room doorway",
        "Cart moved to its marked bay outside Zone IV; floor marking repainted",
    ),
    (2, "zone", "fire-extinguisher", "MR Conditional extinguisher gauge in the red", None),
]
DEMO_MISSED = {(3, "MRI 1 magnet room")}  # a gap the history must show
# last month, by day of the month: failures (all corrected since) and two missed days
LAST_MONTH_FAILURES = [
    (
        9,
        "MRI 2 magnet room",
        "oxygen-monitor",
        "Oxygen monitor display blank in the MRI 2 magnet room",
        "Monitor power supply replaced by biomedical engineering; display normal",
    ),
    (
        16,
        "zone",
        "zone-iii-doors",
        "Zone III door wedged open during a linen delivery",
        "Door closed; linen delivery route moved to Zone II; staff briefed",
    ),
    (
        23,
        "zone",
        "hearing-protection",
        "Earplug dispenser empty at the Zone III desk",
        "Dispenser refilled; restocking added to the evening checklist",
    ),
]
LAST_MONTH_MISSED = {(14, "MRI 2 magnet room"), (15, "MRI 2 magnet room")}


def previous_month_start(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def add_audit_history(
    today: date, rooms: dict[str, Room], mrso: User, people: dict[str, Person]
) -> None:
    """Signed daily audits from the first of the previous month to yesterday, with a few
    missed days and failed items (each with its corrective action)."""
    policy = current_policy()
    targets = [
        (c, "zone:III", "III", None) for c in policy.checklists if c.applies_to.zone == "III"
    ]
    targets += [
        (c, f"room:{rooms[name].id}", "IV", rooms[name])
        for c in policy.checklists
        if c.applies_to.scanner_rooms
        for name in ("MRI 1 magnet room", "MRI 2 magnet room")
    ]
    first = previous_month_start(today)
    # (day, item) -> (where, comment, closing note)
    failures = {(today - timedelta(days=f[0]), f[2]): (f[1], *f[3:]) for f in DEMO_FAILURES}
    failures |= {(first.replace(day=f[0]), f[2]): (f[1], *f[3:]) for f in LAST_MONTH_FAILURES}
    missed = {(today - timedelta(days=d), room) for d, room in DEMO_MISSED}
    missed |= {(first.replace(day=d), room) for d, room in LAST_MONTH_MISSED}
    done: set[tuple[str, str, str]] = set()  # (target, item, period) already audited
    for offset in range((today - first).days):
        day = first + timedelta(days=offset)
        signed_at = datetime.combine(day, time(7, 40), tzinfo=site_zone())
        for checklist, key, zone, room in targets:
            if room is not None and (day, room.name) in missed:
                continue
            audit = ZoneAudit(
                checklist_id=checklist.id,
                target_key=key,
                zone=zone,
                room=room,
                audit_date=day,
                status="signed",
                policy_version=policy.version,
                started_by_user_id=mrso.id,
                started_at=signed_at - timedelta(minutes=12),
                signed_by_user_id=mrso.id,
                signed_at=signed_at,
            )
            db.session.add(audit)
            for position, item in enumerate(checklist.items):
                period = {"weekly": f"w{day.isocalendar()[1]}", "monthly": f"m{day.month}"}.get(
                    item.frequency
                )
                if period is not None:
                    if (key, item.id, period) in done:
                        continue
                    done.add((key, item.id, period))
                found = failures.get((day, item.id))
                here = found is not None and (
                    key.startswith(found[0]) or (room is not None and room.name == found[0])
                )
                failure = found[1:] if found is not None and here else None
                entry = ZoneAuditItem(
                    position=position,
                    item_id=item.id,
                    text=item.text,
                    frequency=item.frequency,
                    severity=item.severity,
                    result="fail" if failure else "pass",
                    comment=failure[0] if failure else "",
                    answered_at=signed_at,
                    answered_by_user_id=mrso.id,
                )
                audit.items.append(entry)
                if failure:
                    db.session.flush()
                    _demo_action(
                        entry,
                        failure[1],
                        day,
                        policy.action_due_days[item.severity],
                        people["Reyes"],
                        mrso,
                    )


def _demo_action(
    item: ZoneAuditItem, closing: str | None, day: date, due_days: int, owner: Person, mrso: User
) -> None:
    closed_at = (
        datetime.combine(day + timedelta(days=1), time(10), tzinfo=site_zone()) if closing else None
    )
    db.session.add(
        CorrectiveAction(
            title=f"{item.text} — failed on {day}",
            detail=item.comment,
            severity=item.severity,
            source="audit",
            audit_item_id=item.id,
            owner_person_id=owner.id,
            due_on=day + timedelta(days=due_days),
            status="closed" if closing else "open",
            closing_note=closing or "",
            created_by_user_id=mrso.id,
            created_at=datetime.combine(day, time(7, 40), tzinfo=site_zone()),
            closed_at=closed_at,
            closed_by_user_id=mrso.id if closing else None,
        )
    )


def add_incidents(today: date, rooms: dict[str, Room], logins: dict[str, User]) -> None:
    """A reviewed near miss from last week and a new one from this morning."""
    last_week = datetime.combine(today - timedelta(days=5), time(14, 20), tzinfo=site_zone())
    this_morning = datetime.combine(today, time(7, 5), tzinfo=site_zone())
    closed = datetime.combine(today - timedelta(days=1), time(16), tzinfo=site_zone())
    db.session.add_all(
        [
            Incident(
                occurred_at=last_week,
                reported_at=last_week + timedelta(hours=2),
                reported_by_user_id=logins["tech"].id,
                report_delay_minutes=120,
                late_report=False,
                zone="IV",
                room=rooms["MRI 2 magnet room"],
                category="projectile",
                severity="near_miss",
                description="A porter wheeled a steel oxygen cylinder up to the MRI 2 door; the "
                "technologist stopped it at the threshold.",
                immediate_actions="Cylinder returned to Zone I; MR Conditional cylinder fetched.",
                status="closed",
                root_cause="Transport staff not told the patient was going to MRI.",
                review_notes="Transport briefing added to the MRI booking checklist.",
                monthly_review_on=today - timedelta(days=1),
                reviewed_by_user_id=logins["mrso"].id,
                closed_at=closed,
                closed_by_user_id=logins["mrso"].id,
            ),
            Incident(
                occurred_at=this_morning,
                reported_at=this_morning + timedelta(minutes=40),
                reported_by_user_id=logins["tech"].id,
                report_delay_minutes=40,
                late_report=False,
                zone="III",
                room=rooms["Patient preparation"],
                category="screening",
                severity="near_miss",
                description="Screening form said no implants; at the final check the patient "
                "mentioned an insulin pump under their clothes.",
                immediate_actions="Pump removed and stored in Zone II before Zone IV.",
            ),
        ]
    )
