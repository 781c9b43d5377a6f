"""What a scan answers, and the policy facts a door decides on (shared by both scan paths)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..db import utcnow
from ..people.models import Person
from ..people.services import access_facts
from ..policy import Decision, Policy, decide_zone_access
from ..screening.services import door_screening_status
from ..site.models import Door
from .authorizations import (
    AUTHORIZABLE_ZONES,
    AuthorizationRef,
    authorization_for,
    authorizations_of,
)
from .models import AccessEvent
from .scan_records import PersonRecords

DIRECTIONS = ("in", "out")
# badge statuses that still name a real person (even if the badge no longer admits them)
PERSON_KNOWN = frozenset({"valid", "superseded", "revoked", "expired", "not_yet_valid"})


@dataclass(frozen=True, slots=True)
class DoorRef:
    """A door's plain values: what a reader's scan needs, read without the ORM's overhead."""

    id: int
    code: str
    name: str
    from_zone: str
    to_zone: str
    room_id: int | None


AnyDoor = Door | DoorRef
AnyPerson = Person | PersonRecords  # a model, or the plain records the common scan reads


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """An access event the common scan wrote with Core: what its answer reports."""

    id: int
    seq: int
    occurred_at: datetime
    reason_codes: list[str]
    flags: list[str]
    policy_version: str
    display_text: str


@dataclass
class ScanResult:
    """What the kiosk shows and the API returns."""

    event: AccessEvent | LoggedEvent
    outcome: str  # grant | escort_pending | deny | exit | emergency_logged
    headline: str
    detail: str
    person_name: str | None = None
    reasons: list[dict[str, str]] = field(default_factory=list)
    escorting: list[str] = field(default_factory=list)
    waiting_for_escort: list[str] = field(default_factory=list)
    escort_window_seconds: int | None = None
    answer: dict[str, Any] = field(default_factory=dict)  # to_json(), taken before the commit

    def to_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event.id,
            "seq": self.event.seq,
            "outcome": self.outcome,
            # a badge that paired with someone waiting: ESCORTING, not just GRANTED (issue #12)
            "headline": "ESCORTING" if self.escorting else self.headline,
            "display_text": self.detail,
            "person": self.person_name,
            "reason_codes": list(self.event.reason_codes),
            "reasons": self.reasons,
            "escorting": self.escorting,
            "waiting_for_escort": self.waiting_for_escort,
            "escort_window_seconds": self.escort_window_seconds,
            "flags": list(self.event.flags),
            "policy_version": self.event.policy_version,
            "occurred_at": self.event.occurred_at.isoformat(),
        }


def full_name(person: AnyPerson | None) -> str | None:
    return f"{person.given_name} {person.family_name}" if person is not None else None


def reasons_of(decision: Decision) -> list[dict[str, str]]:
    return [{"code": r.code, "text": r.text, "rule": r.rule_id} for r in decision.reasons]


def fired(decision: Decision) -> dict[str, Any]:
    return {
        "reason_codes": list(decision.codes),
        "rule_ids": [r.rule_id for r in decision.reasons],
    }


def anti_passback_deny() -> dict[str, Any]:
    """Hard anti-passback: a second entry without an exit (the same answer on both scan
    paths; a fresh dict, so no event shares its lists)."""
    return {
        "outcome": "deny",
        "reason_codes": ["anti_passback"],
        "rule_ids": ["door.anti_passback"],
        "display_text": "Already recorded inside: badge out before entering again "
        "(anti-passback). If the exit was missed, call the MRSO.",
    }


def is_passback(
    presence_id: int | None,
    zone: str | None,
    room_id: int | None,
    to_zone: str,
    door_room_id: int | None,
) -> bool:
    """A second entry through a door without an exit: already recorded where it leads."""
    return (
        presence_id is not None
        and zone == to_zone
        and (door_room_id is None or room_id == door_room_id)
    )


def authorization_note(name: str, authorization: AuthorizationRef | None) -> str:
    """Whose Level 2 authorization admitted ``name`` with a Level 1 escort ("" if none)."""
    if authorization is None:
        return ""
    return (
        f"{name}: Level 2 authorization by {authorization.by_name} for Zone "
        f"{authorization.zone}, until {authorization.valid_until:%Y-%m-%d %H:%M} UTC."
    )


def pairing_text(name: str, escort_name: str | None, authorization: AuthorizationRef | None) -> str:
    """The log's words for a pairing, naming the Level 2 authorization used when the
    escort is not Level 2 themselves."""
    note = authorization_note(name, authorization)
    return f"{name} escorted by {escort_name}" + (f" ({note})" if note else "")


def escorting_text(escorting: list[str], notes: list[str]) -> str:
    return " ".join([f"Escorting {', '.join(escorting)}. Stay with them.", *notes])


NO_ROOM = -1  # a Zone IV door with no magnet room recorded: no screening can match it


def person_facts(
    person: AnyPerson,
    target_zone: str,
    today: date,
    policy: Policy,
    room_id: int | None = None,
    **escort: Any,
) -> dict[str, Any]:
    """``access_facts``, with the visit screening deciding for patients and companions.

    A patient is cleared for Zone III/IV only by today's screening that reached
    ``safe_to_scan``; a companion's own form on file counts unless a screening of
    theirs today says otherwise. Staff keep their annual form (no extra query).
    Into Zone IV only a screening on a scanner in the door's own room (``room_id``)
    clears: safe on the 1.5 T is not safe in the 3 T room.
    """
    facts = access_facts(person, target_zone, today, policy, **escort)  # type: ignore[arg-type]
    if person.kind != "staff":
        room = (room_id if room_id is not None else NO_ROOM) if target_zone == "IV" else None
        visit = door_screening_status(person, today, room)  # type: ignore[arg-type]
        if person.kind == "patient" or visit != "missing":
            facts["person.screening_status"] = visit
    if level_2_authorization(person, target_zone, facts, policy) is not None:
        facts["person.level_2_authorized"] = True
    return facts


def is_non_mr(facts: dict[str, Any], policy: Policy, prefix: str = "person") -> bool:
    """Whether the person the facts describe is Non-MR (no training, or lapsed)."""
    age = facts.get(f"{prefix}.training_age_days")
    return (
        facts.get(f"{prefix}.training_level") is None
        or age is None
        or (age > policy.training_validity_days)
    )


def level_2_authorization(
    person: AnyPerson, target_zone: str, facts: dict[str, Any], policy: Policy
) -> AuthorizationRef | None:
    """A Non-MR person's Level 2 authorization in force now for ``target_zone`` (a record:
    see authorizations.py); None for MR personnel, for open zones, and when there is none."""
    if target_zone not in AUTHORIZABLE_ZONES or not is_non_mr(facts, policy):
        return None
    now = utcnow()
    return authorization_for(authorizations_of(person.id, now), target_zone, now)


def door_facts(
    person: AnyPerson | None,
    status: str,
    target_zone: str,
    today: date,
    policy: Policy,
    room_id: int | None = None,
) -> dict[str, Any]:
    if person is None:
        return {"target_zone": target_zone, "person.kind": "unidentified", "badge.status": status}
    facts = person_facts(person, target_zone, today, policy, room_id)
    facts["badge.status"] = status
    return facts


def escort_level_that_would_admit(
    person: AnyPerson,
    status: str,
    target_zone: str,
    today: date,
    policy: Policy,
    facts: dict[str, Any] | None = None,
    room_id: int | None = None,
) -> str | None:
    """The lowest escort level that would admit this person here, or None if none would.

    ``facts``: the person's ``door_facts`` for this door, if already built (not changed).
    """
    if facts is None:
        facts = door_facts(person, status, target_zone, today, policy, room_id)
    for level in ("level_1", "level_2"):
        with_escort = {
            **facts,
            "person.level_2_authorized": bool(facts.get("person.level_2_authorized"))
            or level == "level_2",
            "escort.id": f"any-{level}",
            "escort.training_level": level,
            "escort.training_age_days": 0,
            "escort.screening_status": "cleared",
        }
        if decide_zone_access(policy, with_escort).outcome == "grant_with_escort":
            return level
    return None
