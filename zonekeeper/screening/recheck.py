"""Re-checking recorded final checks against the step table (``zonekeeper screen recheck``).

Before the step table existed, the final check did not ask who recorded it: a Level 1
person, or a Level 2 person whose training had lapsed, could make a screening
``safe_to_scan``. This finds every current screening (safe_to_scan, or final_check_done
under a no-screen exception) whose final check was recorded by someone the table would
not have allowed *on the day they recorded it*, and returns it to the state before the
final check.

Signed records are never edited in place: the returned screening is a new version
(same lineage, the reason in ``amendment_reason``) that carries the answers, implants,
exam, screens and exception over, without the final check; the old version stays as it
was, marked superseded. Sign-offs (bound to the lineage and the answers) still apply;
constraint confirmations belong to the old version and are confirmed again, which
fails closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..audit.services import record_event
from ..clock import site_zone
from ..extensions import db
from ..policy import Policy
from .authorization import step_actor
from .models import Screening
from .services import evaluate, latest_versions_query

SIGNED_STATES = {"safe_to_scan": "second_screen_done", "final_check_done": "no_screen_exception"}
CARRIED = (
    "lineage",
    "subject_id",
    "person_id",
    "subject_kind",
    "visit_date",
    "emergent",
    "form_id",
    "form_version",
    "definition_hash",
    "scanner_id",
    "body_region",
    "transmit_coil",
    "setting",
    "operating_mode",
    "contrast_agent",
    "created_by_user_id",
    "answers_updated_at",
    "answers_updated_by_user_id",
    "first_screen_at",
    "first_screen_by_user_id",
    "second_screen_at",
    "second_screen_by_user_id",
    "second_screen_note",
    "single_screen_emergent",
    "exception_ordering_physician",
    "exception_mr_physician",
    "exception_mr_physician_user_id",
    "exception_reason",
    "exception_at",
    "exception_by_user_id",
)


@dataclass(frozen=True)
class RecheckFinding:
    screening_id: int
    new_version_id: int | None  # None on a dry run
    visit_date: date
    state: str
    returned_to: str
    recorded_by: str
    recorded_on: date
    why: str


def final_check_refusal(screening: Screening, policy: Policy) -> tuple[date, str] | None:
    """(the day, why) if the table would have refused this final check on that day."""
    user = screening.final_check_by
    when = screening.final_check_at
    day = when.astimezone(site_zone()).date() if when else screening.visit_date
    if user is None:
        return day, "No account is recorded for the final check."
    ranks = {level.id: level.rank for level in policy.levels}
    from ..policy.screening_steps import decide_step

    decision = decide_step(
        policy.steps,
        "final_check",
        step_actor(user, day, policy),
        level_ranks=ranks,
        policy_version=policy.version,
    )
    return None if decision.allowed else (day, decision.text)


def recheck_final_checks(policy: Policy, today: date, *, apply: bool) -> list[RecheckFinding]:
    """Every current signed screening whose final check the table refuses; with ``apply``,
    each returns (as a new version) to the state before the final check, audited."""
    findings = []
    candidates = db.session.scalars(
        latest_versions_query()
        .where(Screening.state.in_(tuple(SIGNED_STATES)))
        .order_by(Screening.id)
    )
    for screening in list(candidates):
        refusal = final_check_refusal(screening, policy)
        if refusal is None:
            continue
        day, why = refusal
        returned_to = SIGNED_STATES[screening.state]
        new_id = (
            _return_before_final_check(screening, returned_to, why, today, policy).id
            if apply
            else None
        )
        findings.append(
            RecheckFinding(
                screening.id,
                new_id,
                screening.visit_date,
                screening.state,
                returned_to,
                screening.final_check_by.username if screening.final_check_by else "(none)",
                day,
                why,
            )
        )
    return findings


def _return_before_final_check(
    screening: Screening, state: str, why: str, today: date, policy: Policy
) -> Screening:
    reason = (
        f"Re-check: the final check was recorded by someone not allowed to record it "
        f"on that day ({why}) The screening returns to the state before the final check."
    )
    returned = Screening(
        version=screening.version + 1,
        supersedes_id=screening.id,
        amendment_reason=reason[:2000],
        answers=dict(screening.answers or {}),
        implants=list(screening.implants or []),
        state=state,
        final_check={},
        **{name: getattr(screening, name) for name in CARRIED},
    )
    screening.superseded = True
    db.session.add(returned)
    db.session.flush()
    record_event(
        "screening.final_check_revoked",
        f"Final check of screening #{screening.id} not valid (recorded by someone not then "
        f"allowed); returned as #{returned.id} (v{returned.version}) to '{state}'",
        target=returned,
        person_id=returned.person_id,
        before={"id": screening.id, "state": screening.state},
        after={"id": returned.id, "state": state},
    )
    evaluate(returned, "recheck", today, policy)
    return returned
