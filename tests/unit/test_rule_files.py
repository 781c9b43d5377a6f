"""Every policy file validates; broken files give precise errors and suggestions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import RULES_DIR
from zonekeeper.policy import PolicyError, load_policy


def test_shipped_rules_validate() -> None:
    policy = load_policy(RULES_DIR)
    assert {"zones.yaml", "personnel.yaml", "access.yaml"} <= set(policy.files)
    assert [zone.id for zone in policy.zones] == ["I", "II", "III", "IV"]
    assert policy.training_validity_days == 365
    assert all(rule.source.strip() for rule in policy.rules)


@pytest.mark.parametrize("path", sorted(RULES_DIR.glob("*.yaml")), ids=lambda p: p.name)
def test_each_rule_file_has_a_kind_and_parses(path: Path) -> None:
    data = yaml.safe_load(path.read_text())
    assert data["kind"] in {
        "zones",
        "personnel",
        "access",
        "audits",
        "screening",
        "contrast",
        "screening_steps",
    }


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES_DIR, target, ignore=shutil.ignore_patterns("tests"))
    return target


def _edit_access(rules: Path, edit) -> None:  # type: ignore[no-untyped-def]
    path = rules / "access.yaml"
    data = yaml.safe_load(path.read_text())
    edit(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _index(rule_id: str) -> int:
    """Position of a rule in the shipped access.yaml (tests address rules by id)."""
    data = yaml.safe_load((RULES_DIR / "access.yaml").read_text())
    return next(i for i, rule in enumerate(data["rules"]) if rule["id"] == rule_id)


NO_ESCORT = _index("deny-non-mr-without-escort")  # when: zone, person.mr_level, escort.present


def _issues(rules: Path) -> list:  # type: ignore[type-arg]
    with pytest.raises(PolicyError) as caught:
        load_policy(rules)
    return list(caught.value.issues)


def test_misspelt_fact_names_file_path_and_suggestion(rules_copy: Path) -> None:
    _edit_access(
        rules_copy, lambda d: d["rules"][NO_ESCORT]["when"][1].update(fact="person.mr_levl")
    )
    (issue,) = _issues(rules_copy)
    assert issue.file == "access.yaml"
    assert issue.path == f"rules[{NO_ESCORT}].when[1].fact"
    assert issue.suggestion == "person.mr_level"
    assert "did you mean 'person.mr_level'" in str(issue)


def test_unknown_operator_is_suggested(rules_copy: Path) -> None:
    _edit_access(rules_copy, lambda d: d["rules"][0]["when"][0].update(op="inn"))
    (issue,) = _issues(rules_copy)
    assert issue.path == "rules[0].when[0].op"
    assert issue.suggestion == "in"


# the first rule that tests the target zone and has an "unless" clause
OWN_SCREENING = [
    rule["id"] for rule in yaml.safe_load((RULES_DIR / "access.yaml").read_text())["rules"]
].index("deny-own-screening-not-cleared")


def test_unknown_zone_is_suggested(rules_copy: Path) -> None:
    _edit_access(
        rules_copy,
        lambda d: d["rules"][OWN_SCREENING]["when"][0].update(value=["III", "IIII"]),
    )
    (issue,) = _issues(rules_copy)
    assert issue.path == f"rules[{OWN_SCREENING}].when[0].value"
    assert "IIII" in issue.message
    assert issue.suggestion in {"III", "IV"}


def test_unknown_level_is_suggested(rules_copy: Path) -> None:
    _edit_access(rules_copy, lambda d: d["rules"][NO_ESCORT]["when"][1].update(value="non-mr"))
    (issue,) = _issues(rules_copy)
    assert issue.suggestion == "non_mr"


def test_unknown_role_in_designations_is_suggested(rules_copy: Path) -> None:
    def edit(data: dict) -> None:  # type: ignore[type-arg]
        data["rules"][0]["when"].append(
            {"fact": "person.designations", "op": "contains", "value": "mrs0"}
        )

    _edit_access(rules_copy, edit)
    (issue,) = _issues(rules_copy)
    assert issue.suggestion == "mrso"


def test_unknown_unless_fact_is_reported_on_the_unless_path(rules_copy: Path) -> None:
    _edit_access(
        rules_copy,
        lambda d: d["rules"][OWN_SCREENING]["unless"][0].update(fact="person.knd"),
    )
    (issue,) = _issues(rules_copy)
    assert issue.path == f"rules[{OWN_SCREENING}].unless[0].fact"
    assert issue.suggestion == "person.kind"


def test_duplicate_rule_ids_are_rejected(rules_copy: Path) -> None:
    _edit_access(rules_copy, lambda d: d["rules"][1].update(id=d["rules"][0]["id"]))
    (issue,) = _issues(rules_copy)
    assert issue.path == "rules[1].id"
    assert "duplicate" in issue.message


def test_duplicate_across_files_is_rejected(rules_copy: Path) -> None:
    data = yaml.safe_load((rules_copy / "access.yaml").read_text())
    (rules_copy / "access_extra.yaml").write_text(
        yaml.safe_dump({"kind": "access", "rules": [data["rules"][0]]})
    )
    (issue,) = _issues(rules_copy)
    assert issue.file == "access_extra.yaml"
    assert "first defined in access.yaml" in issue.message


def test_rule_without_source_is_rejected(rules_copy: Path) -> None:
    _edit_access(rules_copy, lambda d: d["rules"][3].pop("source"))
    (issue,) = _issues(rules_copy)
    assert issue.path == "rules[3].source"


def test_wrong_value_type_is_rejected(rules_copy: Path) -> None:
    _edit_access(rules_copy, lambda d: d["rules"][NO_ESCORT]["when"][2].update(value="no"))
    (issue,) = _issues(rules_copy)
    assert issue.path == f"rules[{NO_ESCORT}].when[2].value"
    assert "true or false" in issue.message


def test_comparing_a_list_fact_with_eq_is_rejected(rules_copy: Path) -> None:
    def edit(data: dict) -> None:  # type: ignore[type-arg]
        data["rules"][0]["when"].append(
            {"fact": "person.designations", "op": "eq", "value": "mrso"}
        )

    _edit_access(rules_copy, edit)
    (issue,) = _issues(rules_copy)
    assert "contains" in issue.message


def test_unknown_file_kind_is_suggested(rules_copy: Path) -> None:
    path = rules_copy / "access.yaml"
    path.write_text(path.read_text().replace("kind: access", "kind: acess"))
    issues = _issues(rules_copy)
    assert any(i.path == "kind" and i.suggestion == "access" for i in issues)


def test_invalid_yaml_is_reported_with_the_file(rules_copy: Path) -> None:
    (rules_copy / "zones.yaml").write_text("kind: zones\nzones: [unclosed\n")
    issues = _issues(rules_copy)
    assert any(i.file == "zones.yaml" and "not valid YAML" in i.message for i in issues)


def test_designation_requiring_unknown_level_is_suggested(rules_copy: Path) -> None:
    path = rules_copy / "personnel.yaml"
    path.write_text(
        path.read_text().replace("requires_level: level_2", "requires_level: level2", 1)
    )
    (issue,) = _issues(rules_copy)
    assert issue.file == "personnel.yaml"
    assert issue.path == "designations[0].requires_level"
    assert issue.suggestion == "level_2"


def test_every_problem_is_reported_at_once(rules_copy: Path) -> None:
    def edit(data: dict) -> None:  # type: ignore[type-arg]
        data["rules"][0]["when"][0]["fact"] = "target_zon"
        data["rules"][1]["when"][0]["op"] = "equals"

    _edit_access(rules_copy, edit)
    assert len(_issues(rules_copy)) == 2


def test_policy_version_changes_when_a_rule_file_changes(rules_copy: Path) -> None:
    before = load_policy(rules_copy).version
    _edit_access(rules_copy, lambda d: d["rules"][0].update(text="Edited text."))
    after = load_policy(rules_copy).version
    assert before != after and after.startswith("sha256:")


def test_a_rule_without_a_display_text_fails_to_load_naming_file_and_path(
    rules_copy: Path,
) -> None:
    _edit_access(rules_copy, lambda d: d["rules"][NO_ESCORT].pop("display"))
    (issue,) = _issues(rules_copy)
    assert issue.file == "access.yaml"
    assert issue.path == f"rules[{NO_ESCORT}].display"
    assert "required" in issue.message.lower()


def test_a_blank_display_text_fails_to_load(rules_copy: Path) -> None:
    _edit_access(rules_copy, lambda d: d["rules"][NO_ESCORT].update(display="   "))
    (issue,) = _issues(rules_copy)
    assert (issue.file, issue.path) == ("access.yaml", f"rules[{NO_ESCORT}].display")


def test_every_shipped_rule_has_a_short_display_apart_from_the_authors_text() -> None:
    policy = load_policy(RULES_DIR)
    for rule in policy.rules:
        assert rule.display and len(rule.display) <= 160, rule.id
        assert rule.reason.text == rule.display and rule.reason.explanation == rule.text
    exception = policy.rule("escort-no-screen-exception-zone-iv")
    assert exception is not None
    assert exception.display.startswith("No-screen exception — not screened")
    level_1 = policy.rule("grant-level-1-zone-iv")
    assert level_1 is not None and "Remove this rule" not in level_1.display
