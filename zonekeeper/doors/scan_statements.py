"""The statements of the door scan's store (see scan_store.py), built once.

Kept apart from the code that runs them: the state read under the lock, the
writes, and PostgreSQL's one-statement append (event, head and presence moves).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, literal_column, select
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.interfaces import ORMOption

from ..badges.models import Badge
from ..people.models import Person
from .models import AccessEvent, AccessLogHead, Emergency, PendingEscort, Presence
from .scan_records import PERSON_RECORDS, with_records

NOBODY = -1  # an id no row has: the state query keeps one shape (one cached statement)


@cache  # built on first use: building it at import would configure the mappers too early
def person_records() -> tuple[ORMOption, ...]:
    """Load options: the person's records come with the badge in one statement (a few rows each)."""
    person = joinedload(Badge.person)
    return (
        person.joinedload(Person.trainings),
        person.joinedload(Person.screenings),
        person.joinedload(Person.designations),
    )


HEAD = AccessLogHead.__table__
EVENTS = AccessEvent.__table__
PRESENCES = Presence.__table__
PENDING = PendingEscort.__table__
BADGES = Badge.__table__
EMERGENCIES = Emergency.__table__

LOCK_HEAD = select(HEAD.c.id).where(HEAD.c.id == 1).with_for_update()
# a literal, not a parameter: the planner can then use the partial index on the waiting ones
_is_pending = PENDING.c.status == literal_column("'pending'")
# Read after the lock is held, in its own statement: on PostgreSQL a statement
# that waited for a row lock still reads the rest of the database as of its start.
STATE = (
    select(
        HEAD.c.last_seq,
        HEAD.c.last_hash,
        exists().where(EMERGENCIES.c.ended_at.is_(None)).label("emergency"),
        select(func.min(PENDING.c.expires_at))
        .where(_is_pending)
        .scalar_subquery()
        .label("first_expiry"),  # compared with the time read once the lock is held
        exists().where(_is_pending, PENDING.c.door_id == bindparam("door_id")).label("waiting"),
        select(BADGES.c.version)
        .where(BADGES.c.id == bindparam("badge_id"))
        .scalar_subquery()
        .label("badge_version"),
        exists()
        .where(BADGES.c.id == bindparam("badge_id"), BADGES.c.revoked_at.is_not(None))
        .label("badge_revoked"),
        PRESENCES.c.id.label("presence_id"),
        PRESENCES.c.zone,
        PRESENCES.c.room_id,
        PRESENCES.c.escort_person_id,
    )
    .select_from(
        HEAD.outerjoin(
            PRESENCES,
            and_(PRESENCES.c.person_id == bindparam("person_id"), PRESENCES.c.left_at.is_(None)),
        )
    )
    .where(HEAD.c.id == 1)
)
# the state and the scanning person's records (re-read under the lock), in one statement
STATE_AND_RECORDS = with_records(STATE, PERSON_RECORDS)
WAITING = (
    select(PENDING.c.id, PENDING.c.person_id, PENDING.c.scan_event_id)
    .where(PENDING.c.door_id == bindparam("door_id"), _is_pending)
    .order_by(PENDING.c.id)
)
# the waits past their time (every door's: each is logged as it expires), oldest first
EXPIRED = (
    select(PENDING.c.id, PENDING.c.door_id, PENDING.c.person_id, PENDING.c.scan_event_id)
    .where(_is_pending, PENDING.c.expires_at < bindparam("now", type_=PENDING.c.expires_at.type))
    .order_by(PENDING.c.id)
)
EMERGENCY_KIND = (
    select(EMERGENCIES.c.kind)
    .where(EMERGENCIES.c.ended_at.is_(None))
    .order_by(EMERGENCIES.c.id.desc())
    .limit(1)
)
# an event of this scan by its sequence number (known before it is written): the waits'
# writes name their events so, and can be sent in the same round trip as the appends
_EVENT_AT_SEQ = (
    select(EVENTS.c.id)
    .where(EVENTS.c.seq == bindparam("seq", type_=EVENTS.c.seq.type))
    .scalar_subquery()
)
RESOLVE_PENDING = (
    PENDING.update()
    .where(PENDING.c.id == bindparam("pending_id", type_=PENDING.c.id.type))
    .values(
        status=bindparam("status", type_=PENDING.c.status.type),
        resolved_event_id=_EVENT_AT_SEQ,
    )
)
OPEN_PENDING = PENDING.insert().values(
    door_id=bindparam("door_id", type_=PENDING.c.door_id.type),
    person_id=bindparam("pid", type_=PENDING.c.person_id.type),
    scan_event_id=_EVENT_AT_SEQ,
    expires_at=bindparam("expires_at", type_=PENDING.c.expires_at.type),
    status="pending",
)
OPEN_PRESENCE = select(
    PRESENCES.c.id, PRESENCES.c.zone, PRESENCES.c.room_id, PRESENCES.c.escort_person_id
).where(PRESENCES.c.person_id == bindparam("person_id"), PRESENCES.c.left_at.is_(None))
REPLACE_PENDING = (
    PENDING.update()
    .where(PENDING.c.person_id == bindparam("pid", type_=PENDING.c.person_id.type), _is_pending)
    .values(status="replaced")
)


@dataclass(frozen=True, slots=True)
class Entry:
    """A presence an event opens: the person is now recorded in ``zone``."""

    person_id: int
    zone: str
    room_id: int | None
    escort_person_id: int | None


def _typed(prefix: str, table: Any, names: Any) -> dict[str, Any]:
    return {name: bindparam(f"{prefix}{name}", type_=table.c[name].type) for name in names}


_EVENT_COLUMNS = [column.name for column in EVENTS.c if column.name != "id"]
_ENTRY_COLUMNS = ("person_id", "zone", "room_id", "door_id", "entered_at", "escort_person_id")


# SQLite has no writes inside WITH: the same append as separate statements, in turn
APPEND_EVENT = EVENTS.insert().values(_typed("e_", EVENTS, _EVENT_COLUMNS)).returning(EVENTS.c.id)
SET_HEAD = (
    HEAD.update()
    .where(HEAD.c.id == 1)
    .values(_typed("h_", HEAD, ("last_seq", "last_hash", "head_mac")))
)
CLOSE_PRESENCE_AT = (
    PRESENCES.update()
    .where(PRESENCES.c.id == bindparam("c_id", type_=PRESENCES.c.id.type))
    .values(_typed("c_", PRESENCES, ("left_at", "exit_event_id")))
)
OPEN_PRESENCE_AT = PRESENCES.insert().values(
    _typed("p_", PRESENCES, (*_ENTRY_COLUMNS, "entry_event_id"))
)


@cache
def append_statement(close: bool, enter: bool) -> Any:
    """PostgreSQL: the event, the head, and the presence it closes and opens, in one statement.

    ``WITH ev AS (INSERT event RETURNING id) [, closed AS (UPDATE presence ... ev.id)]
    [, opened AS (INSERT presence ... ev.id)] UPDATE head ... RETURNING ev.id``: every part
    sees the same snapshot, which is the one the lock holder just read its state in.
    """
    event = (
        EVENTS.insert()
        .values(_typed("e_", EVENTS, _EVENT_COLUMNS))
        .returning(EVENTS.c.id)
        .cte("ev")
    )
    event_id = select(event.c.id).scalar_subquery()
    statement = (
        HEAD.update()
        .where(HEAD.c.id == 1)
        .values(_typed("h_", HEAD, ("last_seq", "last_hash", "head_mac")))
        .returning(event_id)
    )
    if close:
        closed = (
            PRESENCES.update()
            .where(PRESENCES.c.id == bindparam("c_id", type_=PRESENCES.c.id.type))
            .values(
                left_at=bindparam("c_left_at", type_=PRESENCES.c.left_at.type),
                exit_event_id=event_id,
            )
            .cte("closed")
        )
        statement = statement.add_cte(closed)
    if enter:
        values = _typed("p_", PRESENCES, _ENTRY_COLUMNS)
        opened = (
            PRESENCES.insert()
            .from_select(
                [*_ENTRY_COLUMNS, "entry_event_id"],
                select(*values.values(), event.c.id),
            )
            .cte("opened")
        )
        statement = statement.add_cte(opened)
    return statement
