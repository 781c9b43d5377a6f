"""Charts drawn once with matplotlib (Agg, no display) as PNG, for the web page and
the PDF; the XLSX draws its own native charts from the same figures."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from .catalogue import METRICS  # noqa: E402
from .compute import Report  # noqa: E402
from .definitions import ChartSpec  # noqa: E402
from .presentation import missing  # noqa: E402

MAX_BARS = 12
COLOURS = {"met": "#2e7d32", "missed": "#c62828", "": "#1f5f99", "no data": "#9e9e9e"}


def chart_png(report: Report, chart: ChartSpec) -> bytes:
    """The chart as PNG, drawn once per report (the HTML and the PDF share it)."""
    cache = report.extra.setdefault("charts", {})
    if chart.id not in cache:
        cache[chart.id] = _draw(report, chart)
    return cache[chart.id]  # type: ignore[no-any-return]


def _draw(report: Report, chart: ChartSpec) -> bytes:
    figure = chart_figure(report, chart)
    try:
        out = io.BytesIO()
        figure.savefig(out, format="png", metadata={"Software": None})
        return out.getvalue()
    finally:
        plt.close(figure)


def chart_figure(report: Report, chart: ChartSpec):  # type: ignore[no-untyped-def]
    """The matplotlib figure of ``chart`` (the caller closes it)."""
    figure, axes = plt.subplots(figsize=(7.0, 3.2), dpi=110)
    if chart.type == "line":
        _line(report, chart, axes)
    else:
        _bars(report, chart, axes)
    axes.set_title(chart.title, fontsize=10, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return figure


def _bars(report: Report, chart: ChartSpec, axes) -> None:  # type: ignore[no-untyped-def]
    rows = report.breakdown(chart.metric).head(MAX_BARS)
    rows = rows[[not missing(v) for v in rows.value]]
    if rows.empty:
        _no_data(axes, "No data this period")
        return
    labels = [str(d)[:40] for d in rows.dimension]
    colours = [COLOURS.get(str(s), COLOURS[""]) for s in rows.status]
    axes.barh(labels[::-1], list(rows.value.astype(float))[::-1], color=colours[::-1])
    axes.tick_params(labelsize=7)
    if METRICS[chart.metric].unit == "percent":
        axes.set_xlim(0, 100)


def _line(report: Report, chart: ChartSpec, axes) -> None:  # type: ignore[no-untyped-def]
    rows = report.trends[report.trends.metric_id == chart.metric]
    months = list(rows.period)
    values = [None if missing(v) else float(v) for v in rows.value]
    if all(v is None for v in values):
        _no_data(axes, "No data for these months")
        return
    # every month keeps its place on the axis, with or without a value
    positions = list(range(len(months)))
    axes.plot(positions, [float("nan") if v is None else v for v in values], marker="o")
    axes.set_xticks(positions, months)
    axes.set_xlim(-0.5, len(months) - 0.5)
    spec = report.definition.metric(chart.metric)
    if spec is not None and spec.target is not None:
        axes.axhline(spec.target.value, color="#c62828", linestyle="--", linewidth=1)
    axes.tick_params(axis="x", labelsize=7, rotation=45)
    axes.tick_params(axis="y", labelsize=7)
    if METRICS[chart.metric].unit == "percent":
        axes.set_ylim(0, 105)


def _no_data(axes, text: str) -> None:  # type: ignore[no-untyped-def]
    """An empty chart says so instead of drawing blank axes."""
    axes.text(0.5, 0.5, text, ha="center", va="center", color="#555", fontsize=12)
    axes.set_axis_off()
