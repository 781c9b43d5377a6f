"""The contrast agent catalogue (rules/contrast.yaml ``agents``): validated at load,
any spelling resolves, an unknown name gets a "did you mean" and is never cleared."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import RULES_DIR
from zonekeeper.policy import load_policy
from zonekeeper.policy.errors import PolicyError, PolicyIssue
from zonekeeper.policy.screening import ExamSpec, ScannerSpec, evaluate_screening, parse_exam
from zonekeeper.policy.screening.agents import agent_key

POLICY = load_policy(RULES_DIR)
assert POLICY.contrast is not None
CONTRAST = POLICY.contrast
TODAY = date(2025, 3, 1)


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target, ignore=shutil.ignore_patterns("tests"))
    return target


def _issues(rules: Path, edit: Any) -> list[PolicyIssue]:
    path = rules / "contrast.yaml"
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    with pytest.raises(PolicyError) as caught:
        load_policy(rules)
    return list(caught.value.issues)


def _agent(data: dict[str, Any], agent_id: str) -> dict[str, Any]:
    return next(a for a in data["agents"] if a["id"] == agent_id)


def test_an_unknown_group_is_refused_with_file_path_and_did_you_mean(rules_copy: Path) -> None:
    (issue,) = _issues(rules_copy, lambda d: _agent(d, "gadobutrol").update(group="IIl"))
    assert issue.file == "contrast.yaml"
    assert issue.path.endswith(".group") and issue.path.startswith("agents[")
    assert "unknown group 'IIl'" in issue.message
    assert issue.suggestion in ("II", "III")


def test_a_spelling_used_by_two_agents_is_refused(rules_copy: Path) -> None:
    # "Gd DOTA" is "Gd-DOTA" once case, spaces and hyphens are set aside
    (issue,) = _issues(rules_copy, lambda d: _agent(d, "gadobutrol")["aliases"].append("Gd DOTA"))
    assert issue.file == "contrast.yaml"
    assert issue.path.startswith("agents[") and ".aliases[" in issue.path
    assert "already names agent 'gadoterate'" in issue.message


def test_a_duplicate_agent_id_is_refused(rules_copy: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        d["agents"].append(
            {"id": "gadobutrol", "generic": "gadofoo", "group": "II", "source": "test"}
        )

    issues = _issues(rules_copy, edit)
    assert any("duplicate agent id 'gadobutrol'" in i.message for i in issues)


def test_the_catalogue_follows_the_acr_groups() -> None:
    groups = {a.generic: a.group for a in CONTRAST.agents}
    assert groups == {
        "gadodiamide": "I",
        "gadopentetate dimeglumine": "I",
        "gadoversetamide": "I",
        "gadoterate meglumine": "II",
        "gadoteridol": "II",
        "gadobutrol": "II",
        "gadobenate dimeglumine": "II",
        "gadoxetate disodium": "II",  # moved from group III in the 2024 revision
        "gadopiclenol": "II",
    }
    assert "III" in {g.id for g in CONTRAST.groups}  # kept, empty at present


@pytest.mark.parametrize(
    ("typed", "generic", "group"),
    [
        ("Dotarem", "gadoterate meglumine", "II"),
        ("  dotarem®  ", "gadoterate meglumine", "II"),
        ("Clariscan™", "gadoterate meglumine", "II"),
        ("gadoterate", "gadoterate meglumine", "II"),
        ("Gd-DOTA", "gadoterate meglumine", "II"),
        ("gd dota", "gadoterate meglumine", "II"),
        ("GADOTERATE  MEGLUMINE", "gadoterate meglumine", "II"),
        ("ProHance", "gadoteridol", "II"),
        ("Gadavist", "gadobutrol", "II"),
        ("Gadovist", "gadobutrol", "II"),
        ("MultiHance", "gadobenate dimeglumine", "II"),
        ("gadobenate", "gadobenate dimeglumine", "II"),
        ("Gd-BOPTA", "gadobenate dimeglumine", "II"),
        ("Eovist", "gadoxetate disodium", "II"),
        ("Primovist", "gadoxetate disodium", "II"),
        ("gadoxetic acid", "gadoxetate disodium", "II"),
        ("Gd-EOB-DTPA", "gadoxetate disodium", "II"),
        ("Elucirem", "gadopiclenol", "II"),
        ("Vueway", "gadopiclenol", "II"),
        ("Omniscan", "gadodiamide", "I"),
        ("Magnevist", "gadopentetate dimeglumine", "I"),
        ("Gd-DTPA", "gadopentetate dimeglumine", "I"),
        ("gadopentetate", "gadopentetate dimeglumine", "I"),
        ("OptiMARK", "gadoversetamide", "I"),
    ],
)
def test_every_spelling_resolves_to_its_agent(typed: str, generic: str, group: str) -> None:
    agent = CONTRAST.resolve(typed)
    assert agent is not None, typed
    assert (agent.generic, agent.group) == (generic, group)


def test_the_key_ignores_case_spaces_hyphens_and_signs() -> None:
    assert agent_key("Gd-DOTA") == agent_key("gd dota") == agent_key("GdDOTA®") == "gddota"
    assert agent_key("CLARISCAN™") == "clariscan"


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("Dotarm", "Dotarem (gadoterate meglumine, group II)"),
        ("Gadavis", "Gadavist (gadobutrol, group II)"),
        ("gadobutrl", "gadobutrol (group II)"),
    ],
)
def test_an_unknown_name_gets_did_you_mean_in_the_decision(typed: str, hint: str) -> None:
    assert CONTRAST.resolve(typed) is None
    scanners = [ScannerSpec("3T", 3.0, 11.0, 200.0, ("normal",), ("body",))]
    exam = ExamSpec("3T", "head", "body", "outpatient", typed)
    decision = evaluate_screening(POLICY, {}, [], exam, scanners, TODAY)
    contrast = decision.contrast
    assert contrast.disposition == "more_info_required"  # fail closed, never cleared
    (reason,) = contrast.reasons
    assert reason.code == "unknown_contrast_agent"
    assert f"did you mean {hint}?" in reason.text
    assert [a.code for a in contrast.actions] == ["identify_contrast_agent"]


def test_the_api_exam_refuses_an_unknown_agent_and_stores_the_canonical_name() -> None:
    data = {
        "scanner": "3T",
        "body_region": "head",
        "transmit_coil": "body",
        "setting": "outpatient",
    }
    exam, problems = parse_exam({**data, "contrast_agent": "Dotarm"}, contrast=CONTRAST)
    assert exam is None
    assert problems[0]["field"] == "exam.contrast_agent"
    assert "did you mean Dotarem (gadoterate meglumine, group II)?" in problems[0]["problem"]
    exam, problems = parse_exam({**data, "contrast_agent": "gd-bopta"}, contrast=CONTRAST)
    assert not problems and exam is not None
    assert exam.contrast_agent == "gadobenate dimeglumine"


def test_a_group_iii_agent_a_site_adds_needs_the_radiologist_below_egfr_30(
    rules_copy: Path,
) -> None:
    """Group III is empty today; the rule for it still works for an agent a site puts there."""
    path = rules_copy / "contrast.yaml"
    data = yaml.safe_load(path.read_text())
    data["agents"].append(
        {"id": "gadotest", "generic": "gadotest", "group": "III", "source": "site decision"}
    )
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    policy = load_policy(rules_copy)
    scanners = [ScannerSpec("3T", 3.0, 11.0, 200.0, ("normal",), ("body",))]
    exam = ExamSpec("3T", "head", "body", "outpatient", "gadotest")
    facts = {
        "kidney.egfr": 25.0,
        "kidney.egfr_date": date(2025, 2, 27),
        "kidney.dialysis": False,
        "kidney.acute_injury": False,
        "contrast.prior_reaction": False,
        "patient.pregnant": False,
    }
    waiting = evaluate_screening(policy, facts, [], exam, scanners, TODAY).contrast
    assert waiting.disposition == "more_info_required"
    assert [r.code for r in waiting.reasons] == ["gbca_low_egfr_needs_approval"]
    assert waiting.actions[0].decided_by == "radiologist"
    approved = {**facts, "clearance.low_egfr": True}
    assert evaluate_screening(policy, approved, [], exam, scanners, TODAY).contrast.disposition == (
        "cleared"
    )
