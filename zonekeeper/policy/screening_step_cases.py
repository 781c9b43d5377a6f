"""The step table's cases kept as data (``rules/tests/*.yaml`` with ``kind:
screening_steps``): each step against a cast of actors (Non-MR, Level 1, current and
lapsed Level 2, MRSO, physicians, the person who took the previous screen), every actor
not listed as allowed must be refused. Run by pytest and ``zonekeeper rules test``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import Field, ValidationError

from .errors import PolicyError, PolicyIssue, suggest
from .model import Policy
from .schema import StrictModel
from .screening_steps import StepActor, decide_step


class ActorSpec(StrictModel):
    role: str
    level: str | None
    designations: list[str] = Field(default_factory=list)
    took: list[str] = Field(default_factory=list)  # earlier steps this person took


class StepCasesFile(StrictModel):
    kind: Literal["screening_steps"]
    actors: dict[str, ActorSpec] = Field(min_length=1)
    steps: dict[str, list[str]] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class StepCase:
    name: str  # "final_check × lapsed_level_2"
    step: str
    actor_name: str
    actor: ActorSpec
    allowed: bool


@dataclass(frozen=True, slots=True)
class StepCaseResult:
    case: StepCase
    file: str
    passed: bool
    detail: str


def load_step_cases(directory: str | Path) -> list[tuple[str, StepCase]]:
    """Every step × every actor of each ``kind: screening_steps`` file."""
    issues: list[PolicyIssue] = []
    found: list[tuple[str, StepCase]] = []
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            issues.append(PolicyIssue(path.name, "", f"is not valid YAML: {exc}"))
            continue
        if not (isinstance(data, dict) and data.get("kind") == "screening_steps"):
            continue
        try:
            parsed = StepCasesFile.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                loc = ".".join(str(part) for part in error["loc"])
                issues.append(PolicyIssue(path.name, loc, error["msg"]))
            continue
        for step, allowed in parsed.steps.items():
            for index, name in enumerate(allowed):
                if name not in parsed.actors:
                    issues.append(
                        PolicyIssue(
                            path.name,
                            f"steps.{step}[{index}]",
                            f"unknown actor '{name}'",
                            suggest(name, parsed.actors),
                        )
                    )
            found.extend(
                (
                    path.name,
                    StepCase(f"{step} × {name}", step, name, actor, name in allowed),
                )
                for name, actor in parsed.actors.items()
            )
    if issues:
        raise PolicyError(issues)
    return found


def run_step_case(policy: Policy, file: str, case: StepCase) -> StepCaseResult:
    actor = case.actor
    decision = decide_step(
        policy.steps,
        case.step,
        StepActor(
            role=actor.role,
            person_id=1 if actor.level is not None else None,
            level=actor.level,
            designations=tuple(actor.designations),
        ),
        level_ranks={level.id: level.rank for level in policy.levels},
        earlier_person_ids=[1] if _took_earlier(policy, case.step, actor) else [],
        policy_version=policy.version,
    )
    passed = decision.allowed == case.allowed
    expected = "allowed" if case.allowed else "refused"
    detail = "" if passed else f"{decision.code} ({decision.text}), expected {expected}"
    return StepCaseResult(case, file, passed, detail)


def _took_earlier(policy: Policy, step: str, actor: ActorSpec) -> bool:
    rule = policy.steps.get(step)
    return rule is not None and rule.not_same_person_as in actor.took
