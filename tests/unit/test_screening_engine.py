"""The screening evaluation fails closed; the screening and contrast files validate with
precise, suggested errors; the decision is JSON-ready."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import RULES_DIR
from zonekeeper.policy import PolicyError, load_policy
from zonekeeper.policy.screening import evaluate as evaluate_module
from zonekeeper.policy.screening.evaluate import evaluate_screening
from zonekeeper.policy.screening.exam import ExamSpec, ScannerSpec
from zonekeeper.policy.screening.implants import ImplantDeclaration

POLICY = load_policy(RULES_DIR)
TODAY = date(2025, 3, 1)
ALL_NO: dict[str, Any] = {name: False for name in POLICY.screening.required_answers}  # type: ignore[union-attr]
ALL_NO["history.reliable"] = True
SCANNERS = (
    ScannerSpec("3T", 3.0, 11.0, 200.0, ("normal", "first_level"), ("body", "head")),
    ScannerSpec("1.5T", 1.5, 5.0, 125.0, ("normal", "first_level"), ("body",)),
)
EXAM = ExamSpec("3T", "head", "body", "outpatient", None)
STENT = ImplantDeclaration(
    category="stent_coil_filter",
    description="Coronary stent",
    astm_class="mr_conditional",
    field_strengths_t=frozenset({1.5}),
    max_spatial_gradient_t_per_m=12.0,
    max_b1rms_ut=2.0,
    operating_mode="normal",
)


def test_a_stent_labelled_for_1_5_t_booked_on_the_3_t() -> None:
    facts = {**ALL_NO, "device.stent_coil_filter": True}
    decision = evaluate_screening(POLICY, facts, [STENT], EXAM, SCANNERS, TODAY)
    assert decision.disposition == "not_cleared"
    by_name = {s.scanner: s for s in decision.eligible_scanners}
    assert not by_name["3T"].eligible and by_name["3T"].booked
    assert by_name["1.5T"].eligible and by_name["1.5T"].disposition == "conditional"
    assert {c.text for c in by_name["1.5T"].constraints} >= {
        "B1+rms ≤ 2 µT",
        "Normal Operating Mode",
    }
    data = json.loads(json.dumps(decision.to_dict()))
    assert set(data) == {
        "disposition",
        "scanner",
        "constraints",
        "actions",
        "eligible_scanners",
        "reasons",
        "contrast",
        "policy_version",
        "evaluated_on",
    }
    assert data["contrast"]["disposition"] == "not_applicable"
    assert data["policy_version"] == POLICY.version
    assert {"code", "text", "rule_id", "source"} <= set(data["reasons"][0])


def test_an_internal_error_is_not_cleared_with_system_error(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(evaluate_module, "check_implant", broken)
    exam = ExamSpec("3T", "head", "body", "outpatient", "Dotarem")
    facts = {**ALL_NO, "device.stent_coil_filter": True}
    decision = evaluate_screening(POLICY, facts, [STENT], exam, SCANNERS, TODAY)
    assert decision.disposition == "not_cleared"
    assert decision.codes == ("system_error",)
    assert decision.contrast.disposition == "not_cleared"


@pytest.mark.parametrize(
    ("facts", "exam", "code"),
    [
        ({**ALL_NO, "device.cardiac": "no"}, EXAM, "invalid_fact"),
        ({**ALL_NO, "contrast.group": "II"}, EXAM, "invalid_fact"),
        ({**ALL_NO, "device.pacemaker": False}, EXAM, "invalid_fact"),
        (ALL_NO, ExamSpec("7T", "head", "body", "outpatient"), "unknown_scanner"),
        (ALL_NO, {"scanner": "3T"}, "invalid_input"),
    ],
)
def test_invalid_input_is_not_cleared(facts, exam, code) -> None:  # type: ignore[no-untyped-def]
    decision = evaluate_screening(POLICY, facts, [], exam, SCANNERS, TODAY)
    assert decision.disposition == "not_cleared"
    assert code in decision.codes


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target, ignore=shutil.ignore_patterns("tests"))
    return target


def test_a_policy_without_screening_files_loads_and_refuses_to_clear(rules_copy: Path) -> None:
    (rules_copy / "screening.yaml").unlink()
    (rules_copy / "contrast.yaml").unlink()
    policy = load_policy(rules_copy)
    assert policy.screening is None and policy.contrast is None
    decision = evaluate_screening(policy, ALL_NO, [], EXAM, SCANNERS, TODAY)
    assert decision.disposition == "not_cleared"
    assert decision.codes == ("no_screening_policy",)


def test_a_contrast_file_needs_a_screening_file(rules_copy: Path) -> None:
    (rules_copy / "screening.yaml").unlink()
    with pytest.raises(PolicyError, match="needs a 'screening' file"):
        load_policy(rules_copy)


def _edit(rules: Path, name: str, edit) -> list:  # type: ignore[no-untyped-def,type-arg]
    path = rules / name
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    with pytest.raises(PolicyError) as caught:
        load_policy(rules)
    return list(caught.value.issues)


def test_misspelt_screening_fact_is_suggested(rules_copy: Path) -> None:
    (issue,) = _edit(
        rules_copy,
        "screening.yaml",
        lambda d: d["rules"][0]["when"][0].update(fact="history.reliabel"),
    )
    assert issue.file == "screening.yaml" and issue.path == "rules[0].when[0].fact"
    assert issue.suggestion == "history.reliable"


def test_misspelt_contrast_group_is_suggested(rules_copy: Path) -> None:
    (issue,) = _edit(
        rules_copy, "contrast.yaml", lambda d: d["rules"][0]["when"][0].update(value="IV")
    )
    assert issue.path == "rules[0].when[0].value" and "unknown value 'IV'" in issue.message


def test_wrong_value_types_are_reported(rules_copy: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["rules"][0]["when"][0].update(value="yes")
        d["rules"][1]["when"][0].update(op="lt", value=3)

    issues = _edit(rules_copy, "screening.yaml", edit)
    assert {i.path for i in issues} == {"rules[0].when[0].value", "rules[1].when[0].value"}


def test_implant_checks_are_each_configured_with_known_fields(rules_copy: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["implant_checks"][0]["check"] = "device_without_implnt"
        d["implant_checks"][1]["text"] = "{implant} and {scanner}"

    issues = _edit(rules_copy, "screening.yaml", edit)
    messages = {str(i) for i in issues}
    assert any("did you mean 'device_without_implant'" in m for m in messages)
    assert any("check 'device_without_implant' is not configured" in m for m in messages)
    assert any("unknown field '{scanner}'" in m for m in messages)


def test_unknown_action_and_bad_required_answer(rules_copy: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["rules"][0]["actions"] = ["orbit_radiograph"]
        d["required_answers"].append("clearance.orbits")

    issues = _edit(rules_copy, "screening.yaml", edit)
    assert {i.suggestion for i in issues} >= {"orbit_radiographs"}
    assert any("not a question answered" in i.message for i in issues)


def test_contrast_rules_cannot_be_conditional_and_a_spelling_names_one_agent(
    rules_copy: Path,
) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["rules"][0]["disposition"] = "conditional"
        d["agents"].append(
            {"id": "copy", "generic": "Gadobutrol", "group": "III", "source": "test"}
        )

    issues = _edit(rules_copy, "contrast.yaml", edit)
    assert any(i.path == "rules[0].disposition" for i in issues)
    assert any("already names agent 'gadobutrol'" in i.message for i in issues)


@pytest.mark.parametrize(
    "module",
    [
        "zonekeeper.policy.screening.facts",
        "zonekeeper.policy.screening",
        "zonekeeper.policy.model",
        "zonekeeper.policy.screening.cases",
    ],
)
def test_each_screening_module_imports_first_without_a_cycle(module: str) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
