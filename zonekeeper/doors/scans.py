"""Deciding one scan at a door: badge, policy, anti-passback, escorts, the log.

``record_scan`` is the one path every kiosk and reader takes. It runs in one
transaction that first locks the access log head (see access_log.py), and it
fails closed: any exception rolls back and a DENY with ``system_error`` is
logged in a fresh transaction, so even a failed scan leaves its event.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..badges.services import check_scanned_text
from ..clock import site_today
from ..db import sqlite_write_turn, utcnow
from ..extensions import db
from ..people.models import Person
from ..people.services import person_standing
from ..policy import Decision, Policy, decide_zone_access
from ..policy_store import current_policy
from ..site.models import Door
from . import presence
from .access_log import append_access_event, lock_log_head, scanned_excerpt
from .emergency import active_emergency, emergency_instructions
from .models import AccessEvent, AccessLogHead, PendingEscort
from .scan_fast import Prepared, ReadBadge, decide_prepared, prepare
from .scan_result import (
    DIRECTIONS,
    PERSON_KNOWN,
    AnyDoor,
    ScanResult,
    anti_passback_deny,
    authorization_note,
    door_facts,
    escort_level_that_would_admit,
    escorting_text,
    fired,
    full_name,
    level_2_authorization,
    pairing_text,
    person_facts,
    reasons_of,
)
from .scan_statements import person_records

__all__ = ["DIRECTIONS", "ScanResult", "record_scan"]

log = logging.getLogger(__name__)


@dataclass
class Scan:
    """One scan being decided: everything the steps share, under the locked log head."""

    door: Door
    head: AccessLogHead
    policy: Policy
    now: datetime
    today: date
    status: str  # the badge check's status
    person: Person | None
    event_fields: dict[str, Any]

    def log(self, **values: Any) -> AccessEvent:
        return append_access_event(self.head, **{**self.event_fields, **values})

    @property
    def name(self) -> str | None:
        return full_name(self.person)


def record_scan(
    door: AnyDoor, text: str, direction: str, source: str, badge: ReadBadge | None = None
) -> ScanResult:
    """Decide and log one scan; never raises, never grants on an error.

    ``badge``: the scanned badge's records if the caller has read them already.
    """
    door_id = door.id
    prep: Prepared | None = None
    try:
        prep = prepare(door, text, direction, source, badge)
    except Exception:
        log.exception("scan at door %s could not be prepared; denying with system_error", door_id)
    if db.session.get_bind().dialect.name == "sqlite":
        # end the read so the write transaction begins IMMEDIATE (PostgreSQL reads
        # committed data per statement, so there the same transaction goes on)
        db.session.rollback()
    with sqlite_write_turn(db.engine):
        if prep is not None:
            try:
                result = decide_prepared(prep) or _decide_and_log(door, text, direction, source)
                # before commit: reading it after would start a new transaction
                result.answer = result.to_json()
                db.session.commit()  # on PostgreSQL often sent already, with the last write
                return result
            except Exception:
                db.session.rollback()
                log.exception("scan at door %s failed; denying with system_error", door_id)
        return _log_system_error(door_id, text, direction, source)


def _log_system_error(door_id: int, text: str, direction: str, source: str) -> ScanResult:
    event = append_access_event(
        lock_log_head(),
        kind="scan",
        door_id=door_id,
        direction=direction if direction in DIRECTIONS else "in",
        outcome="deny",
        reason_codes=["system_error"],
        rule_ids=["door.error"],
        display_text="The decision could not be made. Do not enter: follow the paper "
        "procedure and call the MRSO.",
        policy_version=_policy_version_or_unknown(),
        source=source,
        scanned_excerpt=scanned_excerpt(text),
    )
    result = ScanResult(event, "deny", "DENIED", event.display_text)
    result.answer = result.to_json()
    db.session.commit()
    return result


def _policy_version_or_unknown() -> str:
    try:
        return current_policy().version
    except Exception:
        return "unknown"


def _decide_and_log(door: AnyDoor, text: str, direction: str, source: str) -> ScanResult:
    head = lock_log_head()
    if not isinstance(door, Door):  # the presence and escort steps work on the ORM door
        door = db.session.get_one(Door, door.id)
    now, today = utcnow(), site_today()
    policy = current_policy()
    _expire_pending(head, now, policy.version)
    check = check_scanned_text(text, today, person_records())
    person = check.person if check.status in PERSON_KNOWN else None
    scan = Scan(
        door,
        head,
        policy,
        now,
        today,
        check.status,
        person,
        {
            "kind": "scan",
            "door_id": door.id,
            "direction": direction,
            "badge_id": check.badge.id if check.badge is not None else None,
            "badge_version": check.badge.version if check.badge is not None else None,
            "person_id": person.id if person is not None else None,
            "policy_version": policy.version,
            "source": source,
            "scanned_excerpt": scanned_excerpt(text),
        },
    )
    emergency = active_emergency()
    if emergency is not None:
        return _log_during_emergency(scan, direction, emergency.kind)
    if direction == "out":
        return _log_exit(scan)

    decision = decide_zone_access(
        policy, door_facts(person, check.status, door.to_zone, today, policy, door.room_id)
    )
    if decision.outcome == "grant" and person is not None:
        return _grant(scan, decision)
    if person is not None and check.status == "valid" and decision.outcome == "deny":
        level = escort_level_that_would_admit(
            person, check.status, door.to_zone, today, policy, room_id=door.room_id
        )
        if level is not None:
            current = presence.open_presence(person.id)
            if (
                presence.is_passback(current, door)
                and current_app.config["ANTI_PASSBACK"] == "hard"
            ):
                event = scan.log(**anti_passback_deny())  # escorted people too
                return ScanResult(event, "deny", "DENIED", event.display_text, scan.name)
            return _wait_for_escort(scan, decision, level)
    event = scan.log(outcome="deny", display_text=decision.reasons[0].text[:500], **fired(decision))
    return ScanResult(event, "deny", "DENIED", event.display_text, scan.name, reasons_of(decision))


def _grant(scan: Scan, decision: Decision) -> ScanResult:
    assert scan.person is not None
    flags: list[str] = []
    current = presence.open_presence(scan.person.id)
    if presence.is_passback(current, scan.door):
        if current_app.config["ANTI_PASSBACK"] == "hard":
            event = scan.log(**anti_passback_deny())
            return ScanResult(event, "deny", "DENIED", event.display_text, scan.name)
        flags.append("passback")
    event = scan.log(
        outcome="grant",
        flags=flags,
        display_text=f"{scan.name}: {decision.reasons[0].text}"[:500],
        **fired(decision),
    )
    presence.enter(scan.person.id, scan.door, event, scan.now, current=current)
    escorting, still_waiting, notes = _pair_waiting(scan, event)
    detail = escorting_text(escorting, notes) if escorting else event.display_text
    return ScanResult(
        event,
        "grant",
        "GRANTED",
        detail,
        scan.name,
        reasons_of(decision),
        escorting=escorting,
        waiting_for_escort=still_waiting,
    )


def _pair_waiting(scan: Scan, escort_event: AccessEvent) -> tuple[list[str], list[str], list[str]]:
    """The escort just admitted takes in everyone waiting at this door they may escort."""
    escort = scan.person
    assert escort is not None
    waiting = db.session.scalars(
        select(PendingEscort)
        .where(PendingEscort.door_id == scan.door.id, PendingEscort.status == "pending")
        .order_by(PendingEscort.id)
    ).all()
    # the Level 2 escort who badges is the Level 2 person authorising the entry
    escort_is_level_2 = person_standing(escort, scan.today, scan.policy).level.level == "level_2"
    escorting: list[str] = []
    still_waiting: list[str] = []
    notes: list[str] = []
    for pending in waiting:
        if pending.person_id == escort.id:
            continue
        facts = person_facts(
            pending.person,
            scan.door.to_zone,
            scan.today,
            scan.policy,
            scan.door.room_id,
            escort=escort,
            level_2_authorized=escort_is_level_2,
        )
        decision = decide_zone_access(scan.policy, facts)
        name = full_name(pending.person) or ""
        if decision.outcome != "grant_with_escort":
            still_waiting.append(name)
            continue
        pairing: dict[str, Any] = {
            "kind": "pairing",
            "door_id": scan.door.id,
            "direction": "in",
            "person_id": pending.person_id,
            "escort_person_id": escort.id,
            "related_event_id": pending.scan_event_id,
            "policy_version": scan.policy.version,
            "source": escort_event.source,
        }
        current = presence.open_presence(pending.person_id)
        passback = presence.is_passback(current, scan.door)
        if passback and current_app.config["ANTI_PASSBACK"] == "hard":
            event = append_access_event(scan.head, **pairing, **anti_passback_deny())
            pending.status, pending.resolved_event_id = "refused", event.id
            still_waiting.append(name)
            continue
        authorization = (
            None
            if escort_is_level_2
            else level_2_authorization(pending.person, scan.door.to_zone, facts, scan.policy)
        )
        event = append_access_event(
            scan.head,
            **pairing,
            outcome="grant_with_escort",
            flags=["passback"] if passback else [],
            display_text=pairing_text(name, scan.name, authorization)[:500],
            **fired(decision),
        )
        pending.status, pending.resolved_event_id = "paired", event.id
        presence.enter(
            pending.person_id, scan.door, event, scan.now, escort_id=escort.id, current=current
        )
        escorting.append(name)
        if authorization is not None:
            notes.append(authorization_note(name, authorization))
    return escorting, still_waiting, notes


def _wait_for_escort(scan: Scan, decision: Decision, level: str) -> ScanResult:
    assert scan.person is not None
    window = int(current_app.config["ESCORT_WINDOW_SECONDS"])
    who = "A Level 2 MR person" if level == "level_2" else "A Level 1 or Level 2 MR person"
    detail = (
        f"{scan.name} may enter only with an escort. "
        f"{who} must badge at this door within {window} seconds."
    )
    for earlier in db.session.scalars(
        select(PendingEscort).where(
            PendingEscort.person_id == scan.person.id, PendingEscort.status == "pending"
        )
    ):
        earlier.status = "replaced"  # by this newer scan
    event = scan.log(outcome="escort_pending", display_text=detail[:500], **fired(decision))
    db.session.add(
        PendingEscort(
            door_id=scan.door.id,
            person_id=scan.person.id,
            scan_event_id=event.id,
            expires_at=scan.now + timedelta(seconds=window),
        )
    )
    return ScanResult(
        event,
        "escort_pending",
        "ESCORT NEEDED",
        detail,
        scan.name,
        reasons_of(decision),
        escort_window_seconds=window,
    )


def _expire_pending(head: AccessLogHead, now: datetime, policy_version: str) -> None:
    stale = db.session.scalars(
        select(PendingEscort).where(
            PendingEscort.status == "pending", PendingEscort.expires_at < now
        )
    ).all()
    for pending in stale:
        event = append_access_event(
            head,
            kind="expiry",
            door_id=pending.door_id,
            direction="in",
            person_id=pending.person_id,
            outcome="deny",
            reason_codes=["escort_timeout"],
            rule_ids=["door.escort_window"],
            display_text="No eligible escort badged in time; the person did not enter.",
            related_event_id=pending.scan_event_id,
            policy_version=policy_version,
            source="system",
        )
        pending.status, pending.resolved_event_id = "expired", event.id


def _restricted_zones(policy: Policy) -> set[str]:
    return {zone.id for zone in policy.zones if zone.restricted}


def _log_exit(scan: Scan) -> ScanResult:
    """Leaving is never refused (egress is a life-safety matter); it is recorded."""
    identified = scan.person is not None and scan.status == "valid"
    flags = []
    if identified and not presence.entered_through(scan.person.id, scan.door):  # type: ignore[union-attr]
        flags.append("no_entry_recorded")
    event = scan.log(
        outcome="exit",
        reason_codes=["exit_recorded" if identified else f"badge_{scan.status}"],
        rule_ids=["door.exit"],
        flags=flags,
        display_text=f"Exit recorded: {scan.name}" if identified else "Exit: badge not recognised",
    )
    if identified:
        presence.leave(scan.person.id, scan.door, event, scan.now, _restricted_zones(scan.policy))  # type: ignore[union-attr]
    return ScanResult(event, "exit", "EXIT RECORDED", event.display_text, scan.name)


def _log_during_emergency(scan: Scan, direction: str, kind: str) -> ScanResult:
    """During an emergency the door logs and does not decide: the muster list must be right."""
    event = scan.log(
        outcome="emergency_logged",
        reason_codes=["emergency_mode", f"badge_{scan.status}"],
        rule_ids=["door.emergency"],
        display_text=emergency_instructions(kind)[:500],
    )
    if scan.person is not None and scan.status == "valid":
        if direction == "out":
            presence.leave(
                scan.person.id, scan.door, event, scan.now, _restricted_zones(scan.policy)
            )
        else:
            presence.enter(scan.person.id, scan.door, event, scan.now)
    return ScanResult(
        event, "emergency_logged", f"EMERGENCY: {kind.upper()}", event.display_text, scan.name
    )
