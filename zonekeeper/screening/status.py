"""What a screening's state means to the rest of the product: the constraints still
to confirm, whether a no-screen exception stands, the door's screening status and
today's list. Reads only; the workflow and services.py write."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..people.models import Person
from .models import ConstraintConfirmation, Screening


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


def exception_problems(screening: Screening) -> list[str]:
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
    screenings = list(
        db.session.scalars(
            latest_versions_query().where(
                Screening.person_id == person.id, Screening.visit_date == today
            )
        )
    )
    if not screenings:
        return "missing"
    safe = [s for s in screenings if s.state == "safe_to_scan"]
    excepted = [
        s for s in screenings if s.state == "final_check_done" and not exception_problems(s)
    ]
    if room_id is not None:
        elsewhere = bool(safe or excepted)
        safe = [s for s in safe if s.scanner.room_id == room_id]
        excepted = [s for s in excepted if s.scanner.room_id == room_id]
    if safe:
        return "cleared"
    if excepted:
        return "no_screen_exception"
    if room_id is not None and elsewhere:  # cleared, but for a scanner in another room
        return "not_cleared"
    latest = [s.latest_evaluation for s in screenings]
    if any(e is not None and e.disposition == "not_cleared" for e in latest):
        return "not_cleared"
    return "pending"
