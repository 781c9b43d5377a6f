"""Report definitions are validated at load: file, path and "did you mean"."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from zonekeeper.policy.errors import PolicyError
from zonekeeper.reports.definitions import load_all, load_definition

REPORTS = Path(__file__).resolve().parents[2] / "reports"


@pytest.fixture
def reports_copy(tmp_path: Path) -> Path:
    for name in ("monthly.yaml", "annual.yaml"):
        shutil.copy(REPORTS / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_shipped_definitions_load() -> None:
    definitions = load_all(REPORTS)
    assert set(definitions) == {"monthly", "annual"}
    monthly = definitions["monthly"]
    assert [s.id for s in monthly.sections][:2] == ["attestation", "training"]
    assert monthly.metric("audits.completion_rate").target.value == 95  # type: ignore[union-attr]
    assert monthly.hash.startswith("sha256:")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "- id: training.current_rate",
            "- id: training.curent_rate",
            "monthly.yaml: sections[1].metrics[0].id: unknown metric 'training.curent_rate' "
            "(did you mean 'training.current_rate'?)",
        ),
        (
            "type: trends",
            "type: trend",
            "monthly.yaml: sections[8].type: unknown section type 'trend' (did you mean 'trends'?)",
        ),
        (
            "type: bar, metric: training.current_rate",
            "type: bars, metric: training.current_rate",
            "monthly.yaml: sections[1].charts[0].type: unknown chart type 'bars' "
            "(did you mean 'bar'?)",
        ),
        (
            "drilldown: audits.missed\n        key: true",
            "drilldown: audits.mised\n        key: true",
            "(did you mean 'audits.missed'?)",
        ),
        (
            "metric: screening.outcomes,",
            "metric: screening.outcome,",
            "monthly.yaml: sections[2].charts[0].metric: 'screening.outcome' is not a metric "
            "shown in this report (did you mean 'screening.outcomes'?)",
        ),
        (
            "good: at_least, value: 95",
            "good: higher, value: 95",
            "monthly.yaml: sections[5].metrics[0].target.good",
        ),
    ],
)
def test_problems_name_file_path_and_suggestion(
    reports_copy: Path, old: str, new: str, expected: str
) -> None:
    _edit(reports_copy / "monthly.yaml", old, new)
    with pytest.raises(PolicyError) as caught:
        load_definition(reports_copy, "monthly")
    assert any(expected in str(issue) for issue in caught.value.issues), caught.value


def test_a_site_can_drop_and_retarget_metrics(reports_copy: Path) -> None:
    _edit(reports_copy / "monthly.yaml", "value: 95", "value: 90")
    path = reports_copy / "monthly.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("      - id: screening.signoffs")
    end = text.index("      - id: screening.median_minutes_to_final_check")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    definition = load_definition(reports_copy, "monthly")
    assert definition.metric("screening.signoffs") is None
    assert definition.metric("audits.completion_rate").target.value == 90  # type: ignore[union-attr]


def test_rules_check_covers_report_definitions(reports_copy: Path) -> None:
    from click.testing import CliRunner

    from zonekeeper.cli import main

    ok = CliRunner().invoke(main, ["rules", "check", "--reports-dir", str(REPORTS)])
    assert ok.exit_code == 0, ok.output
    assert "OK: report definitions monthly.yaml" in ok.output
    _edit(reports_copy / "annual.yaml", "- id: access.denials", "- id: access.denial")
    bad = CliRunner().invoke(main, ["rules", "check", "--reports-dir", str(reports_copy)])
    assert bad.exit_code == 2
    assert "annual.yaml: sections[4].metrics[1].id: unknown metric 'access.denial'" in bad.output
