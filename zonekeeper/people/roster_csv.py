"""Roster import and export as CSV.

Import is all or nothing: every row is checked first, each problem is reported
with its line number, and only a clean file is written (in one transaction).
Re-importing the same file adds nothing twice.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ..audit.services import record_event, snapshot
from ..extensions import db
from ..inputs import has_unwanted
from ..policy import Policy
from .models import Person
from .roster import PERSON_FIELDS, create_person, record_training
from .services import person_standing

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("staff_number", "given_name", "family_name")
OPTIONAL_COLUMNS = (
    "kind",
    "job_title",
    "organisation",
    "training_level",
    "training_completed_on",
    "course",
    "course_version",
    "evidence",
    "approver_staff_number",
)
TRAINING_COLUMNS = ("training_completed_on", "course", "course_version")
IMPORT_KINDS = ("staff", "visitor", "contractor", "responder")
MAX_ROWS = 5000
MAX_LENGTHS = {
    "staff_number": 40,
    "given_name": 120,
    "family_name": 120,
    "job_title": 120,
    "organisation": 120,
    "course": 200,
    "course_version": 40,
    "evidence": 2000,
    "approver_staff_number": 40,
}


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)
    people_added: int = 0
    people_updated: int = 0
    trainings_added: int = 0
    people: list[Person] = field(default_factory=list)  # every person the file names


@dataclass
class _Row:
    line: int
    values: dict[str, str]
    completed_on: date | None = None


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _decode(raw: bytes) -> tuple[str, list[str]]:
    try:
        return raw.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return "", [
            f"Line {line}: the file is not UTF-8 text. Save it as 'CSV UTF-8' and try again."
        ]


def _records(text: str) -> tuple[list[str], list[tuple[int, list[str]]], list[str]]:
    """The header and each record with the line it starts on; a CSV the reader cannot parse
    (a cell beyond the csv module's 131,072-character limit, broken quoting) is an error."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] = []
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if start == 1:
                header = [h.strip() for h in cells]
            elif len(records) >= MAX_ROWS:
                return header, records, [f"The file has more than {MAX_ROWS} rows; split it."]
            else:
                records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        log.warning("roster CSV unreadable at line %s: %s", start, exc)
        return (
            header,
            [],
            [
                f"Line {start}: the line cannot be read as CSV (a value longer than "
                f"{csv.field_size_limit():,} characters, or a quote that is not closed)."
            ],
        )
    return header, records, []


def _header_errors(header: list[str]) -> list[str]:
    errors = []
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    twice = sorted({c for c in header if header.count(c) > 1})
    if missing:
        errors.append(f"Line 1: missing column(s): {', '.join(missing)}.")
    if unknown:
        shown = ", ".join(c.encode("unicode_escape").decode()[:60] for c in unknown)
        errors.append(f"Line 1: unknown column(s): {shown} (see the README for the columns).")
    if twice:
        errors.append(f"Line 1: column(s) given more than once: {', '.join(twice)}.")
    return errors


def _cell_problems(header: list[str], cells: list[str]) -> list[str]:
    if len(cells) > len(header):
        return ["more values than columns"]
    if len(cells) < len(header):
        return [f"fewer values than columns ({len(cells)} of {len(header)})"]
    return [
        f"{column} contains a control character (such as NUL); remove it"
        for column, value in zip(header, cells, strict=True)
        if has_unwanted(value)
    ]


def read_rows(raw: bytes, policy: Policy, today: date) -> tuple[list[_Row], list[str]]:
    text, errors = _decode(raw)
    if errors:
        return [], errors
    header, records, errors = _records(text)
    if errors:
        return [], errors
    errors = _header_errors(header)
    if errors:
        return [], errors
    levels = {level.id for level in policy.levels}
    rows: list[_Row] = []
    names: dict[str, tuple[str, str, int]] = {}
    for index, cells in records:
        if not any(cell.strip() for cell in cells):
            continue  # blank line
        shape = _cell_problems(header, cells)
        if shape:
            errors += [f"Line {index}: {p}." for p in shape]
            continue
        values = {k: v.strip() for k, v in zip(header, cells, strict=True)}
        row = _Row(index, values)
        problems = [f"{c} is empty" for c in REQUIRED_COLUMNS if not values.get(c)]
        problems += [
            f"{c} is longer than {n} characters"
            for c, n in MAX_LENGTHS.items()
            if len(values.get(c, "")) > n
        ]
        kind = values.get("kind") or "staff"
        if kind not in IMPORT_KINDS:
            problems.append(f"kind '{kind}' is not one of {', '.join(IMPORT_KINDS)}")
        level = values.get("training_level", "")
        if level:
            if level not in levels:
                problems.append(
                    f"training_level '{level}' is not one of {', '.join(sorted(levels))}"
                )
            problems += [
                f"{c} is needed with a training_level"
                for c in TRAINING_COLUMNS
                if not values.get(c)
            ]
            when = values.get("training_completed_on", "")
            row.completed_on = _parse_date(when) if when else None
            if when and row.completed_on is None:
                problems.append(f"training_completed_on '{when}' is not a date (YYYY-MM-DD)")
            elif row.completed_on and row.completed_on > today:
                problems.append("training_completed_on is in the future")
        elif any(values.get(c) for c in TRAINING_COLUMNS):
            problems.append("training columns are filled but training_level is empty")
        number = values.get("staff_number", "")
        seen = names.get(number)
        name = (values.get("given_name", ""), values.get("family_name", ""))
        if number and seen and seen[:2] != name:
            problems.append(f"staff_number {number} has a different name on line {seen[2]}")
        elif number and not seen:
            names[number] = (*name, index)
        errors += [f"Line {index}: {p}." for p in problems]
        rows.append(row)
    if not rows and not errors:
        errors.append("The file has no rows.")
    return rows, errors


def import_roster(raw: bytes, policy: Policy, today: date) -> ImportResult:
    """Check the whole file, then write it; on any error write nothing."""
    rows, errors = read_rows(raw, policy, today)
    result = ImportResult(errors=errors)
    if errors:
        return result
    numbers = {row.values["staff_number"] for row in rows} | {
        row.values["approver_staff_number"]
        for row in rows
        if row.values.get("approver_staff_number")
    }
    people = {
        p.staff_number: p
        for p in db.session.scalars(select(Person).where(Person.staff_number.in_(numbers)))
    }
    for row in rows:
        approver = row.values.get("approver_staff_number")
        if (
            approver
            and approver not in people
            and approver not in {r.values["staff_number"] for r in rows}
        ):
            result.errors.append(
                f"Line {row.line}: approver_staff_number {approver} is not on the roster."
            )
    if result.errors:
        return result
    for row in rows:  # people first, so an approver later in the file is known
        _apply_person(row, people, result)
    for row in rows:
        _apply_training(row, people, policy, today, result)
    return result


def _apply_person(row: _Row, people: dict[str | None, Person], result: ImportResult) -> None:
    v = row.values
    number = v["staff_number"]
    details = {
        "given_name": v["given_name"],
        "family_name": v["family_name"],
        "job_title": v.get("job_title", ""),
        "organisation": v.get("organisation", ""),
    }
    person = people.get(number)
    if person is None:
        person = create_person(kind=v.get("kind") or "staff", staff_number=number, **details)
        people[number] = person
        result.people_added += 1
    else:
        changed = {k: val for k, val in details.items() if val and getattr(person, k) != val}
        if changed:
            before = snapshot(person, PERSON_FIELDS)
            for key, val in changed.items():
                setattr(person, key, val)
            record_event(
                "person.update",
                f"Roster import updated person #{person.id}",
                target=person,
                person_id=person.id,
                before=before,
                after=snapshot(person, PERSON_FIELDS),
            )
            result.people_updated += 1
    result.people.append(person)


def _apply_training(
    row: _Row, people: dict[str | None, Person], policy: Policy, today: date, result: ImportResult
) -> None:
    v = row.values
    person = people[v["staff_number"]]
    if not v.get("training_level"):
        return
    duplicate = any(
        t.completed_on == row.completed_on
        and t.level == v["training_level"]
        and t.course == v["course"]
        and t.course_version == v["course_version"]
        for t in person.trainings
    )
    if duplicate:
        return
    approver = people.get(v.get("approver_staff_number") or None)
    assert row.completed_on is not None
    record_training(
        person,
        completed_on=row.completed_on,
        level=v["training_level"],
        course=v["course"],
        course_version=v["course_version"],
        approver_id=approver.id if approver else None,
        evidence=v.get("evidence", ""),
        policy=policy,
        today=today,
    )
    result.trainings_added += 1


EXPORT_HEADER = [
    "staff_number",
    "given_name",
    "family_name",
    "kind",
    "job_title",
    "organisation",
    "mr_level",
    "training_lapsed",
    "basis_training_level",
    "basis_completed_on",
    "current_until",
    "screening_status",
    "designations",
    "active",
]


def export_rows(people: list[Person], policy: Policy, today: date) -> list[list[object]]:
    rows: list[list[object]] = []
    for person in people:
        standing = person_standing(person, today, policy)
        basis = standing.level.basis
        rows.append(
            [
                person.staff_number,
                person.given_name,
                person.family_name,
                person.kind,
                person.job_title,
                person.organisation,
                standing.level.level,
                "yes" if standing.level.lapsed else "no",
                basis.level if basis else "",
                basis.completed_on.isoformat() if basis else "",
                standing.level.current_until.isoformat() if standing.level.current_until else "",
                standing.screening_status,
                " ".join(standing.designations),
                "yes" if person.active else "no",
            ]
        )
    return rows
