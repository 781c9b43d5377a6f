"""Emergency mode: declared by the MRSO or any current Level 2; doors log, the muster list leads."""

from __future__ import annotations

from sqlalchemy import select

from ..audit.services import record_event
from ..clock import site_today
from ..db import utcnow
from ..extensions import db
from ..people.services import person_standing
from ..policy import Policy
from .models import Emergency, Presence

EMERGENCY_KINDS = {
    "quench": (
        "Magnet quench",
        "Do not enter Zone IV unless a life depends on it. Evacuate the scanner room; "
        "oxygen may be displaced. Account for everyone on the muster list.",
    ),
    "fire": (
        "Fire",
        "Responders stay out of Zone IV while the magnet is on: the field is still there. "
        "Use only MR Conditional extinguishers. Evacuate and account for everyone.",
    ),
    "code": (
        "Medical emergency (code)",
        "Never resuscitate in Zone IV: move the patient out to the designated spot. "
        "Responders do not enter Zone IV. Account for everyone on the muster list.",
    ),
    "other": (
        "Emergency",
        "Follow the site's emergency procedure. Account for everyone on the muster list.",
    ),
}


class EmergencyError(ValueError):
    pass


def active_emergency() -> Emergency | None:
    return db.session.scalars(
        select(Emergency).where(Emergency.ended_at.is_(None)).order_by(Emergency.id.desc())
    ).first()


def emergency_instructions(kind: str) -> str:
    title, text = EMERGENCY_KINDS.get(kind, EMERGENCY_KINDS["other"])
    return f"{title}. {text} Badge scans are logged, not decided."


def may_declare(user: object, policy: Policy) -> bool:
    """The MRSO (and the safety director) or anyone whose Level 2 training is current."""
    role = getattr(user, "role", None)
    if role in {"mrso", "safety_director"}:
        return True
    person = getattr(user, "person", None)
    if person is None:
        return False
    return person_standing(person, site_today(), policy).level.level == "level_2"


def declare_emergency(kind: str, note: str, user: object) -> Emergency:
    if kind not in EMERGENCY_KINDS:
        raise EmergencyError("Choose what kind of emergency it is.")
    if active_emergency() is not None:
        raise EmergencyError("An emergency is already declared.")
    emergency = Emergency(
        kind=kind, note=note.strip()[:300], declared_by_user_id=getattr(user, "id", None)
    )
    db.session.add(emergency)
    record_event(
        "emergency.declare", f"Declared emergency: {EMERGENCY_KINDS[kind][0]}", target=emergency
    )
    return emergency


def end_emergency(user: object) -> Emergency:
    emergency = active_emergency()
    if emergency is None:
        raise EmergencyError("No emergency is declared.")
    emergency.ended_at, emergency.ended_by_user_id = utcnow(), getattr(user, "id", None)
    record_event("emergency.end", f"Ended emergency #{emergency.id}", target=emergency)
    return emergency


def mark_safe(presence: Presence, user: object) -> None:
    if presence.left_at is not None or presence.safe_marked_at is not None:
        return  # already out or already accounted for: idempotent
    presence.safe_marked_at, presence.safe_marked_by_user_id = utcnow(), getattr(user, "id", None)
    record_event(
        "emergency.mark_safe",
        f"Marked person #{presence.person_id} safe",
        target=presence,
        person_id=presence.person_id,
    )
