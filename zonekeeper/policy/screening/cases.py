"""Screening test cases kept as data (``rules/tests/*.yaml`` with ``kind: screening``).

Each case gives answers, implants, an exam and the site's scanners in the JSON
shape the API takes (so the parser is exercised too) and the expected
disposition, reason codes, contrast disposition and, for several scanners,
the scanners on which the exam is eligible.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import PolicyError, PolicyIssue
from .evaluate import evaluate_screening
from .parse import parse_screening_request

if TYPE_CHECKING:  # the policy model imports this package
    from ..model import Policy


class ScreeningExpectation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    disposition: Literal["cleared", "conditional", "more_info_required", "not_cleared"]
    codes: list[str] = Field(min_length=1)  # the set of reason codes, exactly
    contrast: Literal["not_applicable", "cleared", "more_info_required", "not_cleared"]
    contrast_codes: list[str] | None = None  # exactly, when given
    actions: list[str] = Field(default_factory=list)  # each must be among the actions
    constraints: list[str] = Field(default_factory=list)  # ids that must be among the constraints
    eligible: list[str] | None = None  # the scanners where the exam is eligible, exactly


class ScreeningCase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    today: date | None = None
    facts: dict[str, Any]
    implants: list[Any] = Field(default_factory=list)
    exam: dict[str, Any]
    scanners: list[Any] = Field(min_length=1)
    gradient_signoffs: list[Any] = Field(default_factory=list)  # signed-off gradients
    expect: ScreeningExpectation


class ScreeningCaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kind: Literal["screening"]
    today: date  # the day the cases are evaluated on, unless a case gives its own
    cases: list[ScreeningCase] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class ScreeningCaseResult:
    case: ScreeningCase
    file: str
    passed: bool
    detail: str


def is_screening_case_file(data: Any) -> bool:
    return isinstance(data, dict) and data.get("kind") == "screening"


def load_screening_cases(directory: str | Path) -> list[tuple[str, date, ScreeningCase]]:
    """(file, day, case) for every case in the screening case files of ``directory``."""
    issues: list[PolicyIssue] = []
    found: list[tuple[str, date, ScreeningCase]] = []
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            issues.append(PolicyIssue(path.name, "", f"is not valid YAML: {exc}"))
            continue
        if not is_screening_case_file(data):
            continue
        data = {k: v for k, v in data.items() if not str(k).startswith("x-")}  # YAML anchors
        try:
            parsed = ScreeningCaseFile.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                loc = ".".join(str(part) for part in error["loc"])
                issues.append(PolicyIssue(path.name, loc, error["msg"]))
            continue
        found.extend((path.name, case.today or parsed.today, case) for case in parsed.cases)
    if issues:
        raise PolicyError(issues)
    return found


def run_screening_case(
    policy: Policy, file: str, today: date, case: ScreeningCase
) -> ScreeningCaseResult:
    request, problems = parse_screening_request(
        {
            "facts": case.facts,
            "implants": case.implants,
            "exam": case.exam,
            "scanners": case.scanners,
            "gradient_signoffs": case.gradient_signoffs,
        },
        today=today,
    )
    if request is None:
        detail = "; ".join(f"{p['field']}: {p['problem']}" for p in problems)
        return ScreeningCaseResult(case, file, False, f"invalid case input: {detail}")
    decision = evaluate_screening(
        policy,
        request.facts,
        request.implants,
        request.exam,
        request.scanners,
        today,
        request.gradient_assessments,
    )
    want = case.expect
    failed = []
    if decision.disposition != want.disposition:
        failed.append(f"disposition {decision.disposition}, expected {want.disposition}")
    if set(decision.codes) != set(want.codes):
        failed.append(f"codes {sorted(set(decision.codes))}, expected {sorted(set(want.codes))}")
    if decision.contrast.disposition != want.contrast:
        failed.append(f"contrast {decision.contrast.disposition}, expected {want.contrast}")
    contrast_codes = {r.code for r in decision.contrast.reasons}
    if want.contrast_codes is not None and contrast_codes != set(want.contrast_codes):
        failed.append(f"contrast codes {sorted(contrast_codes)}, expected {want.contrast_codes}")
    missing_actions = set(want.actions) - set(decision.action_codes)
    if missing_actions:
        failed.append(f"actions {sorted(decision.action_codes)} lack {sorted(missing_actions)}")
    constraint_ids = {c.id for c in decision.constraints}
    missing_constraints = set(want.constraints) - constraint_ids
    if missing_constraints:
        failed.append(f"constraints {sorted(constraint_ids)} lack {sorted(missing_constraints)}")
    eligible = sorted(s.scanner for s in decision.eligible_scanners if s.eligible)
    if want.eligible is not None and eligible != sorted(want.eligible):
        failed.append(f"eligible {eligible}, expected {sorted(want.eligible)}")
    return ScreeningCaseResult(case, file, not failed, "; ".join(failed))
