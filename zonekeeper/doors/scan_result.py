"""What a scan answers, and the policy facts a door decides on (built by scan_store.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..people.models import Person
from ..people.services import access_facts
from ..policy import Policy
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


NO_ROOM = -1  # a Zone IV door with no magnet room recorded: no screening can match it


def person_facts(
    person: AnyPerson,
    target_zone: str,
    today: date,
    policy: Policy,
    room_id: int | None = None,
    *,
    now: datetime,
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
    if level_2_authorization(person, target_zone, facts, policy, now) is not None:
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
    person: AnyPerson, target_zone: str, facts: dict[str, Any], policy: Policy, now: datetime
) -> AuthorizationRef | None:
    """A Non-MR person's Level 2 authorization in force now for ``target_zone`` (a record:
    see authorizations.py); None for MR personnel, for open zones, and when there is none.
    ``now``: the scan's time (read by the store, not here)."""
    if target_zone not in AUTHORIZABLE_ZONES or not is_non_mr(facts, policy):
        return None
    return authorization_for(authorizations_of(person.id, now), target_zone, now)
