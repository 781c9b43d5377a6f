"""Emergency mode: declared by the MRSO or any current Level 2; doors log, the muster list leads."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..audit.services import record_event
from ..clock import site_today
from ..db import utcnow
from ..extensions import db
from ..people.services import person_standing
from ..policy import Policy
from ..policy_store import current_policy
from ..site.models import Door
from .access_log import append_access_event, lock_log_head
from .models import AccessEvent, AccessLogHead, Emergency, Presence

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


# emergencies in which a badge-in to Zone IV raises an alert on the muster screen: the
# field (fire: the magnet is still on) or the displaced oxygen (quench) endanger whoever enters
ZONE_IV_ALERT_KINDS = frozenset({"fire", "quench"})


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


def zone_iv_entries(emergency: Emergency | None) -> list[AccessEvent]:
    """Badge-ins to Zone IV logged since a fire or quench was declared, newest first (the
    muster screen's alert); none for other emergencies or when none is declared."""
    if emergency is None or emergency.kind not in ZONE_IV_ALERT_KINDS:
        return []
    return list(
        db.session.scalars(
            select(AccessEvent)
            .join(Door, AccessEvent.door_id == Door.id)
            .where(
                AccessEvent.outcome == "emergency_logged",
                AccessEvent.direction == "in",
                Door.to_zone == "IV",
                AccessEvent.occurred_at >= emergency.declared_at,
            )
            .options(selectinload(AccessEvent.person), selectinload(AccessEvent.door))
            .order_by(AccessEvent.seq.desc())
        )
    )


def end_emergency(user: object, mark_out_reason: str | None = None) -> Emergency:
    """End the declared emergency; with ``mark_out_reason``, everyone still recorded inside
    is marked out too (an exit event each in the access log, and one audit event naming
    them and the reason)."""
    emergency = active_emergency()
    if emergency is None:
        raise EmergencyError("No emergency is declared.")
    head = lock_log_head()  # the doors' scans wait: they decide again once it has ended
    now = utcnow()
    emergency.ended_at, emergency.ended_by_user_id = now, getattr(user, "id", None)
    record_event("emergency.end", f"Ended emergency #{emergency.id}", target=emergency)
    if mark_out_reason is not None:
        mark_everyone_out(emergency, mark_out_reason, now, head)
    return emergency


MARK_OUT_KIND = "mark_out"  # an access event that no badge made: an exit recorded by the MRSO


def mark_everyone_out(emergency: Emergency, reason: str, now: datetime, head: AccessLogHead) -> int:
    """Close every open presence (the building was evacuated; nobody badged out).

    Each person marked out gets an exit event in the access log (hash-chained, with the
    reason), as if they had badged out at the door they entered by; the audit trail gets
    one event naming them all."""
    reason = reason.strip()[:300]
    if not reason:
        raise EmergencyError("Give the reason for marking everyone out.")
    # under the access log's lock (``head``): the log's order and the presences move together
    inside = list(
        db.session.scalars(select(Presence).where(Presence.left_at.is_(None)).order_by(Presence.id))
    )
    policy_version = current_policy().version
    for presence in inside:
        event = append_access_event(
            head,
            kind=MARK_OUT_KIND,
            door_id=presence.door_id,
            direction="out",
            person_id=presence.person_id,
            outcome="exit",
            reason_codes=["emergency_mark_out"],
            rule_ids=["emergency.mark_all_out"],
            display_text=f"Marked out at the end of emergency #{emergency.id}: {reason}"[:500],
            policy_version=policy_version,
            source="emergency",
            occurred_at=now,
        )
        presence.left_at, presence.exit_event_id = now, event.id
    record_event(
        "emergency.mark_all_out",
        f"Marked {len(inside)} person(s) out at the end of emergency #{emergency.id}: {reason}",
        target=emergency,
        after={
            "reason": reason,
            "people": sorted({p.person_id for p in inside}),
            "presences": [p.id for p in inside],
        },
    )
    return len(inside)


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
