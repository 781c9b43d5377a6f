"""Roster operations: people, training, staff screening, designations.

Each operation validates, writes, and appends its audit event in one
transaction. Training and screening records are never edited: a correction is
a new record, so the history stays true.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_login import current_user
from sqlalchemy import select

from ..audit.services import record_event, snapshot
from ..db import utcnow
from ..extensions import db
from ..policy import Policy
from .models import Designation, Person, StaffScreening, TrainingRecord

PERSON_FIELDS = (
    "kind",
    "given_name",
    "family_name",
    "staff_number",
    "job_title",
    "organisation",
    "active",
)
# free-text evidence stays out of the audit trail, like screening notes
TRAINING_FIELDS = ("completed_on", "level", "course", "course_version", "approver_id")
SCREENING_FIELDS = (
    "screened_on",
    "valid_until",
    "cleared",
)  # the reason text may be clinical: not copied
DESIGNATION_FIELDS = ("role", "in_charge", "granted_on", "ended_on")
SCREENING_VALID_DAYS = 365


class RosterError(ValueError):
    """A roster change that cannot be made, with a message for the user."""


def _user_id() -> int | None:
    return current_user.id if current_user and current_user.is_authenticated else None


def create_person(**fields: object) -> Person:
    staff_number = (str(fields.get("staff_number") or "").strip()) or None
    if staff_number and db.session.scalar(
        select(Person).where(Person.staff_number == staff_number)
    ):
        raise RosterError(f"Staff number {staff_number} is already on the roster.")
    person = Person(**{**fields, "staff_number": staff_number})
    db.session.add(person)
    db.session.flush()
    record_event(
        "person.create",
        f"Added {person.kind} #{person.id} to the roster",
        target=person,
        person_id=person.id,
        after=snapshot(person, PERSON_FIELDS),
    )
    return person


def record_training(
    person: Person,
    *,
    completed_on: date,
    level: str,
    course: str,
    course_version: str,
    approver_id: int | None,
    evidence: str,
    policy: Policy,
    today: date,
) -> TrainingRecord:
    if policy.level(level) is None:
        raise RosterError(f"Unknown level '{level}'.")
    if completed_on > today:
        raise RosterError("The training date is in the future.")
    if approver_id is not None and db.session.get(Person, approver_id) is None:
        raise RosterError("The approver is not on the roster.")
    record = TrainingRecord(
        person=person,
        completed_on=completed_on,
        level=level,
        course=course.strip(),
        course_version=course_version.strip(),
        approver_id=approver_id,
        evidence=(evidence or "").strip(),
        recorded_by_user_id=_user_id(),
    )
    db.session.add(record)
    record_event(
        "training.record",
        f"Recorded {level} training for person #{person.id}",
        target=record,
        person_id=person.id,
        after=snapshot(record, TRAINING_FIELDS),
    )
    return record


def void_training(record: TrainingRecord, reason: str) -> None:
    """Mark a training entered in error; it no longer counts. The record stays."""
    if record.voided_at is not None:
        raise RosterError("This training record is already voided.")
    if len(reason.strip()) < 5:
        raise RosterError("Say why this record is wrong (at least 5 characters).")
    record.voided_at, record.voided_by_user_id = utcnow(), _user_id()
    record.void_reason = reason.strip()
    record_event(
        "training.void",
        f"Voided training #{record.id} of person #{record.person_id}",
        target=record,
        person_id=record.person_id,
        before={"voided": False},
        after={"voided": True},
    )


def record_screening(
    person: Person,
    *,
    screened_on: date,
    cleared: bool,
    reason: str,
    valid_until: date | None,
    today: date,
) -> StaffScreening:
    if screened_on > today:
        raise RosterError("The screening date is in the future.")
    until = valid_until or screened_on + timedelta(days=SCREENING_VALID_DAYS)
    if until < screened_on:
        raise RosterError("Valid until is before the screening date.")
    if not cleared and not (reason or "").strip():
        raise RosterError("Say why the person is not cleared.")
    record = StaffScreening(
        person=person,
        screened_on=screened_on,
        valid_until=until,
        cleared=cleared,
        reason=(reason or "").strip(),
        recorded_by_user_id=_user_id(),
    )
    db.session.add(record)
    outcome = "cleared" if cleared else "not cleared"
    record_event(
        "screening.record",
        f"Recorded staff screening ({outcome}) for person #{person.id}",
        target=record,
        person_id=person.id,
        after=snapshot(record, SCREENING_FIELDS),
    )
    return record


def grant_designation(
    person: Person,
    *,
    role: str,
    granted_on: date,
    in_charge: bool,
    policy: Policy,
    today: date,
) -> Designation:
    spec = next((d for d in policy.designations if d.id == role), None)
    if spec is None:
        raise RosterError(f"Unknown designation '{role}'.")
    if in_charge and role != "mrso":
        raise RosterError("Only an MRSO can be the MRSO in charge.")
    if any(d.role == role and d.held_on(max(granted_on, today)) for d in person.designations):
        raise RosterError(f"{person.display_name} already holds this designation.")
    if in_charge:
        for current in db.session.scalars(
            select(Designation).where(Designation.role == "mrso", Designation.in_charge.is_(True))
        ):
            before = snapshot(current, DESIGNATION_FIELDS)
            current.in_charge = False
            record_event(
                "designation.in_charge_handover",
                f"MRSO in charge handed over from person #{current.person_id} to #{person.id}",
                target=current,
                person_id=current.person_id,
                before=before,
                after=snapshot(current, DESIGNATION_FIELDS),
            )
    designation = Designation(
        person=person,
        role=role,
        in_charge=in_charge,
        granted_on=granted_on,
        recorded_by_user_id=_user_id(),
    )
    db.session.add(designation)
    record_event(
        "designation.grant",
        f"Designated person #{person.id} as {spec.name}",
        target=designation,
        person_id=person.id,
        after=snapshot(designation, DESIGNATION_FIELDS),
    )
    return designation


def end_designation(designation: Designation, ended_on: date) -> Designation:
    if designation.ended_on is not None:
        raise RosterError("This designation has already ended.")
    if ended_on < designation.granted_on:
        raise RosterError("The end date is before the designation began.")
    before = snapshot(designation, DESIGNATION_FIELDS)
    designation.ended_on = ended_on
    designation.in_charge = False
    designation.ended_at = utcnow()
    designation.ended_by_user_id = _user_id()
    record_event(
        "designation.end",
        f"Ended {designation.role} designation of person #{designation.person_id}",
        target=designation,
        person_id=designation.person_id,
        before=before,
        after=snapshot(designation, DESIGNATION_FIELDS),
    )
    return designation
