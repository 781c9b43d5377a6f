"""The report laid out for people: sections, each metric's value in words and
numbers, its status, the previous period; shared by the HTML, PDF and XLSX renderers."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .catalogue import METRICS
from .compute import MISSED, Report
from .definitions import ChartSpec, MetricSpec, SectionSpec

UNIT_SUFFIX = {"percent": " %", "minutes": " min", "hours": " h", "days": " days"}
STATUS_LABELS = {"met": "Target met", "missed": "Target missed", "no data": "No data", "": ""}


def missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(value: Any, unit: str) -> str:
    if unit == "text":
        return ""
    if missing(value):
        return "no data"
    number = float(value)
    if unit == "count":
        return f"{number:,.0f}"
    if unit == "per_1000":
        return f"{number:,.2f}"
    return f"{number:,.1f}{UNIT_SUFFIX.get(unit, '')}"


def format_ratio(numerator: Any, denominator: Any) -> str:
    if missing(numerator) or missing(denominator):
        return ""
    return f"{float(numerator):,.0f} / {float(denominator):,.0f}"


@dataclass
class Line:
    """A breakdown row of a metric."""

    dimension: str
    value: str
    ratio: str
    status: str
    raw: float | None


@dataclass
class MetricView:
    spec: MetricSpec
    unit: str
    value: str
    raw: float | None
    ratio: str
    status: str
    target: str
    previous: str
    change: str
    lines: list[Line] = field(default_factory=list)

    @property
    def tooltip(self) -> str:
        parts = [self.spec.counts]
        if self.spec.numerator:
            parts.append(f"Numerator: {self.spec.numerator}. Denominator: {self.spec.denominator}.")
        if self.spec.target is not None:
            parts.append(f"Target {self.spec.target.text}{' %' if self.unit == 'percent' else ''}.")
        parts.append(f"Source: {self.spec.source}")
        return " ".join(parts)


@dataclass
class SectionView:
    spec: SectionSpec
    metrics: list[MetricView]
    charts: list[ChartSpec]


def _change(current: Any, previous: Any, unit: str) -> str:
    if unit == "text" or missing(current) or missing(previous):
        return ""
    delta = float(current) - float(previous)
    if abs(delta) < 1e-9:
        return "no change"
    sign = "+" if delta > 0 else "−"
    return f"{sign}{format_value(abs(delta), unit)}"


def metric_view(report: Report, spec: MetricSpec) -> MetricView:
    unit = METRICS[spec.id].unit
    row = report.overall(spec.id) or {}
    previous = report.previous.get(spec.id)
    lines = [
        Line(
            str(r.dimension),
            format_value(r.value, unit),
            format_ratio(r.numerator, r.denominator),
            str(r.status),
            None if missing(r.value) else float(r.value),
        )
        for r in report.breakdown(spec.id).itertuples(index=False)
    ]
    value = row.get("value")
    return MetricView(
        spec=spec,
        unit=unit,
        value=format_value(value, unit),
        raw=None if missing(value) else float(value),
        ratio=format_ratio(row.get("numerator"), row.get("denominator"))
        if unit in ("percent", "per_1000")
        else "",
        status=str(row.get("status", "")),
        target=(spec.target.text + (" %" if unit == "percent" else "")) if spec.target else "",
        previous=format_value(previous, unit) if spec.id in report.previous else "",
        change=_change(value, previous, unit) if spec.id in report.previous else "",
        lines=lines,
    )


def sections(report: Report) -> list[SectionView]:
    return [
        SectionView(section, [metric_view(report, m) for m in section.metrics], section.charts)
        for section in report.definition.sections
    ]


def exceptions(report: Report) -> list[tuple[MetricView, Line | None]]:
    """Every figure that missed its target: (the metric, the breakdown row or None)."""
    found: list[tuple[MetricView, Line | None]] = []
    for spec in report.definition.metrics():
        view = metric_view(report, spec)
        if view.status == MISSED:
            found.append((view, None))
        found += [(view, line) for line in view.lines if line.status == MISSED]
    return found


def trend_table(report: Report) -> tuple[list[str], list[tuple[MetricSpec | None, str, list[str]]]]:
    """(month labels, [(spec, metric id, formatted values per month)])."""
    months = list(dict.fromkeys(report.trends["period"]))
    table = []
    for metric_id in report.definition.trend_metrics():
        unit = METRICS[metric_id].unit
        values = report.trends[report.trends.metric_id == metric_id]
        by_month = dict(zip(values.period, values.value, strict=False))
        table.append(
            (
                report.definition.metric(metric_id),
                metric_id,
                [format_value(by_month.get(m), unit) for m in months],
            )
        )
    return months, table


def metric_title(report: Report, metric_id: str) -> str:
    spec = report.definition.metric(metric_id)
    return spec.title if spec is not None else metric_id
