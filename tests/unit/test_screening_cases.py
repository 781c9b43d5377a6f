"""The table-driven screening cases in rules/tests/screening_cases.yaml, one pytest case each."""

from __future__ import annotations

import pytest

from tests.conftest import RULES_DIR
from zonekeeper.policy import load_policy
from zonekeeper.policy.screening.cases import load_screening_cases, run_screening_case
from zonekeeper.policy.screening.evaluate import evaluate_screening
from zonekeeper.policy.screening.facts import NOT_ANSWERED
from zonekeeper.policy.screening.parse import parse_screening_request
from zonekeeper.policy.screening.policy import IMPLANT_CHECKS, SEVERITY

POLICY = load_policy(RULES_DIR)
CASES = load_screening_cases(RULES_DIR / "tests")
# how much a disposition lets happen: forgetting an answer may turn "not cleared" into
# "more information required" (both stop the scan) but must never let more happen
PERMITS = {"cleared": 2, "conditional": 1, "more_info_required": 0, "not_cleared": 0}
CONTRAST_PERMITS = {"not_applicable": 1, "cleared": 1, "more_info_required": 0, "not_cleared": 0}


def _decide(day, case, facts=None):  # type: ignore[no-untyped-def]
    request, problems = parse_screening_request(
        {
            "facts": case.facts if facts is None else facts,
            "implants": case.implants,
            "exam": case.exam,
            "scanners": case.scanners,
            "gradient_signoffs": case.gradient_signoffs,
        },
        today=day,
    )
    assert request is not None, problems
    return evaluate_screening(
        POLICY,
        request.facts,
        request.implants,
        request.exam,
        request.scanners,
        day,
        request.gradient_assessments,
    )


def test_there_are_at_least_forty_five_cases() -> None:
    assert len(CASES) >= 45


@pytest.mark.parametrize(("file", "day", "case"), CASES, ids=[c.name for _, _, c in CASES])
def test_screening_case(file, day, case) -> None:  # type: ignore[no-untyped-def]
    result = run_screening_case(POLICY, file, day, case)
    assert result.passed, result.detail


def test_every_rule_and_implant_check_is_exercised_by_a_case() -> None:
    assert POLICY.screening is not None and POLICY.contrast is not None
    seen: set[str] = set()
    for _, day, case in CASES:
        decision = _decide(day, case)
        reasons = [*decision.reasons, *decision.contrast.reasons]
        reasons += [r for s in decision.eligible_scanners for r in s.reasons]
        seen.update(r.rule_id for r in reasons)
    rule_ids = {r.id for r in (*POLICY.screening.rules, *POLICY.contrast.rules)}
    # a rule for one ACR group with no agent in the catalogue cannot fire from a case
    # (group III is empty since 2024): tests/unit/test_contrast_catalogue.py covers it
    populated = {agent.group for agent in POLICY.contrast.agents}
    rule_ids -= {
        r.id
        for r in POLICY.contrast.rules
        for c in r.when
        if c.fact == "contrast.group" and c.op == "eq" and c.value not in populated
    }
    checks = {f"implant.{check}" for check in IMPLANT_CHECKS}
    assert not (rule_ids | checks) - seen, sorted((rule_ids | checks) - seen)


def test_no_case_expects_cleared_with_an_unknown_required_answer() -> None:
    assert POLICY.screening is not None
    for _, _, case in CASES:
        # nobody can answer (no reliable history, no proxy): the recorded work-up and the
        # radiologist's decision stand in for the unknown answers, and the reason says so
        covered = "unknown_answers_covered_by_workup" in case.expect.codes
        if case.expect.disposition == "cleared" and not covered:
            unknown = [f for f in POLICY.screening.required_answers if case.facts.get(f) is None]
            assert not unknown, (case.name, unknown)


@pytest.mark.parametrize(("file", "day", "case"), CASES, ids=[c.name for _, _, c in CASES])
def test_forgetting_any_answer_never_improves_the_decision(file, day, case) -> None:  # type: ignore[no-untyped-def]
    before = _decide(day, case)
    for name, value in case.facts.items():
        if value is None:
            continue
        # a changed answer voids the sign-offs and work-up steps bound to the old answers
        voided = {fact: None for fact in NOT_ANSWERED if fact in case.facts}
        after = _decide(day, case, {**case.facts, **voided, name: None})
        assert PERMITS[after.disposition] <= PERMITS[before.disposition], name
        assert (
            CONTRAST_PERMITS[after.contrast.disposition]
            <= CONTRAST_PERMITS[before.contrast.disposition]
        ), name
        if before.disposition in ("more_info_required", "not_cleared"):
            assert SEVERITY[after.disposition] >= SEVERITY["more_info_required"], name
