"""Writing a door decision's plan under the access log's lock, as Core statements.

Each planned event is appended to the hash chain (``display_text`` inside the hash:
``ACCESS_HASH_VERSION``) with the presence it closes and the one it opens; then the
escort-wait changes. On PostgreSQL an event, the head and its presence moves are one
statement (``append_statement``), and all of a scan's writes (its events, then the waits,
which name their events by sequence number) go in one round trip with its COMMIT
(``db.fetch_rows_in_turn``); on SQLite they run one after another.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from flask import current_app
from sqlalchemy.engine import Connection

from ..audit.chain import head_mac, row_hash
from ..db import fetch_rows, fetch_rows_in_turn
from .models import ACCESS_HASH_VERSION, ACCESS_HASHED_FIELDS
from .scan_plan import Enter, Plan, PlannedEvent
from .scan_result import LoggedEvent
from .scan_statements import (
    APPEND_EVENT,
    CLOSE_PRESENCE_AT,
    OPEN_PENDING,
    OPEN_PRESENCE_AT,
    REPLACE_PENDING,
    RESOLVE_PENDING,
    SET_HEAD,
    append_statement,
)

WAIT_STATUS = {"expire": "expired", "pair": "paired", "refuse": "refused"}


class Writer:
    """The writes of one scan's plan; ``scan`` holds the scan event's own fields."""

    def __init__(
        self,
        connection: Connection,
        last_seq: int,
        last_hash: str,
        now: datetime,
        door_id: int,
        scan: dict[str, Any],
    ) -> None:
        self.connection, self.now, self.door_id, self.scan = connection, now, door_id, scan
        self.last_seq, self.last_hash = last_seq, last_hash

    def write(self, plan: Plan, wait_doors: dict[int, int]) -> list[LoggedEvent]:
        """Every event in order, then the waits; ``wait_doors``: an expired wait's door.

        On PostgreSQL every write goes in one round trip, with COMMIT; a wait names its
        event by sequence number, known before the event is written."""
        expiring = {w.event: w.pending_id for w in plan.waits if w.op == "expire"}
        in_one = self.connection.dialect.name == "postgresql"
        steps: list[tuple[Any, dict[str, Any]]] = []
        logged: list[LoggedEvent] = []
        for index, event in enumerate(plan.events):
            door_id = self.door_id
            if index in expiring:
                door_id = wait_doors.get(expiring[index] or 0, door_id)
            logged.append(self.append(event, door_id, steps if in_one else None))
        for change in plan.waits:
            seq = logged[change.event].seq
            if change.op == "open":
                person_id = plan.events[change.event].person_id
                # a newer scan replaces the person's earlier wait
                steps.append((REPLACE_PENDING, {"pid": person_id}))
                steps.append(
                    (
                        OPEN_PENDING,
                        {
                            "door_id": self.door_id,
                            "pid": person_id,
                            "seq": seq,
                            "expires_at": change.expires_at,
                        },
                    )
                )
            else:
                status = WAIT_STATUS[change.op]
                steps.append(
                    (
                        RESOLVE_PENDING,
                        {"pending_id": change.pending_id, "status": status, "seq": seq},
                    )
                )
        if not in_one:
            for statement, params in steps:
                fetch_rows(self.connection, statement, params)
            return logged
        results = fetch_rows_in_turn(self.connection, *steps, commit=True)
        return [
            replace(event, id=int(rows[0][0]))
            for event, rows in zip(logged, results[: len(logged)], strict=True)
        ]

    def fields(self, event: PlannedEvent, door_id: int) -> dict[str, Any]:
        own = self.scan if event.kind == "scan" else {}
        return {
            "kind": event.kind,
            "door_id": door_id,
            "direction": own.get("direction", "in"),
            "badge_id": own.get("badge_id"),
            "badge_version": own.get("badge_version"),
            "person_id": event.person_id,
            "outcome": event.outcome,
            "reason_codes": list(event.reason_codes),
            "rule_ids": list(event.rule_ids),
            "escort_person_id": event.escort_person_id,
            "related_event_id": event.related_event_id,
            "flags": list(event.flags),
            "display_text": event.display_text[:500],
            "policy_version": self.scan["policy_version"],
            "source": "system" if event.kind == "expiry" else self.scan["source"],
            "scanned_excerpt": own.get("scanned_excerpt", ""),
            "hash_version": ACCESS_HASH_VERSION,
            "seq": self.last_seq + 1,
            "occurred_at": self.now,
            "prev_hash": self.last_hash,
        }

    def append(
        self, event: PlannedEvent, door_id: int, steps: list[tuple[Any, dict[str, Any]]] | None
    ) -> LoggedEvent:
        """Append one event with the presence it closes and opens; on PostgreSQL it joins
        ``steps`` (sent by ``write``, which fills in the event's id)."""
        fields = self.fields(event, door_id)
        key = str(current_app.config["AUDIT_KEY"]).encode()
        fields["row_hash"] = row_hash(key, fields, ACCESS_HASHED_FIELDS)
        head = {
            "last_seq": fields["seq"],
            "last_hash": fields["row_hash"],
            "head_mac": head_mac(key, fields["seq"], fields["row_hash"]),
        }
        if steps is not None:
            steps.append(self._append_in_one(fields, head, event.close, event.enter))
            event_id = 0  # not known until sent
        else:
            event_id = self._append_in_turn(fields, head, event.close, event.enter)
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

    def _entry(self, enter: Enter) -> dict[str, Any]:
        return {
            "person_id": enter.person_id,
            "zone": enter.zone,
            "room_id": enter.room_id,
            "door_id": self.door_id,
            "entered_at": self.now,
            "escort_person_id": enter.escort_id,
        }

    def _append_in_turn(
        self, fields: dict[str, Any], head: dict[str, Any], close: int | None, enter: Enter | None
    ) -> int:
        """SQLite: the writes one statement after another (no round trips to save)."""
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
        enter: Enter | None,
    ) -> tuple[Any, dict[str, Any]]:
        """PostgreSQL: one statement instead of up to four (see ``append_statement``)."""
        params = {f"e_{name}": value for name, value in fields.items()}
        params.update({f"h_{name}": value for name, value in head.items()})
        if close is not None:
            params.update({"c_id": close, "c_left_at": self.now})
        if enter is not None:
            params.update({f"p_{name}": value for name, value in self._entry(enter).items()})
        return append_statement(close is not None, enter is not None), params
