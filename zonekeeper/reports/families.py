"""The metric families: one function per family, registered here, each computing
all the catalogue's metrics of its family for one period.

A family aggregates in SQL (GROUP BY, COUNT) and shapes the small result in
pandas; no family reads raw access events row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import Any

import pandas as pd
from sqlalchemy import Select

from ..extensions import db
from ..policy import Policy
from .catalogue import METRICS
from .period import Period


@dataclass(frozen=True)
class Figure:
    """One row of a report: a metric overall (dimension "") or one breakdown of it."""

    metric_id: str
    dimension: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None


@dataclass(frozen=True)
class Context:
    period: Period
    policy: Policy
    today: date
    site_name: str
    metrics: frozenset[str] | None = None  # None: every metric of the family

    def wants(self, metric_id: str) -> bool:
        """Whether the report needs ``metric_id``: trend months skip the rest."""
        return self.metrics is None or metric_id in self.metrics

    @property
    def restricted_zones(self) -> list[str]:
        return [z.id for z in self.policy.zones if z.restricted]


Family = Callable[[Context], list[Figure]]
FAMILIES: dict[str, Family] = {}


def family(name: str) -> Callable[[Family], Family]:
    def register(function: Family) -> Family:
        if not any(info.family == name for info in METRICS.values()):
            raise ValueError(f"family '{name}' has no metric in the catalogue")
        FAMILIES[name] = function
        return function

    return register


def rows(statement: Select[Any], columns: Sequence[str]) -> pd.DataFrame:
    """The (already aggregated) result of ``statement`` as a DataFrame."""
    return pd.DataFrame(db.session.execute(statement).all(), columns=list(columns))


def rate(numerator: float, denominator: float) -> float | None:
    """A percentage, or None ("no data") when nothing was due."""
    return round(100.0 * numerator / denominator, 1) if denominator else None


def rate_figure(metric_id: str, dimension: str, numerator: float, denominator: float) -> Figure:
    return Figure(metric_id, dimension, rate(numerator, denominator), numerator, denominator)


def count_figures(
    metric_id: str, frame: pd.DataFrame, by: Sequence[str], total: float | None = None
) -> list[Figure]:
    """A total row and one row per group of ``frame`` (columns ``by`` + ``n``)."""
    figures = [Figure(metric_id, "", float(frame["n"].sum() if total is None else total))]
    if not frame.empty:
        grouped = frame.groupby(list(by), dropna=False)["n"].sum().reset_index()
        for record in grouped.sort_values(list(by)).itertuples(index=False):
            parts = [str(getattr(record, column)) for column in by]
            figures.append(Figure(metric_id, " / ".join(parts), float(record.n)))
    return figures


def median_figure(metric_id: str, values: Sequence[float], digits: int = 1) -> Figure:
    clean = [v for v in values if v is not None]
    return Figure(
        metric_id, "", round(median(clean), digits) if clean else None, None, float(len(clean))
    )


def compute_families(names: set[str], context: Context) -> list[Figure]:
    from . import metrics_access, metrics_audits, metrics_people, metrics_screening  # noqa: F401

    figures: list[Figure] = []
    for name in sorted(names):
        figures += FAMILIES[name](context)
    return figures
