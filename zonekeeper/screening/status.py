"""What a screening's state means to the rest of the product: the constraints still
to confirm, whether a no-screen exception stands, the door's screening status and
today's list. Reads only; the workflow and services.py write."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select

from ..db import fetch_rows
from ..extensions import db
from ..people.models import Person
from ..site.models import Scanner
from .models import ConstraintConfirmation, Screening, ScreeningEvaluation


def current_constraints(screening: Screening) -> list[dict[str, Any]]:
    evaluation = screening.latest_evaluation
    return list(evaluation.decision.get("constraints", [])) if evaluation else []


def valid_confirmations(screening: Screening) -> dict[str, ConstraintConfirmation]:
    """Confirmations that still count: not voided, same exam, same constraint text."""
    texts = {c["id"]: c["text"] for c in current_constraints(screening)}
    return {
        c.constraint_id: c
        for c in screening.confirmations
        if c.voided_at is None
        and c.exam_key == screening.exam_key
        and texts.get(c.constraint_id) == c.constraint_text
    }


def unconfirmed_constraints(screening: Screening) -> list[dict[str, Any]]:
    done = valid_confirmations(screening)
    return [c for c in current_constraints(screening) if c["id"] not in done]


def latest_versions_query() -> Any:
    return select(Screening).where(Screening.superseded.is_(False))


def todays_screenings(today: date) -> list[Screening]:
    return list(
        db.session.scalars(
            latest_versions_query()
            .where(Screening.visit_date == today)
            .order_by(Screening.created_at.desc())
        )
    )


def exception_problems(screening: Any) -> list[str]:
    """Why a no-screen exception does not (or no longer) stand: both signatures, the
    reason and the acknowledged risk must be on file (empty: it stands)."""
    problems = []
    if screening.state not in ("no_screen_exception", "final_check_done"):
        problems.append("No no-screen exception is recorded.")
        return problems
    if not screening.exception_ordering_physician.strip():
        problems.append("The ordering physician is not named.")
    if screening.exception_mr_physician_user_id is None:
        problems.append("The covering Level 2 MR physician has not signed with their own account.")
    if len(screening.exception_reason.strip()) < 10 or not screening.exception_at:
        problems.append("The clinical reason and the acknowledged risk are not on file.")
    return problems


_screenings = Screening.__table__
_evaluations = ScreeningEvaluation.__table__
_scanners = Scanner.__table__
# what the door reads of a person's screenings on a day (the latest versions): the state,
# the no-screen exception's signatures, the scanner's room and the latest evaluation's
# disposition; plain rows, one statement (the scan reads it with the access log's lock)
DOOR_SCREENINGS = (
    select(
        _screenings.c.state,
        _screenings.c.exception_ordering_physician,
        _screenings.c.exception_mr_physician_user_id,
        _screenings.c.exception_reason,
        _screenings.c.exception_at,
        _scanners.c.room_id.label("scanner_room_id"),
        select(_evaluations.c.disposition)
        .where(_evaluations.c.screening_id == _screenings.c.id)
        .order_by(_evaluations.c.id.desc())
        .limit(1)
        .scalar_subquery()
        .label("latest_disposition"),
    )
    .select_from(_screenings.join(_scanners, _scanners.c.id == _screenings.c.scanner_id))
    .where(
        _screenings.c.person_id == bindparam("person_id"),
        _screenings.c.visit_date == bindparam("today", type_=_screenings.c.visit_date.type),
        _screenings.c.superseded.is_(False),
    )
)


def door_screening_status(person: Person, today: date, room_id: int | None = None) -> str:
    """For the door check-in: "cleared" only for a screening of ``person`` today that is
    safe_to_scan; "no_screen_exception" for one that ended in the final check under a
    no-screen exception whose two signatures (the ordering physician, named, and the
    Level 2 MR physician's own account) and acknowledged risk are on file; otherwise
    "not_cleared", "pending" or "missing".

    With ``room_id`` (a Zone IV door's magnet room), only a screening whose scanner is in
    that room counts: a patient cleared on the 1.5 T is "not_cleared" at the 3 T room's
    door. With None, any such screening today counts.
    """
    db.session.flush()  # the rows are read with Core: what this session changed first
    rows = fetch_rows(
        db.session.connection(), DOOR_SCREENINGS, {"person_id": person.id, "today": today}
    )
    return door_status_of(rows, room_id)


def door_status_of(rows: Sequence[Any], room_id: int | None) -> str:
    """``door_screening_status`` from rows of ``DOOR_SCREENINGS`` (pure)."""
    if not rows:
        return "missing"
    safe = [s for s in rows if s.state == "safe_to_scan"]
    excepted = [s for s in rows if s.state == "final_check_done" and not exception_problems(s)]
    if room_id is not None:
        elsewhere = bool(safe or excepted)
        safe = [s for s in safe if s.scanner_room_id == room_id]
        excepted = [s for s in excepted if s.scanner_room_id == room_id]
    if safe:
        return "cleared"
    if excepted:
        return "no_screen_exception"
    if room_id is not None and elsewhere:  # cleared, but for a scanner in another room
        return "not_cleared"
    if any(s.latest_disposition == "not_cleared" for s in rows):
        return "not_cleared"
    return "pending"
