"""The zonekeeper command, run as a user would run it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import RULES_DIR

EXAMPLE = RULES_DIR.parent / "examples" / "non_mr_nurse_zone_iv_level_1_escort.json"


def zonekeeper(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZONEKEEPER_")}
    return subprocess.run(
        [sys.executable, "-m", "zonekeeper.cli", *args],
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        timeout=60,
    )


def test_rules_check_passes_on_the_shipped_policy() -> None:
    result = zonekeeper("rules", "check")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(
        "OK: 27 access rules"
    )  # + invalid_credential, out_of_range (issue #12)


def test_rules_check_names_file_path_and_suggestion_and_exits_2(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(RULES_DIR, rules)
    data = yaml.safe_load((rules / "access.yaml").read_text())
    index = next(i for i, r in enumerate(data["rules"]) if r["id"] == "deny-non-mr-without-escort")
    data["rules"][index]["when"][1]["fact"] = "person.mr_levle"
    (rules / "access.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    result = zonekeeper("rules", "check", str(rules))
    assert result.returncode == 2
    assert (
        f"access.yaml: rules[{index}].when[1].fact: unknown fact 'person.mr_levle'" in result.stderr
    )
    assert "did you mean 'person.mr_level'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_rules_check_on_a_missing_directory_exits_2(tmp_path: Path) -> None:
    result = zonekeeper("rules", "check", str(tmp_path / "absent"))
    assert result.returncode == 2


def test_explain_non_mr_nurse_with_level_1_escort() -> None:
    result = zonekeeper("rules", "explain", str(EXAMPLE))
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Decision: DENY")
    assert "rule: deny-level-1-escort-zone-iv" in out
    assert "[level_1_cannot_escort_zone_iv] Level 1 MR personnel may not admit" in out
    assert "source: ACR Manual on MR Safety (2020)" in out
    assert "Trace:" in out


def test_explain_json() -> None:
    result = zonekeeper("rules", "explain", "--json", str(EXAMPLE))
    data = json.loads(result.stdout)
    assert data["outcome"] == "deny"
    assert data["reasons"][0]["rule_id"] == "deny-level-1-escort-zone-iv"
    assert data["policy_version"].startswith("sha256:")
    assert data["trace"]


def test_explain_rejects_bad_json_with_exit_2() -> None:
    result = zonekeeper("rules", "explain", "-", stdin="{not json")
    assert result.returncode == 2
    assert "not valid JSON" in result.stderr and "Traceback" not in result.stderr
    result = zonekeeper("rules", "explain", "-", stdin="[1, 2]")
    assert result.returncode == 2
    assert "JSON object" in result.stderr


def test_rules_test_runs_the_policy_cases() -> None:
    result = zonekeeper("rules", "test")
    assert result.returncode == 0, result.stdout
    assert " passed, 0 failed" in result.stdout


def test_commands_needing_the_app_explain_a_missing_secret() -> None:
    result = zonekeeper("db", "current")
    assert result.returncode == 2
    assert "ZONEKEEPER_SECRET_KEY is not set" in result.stderr


def test_demo_load_then_refuses_a_second_load(runner) -> None:  # type: ignore[no-untyped-def]
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "2 scanners" in first.output and "mrso" in first.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 2
    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert again.exit_code == 0 and "already present" in again.output


def test_user_create_refuses_a_short_password(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(
        args=["user", "create", "newtech", "--role", "technologist"], input="short\nshort\n"
    )
    assert result.exit_code == 2
    assert "at least 12 characters" in result.output
    ok = runner.invoke(
        args=["user", "create", "newtech", "--role", "technologist"],
        input="a long enough passphrase\na long enough passphrase\n",
    )
    assert ok.exit_code == 0, ok.output
    dup = runner.invoke(
        args=["user", "create", "newtech", "--role", "mrso"],
        input="a long enough passphrase\na long enough passphrase\n",
    )
    assert dup.exit_code == 2 and "already exists" in dup.output
