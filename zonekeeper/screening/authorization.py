"""Who may take a screening step: the account and its person's standing today, asked of
the step table (rules/screening_steps.yaml, decided by
:func:`zonekeeper.policy.screening_steps.decide_step`).

Every step of the workflow, whoever calls it (web, API, CLI), goes through
:func:`authorize_step` before it changes anything; a refusal raises
:class:`ScreeningError` with the table's "who may take it" and the caller rolls back.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date
from typing import Any

from ..extensions import db
from ..people.models import Person
from ..people.services import person_standing
from ..policy import Policy
from ..policy.screening_steps import StepActor, StepDecision, decide_step
from .services import ScreeningError

log = logging.getLogger(__name__)


def acting_person_of(user: Any) -> Person | None:
    person_id = getattr(user, "person_id", None)
    return db.session.get(Person, person_id) if person_id else None


def step_actor(user: Any, today: date, policy: Policy) -> StepActor:
    """The account's role and its person's current level and designations today."""
    person = acting_person_of(user)
    if person is None or not person.active:
        return StepActor(role=str(getattr(user, "role", "")), person_id=None, level=None)
    standing = person_standing(person, today, policy)
    level_2_current = standing.level.level == "level_2"
    return StepActor(
        role=str(getattr(user, "role", "")),
        person_id=person.id,
        level=standing.level.level,
        # every designation requires current Level 2 (rules/personnel.yaml)
        designations=standing.designations if level_2_current else (),
    )


def step_decision(
    step: str,
    user: Any,
    today: date,
    policy: Policy,
    *,
    earlier_person_ids: Iterable[int] = (),
) -> StepDecision:
    try:
        return decide_step(
            policy.steps,
            step,
            step_actor(user, today, policy),
            level_ranks={level.id: level.rank for level in policy.levels},
            earlier_person_ids=[p for p in earlier_person_ids if p is not None],
            policy_version=policy.version,
        )
    except Exception:  # fail closed: a broken check never lets anyone take a step
        log.exception("step authorization failed; refused")
        return StepDecision(
            False,
            step,
            "system_error",
            "Who may take this step could not be checked: the step is refused. Call the MRSO.",
            "steps.error",
            policy.version,
        )


def authorize_step(
    step: str,
    user: Any,
    today: date,
    policy: Policy,
    *,
    earlier_person_ids: Iterable[int] = (),
) -> Person | None:
    """The acting person if ``user`` may take ``step`` today; else ScreeningError."""
    decision = step_decision(step, user, today, policy, earlier_person_ids=earlier_person_ids)
    if not decision.allowed:
        raise ScreeningError(decision.text)
    return acting_person_of(user)


def may_take(step: str, user: Any, today: date, policy: Policy) -> bool:
    """For showing or hiding a button; the step itself asks again when taken."""
    return step_decision(step, user, today, policy).allowed


def step_permissions(user: Any, today: date, policy: Policy) -> dict[str, bool]:
    """Every step of the table -> whether ``user`` may take it today (for the page)."""
    actor = step_actor(user, today, policy)
    ranks = {level.id: level.rank for level in policy.levels}
    return {
        step: decide_step(policy.steps, step, actor, level_ranks=ranks).allowed
        for step in policy.steps
    }
