"""Policy test cases kept as data (``rules/tests/*.yaml``): facts in, decision out.

Used by the parametrized pytest and by ``zonekeeper rules test`` so a site can
check its own edited policy against its own cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .engine import decide_zone_access
from .errors import PolicyError, PolicyIssue
from .model import Policy


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    outcome: Literal["grant", "grant_with_escort", "deny"]
    codes: list[str] = Field(min_length=1)
    rules: list[str] = Field(default_factory=list)


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    facts: dict[str, Any]
    expect: Expectation


class CaseFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    cases: list[Case] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: Case
    file: str
    passed: bool
    detail: str


def load_cases(directory: str | Path) -> list[tuple[str, Case]]:
    issues: list[PolicyIssue] = []
    found: list[tuple[str, Case]] = []
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and data.get("kind") in ("screening", "screening_steps"):
                continue  # see screening/cases.py and screening_step_cases.py
            if isinstance(data, dict):  # top-level "x-" keys hold YAML anchors shared by cases
                data = {k: v for k, v in data.items() if not str(k).startswith("x-")}
            parsed = CaseFile.model_validate(data)
        except yaml.YAMLError as exc:
            issues.append(PolicyIssue(path.name, "", f"is not valid YAML: {exc}"))
            continue
        except ValidationError as exc:
            for error in exc.errors():
                loc = ".".join(str(part) for part in error["loc"])
                issues.append(PolicyIssue(path.name, loc, error["msg"]))
            continue
        found.extend((path.name, case) for case in parsed.cases)
    if issues:
        raise PolicyError(issues)
    return found


def run_case(policy: Policy, file: str, case: Case) -> CaseResult:
    decision = decide_zone_access(policy, case.facts)
    problems = []
    if decision.outcome != case.expect.outcome:
        problems.append(f"outcome {decision.outcome}, expected {case.expect.outcome}")
    if sorted(decision.codes) != sorted(case.expect.codes):
        problems.append(f"codes {sorted(decision.codes)}, expected {sorted(case.expect.codes)}")
    fired = sorted(reason.rule_id for reason in decision.reasons)
    if case.expect.rules and fired != sorted(case.expect.rules):
        problems.append(f"rules {fired}, expected {sorted(case.expect.rules)}")
    return CaseResult(case, file, not problems, "; ".join(problems))
