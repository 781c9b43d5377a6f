"""Report definitions: ``reports/monthly.yaml`` and ``reports/annual.yaml``.

Validated like the policy: the shape with pydantic, then the meaning (unknown
metric, section type, chart type or drill-down, duplicates, a chart on a metric
the report does not show), every problem reported at once as
``file: path: message (did you mean '...'?)``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..policy.errors import PolicyError, PolicyIssue, suggest
from .catalogue import CHART_TYPES, DRILLDOWNS, METRICS, SECTION_TYPES

REPORT_FILES = {"monthly": "monthly.yaml", "annual": "annual.yaml"}
ID = r"^[a-z][a-z0-9_\-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TargetSpec(_Strict):
    good: Literal["at_least", "at_most"]
    value: float
    note: str = ""

    def met(self, value: float) -> bool:
        return value >= self.value if self.good == "at_least" else value <= self.value

    @property
    def text(self) -> str:
        return f"{'≥' if self.good == 'at_least' else '≤'} {self.value:g}"


class MetricSpec(_Strict):
    id: str
    title: str = Field(min_length=1)
    counts: str = Field(min_length=1)  # what it counts, in words (the tooltip)
    numerator: str = ""
    denominator: str = ""
    target: TargetSpec | None = None
    source: str = Field(min_length=1)
    drilldown: str | None = None
    key: bool = False  # shown at a glance on the Reports page


class ChartSpec(_Strict):
    id: str = Field(pattern=ID)
    type: str
    metric: str
    title: str = Field(min_length=1)


class SectionSpec(_Strict):
    id: str = Field(pattern=ID)
    title: str = Field(min_length=1)
    type: str = "metrics"
    intro: str = ""
    answers_to: str = Field(min_length=1)
    metrics: list[MetricSpec] = Field(default_factory=list)
    trend_of: list[str] = Field(default_factory=list)  # type: trends
    charts: list[ChartSpec] = Field(default_factory=list)


class ReportDefinition(_Strict):
    kind: Literal["report"]
    id: Literal["monthly", "annual"]
    title: str = Field(min_length=1)
    trend_months: int = Field(default=12, ge=2, le=36)
    sections: list[SectionSpec] = Field(min_length=1)
    file: str = ""
    hash: str = ""

    def metrics(self) -> list[MetricSpec]:
        return [m for s in self.sections for m in s.metrics]

    def metric(self, metric_id: str) -> MetricSpec | None:
        return next((m for m in self.metrics() if m.id == metric_id), None)

    def charts(self) -> list[tuple[SectionSpec, ChartSpec]]:
        return [(s, c) for s in self.sections for c in s.charts]

    def trend_metrics(self) -> list[str]:
        return [m for s in self.sections if s.type == "trends" for m in s.trend_of]


def definitions_hash(text: bytes, name: str) -> str:
    return "sha256:" + hashlib.sha256(name.encode() + b"\0" + text).hexdigest()[:16]


def load_definition(directory: str | Path, kind: str) -> ReportDefinition:
    """Load and validate ``reports/<kind>.yaml`` or raise PolicyError with every problem."""
    path = Path(directory) / REPORT_FILES[kind]
    if not path.is_file():
        raise PolicyError([PolicyIssue(str(path), "", "no such report definition file")])
    raw = path.read_bytes()
    try:
        data: Any = yaml.safe_load(raw.decode("utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise PolicyError([PolicyIssue(path.name, "", f"is not valid YAML: {exc}")]) from exc
    if not isinstance(data, dict):
        raise PolicyError([PolicyIssue(path.name, "", "must be a mapping with 'kind: report'")])
    try:
        definition = ReportDefinition.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(
            [PolicyIssue(path.name, _loc(e["loc"]), e["msg"]) for e in exc.errors()]
        ) from exc
    issues = check_definition(definition, path.name, kind)
    if issues:
        raise PolicyError(issues)
    return definition.model_copy(
        update={"file": path.name, "hash": definitions_hash(raw, path.name)}
    )


def load_all(directory: str | Path) -> dict[str, ReportDefinition]:
    """Every report definition, or one PolicyError with the problems of all files."""
    found, issues = {}, []
    for kind in REPORT_FILES:
        try:
            found[kind] = load_definition(directory, kind)
        except PolicyError as exc:
            issues += exc.issues
    if issues:
        raise PolicyError(issues)
    return found


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def check_definition(definition: ReportDefinition, file: str, kind: str) -> list[PolicyIssue]:
    issues: list[PolicyIssue] = []
    if definition.id != kind:
        issues.append(PolicyIssue(file, "id", f"this file must define the '{kind}' report"))
    shown: set[str] = set()
    section_ids: set[str] = set()
    chart_ids: set[str] = set()
    for s_index, section in enumerate(definition.sections):
        where = f"sections[{s_index}]"
        if section.id in section_ids:
            issues.append(PolicyIssue(file, f"{where}.id", f"duplicate section id '{section.id}'"))
        section_ids.add(section.id)
        if section.type not in SECTION_TYPES:
            issues.append(
                PolicyIssue(
                    file,
                    f"{where}.type",
                    f"unknown section type '{section.type}'",
                    suggest(section.type, SECTION_TYPES),
                )
            )
        for m_index, metric in enumerate(section.metrics):
            path = f"{where}.metrics[{m_index}]"
            _check_metric(metric, file, path, shown, issues)
        for t_index, metric_id in enumerate(section.trend_of):
            if metric_id not in METRICS:
                issues.append(
                    PolicyIssue(
                        file,
                        f"{where}.trend_of[{t_index}]",
                        f"unknown metric '{metric_id}'",
                        suggest(metric_id, METRICS),
                    )
                )
        if section.type == "trends" and not section.trend_of:
            issues.append(PolicyIssue(file, f"{where}.trend_of", "a trends section lists metrics"))
    for s_index, section in enumerate(definition.sections):
        for c_index, chart in enumerate(section.charts):
            path = f"sections[{s_index}].charts[{c_index}]"
            if chart.id in chart_ids:
                issues.append(PolicyIssue(file, f"{path}.id", f"duplicate chart id '{chart.id}'"))
            chart_ids.add(chart.id)
            if chart.type not in CHART_TYPES:
                issues.append(
                    PolicyIssue(
                        file,
                        f"{path}.type",
                        f"unknown chart type '{chart.type}'",
                        suggest(chart.type, CHART_TYPES),
                    )
                )
            usable = set(section.trend_of) if chart.type == "line" else shown
            if chart.metric not in usable:
                what = (
                    "a metric of this section's trend_of"
                    if chart.type == "line"
                    else ("a metric shown in this report")
                )
                issues.append(
                    PolicyIssue(
                        file,
                        f"{path}.metric",
                        f"'{chart.metric}' is not {what}",
                        suggest(chart.metric, usable or METRICS),
                    )
                )
    return issues


def _check_metric(
    metric: MetricSpec, file: str, path: str, shown: set[str], issues: list[PolicyIssue]
) -> None:
    info = METRICS.get(metric.id)
    if info is None:
        issues.append(
            PolicyIssue(
                file, f"{path}.id", f"unknown metric '{metric.id}'", suggest(metric.id, METRICS)
            )
        )
        return
    if metric.id in shown:
        issues.append(PolicyIssue(file, f"{path}.id", f"metric '{metric.id}' is listed twice"))
    shown.add(metric.id)
    if info.unit == "percent" and not (metric.numerator and metric.denominator):
        issues.append(
            PolicyIssue(file, path, "a rate needs its numerator and denominator in words")
        )
    if metric.target is not None and info.unit == "text":
        issues.append(PolicyIssue(file, f"{path}.target", "a text figure cannot have a target"))
    if metric.drilldown is not None and metric.drilldown not in DRILLDOWNS:
        issues.append(
            PolicyIssue(
                file,
                f"{path}.drilldown",
                f"unknown drill-down '{metric.drilldown}'",
                suggest(metric.drilldown, DRILLDOWNS),
            )
        )
