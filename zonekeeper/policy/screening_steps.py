"""Who may take each step of a screening: the table (rules/screening_steps.yaml) and
the pure decision on one actor.

The table is written once, as data; every workflow step (web, API, CLI) asks
:func:`decide_step` before it changes anything. Fail closed: an unknown step, an
actor without a person record, an unknown level or a missing table entry is a
refusal that says who may take the step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .errors import PolicyIssue, suggest
from .schema import StepsFile, StepSpec

# The application's account roles a step can name (zonekeeper/auth/models.py ROLES,
# kiosks excluded: a door station never takes a screening step).
APP_ROLES: tuple[str, ...] = ("technologist", "mrso", "safety_director", "physician", "admin")
# Every step the workflow asks about. A table without one of these fails to load.
WORKFLOW_STEPS: tuple[str, ...] = (
    "answers",
    "first_screen",
    "emergent_single_screen",
    "second_screen",
    "exam",
    "confirm_constraints",
    "final_check",
    "amend",
    "no_screen_exception",
    "workup.scar_examination",
    "workup.radiographs",
    "signoff.clearance.orbits",
    "signoff.clearance.foreign_body",
    "signoff.clearance.metalworking",
    "signoff.clearance.unreliable_history",
    "signoff.clearance.pregnancy",
    "signoff.clearance.mrmd_risk_benefit",
    "signoff.clearance.contrast_reaction",
    "signoff.clearance.low_egfr",
    "signoff.clearance.contrast_pregnancy",
    "signoff.clearance.spatial_gradient",
)


@dataclass(frozen=True, slots=True)
class StepRule:
    id: str
    name: str
    roles: tuple[str, ...]
    min_level: str | None
    designations: tuple[str, ...]
    not_same_person_as: str | None
    source: str
    who: str  # "current Level 2 MR personnel (technologist or MRSO account)"


@dataclass(frozen=True, slots=True)
class StepActor:
    """Who asks: the account's role and, from the roster, the person's standing today."""

    role: str
    person_id: int | None
    level: str | None  # the current level id (non_mr when lapsed); None: no person record
    designations: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StepDecision:
    allowed: bool
    step: str
    code: str  # allowed | unknown_step | role_not_allowed | no_person | level_too_low | ...
    text: str
    rule_id: str
    policy_version: str
    who: str = ""
    reasons: tuple[str, ...] = field(default_factory=tuple)


def compile_steps(
    specs: StepsFile,
    file_name: str,
    levels: Sequence[str],
    level_names: Mapping[str, str],
    designation_names: Mapping[str, str],
    issues: list[PolicyIssue],
) -> dict[str, StepRule]:
    """Meaning checks with file, path and "did you mean": known steps, roles, levels and
    designations; every workflow step present once."""
    steps: dict[str, StepRule] = {}
    for index, spec in enumerate(specs.steps):
        where = f"steps[{index}]"
        if spec.id not in WORKFLOW_STEPS:
            issues.append(
                PolicyIssue(
                    file_name,
                    f"{where}.id",
                    f"unknown step '{spec.id}'",
                    suggest(spec.id, WORKFLOW_STEPS),
                )
            )
        if spec.id in steps:
            issues.append(PolicyIssue(file_name, f"{where}.id", f"duplicate step '{spec.id}'"))
        for role_index, role in enumerate(spec.roles):
            if role not in APP_ROLES:
                issues.append(
                    PolicyIssue(
                        file_name,
                        f"{where}.roles[{role_index}]",
                        f"unknown account role '{role}'",
                        suggest(role, APP_ROLES),
                    )
                )
        if spec.min_level is not None and spec.min_level not in levels:
            issues.append(
                PolicyIssue(
                    file_name,
                    f"{where}.min_level",
                    f"unknown level '{spec.min_level}'",
                    suggest(spec.min_level, levels),
                )
            )
        for d_index, designation in enumerate(spec.designations):
            if designation not in designation_names:
                issues.append(
                    PolicyIssue(
                        file_name,
                        f"{where}.designations[{d_index}]",
                        f"unknown designation '{designation}'",
                        suggest(designation, designation_names),
                    )
                )
        if spec.not_same_person_as is not None and spec.not_same_person_as not in WORKFLOW_STEPS:
            issues.append(
                PolicyIssue(
                    file_name,
                    f"{where}.not_same_person_as",
                    f"unknown step '{spec.not_same_person_as}'",
                    suggest(spec.not_same_person_as, WORKFLOW_STEPS),
                )
            )
        steps[spec.id] = StepRule(
            id=spec.id,
            name=spec.name,
            roles=tuple(spec.roles),
            min_level=spec.min_level,
            designations=tuple(spec.designations),
            not_same_person_as=spec.not_same_person_as,
            source=spec.source,
            who=_who(spec, level_names, designation_names),
        )
    for step in WORKFLOW_STEPS:
        if step not in steps:
            issues.append(PolicyIssue(file_name, "steps", f"no entry for the step '{step}'"))
    return steps


def _who(
    spec: StepSpec, level_names: Mapping[str, str], designation_names: Mapping[str, str]
) -> str:
    roles = " or ".join(r.replace("_", " ") for r in spec.roles)
    if spec.designations:
        held = " or ".join(designation_names.get(d, d) for d in spec.designations)
        who = f"a person designated {held}, with current Level 2 training"
    elif spec.min_level is not None:
        who = f"{level_names.get(spec.min_level, spec.min_level)} with current training"
    else:
        who = "anyone"
    earlier = spec.not_same_person_as
    extra = f", not the person who took the {earlier.replace('_', ' ')}" if earlier else ""
    return f"{who} ({roles} account){extra}"


def decide_step(
    steps: Mapping[str, StepRule],
    step_id: str,
    actor: StepActor,
    *,
    level_ranks: Mapping[str, int],
    earlier_person_ids: Iterable[int] = (),
    policy_version: str = "unknown",
) -> StepDecision:
    """May ``actor`` take ``step_id``? ``earlier_person_ids``: who took the step named in the
    rule's ``not_same_person_as`` (people, by person id). Never raises; fails closed."""
    rule = steps.get(step_id)
    if rule is None:
        return StepDecision(
            False,
            step_id,
            "unknown_step",
            f"The policy has no rule for the step '{step_id}': nobody may take it.",
            "steps.unknown",
            policy_version,
        )

    def refuse(code: str, why: str) -> StepDecision:
        text = f"{why} Only {rule.who} may {rule.name}."
        return StepDecision(
            False, step_id, code, text, f"steps.{rule.id}", policy_version, rule.who
        )

    if actor.role not in rule.roles:
        return refuse("role_not_allowed", "Your account's role may not take this step.")
    needs_person = rule.min_level is not None or rule.designations or rule.not_same_person_as
    if needs_person and actor.person_id is None:
        return refuse(
            "no_person",
            "Your account is not linked to a person on the roster, so your training "
            "cannot be checked.",
        )
    required = rule.min_level or ("level_2" if rule.designations else None)
    if required is not None:
        have = level_ranks.get(actor.level or "", -1)
        need = level_ranks.get(required)
        if need is None or have < need:
            return refuse(
                "training_not_current",
                "Your MR safety training on the roster is not current at the level needed.",
            )
    if rule.designations and not set(rule.designations).intersection(actor.designations):
        return refuse("designation_missing", "You hold no designation that allows this step today.")
    if rule.not_same_person_as and actor.person_id in set(earlier_person_ids):
        return refuse(
            "same_person",
            f"You took the {rule.not_same_person_as.replace('_', ' ')}; "
            "this step must be done by a different person.",
        )
    return StepDecision(
        True,
        step_id,
        "allowed",
        f"Allowed: {rule.who} may {rule.name}.",
        f"steps.{rule.id}",
        policy_version,
        rule.who,
    )
