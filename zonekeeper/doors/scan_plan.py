"""The door decision's snapshot (what it reads) and plan (what it returns): plain values.

See decision.py; the store (scan_store.py) builds the snapshot and writes the plan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..policy import Policy


@dataclass(frozen=True, slots=True)
class Place:
    """An open presence: where a person is recorded."""

    id: int
    zone: str
    room_id: int | None
    escort_id: int | None = None


@dataclass(frozen=True, slots=True)
class Holder:
    """A person as the door sees them: their policy facts for this door (no escort), as an
    escort, where they are, their MR level, and the Level 2 authorization in force."""

    id: int
    name: str
    facts: dict[str, Any]
    escort_facts: dict[str, Any]
    level: str  # non_mr | level_1 | level_2
    place: Place | None = None
    authorized_by: str | None = None  # the Level 2 authorization's author, if a record


@dataclass(frozen=True, slots=True)
class Waiting:
    pending_id: int
    scan_event_id: int
    holder: Holder


@dataclass(frozen=True, slots=True)
class Expired:
    pending_id: int
    door_id: int
    person_id: int
    scan_event_id: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    door_id: int
    from_zone: str
    to_zone: str
    room_id: int | None
    from_restricted: bool
    direction: str
    badge_status: str
    holder: Holder | None  # None: the scan names no one
    now: datetime
    policy: Policy
    anti_passback: str = "soft"  # soft | hard
    escort_window_seconds: int = 30
    emergency: str | None = None  # the declared emergency's kind
    waiting: tuple[Waiting, ...] = ()
    expired: tuple[Expired, ...] = ()


@dataclass(frozen=True, slots=True)
class Enter:
    person_id: int
    zone: str
    room_id: int | None
    escort_id: int | None


@dataclass
class PlannedEvent:
    kind: str  # scan | pairing | expiry
    person_id: int | None
    outcome: str
    reason_codes: list[str]
    rule_ids: list[str]
    display_text: str
    flags: list[str] = field(default_factory=list)
    escort_person_id: int | None = None
    related_event_id: int | None = None
    close: int | None = None  # the presence id it closes
    enter: Enter | None = None  # the presence it opens


@dataclass
class WaitChange:
    op: str  # expire | pair | refuse | open
    pending_id: int | None  # None for "open" (the new wait of this scan's event)
    event: int  # index into Plan.events of the event that resolves or opens it
    expires_at: datetime | None = None


@dataclass
class Answer:
    outcome: str
    headline: str
    detail: str
    person: str | None
    reason_codes: list[str]
    flags: list[str] = field(default_factory=list)
    escorting: list[str] = field(default_factory=list)
    waiting_for_escort: list[str] = field(default_factory=list)
    escort_window_seconds: int | None = None
    reasons: list[dict[str, str]] = field(default_factory=list)  # the policy's, when it decided


@dataclass
class Plan:
    events: list[PlannedEvent]
    waits: list[WaitChange]
    answer: Answer
    scan_event: int  # index of this scan's own event
