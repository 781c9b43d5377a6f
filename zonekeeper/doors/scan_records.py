"""A scanned badge and its person's records as plain values, read with one Core statement.

A door decides on the badge, the person and their trainings, own screening forms
and designations. Loading those as ORM objects (identity map, instrumented
attributes, joined eager loading) cost a scan more CPU than deciding on them, so
the common scan reads them here as frozen records with the attributes the
shared fact builders (``people.services.access_facts``, ``scan_result.person_facts``)
read. The full path under the lock still uses the ORM models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, select, true
from sqlalchemy.engine import Connection

from ..badges.models import Badge
from ..db import fetch_rows
from ..people.models import Designation, Person, StaffScreening, TrainingRecord


@dataclass(frozen=True, slots=True)
class TrainingRow:
    level: str
    completed_on: date
    voided_at: datetime | None


@dataclass(frozen=True, slots=True)
class ScreeningRow:
    screened_on: date
    valid_until: date
    cleared: bool
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class DesignationRow:
    role: str
    granted_on: date
    ended_on: date | None

    held_on = Designation.held_on  # the model's own rule, on the same attributes


@dataclass(frozen=True, slots=True)
class PersonRecords:
    """What ``access_facts`` and ``full_name`` read of a person (lists in the ORM's order)."""

    id: int
    kind: str
    given_name: str
    family_name: str
    trainings: tuple[TrainingRow, ...]
    screenings: tuple[ScreeningRow, ...]
    designations: tuple[DesignationRow, ...]


@dataclass(frozen=True, slots=True)
class BadgeRecord:
    id: int
    version: int
    valid_from: date
    valid_until: date
    revoked_at: datetime | None
    person: PersonRecords

    status_on = Badge.status_on  # the model's own rule, on the same attributes


_badges = Badge.__table__
_people = Person.__table__
_trainings = TrainingRecord.__table__
_screenings = StaffScreening.__table__
_designations = Designation.__table__

_PERSON_COLUMNS = (
    _people.c.id.label("person_id"),
    _people.c.kind,
    _people.c.given_name,
    _people.c.family_name,
    _trainings.c.id.label("t_id"),
    _trainings.c.level.label("t_level"),
    _trainings.c.completed_on.label("t_completed_on"),
    _trainings.c.voided_at.label("t_voided_at"),
    _screenings.c.id.label("s_id"),
    _screenings.c.screened_on.label("s_screened_on"),
    _screenings.c.valid_until.label("s_valid_until"),
    _screenings.c.cleared.label("s_cleared"),
    _screenings.c.recorded_at.label("s_recorded_at"),
    _designations.c.id.label("d_id"),
    _designations.c.role.label("d_role"),
    _designations.c.granted_on.label("d_granted_on"),
    _designations.c.ended_on.label("d_ended_on"),
)


def _with_records(people: Any) -> Any:
    """``people`` (or a join ending in it) with the person's records, outer-joined."""
    return (
        people.outerjoin(_trainings, _trainings.c.person_id == _people.c.id)
        .outerjoin(_screenings, _screenings.c.person_id == _people.c.id)
        .outerjoin(_designations, _designations.c.person_id == _people.c.id)
    )


# One row per (training, screening, designation) combination: a person has a few
# of each. Ordered like the relationships (trainings by completed_on, screenings by
# screened_on), so keeping each record's first appearance keeps the ORM's order.
_IN_ORDER = ("t_completed_on", "t_id", "s_screened_on", "s_id", "d_id")
BADGE_RECORDS = (
    select(
        _badges.c.version,
        _badges.c.valid_from,
        _badges.c.valid_until,
        _badges.c.revoked_at,
        *_PERSON_COLUMNS,
    )
    .select_from(_with_records(_badges.join(_people, _people.c.id == _badges.c.person_id)))
    .where(_badges.c.id == bindparam("badge_id"))
)
PERSON_RECORDS = (
    select(*_PERSON_COLUMNS)
    .select_from(_with_records(_people))
    .where(_people.c.id == bindparam("person_id"))
)
_BADGE_RECORDS = BADGE_RECORDS.order_by(*(BADGE_RECORDS.selected_columns[n] for n in _IN_ORDER))
PERSON_RECORDS_IN_ORDER = PERSON_RECORDS.order_by(
    *(PERSON_RECORDS.selected_columns[n] for n in _IN_ORDER)
)


def with_records(base: Select[Any], records: Select[Any]) -> Select[Any]:
    """``base`` (a statement giving at most one row) with ``records`` (``BADGE_RECORDS``
    or ``PERSON_RECORDS``) beside it, in one statement: one row per record combination,
    in order, the base's columns repeated; one row with NULL records when there are none.
    Build it once (at import) and keep it: ``fetch_rows`` caches by statement."""
    outer, inner = base.subquery("base"), records.subquery("records")
    return (
        select(*outer.c, *inner.c)
        .select_from(outer.outerjoin(inner, true()))
        .order_by(*(inner.c[name] for name in _IN_ORDER))
    )


def _person(rows: Sequence[Any]) -> PersonRecords:
    trainings: dict[int, TrainingRow] = {}
    screenings: dict[int, ScreeningRow] = {}
    designations: dict[int, DesignationRow] = {}
    for row in rows:
        if row.t_id is not None and row.t_id not in trainings:
            trainings[row.t_id] = TrainingRow(row.t_level, row.t_completed_on, row.t_voided_at)
        if row.s_id is not None and row.s_id not in screenings:
            screenings[row.s_id] = ScreeningRow(
                row.s_screened_on, row.s_valid_until, bool(row.s_cleared), row.s_recorded_at
            )
        if row.d_id is not None and row.d_id not in designations:
            designations[row.d_id] = DesignationRow(row.d_role, row.d_granted_on, row.d_ended_on)
    first = rows[0]
    return PersonRecords(
        first.person_id,
        first.kind,
        first.given_name,
        first.family_name,
        tuple(trainings.values()),
        tuple(screenings.values()),
        tuple(designations.values()),
    )


def badge_from_rows(rows: Sequence[Any], badge_id: int) -> BadgeRecord | None:
    """The badge from rows of ``BADGE_RECORDS`` (alone or ``with_records``); None when
    there is none."""
    if not rows or rows[0].person_id is None:
        return None
    first = rows[0]
    return BadgeRecord(
        badge_id,
        first.version,
        first.valid_from,
        first.valid_until,
        first.revoked_at,
        _person(rows),
    )


def load_badge_record(connection: Connection, badge_id: int) -> BadgeRecord | None:
    return badge_from_rows(fetch_rows(connection, _BADGE_RECORDS, {"badge_id": badge_id}), badge_id)


def person_from_rows(rows: Sequence[Any]) -> PersonRecords | None:
    """The person from rows of ``PERSON_RECORDS`` (alone or ``with_records``)."""
    return _person(rows) if rows and rows[0].person_id is not None else None


def load_person_records(connection: Connection, person_id: int) -> PersonRecords | None:
    return person_from_rows(
        fetch_rows(connection, PERSON_RECORDS_IN_ORDER, {"person_id": person_id})
    )
