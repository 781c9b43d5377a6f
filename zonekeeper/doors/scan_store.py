"""The one store every door scan goes through: snapshot in, plan written, answer out.

``record_scan`` is the one path every kiosk and reader takes (emergencies and expired
escort waits included: they are branches of ``decision.decide_scan``):

1. ``load``, before the lock (reads only): the policy, today, the badge and its
   holder's records (one Core statement: scan_records.py), and, for MR personnel,
   their facts for this door.
2. ``decide_locked``, in one transaction that first locks the access log head
   (access_log.py): what a concurrent scan or an MRSO action may have changed is read
   again under the lock in one statement (the head, the holder's presence and records,
   the badge's version and revocation, whether someone waits or a wait expired, an
   emergency), with, for a Non-MR person entering, their screenings today and their
   Level 2 authorizations; on PostgreSQL sent with the lock and BEGIN in one round
   trip. The holder's facts are built again unless their records are unchanged and
   they are MR staff (their facts come from those records alone). Then
   ``decide_scan`` decides; only when it grants and someone waits at the door are the
   people waiting read (one round trip each) and the scan decided again with them.
   scan_writer.py writes the plan in the same transaction (on PostgreSQL all its
   writes and the COMMIT in one round trip).
3. Any exception rolls back, and a DENY with ``system_error`` is logged in a fresh
   transaction, so even a failed scan leaves its event (fails closed).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from flask import current_app

from ..badges.services import scanned_badge
from ..clock import site_today
from ..db import fetch_rows, fetch_rows_in_turn, sqlite_write_turn, utcnow
from ..extensions import db
from ..people.services import PersonStanding, person_standing
from ..policy import Policy
from ..policy_store import current_policy
from ..screening.status import DOOR_SCREENINGS
from .access_log import append_access_event, lock_log_head, scanned_excerpt
from .authorizations import CURRENT_AUTHORIZATIONS
from .decision import decide_scan
from .scan_plan import Expired, Holder, Place, Snapshot, Waiting
from .scan_records import (
    PERSON_RECORDS_IN_ORDER,
    BadgeRecord,
    PersonRecords,
    load_badge_record,
    load_person_records,
    person_from_rows,
)
from .scan_result import (
    DIRECTIONS,
    PERSON_KNOWN,
    AnyDoor,
    AnyPerson,
    DoorReads,
    ScanResult,
    facts_and_authorization,
    full_name,
)
from .scan_statements import (
    EMERGENCY_KIND,
    EXPIRED,
    LOCK_HEAD,
    NOBODY,
    OPEN_PRESENCE,
    STATE_AND_RECORDS,
    WAITING,
)
from .scan_texts import SYSTEM_ERROR_TEXT
from .scan_writer import Writer

__all__ = ["DIRECTIONS", "ReadBadge", "ScanResult", "record_scan"]

log = logging.getLogger(__name__)

# a badge id and its records as read (None: there is no such badge)
ReadBadge = tuple[int, BadgeRecord | None]


@dataclass
class Loaded:
    """What a scan read before the lock: plain values (the read transaction has ended)."""

    door: AnyDoor
    text: str
    direction: str
    source: str
    policy: Policy
    today: date
    status: str
    badge: BadgeRecord | None
    person: PersonRecords | None
    holder: Holder | None  # MR staff only: facts their records alone decide
    read_at: datetime  # the time the reads before the lock were made


def build_holder(
    person: AnyPerson,
    door: AnyDoor,
    today: date,
    now: datetime,
    policy: Policy,
    place: Place | None = None,
    with_facts: bool = True,
    reads: DoorReads | None = None,
    standing: PersonStanding | None = None,
) -> Holder:
    """A person as the door sees them (``with_facts``: for an entry; exits need none).
    ``reads``: their screenings and authorizations, ``standing``: their training standing,
    if read or worked out already."""
    if standing is None:
        standing = person_standing(person, today, policy)  # type: ignore[arg-type]
    name = full_name(person) or ""
    escort_facts = {
        "escort.id": person.id,
        "escort.screening_status": standing.screening_status,
        **standing.level.as_facts("escort"),
    }
    if not with_facts:
        return Holder(person.id, name, {}, escort_facts, standing.level.level, place)
    facts, authorization = facts_and_authorization(
        person, door.to_zone, today, policy, door.room_id, now, reads
    )
    by = (
        f"{authorization.by_name} for Zone {authorization.zone}, "
        f"until {authorization.valid_until:%Y-%m-%d %H:%M} UTC"
        if authorization is not None
        else None
    )
    return Holder(person.id, name, facts, escort_facts, standing.level.level, place, by)


def _visit_statements(person_id: int, today: date, now: datetime) -> list[Any]:
    """A Non-MR person's screenings today and authorizations not over at ``now``."""
    return [
        (DOOR_SCREENINGS, {"person_id": person_id, "today": today}),
        (CURRENT_AUTHORIZATIONS, {"person_id": person_id, "now": now}),
    ]


def _reads(rows: list[list[Any]]) -> DoorReads:
    return DoorReads(rows[0], tuple(tuple(row) for row in rows[1]))


def load(
    door: AnyDoor, text: str, direction: str, source: str, read: ReadBadge | None = None
) -> Loaded:
    """Everything that needs no lock; reads only (the caller ends the read transaction).

    ``read``: the badge the text names and its records, if already read (with the door).
    """
    policy, today = current_policy(), site_today()
    connection = db.session.connection()

    def load_badge(badge_id: int) -> BadgeRecord | None:
        if read is not None and read[0] == badge_id:
            return read[1]
        return load_badge_record(connection, badge_id)

    status, badge = scanned_badge(text, today, load_badge)
    person = badge.person if badge is not None and status in PERSON_KNOWN else None
    holder = None
    read_at = utcnow()
    if person is not None and person.kind == "staff" and direction == "in":
        standing = person_standing(person, today, policy)  # type: ignore[arg-type]
        # MR staff only: a Non-MR person's Level 2 authorization may come or go meanwhile
        if standing.level.level != "non_mr":
            holder = build_holder(person, door, today, read_at, policy, standing=standing)
    return Loaded(
        door, text, direction, source, policy, today, status, badge, person, holder, read_at
    )


def _place(presence_id: int | None, row: Any) -> Place | None:
    if presence_id is None:
        return None
    return Place(presence_id, row.zone, row.room_id, row.escort_person_id)


def _open_place(connection: Any, person_id: int) -> Place | None:
    rows = fetch_rows(connection, OPEN_PRESENCE, {"person_id": person_id})
    return _place(rows[0].id, rows[0]) if rows else None


def _waiting(
    connection: Any,
    door: AnyDoor,
    expired: tuple[Expired, ...],
    today: date,
    now: datetime,
    policy: Policy,
) -> tuple[Waiting, ...]:
    """The people waiting for an escort at ``door`` (not those whose wait just expired)."""
    gone = {wait.pending_id for wait in expired}
    waiting = []
    for row in fetch_rows(connection, WAITING, {"door_id": door.id}):
        if row.id in gone:
            continue
        # the person's records, presence, screenings and authorizations: one round trip
        found = fetch_rows_in_turn(
            connection,
            (PERSON_RECORDS_IN_ORDER, {"person_id": row.person_id}),
            (OPEN_PRESENCE, {"person_id": row.person_id}),
            *_visit_statements(row.person_id, today, now),
        )
        records = person_from_rows(found[0])
        assert records is not None, "a pending escort names a missing person"
        at = _place(found[1][0].id, found[1][0]) if found[1] else None
        waiter = build_holder(records, door, today, now, policy, at, reads=_reads(found[2:]))
        waiting.append(Waiting(row.id, row.scan_event_id, waiter))
    return tuple(waiting)


def decide_locked(loaded: Loaded) -> ScanResult:
    """Lock the log head, read again what may have changed, decide, write; the answer."""
    connection = db.session.connection()
    door, policy, today = loaded.door, loaded.policy, loaded.today
    badge, status, person = loaded.badge, loaded.status, loaded.person
    read_state = (
        STATE_AND_RECORDS,
        {
            "door_id": door.id,
            "badge_id": badge.id if badge is not None else NOBODY,
            "person_id": person.id if person is not None else NOBODY,
        },
    )
    # a Non-MR person entering: their screenings and authorizations, read again under the
    # lock with the state (the time bound is the one read before: a superset of the
    # authorizations; which is in force is decided at the time taken under the lock)
    visit = (
        _visit_statements(person.id, today, loaded.read_at)
        if person is not None and loaded.holder is None and loaded.direction == "in"
        else []
    )
    if connection.dialect.name == "sqlite":  # BEGIN IMMEDIATE already holds the lock
        read = fetch_rows_in_turn(connection, read_state, *visit)
    else:  # the state in its own statement after the lock's, sent with it (one round trip)
        read = fetch_rows_in_turn(connection, (LOCK_HEAD, {}), read_state, *visit, begin=True)[1:]
    rows = read[0]
    reads = _reads(read[1:]) if visit else None
    now = utcnow()  # once the lock is held: events' times follow their order in the log
    assert rows, "the access log head row is missing"
    state = rows[0]
    if badge is not None and (
        state.badge_version != badge.version
        or bool(state.badge_revoked) != (badge.revoked_at is not None)
    ):  # reissued or revoked since it was read: the badge is read again, under the lock
        status, badge = scanned_badge(
            loaded.text, today, lambda badge_id: load_badge_record(connection, badge_id)
        )
        person = badge.person if badge is not None and status in PERSON_KNOWN else None
    emergency = None
    if state.emergency:
        emergency = str(fetch_rows(connection, EMERGENCY_KIND, {})[0].kind)
    entering = loaded.direction == "in" and emergency is None
    holder = None
    if person is not None:
        same = loaded.person is not None and loaded.person.id == person.id
        # the holder's records and presence, read again under the lock (with the state)
        current = person_from_rows(rows) if same else load_person_records(connection, person.id)
        current = current or person
        place = _place(state.presence_id, state) if same else _open_place(connection, person.id)
        if loaded.holder is not None and current == loaded.person:
            holder = replace(loaded.holder, place=place)
        else:
            holder = build_holder(
                current, door, today, now, policy, place, entering, reads if same else None
            )
    expired: tuple[Expired, ...] = ()
    if state.first_expiry is not None and state.first_expiry < now:
        expired = tuple(
            Expired(row.id, row.door_id, row.person_id, row.scan_event_id)
            for row in fetch_rows(connection, EXPIRED, {"now": now})
        )
    config = current_app.config
    snapshot = Snapshot(
        door_id=door.id,
        from_zone=door.from_zone,
        to_zone=door.to_zone,
        room_id=door.room_id,
        from_restricted=door.from_zone in {z.id for z in policy.zones if z.restricted},
        direction=loaded.direction,
        badge_status=status,
        holder=holder,
        now=now,
        policy=policy,
        anti_passback=str(config["ANTI_PASSBACK"]),
        escort_window_seconds=int(config["ESCORT_WINDOW_SECONDS"]),
        emergency=emergency,
        expired=expired,
    )
    plan = decide_scan(snapshot)
    if state.waiting and entering and plan.answer.outcome == "grant":
        # only a grant pairs with the people waiting at the door: no other answer reads
        # them, so they are read (and the scan decided again with them) only then
        waiting = _waiting(connection, door, expired, today, now, policy)
        plan = decide_scan(replace(snapshot, waiting=waiting))
    scan = {
        "direction": loaded.direction,
        "badge_id": badge.id if badge is not None else None,
        "badge_version": badge.version if badge is not None else None,
        "scanned_excerpt": scanned_excerpt(loaded.text),
        "policy_version": policy.version,
        "source": loaded.source,
    }
    writer = Writer(connection, state.last_seq, state.last_hash, now, door.id, scan)
    logged = writer.write(plan, {wait.pending_id: wait.door_id for wait in expired})
    answer = plan.answer
    return ScanResult(
        logged[plan.scan_event],
        answer.outcome,
        answer.headline,
        answer.detail,
        answer.person,
        answer.reasons,
        escorting=answer.escorting,
        waiting_for_escort=answer.waiting_for_escort,
        escort_window_seconds=answer.escort_window_seconds,
    )


def record_scan(
    door: AnyDoor, text: str, direction: str, source: str, badge: ReadBadge | None = None
) -> ScanResult:
    """Decide and log one scan; never raises, never grants on an error.

    ``badge``: the scanned badge's records if the caller has read them already.
    """
    door_id = door.id
    loaded: Loaded | None = None
    try:
        loaded = load(door, text, direction, source, badge)
    except Exception:
        log.exception("scan at door %s could not be loaded; denying with system_error", door_id)
    if db.session.get_bind().dialect.name == "sqlite":
        # end the read so the write transaction begins IMMEDIATE (PostgreSQL reads
        # committed data per statement, so there the same transaction goes on)
        db.session.rollback()
    with sqlite_write_turn(db.engine):
        if loaded is not None:
            try:
                result = decide_locked(loaded)
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
        display_text=SYSTEM_ERROR_TEXT,
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
