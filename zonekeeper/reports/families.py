"""The metric families: one function per family, registered here, each computing
all the catalogue's metrics of its family for one period.

A family aggregates in SQL (GROUP BY, COUNT) and shapes the small result in
pandas; no family reads raw access events row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from statistics import median
from typing import Any

import pandas as pd
from sqlalchemy import Select, case, literal

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
    # consecutive periods computed together (the month and the previous month for the
    # comparison): a grouped query runs once for all of them, bucketed by period, and
    # its result is kept in ``shared`` for the other periods' contexts
    together: tuple[Period, ...] = ()
    shared: dict[Any, Any] = field(default_factory=dict, compare=False, hash=False, repr=False)

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


def period_bucket(column: Any, bounds: Sequence[Any]) -> Any:
    """The index of the period ``column`` falls in, given consecutive periods' starts and
    the last one's end (``len(bounds) - 1`` periods), as a balanced tree of ``CASE``s:
    a row is placed with log2(periods) comparisons. Rows outside ``[bounds[0],
    bounds[-1])`` must be filtered out by the query."""

    def node(low: int, high: int) -> Any:
        if high - low == 1:
            return literal(low)
        middle = (low + high) // 2
        return case((column < bounds[middle], node(low, middle)), else_=node(middle, high))

    return node(0, len(bounds) - 1)


def instant_bounds(periods: Sequence[Period]) -> list[Any]:
    return [p.start_utc for p in periods] + [periods[-1].end_utc]


def date_bounds(periods: Sequence[Period]) -> list[date]:
    return [p.start for p in periods] + [periods[-1].end]


def periods_of(ctx: Context) -> tuple[Period, ...]:
    return ctx.together if ctx.period in ctx.together else (ctx.period,)


def grouped(
    ctx: Context,
    key: str,
    column: Any,
    statement: Callable[[Any], Select[Any]],
    columns: Sequence[str],
) -> pd.DataFrame:
    """The rows of ``statement(bucket)`` (a grouped SELECT whose first column is
    ``bucket``) for ``ctx.period``. The statement runs once for all the periods computed
    together, grouped by the period ``column`` (an instant or a local date) falls in."""
    periods = periods_of(ctx)
    cache_key = (key, tuple(p.label for p in periods))
    if cache_key not in ctx.shared:
        instants = getattr(column.type, "python_type", None) is not date
        bounds = instant_bounds(periods) if instants else date_bounds(periods)
        bucket = period_bucket(column, bounds).label("bucket")
        query = statement(bucket).where(column >= bounds[0], column < bounds[-1]).group_by(bucket)
        ctx.shared[cache_key] = rows(query, ["bucket", *columns])
    frame = ctx.shared[cache_key]
    mine = frame[frame["bucket"] == periods.index(ctx.period)]
    return mine.drop(columns="bucket").reset_index(drop=True)


def shared_value(ctx: Context, key: Any, compute: Callable[[], Any]) -> Any:
    """``compute()`` once for all the contexts computed together."""
    if key not in ctx.shared:
        ctx.shared[key] = compute()
    return ctx.shared[key]


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
