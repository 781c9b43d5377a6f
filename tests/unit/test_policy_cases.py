"""The table-driven policy cases in rules/tests/, one pytest case each."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import RULES_DIR
from zonekeeper.policy import load_policy
from zonekeeper.policy.cases import load_cases, run_case

POLICY = load_policy(RULES_DIR)
CASES = load_cases(RULES_DIR / "tests")


def test_there_are_at_least_thirty_cases() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize(("file", "case"), CASES, ids=[case.name for _, case in CASES])
def test_policy_case(file: str, case) -> None:  # type: ignore[no-untyped-def]
    result = run_case(POLICY, file, case)
    assert result.passed, result.detail


def test_every_rule_is_exercised_by_a_case_that_fires_it() -> None:
    fired = {reason.rule_id for _, case in CASES for reason in _decide(case).reasons}
    missing = {rule.id for rule in POLICY.rules} - fired
    assert not missing, f"rules no case fires: {sorted(missing)}"


def _decide(case):  # type: ignore[no-untyped-def]
    from zonekeeper.policy import decide_zone_access

    return decide_zone_access(POLICY, case.facts)


def test_cases_catch_a_changed_validity_window(tmp_path: Path) -> None:
    """The boundary cases must fail if the window moves by one day."""
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    personnel = yaml.safe_load((rules / "personnel.yaml").read_text())
    personnel["training_validity_days"] = 364
    (rules / "personnel.yaml").write_text(yaml.safe_dump(personnel))
    shifted = load_policy(rules)
    failures = [case.name for file, case in CASES if not run_case(shifted, file, case).passed]
    assert "Level 2 trained 365 days ago is still current in Zone III" in failures
    assert "Level 2 escort trained 365 days ago may supervise in Zone IV" in failures
