"""The screening's steps: first screen, Level 2 review, constraints, final check,
the no-screen exception and amendments (ACR Manual on MR Safety 2020, SEA #38).

Each step checks who is acting (roles are checked by the view; training here),
changes the state, and records one audit event in the caller's transaction.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

from flask_login import current_user

from ..audit.services import record_event
from ..db import utcnow
from ..extensions import db
from ..people.models import Person
from ..people.services import person_standing
from ..policy import Policy
from ..policy.screening.rules import unanswerable_state
from .authorization import authorize_step, may_take
from .models import ConstraintConfirmation, Screening
from .services import (
    ScreeningError,
    check_answers,
    evaluate,
    exception_problems,
    unconfirmed_constraints,
)

ELIGIBLE = ("cleared", "conditional")
CONTRAST_OK = ("cleared", "not_applicable")


def acting_person() -> Person | None:
    return db.session.get(Person, current_user.person_id) if current_user.person_id else None


def is_current_level_2(person: Person | None, today: date, policy: Policy) -> bool:
    if person is None:
        return False
    return person_standing(person, today, policy).level.level == "level_2"


def _authorize(step: str, today: date, policy: Policy, **earlier: Any) -> Person | None:
    """The step table (rules/screening_steps.yaml) decides who may take ``step``."""
    return authorize_step(step, current_user, today, policy, **earlier)


def _event(screening: Screening, action: str, summary: str, **extra: Any) -> None:
    record_event(action, summary, target=screening, person_id=screening.person_id, **extra)


def _require_latest(screening: Screening) -> None:
    if screening.superseded:
        raise ScreeningError("This version was amended; work on the newest version.")


def submit_first_screen(screening: Screening, today: date, policy: Policy) -> None:
    """The written form is complete. Emergent: a current Level 2 screen is enough alone."""
    _require_latest(screening)
    if screening.state != "draft":
        raise ScreeningError("The first screen is already recorded.")
    _authorize("first_screen", today, policy)
    result = check_answers(screening, today)
    # nobody can answer (no reliable history, no proxy: rules/screening.yaml `unanswerable`):
    # the open questions are not asked; the engine asks for the ACR work-up instead
    not_asked = policy.screening is not None and unanswerable_state(
        policy.screening.unanswerable, result.facts
    )
    if not result.valid or (result.missing and not not_asked):
        raise ScreeningError(
            f"The form is not complete: {len(result.missing)} question(s) are unanswered. "
            'Answer "I don\'t know" where the patient does not know.'
        )
    screening.state = "first_screen_done"
    screening.first_screen_at, screening.first_screen_by_user_id = utcnow(), current_user.id
    single = screening.emergent and may_take("emergent_single_screen", current_user, today, policy)
    if single:
        screening.state = "second_screen_done"
        screening.single_screen_emergent = True
        screening.second_screen_at = screening.first_screen_at
        screening.second_screen_by_user_id = current_user.id
        screening.second_screen_note = "Emergent: screened once by current Level 2 personnel."
    _event(
        screening,
        "screening.first_screen",
        f"First screen of screening #{screening.id} recorded"
        + (" (emergent, single Level 2 screen)" if single else ""),
    )
    evaluate(screening, "first_screen", today, policy)


def record_second_screen(screening: Screening, note: str, today: date, policy: Policy) -> None:
    """The Level 2 verbal review, by someone other than the first screener."""
    _require_latest(screening)
    if screening.state != "first_screen_done":
        raise ScreeningError("The Level 2 review follows a recorded first screen.")
    first_by = screening.first_screen_by
    if first_by is not None and first_by.id == current_user.id:
        raise ScreeningError(
            "The second screen must be done by a different person from the first screen."
        )
    _authorize(
        "second_screen",
        today,
        policy,
        earlier_person_ids=[first_by.person_id] if first_by and first_by.person_id else [],
    )
    screening.state = "second_screen_done"
    screening.second_screen_at, screening.second_screen_by_user_id = utcnow(), current_user.id
    screening.second_screen_note = note.strip()[:2000]
    _event(screening, "screening.second_screen", f"Level 2 review of screening #{screening.id}")
    evaluate(screening, "second_screen", today, policy)


def confirm_constraints(
    screening: Screening, constraint_ids: list[str], today: date, policy: Policy
) -> int:
    """Level 2 ticks constraints for this scanner, coil and region; returns how many."""
    _require_latest(screening)
    if screening.state != "second_screen_done":
        raise ScreeningError("Constraints are confirmed after the Level 2 review.")
    _authorize("confirm_constraints", today, policy)
    open_ = {c["id"]: c for c in unconfirmed_constraints(screening)}
    unknown = [cid for cid in constraint_ids if cid not in open_]
    if unknown:
        raise ScreeningError("The constraints changed since the page was opened; tick them again.")
    for cid in constraint_ids:
        db.session.add(
            ConstraintConfirmation(
                screening=screening,
                constraint_id=cid,
                constraint_text=open_[cid]["text"],
                exam_key=screening.exam_key,
                confirmed_by_user_id=current_user.id,
            )
        )
    if constraint_ids:
        _event(
            screening,
            "screening.confirm",
            f"Confirmed {len(constraint_ids)} constraint(s) of screening #{screening.id} "
            f"on {screening.scanner.name}",
            after={"constraints": constraint_ids},
        )
    return len(constraint_ids)


def final_check_problems(screening: Screening) -> list[str]:
    """Why the final check cannot be recorded yet (empty: it can)."""
    if screening.superseded:
        return ["This version was amended; work on the newest version."]
    if screening.state == "no_screen_exception":
        return []
    if screening.state != "second_screen_done":
        return ["The screening needs the first screen and the Level 2 review first."]
    evaluation = screening.latest_evaluation
    problems = []
    if evaluation is None or evaluation.disposition not in ELIGIBLE:
        problems.append("The outcome on this scanner is not cleared or conditional.")
    elif evaluation.disposition == "conditional" and unconfirmed_constraints(screening):
        problems.append("Every constraint must be confirmed by Level 2 for this scanner and exam.")
    if evaluation is not None and evaluation.contrast_disposition not in CONTRAST_OK:
        problems.append("The planned contrast agent is not cleared: resolve it or remove it.")
    return problems


def record_final_check(
    screening: Screening, checks: dict[str, Any], today: date, policy: Policy
) -> None:
    """The full stop before Zone IV. Only now does a screening become safe_to_scan.

    Only current Level 2 personnel (the step table) may record it; a refusal changes
    nothing, not even an evaluation row.
    """
    _require_latest(screening)
    _authorize("final_check", today, policy)
    if screening.state == "no_screen_exception":
        problems = exception_problems(screening)
        if problems:
            raise ScreeningError(" ".join(problems))
    evaluate(screening, "final_check", today, policy)  # the policy may have changed since
    problems = final_check_problems(screening)
    if problems:
        raise ScreeningError(" ".join(problems))
    if not (checks.get("forms_reviewed") and checks.get("visual_inspection")):
        raise ScreeningError("Tick the verbal review of the form and the visual inspection.")
    exception = screening.state == "no_screen_exception"
    screening.state = "final_check_done" if exception else "safe_to_scan"
    screening.final_check_at, screening.final_check_by_user_id = utcnow(), current_user.id
    screening.final_check = dict(checks)
    _authorize_at_the_door(screening, policy)
    _event(
        screening,
        "screening.final_check",
        f"Final check of screening #{screening.id} on {screening.scanner.name}: {screening.state}",
        after={"state": screening.state},
    )


def _authorize_at_the_door(screening: Screening, policy: Policy) -> None:
    """The final check is the Level 2 person's final authorization (ACR): recorded for the
    door, for Zone IV (which covers Zone III), until the end of the visit's site day."""
    from ..clock import site_zone
    from ..doors.authorizations import MAX_AUTHORIZATION_HOURS, AuthorizationError, authorize_zone

    now = utcnow()
    day_end = datetime.combine(screening.visit_date + timedelta(days=1), time(), site_zone())
    hours = min((day_end - now).total_seconds() / 3600, MAX_AUTHORIZATION_HOURS)
    if hours <= 0:
        return  # a screening of an earlier day: it admits no one at the door today
    # no record when it cannot be given (an account without a Level 2 person): then only a
    # Level 2 escort admits at the door, as before
    with contextlib.suppress(AuthorizationError):
        authorize_zone(
            screening.person,
            "IV",
            hours,
            acting_person(),
            policy,
            note=f"final check of screening #{screening.id}",
            by_user_id=current_user.id,
            screening_id=screening.id,
            now=now,
        )


def record_no_screen_exception(
    screening: Screening,
    ordering_physician: str,
    reason: str,
    acknowledged: bool,
    today: date,
    policy: Policy,
) -> None:
    """Delay would risk death, paralysis or blindness: both physicians accept the risk.

    Signed by the covering Level 2 MR physician with their own account (the step
    table); the ordering physician is named (free text: they may be outside the
    department).
    """
    _require_latest(screening)
    if screening.state not in ("draft", "first_screen_done"):
        raise ScreeningError("A no-screen exception replaces a screening that has not finished.")
    physician = _authorize("no_screen_exception", today, policy)
    assert physician is not None  # the step needs a designation, hence a person
    ordering = " ".join(ordering_physician.split())
    if not ordering:
        raise ScreeningError("Name the ordering physician who shares the decision.")
    if ordering.lower() == physician.display_name.lower():
        raise ScreeningError("The ordering physician and the Level 2 MR physician are two people.")
    if not acknowledged or len(reason.strip()) < 10:
        raise ScreeningError("Give the clinical reason and acknowledge the risk of not screening.")
    screening.state = "no_screen_exception"
    screening.exception_ordering_physician = ordering[:200]
    screening.exception_mr_physician = physician.display_name[:200]
    screening.exception_mr_physician_user_id = current_user.id
    screening.exception_reason = reason.strip()[:2000]
    screening.exception_at, screening.exception_by_user_id = utcnow(), current_user.id
    _event(
        screening,
        "screening.exception",
        f"No-screen exception on screening #{screening.id}, signed by the Level 2 MR physician",
    )


def amend(screening: Screening, reason: str, today: date, policy: Policy) -> Screening:
    """A new draft version carrying the answers, implants and exam; the original stays."""
    _require_latest(screening)
    if not screening.answers_locked:
        raise ScreeningError("This screening is not locked yet: correct the answers directly.")
    if len(reason.strip()) < 5:
        raise ScreeningError("Give the reason for the amendment.")
    _authorize("amend", today, policy)
    amended = Screening(
        lineage=screening.lineage or uuid.uuid4().hex,
        version=screening.version + 1,
        supersedes_id=screening.id,
        amendment_reason=reason.strip()[:2000],
        subject_id=screening.subject_id,
        person_id=screening.person_id,
        subject_kind=screening.subject_kind,
        visit_date=screening.visit_date,
        emergent=screening.emergent,
        form_id=screening.form_id,
        form_version=screening.form_version,
        definition_hash=screening.definition_hash,
        answers=dict(screening.answers or {}),
        implants=list(screening.implants or []),
        scanner_id=screening.scanner_id,
        scanner=screening.scanner,
        body_region=screening.body_region,
        transmit_coil=screening.transmit_coil,
        operating_mode=screening.operating_mode,
        setting=screening.setting,
        contrast_agent=screening.contrast_agent,
        created_by_user_id=current_user.id,
        final_check={},
    )
    screening.superseded = True
    db.session.add(amended)
    db.session.flush()
    record_event(
        "screening.amend",
        f"Amending screening #{screening.id} as #{amended.id} (v{amended.version})",
        target=amended,
        person_id=amended.person_id,
        before={"id": screening.id, "version": screening.version},
        after={"id": amended.id, "version": amended.version},
    )
    evaluate(amended, "amendment", today, policy)
    return amended
