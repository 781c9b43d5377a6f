"""Opening, progressing and closing corrective actions (each change audited)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from flask_login import current_user
from sqlalchemy import select

from ..audit.services import record_event, snapshot
from ..db import utcnow
from ..extensions import db
from ..people.models import Designation, Person
from ..policy import Policy
from .models import STATUSES, ActionChange, CorrectiveAction

if TYPE_CHECKING:
    from ..auth.models import User

# the title and notes are free text and stay out of the audit trail
FIELDS = (
    "severity",
    "source",
    "owner_person_id",
    "due_on",
    "status",
    "incident_id",
    "audit_item_id",
)


class ActionError(ValueError):
    pass


def due_date(severity: str, opened_on: date, policy: Policy) -> date:
    days = policy.action_due_days.get(severity)
    if days is None:
        raise ActionError(f"No due time is set for severity '{severity}' in rules/audits.yaml.")
    return opened_on + timedelta(days=days)


def default_owner(today: date) -> Person | None:
    """The MRSO in charge today, else the signed-in user's own person record."""
    in_charge = db.session.scalars(
        select(Designation).where(Designation.role == "mrso", Designation.in_charge.is_(True))
    ).all()
    for designation in in_charge:
        if designation.held_on(today):
            return designation.person
    if current_user and current_user.is_authenticated and current_user.person_id:
        return db.session.get(Person, current_user.person_id)
    return None


def open_action(
    *,
    title: str,
    detail: str,
    severity: str,
    source: str,
    owner: Person | None,
    due_on: date,
    audit_item_id: int | None = None,
    incident_id: int | None = None,
) -> CorrectiveAction:
    if owner is None:
        raise ActionError("No owner: name an MRSO in charge on the roster, or choose an owner.")
    action = CorrectiveAction(
        title=title[:200],
        detail=detail,
        severity=severity,
        source=source,
        owner_person_id=owner.id,
        due_on=due_on,
        audit_item_id=audit_item_id,
        incident_id=incident_id,
        created_by_user_id=current_user.id
        if current_user and current_user.is_authenticated
        else None,
    )
    db.session.add(action)
    db.session.flush()  # defaults (status) are set before the snapshot
    record_event(
        "action.open",
        f"Opened corrective action ({severity}, {source})",
        target=action,
        person_id=owner.id,
        after=snapshot(action, FIELDS),
    )
    return action


class ReassignError(ActionError):
    """A change of owner or due date the actor may not make, or made without a reason."""


REASSIGNERS = frozenset({"mrso", "safety_director"})


def update_action(
    action: CorrectiveAction,
    *,
    actor: User,
    status: str,
    note: str,
    owner_id: int,
    due_on: date,
) -> ActionChange | None:
    """Progress, reassign or close ``action`` as ``actor``; each change is kept in the
    action's history with who, when and why. Only the MRSO or the safety director changes
    the owner or the due date, with a reason; closing needs a note of what was done."""
    if action.status == "closed":
        raise ActionError("This action is closed; open a new one if the problem came back.")
    if status not in STATUSES:
        raise ActionError(f"Unknown status '{status}'.")
    note = note.strip()
    reassigning = owner_id != action.owner_person_id or due_on != action.due_on
    if reassigning and actor.role not in REASSIGNERS:
        raise ReassignError(
            "Only the MRSO or the safety director can change the owner or the due date."
        )
    if reassigning and not note:
        raise ReassignError("Say why the owner or the due date changes (in the note).")
    if status == "closed" and not note:
        raise ActionError("Closing an action needs a note saying what was done.")
    owner = db.session.get(Person, owner_id)
    if owner is None or owner.kind != "staff" or not owner.active:
        raise ReassignError("The owner must be active staff on the roster.")
    if not reassigning and status == action.status and not note:
        return None  # nothing changed, nothing to record
    change = ActionChange(
        action_id=action.id,
        changed_by_user_id=actor.id,
        changed_by_name=actor_name(actor),
        status_from=action.status,
        status_to=status,
        owner_from_person_id=action.owner_person_id,
        owner_to_person_id=owner_id,
        due_from=action.due_on,
        due_to=due_on,
        note=note,
    )
    db.session.add(change)
    before = snapshot(action, FIELDS)
    action.status, action.owner_person_id, action.due_on = status, owner_id, due_on
    if status == "closed":
        action.closing_note = note
        action.closed_at = utcnow()
        action.closed_by_user_id = actor.id
    record_event(
        "action.close" if status == "closed" else "action.update",
        f"Corrective action #{action.id} {status.replace('_', ' ')}",
        target=action,
        person_id=owner_id,
        before=before,
        after=snapshot(action, FIELDS),
    )
    return change


def actor_name(user: User) -> str:
    """The acting user as people know them: the person's name, else the username."""
    person = db.session.get(Person, user.person_id) if user.person_id else None
    return person.display_name if person is not None else user.username


def action_history(action: CorrectiveAction) -> list[ActionChange]:
    """The action's changes, oldest first."""
    return list(
        db.session.scalars(
            select(ActionChange)
            .where(ActionChange.action_id == action.id)
            .order_by(ActionChange.changed_at, ActionChange.id)
        )
    )


def open_actions() -> list[CorrectiveAction]:
    return list(
        db.session.scalars(
            select(CorrectiveAction)
            .where(CorrectiveAction.status != "closed")
            .order_by(CorrectiveAction.due_on)
        )
    )
