"""The step table (rules/screening_steps.yaml): every step × every actor of
rules/tests/screening_step_cases.yaml, and the table's own validation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import RULES_DIR
from zonekeeper.policy import PolicyError, load_policy
from zonekeeper.policy.screening_step_cases import load_step_cases, run_step_case
from zonekeeper.policy.screening_steps import WORKFLOW_STEPS, StepActor, decide_step

POLICY = load_policy(RULES_DIR)
CASES = load_step_cases(RULES_DIR / "tests")
RANKS = {level.id: level.rank for level in POLICY.levels}


@pytest.mark.parametrize(("file", "case"), CASES, ids=[case.name for _, case in CASES])
def test_step_case(file: str, case) -> None:  # type: ignore[no-untyped-def]
    result = run_step_case(POLICY, file, case)
    assert result.passed, result.detail


def test_every_step_has_cases_for_every_kind_of_actor() -> None:
    steps = {case.step for _, case in CASES}
    assert steps == set(WORKFLOW_STEPS)
    actors = {case.actor_name for _, case in CASES}
    for needed in ("non_mr", "level_1", "level_2", "lapsed_level_2", "mrso", "radiologist"):
        assert needed in actors
    assert "previous_screener" in actors


def test_the_final_check_is_refused_to_level_1_and_lapsed_level_2_and_says_who_may() -> None:
    for level in ("level_1", "non_mr"):
        decision = decide_step(
            POLICY.steps,
            "final_check",
            StepActor("technologist", 7, level),
            level_ranks=RANKS,
            policy_version=POLICY.version,
        )
        assert not decision.allowed
        assert decision.code == "training_not_current"
        assert "Only Level 2 MR personnel with current training" in decision.text
        assert decision.rule_id == "steps.final_check"
        assert decision.policy_version == POLICY.version


def test_unknown_step_and_unknown_level_fail_closed() -> None:
    unknown = decide_step(
        POLICY.steps, "teleport", StepActor("mrso", 1, "level_2"), level_ranks=RANKS
    )
    assert not unknown.allowed and unknown.code == "unknown_step"
    odd = decide_step(
        POLICY.steps, "final_check", StepActor("mrso", 1, "level_9"), level_ranks=RANKS
    )
    assert not odd.allowed
    empty = decide_step({}, "final_check", StepActor("mrso", 1, "level_2"), level_ranks=RANKS)
    assert not empty.allowed


def test_the_second_screen_is_refused_to_the_first_screener() -> None:
    decision = decide_step(
        POLICY.steps,
        "second_screen",
        StepActor("technologist", 5, "level_2"),
        level_ranks=RANKS,
        earlier_person_ids=[5],
    )
    assert not decision.allowed and decision.code == "same_person"


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target)
    path = target / "screening_steps.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("min_level: level_2\n", "min_level: levl_2\n", "did you mean 'level_2'"),
        ("designations: [mrse, level_2_physician]", "designations: [msre]", "did you mean 'mrse'"),
        ("roles: [technologist, mrso]\n", "roles: [technologst]\n", "did you mean 'technologist'"),
        ("  - id: final_check\n", "  - id: final_chek\n", "no entry for the step 'final_check'"),
    ],
)
def test_a_broken_table_does_not_load(tmp_path: Path, old: str, new: str, expected: str) -> None:
    with pytest.raises(PolicyError) as caught:
        load_policy(_broken_copy(tmp_path, old, new))
    message = str(caught.value)
    assert "screening_steps.yaml" in message and expected in message
