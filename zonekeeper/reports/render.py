"""One computation, four outputs: the formats, their file names and media types."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from .compute import COLUMNS, Report

FORMATS: dict[str, tuple[str, str]] = {
    "html": ("html", "text/html; charset=utf-8"),
    "pdf": ("pdf", "application/pdf"),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": ("csv", "text/csv; charset=utf-8"),
}


def file_name(report_kind: str, period_label: str, fmt: str, version: int | None = None) -> str:
    suffix = f"-v{version}" if version else ""
    return f"zonekeeper-{report_kind}-{period_label}{suffix}.{FORMATS[fmt][0]}"


def _number(value: Any) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    number = float(value)
    return f"{number:.0f}" if number.is_integer() else f"{number:g}"


def render_csv(report: Report, signature: dict[str, Any] | None = None) -> bytes:
    """Long format, one row per figure: metric_id, period, dimension, value, numerator,
    denominator, target, status."""
    del signature
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in report.figures.astype(object).itertuples(index=False):
        dimension = str(row.dimension)
        if dimension[:1] in ("=", "+", "-", "@"):  # never a formula in a spreadsheet
            dimension = "'" + dimension
        writer.writerow(
            [
                row.metric_id,
                row.period,
                dimension,
                _number(row.value),
                _number(row.numerator),
                _number(row.denominator),
                row.target,
                row.status,
            ]
        )
    return out.getvalue().encode("utf-8")


def renderer(fmt: str) -> Callable[..., bytes]:
    if fmt == "csv":
        return render_csv
    if fmt == "pdf":
        from .render_pdf import render_pdf

        return render_pdf
    if fmt == "xlsx":
        from .render_xlsx import render_xlsx

        return render_xlsx
    if fmt == "html":
        from .render_html import render_html

        return render_html
    raise ValueError(f"unknown format '{fmt}'")


def render(report: Report, fmt: str, signature: dict[str, Any] | None = None) -> bytes:
    return renderer(fmt)(report, signature)
