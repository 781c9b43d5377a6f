"""The common scan, decided mostly before the lock and written with a few Core statements.

Every scan serialises on the access log head, so the time a scan holds that
lock bounds the doors' throughput. ``prepare`` does all that needs no lock,
before it: the badge, the person's trainings, screenings and designations (one
Core statement, read as plain records: see scan_records.py), the facts and the
policy decision. Everything the outcome depends on that a concurrent scan or an
MRSO action can change (presence for anti-passback, pending escorts, a declared
emergency, the badge's version and revocation) is read again under the lock in
one statement by ``decide_prepared``, and the holder's records and screening are
read again and must still give the same facts; an escort who is granted pairs the people
waiting at the door there (their records read under the lock). If anything needs
more than that (an emergency, escorts to expire, a badge changed meanwhile) it
returns None and the caller takes the full path in the same locked transaction.
The statements themselves are in scan_statements.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy.engine import Connection

from ..audit.chain import head_mac, row_hash
from ..badges.services import scanned_badge
from ..clock import site_today
from ..db import fetch_rows, fetch_rows_in_turn, utcnow
from ..extensions import db
from ..people.services import person_standing
from ..policy import Decision, Policy, decide_zone_access
from ..policy_store import current_policy
from .access_log import scanned_excerpt
from .models import ACCESS_HASH_VERSION, ACCESS_HASHED_FIELDS
from .scan_records import (
    BadgeRecord,
    PersonRecords,
    load_badge_record,
    load_person_records,
    person_from_rows,
)
from .scan_result import (
    PERSON_KNOWN,
    AnyDoor,
    LoggedEvent,
    ScanResult,
    anti_passback_deny,
    authorization_note,
    door_facts,
    escort_level_that_would_admit,
    escorting_text,
    fired,
    full_name,
    is_passback,
    level_2_authorization,
    pairing_text,
    person_facts,
    reasons_of,
)
from .scan_statements import (
    APPEND_EVENT,
    CLOSE_PRESENCE_AT,
    LOCK_HEAD,
    NOBODY,
    OPEN_PRESENCE,
    OPEN_PRESENCE_AT,
    PENDING,
    REPLACE_PENDING,
    RESOLVE_PENDING,
    SET_HEAD,
    STATE_AND_RECORDS,
    WAITING,
    Entry,
    append_statement,
)

# a badge id and its records as read (None: there is no such badge)
ReadBadge = tuple[int, BadgeRecord | None]


@dataclass
class Prepared:
    """Plain values only: the read transaction has ended by the time they are used."""

    door_id: int
    to_zone: str
    from_zone: str
    room_id: int | None
    direction: str
    source: str
    excerpt: str
    policy: Policy
    status: str
    badge_id: int | None
    badge_version: int | None
    badge_revoked: bool
    person_id: int | None
    name: str | None
    today: date
    person: PersonRecords | None  # plain records: an escort's standing decides pairings
    decision: Decision | None = None
    escort_level: str | None = None
    facts: dict[str, Any] | None = None  # what the decision was made on (checked under the lock)


def prepare(
    door: AnyDoor, text: str, direction: str, source: str, read: ReadBadge | None = None
) -> Prepared:
    """Everything that needs no lock; reads only (the caller ends the read transaction).

    ``read``: the badge the text names and its records, if already read (with the door).
    """
    policy, today = current_policy(), site_today()
    connection = db.session.connection()

    def load(badge_id: int) -> BadgeRecord | None:
        if read is not None and read[0] == badge_id:
            return read[1]
        return load_badge_record(connection, badge_id)

    status, badge = scanned_badge(text, today, load)
    person = badge.person if badge is not None and status in PERSON_KNOWN else None
    prep = Prepared(
        door.id,
        door.to_zone,
        door.from_zone,
        door.room_id,
        direction,
        source,
        scanned_excerpt(text),
        policy,
        status,
        badge.id if badge is not None else None,
        badge.version if badge is not None else None,
        badge is not None and badge.revoked_at is not None,
        person.id if person is not None else None,
        full_name(person),
        today,
        person,
    )
    if direction == "in":
        facts = door_facts(person, status, door.to_zone, today, policy, door.room_id)
        prep.facts = facts
        prep.decision = decide_zone_access(policy, facts)
        if person is not None and status == "valid" and prep.decision.outcome == "deny":
            prep.escort_level = escort_level_that_would_admit(
                person, status, door.to_zone, today, policy, facts, door.room_id
            )
    return prep


def decide_prepared(prep: Prepared) -> ScanResult | None:
    """Lock, re-read what may have changed, write; None when the full path must decide.

    On PostgreSQL the lock, the state and the holder's records go in one round trip
    (with BEGIN on a connection opened by ``db.begin_scan``), and the common
    outcomes' one write goes with COMMIT in another.
    """
    connection = db.session.connection()
    read_state = (
        STATE_AND_RECORDS,
        {
            "door_id": prep.door_id,
            "badge_id": prep.badge_id if prep.badge_id is not None else NOBODY,
            "person_id": prep.person_id if prep.person_id is not None else NOBODY,
        },
    )
    if connection.dialect.name == "sqlite":  # BEGIN IMMEDIATE already holds the lock
        rows = fetch_rows(connection, *read_state)
    else:  # the state in its own statement after the lock's, sent with it (one round trip)
        rows = fetch_rows_in_turn(connection, (LOCK_HEAD, {}), read_state, begin=True)[1]
    now = utcnow()  # once the lock is held: events' times follow their order in the log
    assert rows, "the access log head row is missing"
    state = rows[0]
    if state.emergency or (state.first_expiry is not None and state.first_expiry < now):
        return None
    if prep.badge_id is not None and (
        state.badge_version != prep.badge_version or bool(state.badge_revoked) != prep.badge_revoked
    ):
        return None  # reissued or revoked since it was read: decide again under the lock
    if prep.person_id is not None and prep.direction == "in" and _records_changed(prep, rows):
        return None  # training, screening or designation changed meanwhile: full path
    writer = _Writer(connection, prep, state, now)
    if prep.direction == "out":
        return writer.exit()
    decision = prep.decision
    assert decision is not None
    if decision.outcome == "grant" and prep.person_id is not None:
        return writer.grant(decision)
    if prep.escort_level is not None:
        if writer.passback() and current_app.config["ANTI_PASSBACK"] == "hard":
            event = writer.log(last=True, **anti_passback_deny())  # escorted people too
            return ScanResult(event, "deny", "DENIED", event.display_text, prep.name)
        return writer.wait_for_escort(decision, prep.escort_level)
    event = writer.log(
        outcome="deny", display_text=decision.reasons[0].text[:500], last=True, **fired(decision)
    )
    return ScanResult(event, "deny", "DENIED", event.display_text, prep.name, reasons_of(decision))


def _records_changed(prep: Prepared, rows: list[Any]) -> bool:
    """Under the lock: do the holder's records (in ``rows``, just read) still give the
    facts decided on?

    The decision was made before the lock; a training voided, a screening amended or a
    designation ended in between must not let that decision through.
    """
    current = person_from_rows(rows)
    if current is None or current != prep.person:
        return True
    if current.kind == "staff":  # their facts come from these records alone: unchanged
        return False
    # a visit screening (patients, companions) is read apart from the records: read it again
    facts = door_facts(current, prep.status, prep.to_zone, prep.today, prep.policy, prep.room_id)
    return facts != prep.facts


class _Writer:
    """The writes of one scan under the lock, as Core statements (no unit-of-work flushes)."""

    def __init__(self, connection: Connection, prep: Prepared, state: Any, now: Any) -> None:
        self.connection, self.prep, self.state, self.now = connection, prep, state, now
        self.last_seq, self.last_hash = state.last_seq, state.last_hash

    def log(
        self,
        close: int | None = None,
        enter: Entry | None = None,
        last: bool = False,
        **values: Any,
    ) -> LoggedEvent:
        """Append one event; ``close`` the presence with that id and record the ``enter``
        it makes, both pointing at the event (on PostgreSQL all in one statement, sent
        with COMMIT when it is the scan's ``last`` write: see ``db.fetch_rows_in_turn``)."""
        prep = self.prep
        fields: dict[str, Any] = {
            "kind": "scan",
            "door_id": prep.door_id,
            "direction": prep.direction,
            "badge_id": prep.badge_id,
            "badge_version": prep.badge_version,
            "person_id": prep.person_id,
            "reason_codes": [],
            "rule_ids": [],
            "escort_person_id": None,
            "related_event_id": None,
            "flags": [],
            "policy_version": prep.policy.version,
            "source": prep.source,
            "scanned_excerpt": prep.excerpt,
            **values,
            "hash_version": ACCESS_HASH_VERSION,
            "seq": self.last_seq + 1,
            "occurred_at": self.now,
            "prev_hash": self.last_hash,
        }
        key = str(current_app.config["AUDIT_KEY"]).encode()
        fields["row_hash"] = row_hash(key, fields, ACCESS_HASHED_FIELDS)
        head = {
            "last_seq": fields["seq"],
            "last_hash": fields["row_hash"],
            "head_mac": head_mac(key, fields["seq"], fields["row_hash"]),
        }
        if self.connection.dialect.name == "postgresql":
            event_id = self._append_in_one(fields, head, close, enter, last)
        else:
            event_id = self._append_in_turn(fields, head, close, enter)
        self.last_seq, self.last_hash = fields["seq"], fields["row_hash"]
        return LoggedEvent(
            event_id,
            fields["seq"],
            self.now,
            fields["reason_codes"],
            fields["flags"],
            fields["policy_version"],
            fields["display_text"],
        )

    def _entry(self, enter: Entry) -> dict[str, Any]:
        return {
            "person_id": enter.person_id,
            "zone": enter.zone,
            "room_id": enter.room_id,
            "door_id": self.prep.door_id,
            "entered_at": self.now,
            "escort_person_id": enter.escort_person_id,
        }

    def _append_in_turn(
        self, fields: dict[str, Any], head: dict[str, Any], close: int | None, enter: Entry | None
    ) -> int:
        """SQLite: the same writes one statement after another (no round trips to save)."""
        connection = self.connection
        ((event_id,),) = fetch_rows(
            connection, APPEND_EVENT, {f"e_{name}": value for name, value in fields.items()}
        )
        fetch_rows(connection, SET_HEAD, {f"h_{name}": value for name, value in head.items()})
        if close is not None:
            fetch_rows(
                connection,
                CLOSE_PRESENCE_AT,
                {"c_id": close, "c_left_at": self.now, "c_exit_event_id": event_id},
            )
        if enter is not None:
            values = {f"p_{name}": value for name, value in self._entry(enter).items()}
            fetch_rows(connection, OPEN_PRESENCE_AT, {**values, "p_entry_event_id": event_id})
        return int(event_id)

    def _append_in_one(
        self,
        fields: dict[str, Any],
        head: dict[str, Any],
        close: int | None,
        enter: Entry | None,
        last: bool,
    ) -> int:
        """One round trip under the lock instead of up to four (see ``append_statement``)."""
        params = {f"e_{name}": value for name, value in fields.items()}
        params.update({f"h_{name}": value for name, value in head.items()})
        if close is not None:
            params.update({"c_id": close, "c_left_at": self.now})
        if enter is not None:
            params.update({f"p_{name}": value for name, value in self._entry(enter).items()})
        statement = append_statement(close is not None, enter is not None)
        ((row,),) = fetch_rows_in_turn(self.connection, (statement, params), commit=last)
        return int(row[0])

    def _moves(self, zone: str, room_id: int | None, escort: int | None) -> dict[str, Any]:
        """This scan's person leaves where they were recorded and is recorded in ``zone``."""
        assert self.prep.person_id is not None
        return {
            "close": self.state.presence_id,
            "enter": Entry(self.prep.person_id, zone, room_id, escort),
        }

    def passback(self) -> bool:
        """The scanning person is already recorded beyond this door (no exit since)."""
        prep, state = self.prep, self.state
        return is_passback(state.presence_id, state.zone, state.room_id, prep.to_zone, prep.room_id)

    def grant(self, decision: Decision) -> ScanResult:
        prep, state = self.prep, self.state
        flags: list[str] = []
        if self.passback():
            if current_app.config["ANTI_PASSBACK"] == "hard":
                event = self.log(last=True, **anti_passback_deny())
                return ScanResult(event, "deny", "DENIED", event.display_text, prep.name)
            flags.append("passback")
        event = self.log(
            outcome="grant",
            flags=flags,
            display_text=f"{prep.name}: {decision.reasons[0].text}"[:500],
            last=not state.waiting,  # else the people waiting at the door are paired next
            **fired(decision),
            **self._moves(prep.to_zone, prep.room_id, None),
        )
        escorting, still_waiting, notes = self._pair_waiting() if state.waiting else ([], [], [])
        detail = escorting_text(escorting, notes) if escorting else event.display_text
        return ScanResult(
            event,
            "grant",
            "GRANTED",
            detail,
            prep.name,
            reasons_of(decision),
            escorting=escorting,
            waiting_for_escort=still_waiting,
        )

    def _pair_waiting(self) -> tuple[list[str], list[str], list[str]]:
        """The escort just admitted takes in everyone waiting at this door they may escort.

        As ``scans._pair_waiting``: the waiting people's records are read here, under the lock.
        """
        prep, connection = self.prep, self.connection
        escort = prep.person
        assert escort is not None
        # the Level 2 escort who badges is the Level 2 person authorising the entry
        escort_is_level_2 = (
            person_standing(escort, prep.today, prep.policy).level.level == "level_2"  # type: ignore[arg-type]
        )
        escorting: list[str] = []
        still_waiting: list[str] = []
        notes: list[str] = []
        for pending in fetch_rows(connection, WAITING, {"door_id": prep.door_id}):
            if pending.person_id == escort.id:
                continue
            person = load_person_records(connection, pending.person_id)
            assert person is not None, "a pending escort names a missing person"
            facts = person_facts(
                person,
                prep.to_zone,
                prep.today,
                prep.policy,
                prep.room_id,
                escort=escort,
                level_2_authorized=escort_is_level_2,
            )
            decision = decide_zone_access(prep.policy, facts)
            name = full_name(person) or ""
            if decision.outcome != "grant_with_escort":
                still_waiting.append(name)
                continue
            open_rows = fetch_rows(connection, OPEN_PRESENCE, {"person_id": pending.person_id})
            current = open_rows[0] if open_rows else None
            pairing: dict[str, Any] = {
                "kind": "pairing",
                "direction": "in",
                "badge_id": None,
                "badge_version": None,
                "person_id": pending.person_id,
                "escort_person_id": escort.id,
                "related_event_id": pending.scan_event_id,
                "scanned_excerpt": "",
            }
            passback = current is not None and is_passback(
                current.id, current.zone, current.room_id, prep.to_zone, prep.room_id
            )
            if passback and current_app.config["ANTI_PASSBACK"] == "hard":
                event = self.log(**pairing, **anti_passback_deny())  # not escorted in twice
                connection.execute(
                    RESOLVE_PENDING,
                    {"pending_id": pending.id, "status": "refused", "resolved_event_id": event.id},
                )
                still_waiting.append(name)
                continue
            authorization = (
                None
                if escort_is_level_2
                else level_2_authorization(person, prep.to_zone, facts, prep.policy)
            )
            event = self.log(
                **pairing,
                outcome="grant_with_escort",
                flags=["passback"] if passback else [],
                display_text=pairing_text(name, prep.name, authorization)[:500],
                close=current.id if current is not None else None,
                enter=Entry(pending.person_id, prep.to_zone, prep.room_id, escort.id),
                **fired(decision),
            )
            connection.execute(
                RESOLVE_PENDING,
                {"pending_id": pending.id, "status": "paired", "resolved_event_id": event.id},
            )
            escorting.append(name)
            if authorization is not None:
                notes.append(authorization_note(name, authorization))
        return escorting, still_waiting, notes

    def wait_for_escort(self, decision: Decision, level: str) -> ScanResult:
        prep = self.prep
        window = int(current_app.config["ESCORT_WINDOW_SECONDS"])
        who = "A Level 2 MR person" if level == "level_2" else "A Level 1 or Level 2 MR person"
        detail = (
            f"{prep.name} may enter only with an escort. "
            f"{who} must badge at this door within {window} seconds."
        )
        self.connection.execute(REPLACE_PENDING, {"pid": prep.person_id})  # by this newer scan
        event = self.log(outcome="escort_pending", display_text=detail[:500], **fired(decision))
        self.connection.execute(
            PENDING.insert(),
            {
                "door_id": prep.door_id,
                "person_id": prep.person_id,
                "scan_event_id": event.id,
                "expires_at": self.now + timedelta(seconds=window),
                "status": "pending",
            },
        )
        return ScanResult(
            event,
            "escort_pending",
            "ESCORT NEEDED",
            detail,
            prep.name,
            reasons_of(decision),
            escort_window_seconds=window,
        )

    def exit(self) -> ScanResult:
        """Leaving is never refused (egress is a life-safety matter); it is recorded."""
        prep, state = self.prep, self.state
        identified = prep.person_id is not None and prep.status == "valid"
        entered = state.presence_id is not None and state.zone == prep.to_zone
        moves: dict[str, Any] = {}
        if identified:
            restricted = {zone.id for zone in prep.policy.zones if zone.restricted}
            moves = self._moves(prep.from_zone, None, state.escort_person_id)
            if prep.from_zone not in restricted:
                moves["enter"] = None
        event = self.log(
            outcome="exit",
            reason_codes=["exit_recorded" if identified else f"badge_{prep.status}"],
            rule_ids=["door.exit"],
            flags=["no_entry_recorded"] if identified and not entered else [],
            display_text=f"Exit recorded: {prep.name}"
            if identified
            else "Exit: badge not recognised",
            last=True,
            **moves,
        )
        return ScanResult(event, "exit", "EXIT RECORDED", event.display_text, prep.name)
