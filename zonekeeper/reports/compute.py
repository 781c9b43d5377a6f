"""One computation per report: the figures, their status against targets, the
previous period's values, the trends and the exceptions, as pandas frames that
every renderer reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd

from ..db import utcnow
from ..policy import Policy
from .catalogue import METRICS
from .definitions import MetricSpec, ReportDefinition
from .families import Context, Figure, compute_families
from .period import Period
from .trends import trend_values

COLUMNS = [
    "metric_id",
    "period",
    "dimension",
    "value",
    "numerator",
    "denominator",
    "target",
    "status",
]
MET, MISSED, NO_DATA = "met", "missed", "no data"


@dataclass
class Report:
    definition: ReportDefinition
    period: Period
    figures: pd.DataFrame  # COLUMNS, one row per figure
    previous: dict[str, float | None]  # metric_id -> the previous period's overall value
    trends: pd.DataFrame  # metric_id, period, value
    computed_at: datetime
    site_name: str
    policy_version: str
    extra: dict[str, Any] = field(default_factory=dict)

    def overall(self, metric_id: str) -> dict[str, Any] | None:
        found = self.figures[(self.figures.metric_id == metric_id) & (self.figures.dimension == "")]
        return None if found.empty else found.iloc[0].to_dict()

    def breakdown(self, metric_id: str) -> pd.DataFrame:
        return self.figures[(self.figures.metric_id == metric_id) & (self.figures.dimension != "")]

    def exceptions(self) -> pd.DataFrame:
        return self.figures[self.figures.status == MISSED]

    def chain_head(self, metric_id: str) -> tuple[int, str]:
        """(seq, hash) at the end of the period, whether or not the definition shows it."""
        heads: dict[str, tuple[int, str]] = self.extra["heads"]
        return heads[metric_id]

    def key_figures(self) -> list[tuple[MetricSpec, dict[str, Any]]]:
        out = []
        for spec in self.definition.metrics():
            if spec.key:
                row = self.overall(spec.id)
                if row is not None:
                    out.append((spec, row))
        return out


def _status(spec: MetricSpec | None, unit: str, dimension: str, value: float | None) -> str:
    if spec is None or spec.target is None or (dimension and unit != "percent"):
        return ""
    if value is None or pd.isna(value):
        return NO_DATA
    return MET if spec.target.met(float(value)) else MISSED


def figures_frame(
    definition: ReportDefinition, period: Period, figures: list[Figure], wanted: set[str]
) -> pd.DataFrame:
    records = []
    for figure in figures:
        if figure.metric_id not in wanted:
            continue
        spec = definition.metric(figure.metric_id)
        unit = METRICS[figure.metric_id].unit
        records.append(
            {
                "metric_id": figure.metric_id,
                "period": period.label,
                "dimension": figure.dimension,
                "value": figure.value,
                "numerator": figure.numerator,
                "denominator": figure.denominator,
                "target": spec.target.text if spec is not None and spec.target else "",
                "status": _status(spec, unit, figure.dimension, figure.value),
            }
        )
    frame = pd.DataFrame.from_records(records, columns=COLUMNS)
    order = {m.id: n for n, m in enumerate(definition.metrics())}
    frame["_order"] = frame["metric_id"].map(order)
    return (
        frame.sort_values(["_order"], kind="stable").drop(columns="_order").reset_index(drop=True)
    )


def _families(metric_ids: set[str]) -> set[str]:
    return {METRICS[m].family for m in metric_ids}


def overall_values(figures: list[Figure], wanted: set[str]) -> dict[str, float | None]:
    return {f.metric_id: f.value for f in figures if f.dimension == "" and f.metric_id in wanted}


def build_report(
    definition: ReportDefinition,
    period: Period,
    policy: Policy,
    today: date,
    site_name: str,
    *,
    with_trends: bool = True,
    with_previous: bool = True,
) -> Report:
    shown = {m.id for m in definition.metrics()}
    trend_ids = set(definition.trend_metrics())

    # the period and the previous one (the comparison) share their grouped queries
    together = (period.previous(), period) if with_previous else (period,)
    shared: dict[Any, Any] = {}

    def context(p: Period, wanted: set[str] | None = None) -> Context:
        frozen = frozenset(wanted) if wanted else None
        return Context(p, policy, today, site_name, frozen, together, shared)

    figures = compute_families(_families(shown), context(period))
    previous: dict[str, float | None] = {}
    if with_previous:
        comparable = {
            m for m in shown if METRICS[m].unit != "text" and m.split(".")[0] != ("attestation")
        }
        previous = overall_values(
            compute_families(_families(comparable), context(period.previous(), comparable)),
            comparable,
        )
    trend_rows = []
    if with_trends and trend_ids:
        # one grouped query per trend metric over all the months (issue #17)
        months = period.trailing_months(definition.trend_months)
        values = trend_values(months, definition.trend_metrics(), policy, today, site_name, shared)
        trend_rows = [
            {"metric_id": m, "period": month.label, "value": values.get(m, {}).get(month.label)}
            for month in months
            for m in definition.trend_metrics()
        ]
    from .metrics_people import chain_heads

    return Report(
        extra={"heads": chain_heads(period)},
        definition=definition,
        period=period,
        figures=figures_frame(definition, period, figures, shown),
        previous=previous,
        trends=pd.DataFrame.from_records(trend_rows, columns=["metric_id", "period", "value"]),
        computed_at=utcnow(),
        site_name=site_name,
        policy_version=policy.version,
    )


def figures_json(report: Report) -> dict[str, Any]:
    """What a signed snapshot keeps: every figure, the comparison and the trends."""

    def clean(frame: pd.DataFrame) -> list[dict[str, Any]]:
        return [
            {k: (None if isinstance(v, float) and pd.isna(v) else v) for k, v in row.items()}
            for row in frame.astype(object).to_dict(orient="records")
        ]

    return {
        "period": report.period.label,
        "kind": report.period.kind,
        "figures": clean(report.figures),
        "previous": report.previous,
        "trends": clean(report.trends),
        "policy_version": report.policy_version,
        "definitions_hash": report.definition.hash,
    }
