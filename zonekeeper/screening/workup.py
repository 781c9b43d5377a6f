"""The unreliable-history work-up: the steps that stand in for answers nobody can give.

When the patient cannot give a reliable history and no knowledgeable proxy is
available (rules/screening.yaml ``unanswerable``), the ACR work-up replaces the
questions: a physical examination for scars and radiographs of the chest and
skull/orbits (plus areas of concern), each recorded here by current Level 2
personnel (who may take each step: rules/screening_steps.yaml), then the
supervising radiologist's decision (the ``clearance.unreliable_history`` sign-off,
signoffs.py). Each recorded step sets a ``workup.*`` fact for the engine.

Like sign-offs, steps are append-only and bound to the answers and implants they
were recorded on (a sha256 fingerprint): once the answers change the step no longer
applies and is recorded again; a wrong one is voided with a reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_login import current_user
from sqlalchemy import select

from ..audit.services import record_event
from ..db import utcnow
from ..extensions import db
from ..policy import Policy
from ..policy.screening.facts import WORKUP_FACTS
from .authorization import authorize_step
from .models import Screening, ScreeningWorkupStep
from .services import ScreeningError, evaluate, screening_fingerprint


@dataclass(frozen=True, slots=True)
class WorkupStepKind:
    step: str  # the step id in rules/screening_steps.yaml, also the engine fact
    label: str
    action: str  # the action code (screening.yaml) that asks for it
    hint: str


WORKUP_STEPS: dict[str, WorkupStepKind] = {
    kind.step: kind
    for kind in (
        WorkupStepKind(
            "workup.scar_examination",
            "physical examination for scars",
            "workup_scar_examination",
            "e.g. Midline sternotomy scar; no scar over the chest wall, head or spine",
        ),
        WorkupStepKind(
            "workup.radiographs",
            "radiographs of the chest and skull/orbits (and areas of concern)",
            "workup_radiographs",
            "e.g. Chest, skull and orbit radiographs (and left thigh): no implant or metal",
        ),
    )
}
assert set(WORKUP_STEPS) == set(WORKUP_FACTS), "every workup.* fact has a recorded step"
# what the decision says when it waits for the work-up (reason codes and action codes)
WORKUP_REASONS = frozenset(
    {
        "unreliable_history",
        "workup_scar_examination_missing",
        "workup_radiographs_missing",
        "unknown_answers_need_workup",
        "unknown_answers_covered_by_workup",
    }
)
WORKUP_ACTIONS = frozenset(
    {"unreliable_history_workup", *(kind.action for kind in WORKUP_STEPS.values())}
)


def lineage_workup_steps(screening: Screening) -> list[ScreeningWorkupStep]:
    """Every work-up step of this screening and its earlier versions, voided ones included."""
    if not screening.lineage:
        return []
    return list(
        db.session.scalars(
            select(ScreeningWorkupStep)
            .where(ScreeningWorkupStep.lineage == screening.lineage)
            .order_by(ScreeningWorkupStep.id)
        )
    )


def workup_step_applies(step: ScreeningWorkupStep, screening: Screening) -> bool:
    """Not voided, same lineage, recorded on exactly the answers and implants of now."""
    return (
        step.voided_at is None
        and step.lineage == screening.lineage
        and bool(step.fingerprint)
        and step.fingerprint == screening_fingerprint(screening)
    )


def valid_workup_steps(screening: Screening) -> dict[str, ScreeningWorkupStep]:
    return {s.step: s for s in lineage_workup_steps(screening) if workup_step_applies(s, screening)}


def workup_facts(screening: Screening) -> dict[str, bool]:
    """The ``workup.*`` facts: true for each valid recorded step; a step not recorded (or
    recorded on other answers) stays unknown, which the engine reads as not done."""
    return {step: True for step in valid_workup_steps(screening)}


def requested_workup_steps(decision: Mapping[str, Any] | None) -> list[str]:
    """The steps the decision's actions ask for, in the table's order."""
    if not decision:
        return []
    codes = {a.get("code") for a in decision.get("actions", [])}
    return [kind.step for kind in WORKUP_STEPS.values() if kind.action in codes]


def workup_wanted(decision: Mapping[str, Any] | None) -> bool:
    """Whether the decision is about the work-up at all (the page shows the panel then)."""
    if not decision:
        return False
    codes = {r.get("code") for r in decision.get("reasons", [])}
    actions = {a.get("code") for a in decision.get("actions", [])}
    return bool(codes & WORKUP_REASONS or actions & WORKUP_ACTIONS)


def _open(screening: Screening) -> None:
    if screening.superseded:
        raise ScreeningError("This version was amended; record the work-up on the newest version.")
    if screening.signed:
        raise ScreeningError(
            "The final check is done and the screening is locked: amend it to change the work-up."
        )


def record_workup_step(
    screening: Screening, step: str, finding: str, today: date, policy: Policy
) -> ScreeningWorkupStep:
    """Record one work-up step and evaluate again. Raises ScreeningError (nothing changed)."""
    _open(screening)
    kind = WORKUP_STEPS.get(step)
    if kind is None:
        raise ScreeningError("Unknown work-up step.")
    authorize_step(step, current_user, today, policy)
    evaluation = screening.latest_evaluation
    if step not in requested_workup_steps(evaluation.decision if evaluation else None):
        raise ScreeningError(f"Nothing on this screening asks for the {kind.label} now.")
    if step in valid_workup_steps(screening):
        raise ScreeningError(f"The {kind.label} is already recorded; void it first to replace it.")
    finding = " ".join(finding.split())
    if len(finding) < 10:
        raise ScreeningError(f"Describe the finding of the {kind.label} (what was seen).")
    record = ScreeningWorkupStep(
        screening=screening,
        screening_id=screening.id,
        lineage=screening.lineage,
        step=step,
        finding=finding[:2000],
        recorded_by_user_id=current_user.id,
        fingerprint=screening_fingerprint(screening),
    )
    db.session.add(record)
    db.session.flush()
    record_event(
        "screening.workup",
        f"Work-up step #{record.id} on screening #{screening.id}: {kind.label}",
        target=screening,
        person_id=screening.person_id,
        after={"workup_step": record.id, "step": step},
    )
    evaluate(screening, "workup", today, policy)
    return record


def void_workup_step(
    screening: Screening, step_id: int, reason: str, today: date, policy: Policy
) -> ScreeningWorkupStep:
    """Void a wrong step (kept, with the reason) and evaluate again: the step is needed again."""
    _open(screening)
    record = db.session.get(ScreeningWorkupStep, step_id)
    if record is None or record.lineage != screening.lineage:
        raise ScreeningError("No such work-up step on this screening.")
    authorize_step(record.step, current_user, today, policy)
    if record.voided_at is not None:
        raise ScreeningError("This work-up step is already voided.")
    reason = " ".join(reason.split())
    if len(reason) < 5:
        raise ScreeningError("Give the reason for voiding the work-up step.")
    record.voided_at, record.voided_by_user_id = utcnow(), current_user.id
    record.void_reason = reason[:500]
    record_event(
        "screening.workup_void",
        f"Voided work-up step #{record.id} on screening #{screening.id}",
        target=screening,
        person_id=screening.person_id,
        before={"workup_step": record.id, "step": record.step},
        after={"reason": record.void_reason},
    )
    evaluate(screening, "workup_void", today, policy)
    return record


def workup_rows(screening: Screening) -> list[tuple[WorkupStepKind, ScreeningWorkupStep, bool]]:
    """(kind, step, applies) for the page: voided and stale steps are shown as such."""
    return [
        (WORKUP_STEPS[s.step], s, workup_step_applies(s, screening))
        for s in lineage_workup_steps(screening)
        if s.step in WORKUP_STEPS
    ]
