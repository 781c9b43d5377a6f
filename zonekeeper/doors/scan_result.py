"""What a scan answers, and the policy facts a door decides on (built by scan_store.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from ..people.models import Person
from ..people.services import access_facts
from ..policy import Policy
from ..screening.status import door_screening_status, door_status_of
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


@dataclass(frozen=True, slots=True)
class DoorReads:
    """What the door decides a Non-MR person on beyond their records, read already (the
    scan reads them with the access log's lock, in the same round trip): their screenings
    today (rows of ``DOOR_SCREENINGS``) and their authorizations (``authorizations_of``)."""

    screenings: Sequence[Any]
    authorizations: tuple[tuple[object, ...], ...]


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
    """``access_facts``, with the visit screening deciding for patients and companions
    (see ``facts_and_authorization``)."""
    return facts_and_authorization(person, target_zone, today, policy, room_id, now, **escort)[0]


def facts_and_authorization(
    person: AnyPerson,
    target_zone: str,
    today: date,
    policy: Policy,
    room_id: int | None,
    now: datetime,
    reads: DoorReads | None = None,
    **escort: Any,
) -> tuple[dict[str, Any], AuthorizationRef | None]:
    """The person's facts for this door, and the Level 2 authorization they rest on.

    A patient is cleared for Zone III/IV only by today's screening that reached
    ``safe_to_scan``; a companion's own form on file counts unless a screening of
    theirs today says otherwise. Staff keep their annual form (no extra query).
    Into Zone IV only a screening on a scanner in the door's own room (``room_id``)
    clears: safe on the 1.5 T is not safe in the 3 T room. ``reads``: the screenings
    and authorizations if read already (else they are read here).
    """
    facts = access_facts(person, target_zone, today, policy, **escort)  # type: ignore[arg-type]
    if person.kind != "staff":
        room = (room_id if room_id is not None else NO_ROOM) if target_zone == "IV" else None
        if reads is None:
            visit = door_screening_status(person, today, room)  # type: ignore[arg-type]
        else:
            visit = door_status_of(reads.screenings, room)
        if person.kind == "patient" or visit != "missing":
            facts["person.screening_status"] = visit
    authorization = None
    if target_zone in AUTHORIZABLE_ZONES and is_non_mr(facts, policy):
        rows = reads.authorizations if reads is not None else authorizations_of(person.id, now)
        authorization = authorization_for(rows, target_zone, now)
    if authorization is not None:
        facts["person.level_2_authorized"] = True
    return facts, authorization


def is_non_mr(facts: dict[str, Any], policy: Policy, prefix: str = "person") -> bool:
    """Whether the person the facts describe is Non-MR (no training, or lapsed)."""
    age = facts.get(f"{prefix}.training_age_days")
    return (
        facts.get(f"{prefix}.training_level") is None
        or age is None
        or (age > policy.training_validity_days)
    )
