"""Reporting and reviewing incidents. Audit events carry no patient details."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_login import current_user
from sqlalchemy import select

from ..actions.services import default_owner, open_action
from ..audit.services import record_event, snapshot
from ..db import utcnow
from ..extensions import db
from ..policy import Policy
from .models import CATEGORIES, SEVERITIES, Incident

AUDITED = (
    "zone",
    "room_id",
    "scanner_id",
    "category",
    "severity",
    "device_involved",
    "late_report",
    "status",
    "monthly_review_on",
)


class IncidentError(ValueError):
    pass


def report_incident(
    *,
    occurred_at: datetime,
    zone: str,
    room_id: int | None,
    scanner_id: int | None,
    category: str,
    severity: str,
    description: str,
    immediate_actions: str,
    patient_mrn: str | None,
    staff_person_ids: list[int],
    device_involved: bool,
    device_description: str,
    policy: Policy,
    today: date,
) -> Incident:
    now = utcnow()
    if occurred_at > now + timedelta(minutes=5):
        raise IncidentError("The time of the event is in the future.")
    if category not in CATEGORIES or severity not in SEVERITIES:
        raise IncidentError("Unknown category or severity.")
    if policy.zone(zone) is None:
        raise IncidentError(f"Unknown zone '{zone}'.")
    if device_involved and not device_description.strip():
        raise IncidentError("Describe the device involved (make, model, what it is).")
    delay = int((now - occurred_at).total_seconds() // 60)
    incident = Incident(
        occurred_at=occurred_at,
        reported_at=now,
        reported_by_user_id=current_user.id,
        report_delay_minutes=max(delay, 0),
        late_report=delay > policy.incident_report_hours * 60,
        zone=zone,
        room_id=room_id,
        scanner_id=scanner_id,
        category=category,
        severity=severity,
        description=description.strip(),
        immediate_actions=immediate_actions.strip(),
        patient_mrn=(patient_mrn or "").strip() or None,
        staff_person_ids=staff_person_ids,
        device_involved=device_involved,
        device_description=device_description.strip(),
    )
    db.session.add(incident)
    db.session.flush()  # defaults (status) are set before the snapshot
    record_event(
        "incident.report",
        f"Reported incident: {CATEGORIES[category]}, {SEVERITIES[severity]}",
        target=incident,
        after=snapshot(incident, AUDITED),
    )
    if device_involved:
        db.session.flush()
        open_action(
            title=f"Report incident #{incident.id} to FDA MedWatch (device involved)",
            detail="File FDA form 3500A for the device described in the incident report, "
            "and record the MedWatch report number here.",
            severity="high",
            source="incident",
            owner=default_owner(today),
            due_on=today + timedelta(days=policy.medwatch_due_days),
            incident_id=incident.id,
        )
    return incident


def review_incident(
    incident: Incident,
    *,
    root_cause: str,
    review_notes: str,
    monthly_review_on: date | None,
    close: bool,
) -> None:
    if incident.status == "closed":
        raise IncidentError("This incident is closed.")
    if close and not root_cause.strip():
        raise IncidentError("Record the root cause before closing.")
    if close and monthly_review_on is None:
        raise IncidentError("Record the monthly review date before closing.")
    before = snapshot(incident, AUDITED)
    incident.root_cause, incident.review_notes = root_cause.strip(), review_notes.strip()
    incident.monthly_review_on = monthly_review_on
    incident.reviewed_by_user_id = current_user.id
    incident.status = "closed" if close else "under_review"
    if close:
        incident.closed_at, incident.closed_by_user_id = utcnow(), current_user.id
    record_event(
        "incident.close" if close else "incident.review",
        f"Incident #{incident.id} {'closed' if close else 'reviewed'}",
        target=incident,
        before=before,
        after=snapshot(incident, AUDITED),
    )


def awaiting_review() -> list[Incident]:
    return list(
        db.session.scalars(
            select(Incident)
            .where(Incident.status != "closed")
            .order_by(Incident.reported_at.desc())
        )
    )
