"""The XLSX: a summary sheet, one sheet per section with formatted tables and
native Excel charts (pandas with the XlsxWriter engine), the trends, the
exceptions and every figure in long format."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from .catalogue import METRICS
from .compute import Report
from .presentation import exceptions, sections

STATUS_FORMATS = {"met": "#c8e6c9", "missed": "#ffcdd2", "no data": "#eeeeee"}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(title: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", title)[:28].strip() or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base[:25]} {n}", n + 1
    used.add(name.lower())
    return name


def _cell(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def render_xlsx(report: Report, signature: dict[str, Any] | None = None) -> bytes:
    out = io.BytesIO()
    with pd.ExcelWriter(out, engine="xlsxwriter") as writer:
        book = writer.book
        book.set_properties(
            {
                "title": f"{report.definition.title}: {report.period.title}",
                "author": report.site_name or "ZoneKeeper",
                # fixed, so the same figures give the same file
                "created": datetime(
                    report.period.start.year, report.period.start.month, 1, tzinfo=UTC
                ),
            }
        )
        bold = book.add_format({"bold": True})
        header = book.add_format({"bold": True, "bg_color": "#1f5f99", "font_color": "#ffffff"})
        status_formats = {k: book.add_format({"bg_color": v}) for k, v in STATUS_FORMATS.items()}
        used: set[str] = set()
        summary = book.add_worksheet(_sheet_name("Summary", used))
        lines = [
            (report.definition.title, ""),
            ("Site", report.site_name),
            (
                "Period",
                f"{report.period.title} ({report.period.start} to {report.period.last_day})",
            ),
            ("Time zone", report.period.zone_name),
            ("Computed (UTC)", f"{report.computed_at:%Y-%m-%d %H:%M}"),
            ("Report definition", f"{report.definition.file} {report.definition.hash}"),
            ("Policy version loaded", report.policy_version),
            (
                "State",
                f"signed v{signature['version']} by {signature['signer']} "
                f"on {signature['signed_at']}: {signature['comment']}"
                if signature
                else "draft",
            ),
        ]
        for row, (label, value) in enumerate(lines):
            summary.write(row, 0, label, bold)
            summary.write(row, 1, value)
        summary.set_column(0, 0, 24)
        summary.set_column(1, 1, 90)
        for section in sections(report):
            if section.spec.type != "metrics":
                continue
            records = []
            for metric in section.metrics:
                for dimension, row in [("", report.overall(metric.spec.id) or {})] + [
                    (r["dimension"], r) for r in report.breakdown(metric.spec.id).to_dict("records")
                ]:
                    records.append(
                        {
                            "Metric": metric.spec.title if not dimension else "",
                            "Breakdown": dimension,
                            "Value": _cell(row.get("value")),
                            "Numerator": _cell(row.get("numerator")),
                            "Denominator": _cell(row.get("denominator")),
                            "Target": row.get("target", "") if not dimension else "",
                            "Status": row.get("status", ""),
                            "Previous": _cell(report.previous.get(metric.spec.id))
                            if not dimension
                            else None,
                            "Metric id": metric.spec.id,
                        }
                    )
            frame = pd.DataFrame.from_records(records)
            name = _sheet_name(section.spec.title, used)
            frame.to_excel(writer, sheet_name=name, index=False, startrow=1)
            sheet = writer.sheets[name]
            sheet.write(0, 0, f"{section.spec.title} · answers to: {section.spec.answers_to}", bold)
            for col, title in enumerate(frame.columns):
                sheet.write(1, col, title, header)
            sheet.set_column(0, 0, 42)
            sheet.set_column(1, 1, 46)
            sheet.set_column(2, 7, 12)
            sheet.set_column(8, 8, 36)
            for offset, status in enumerate(frame["Status"] if not frame.empty else []):
                if status in status_formats:
                    sheet.write(offset + 2, 6, status, status_formats[status])
            sheet.freeze_panes(2, 0)
            for n, chart in enumerate(section.charts):
                _bar_chart(book, sheet, name, frame, chart, n)
        _trends(writer, report, used, header)
        _exceptions(writer, report, used, header)
        figures = report.figures.copy()
        figures.to_excel(writer, sheet_name=_sheet_name("Figures", used), index=False)
    return out.getvalue()


def _bar_chart(book, sheet, name: str, frame: pd.DataFrame, chart, n: int) -> None:  # type: ignore[no-untyped-def]
    rows = [
        i
        for i, r in enumerate(frame.to_dict("records"))
        if r["Metric id"] == chart.metric and r["Breakdown"] and r["Value"] is not None
    ]
    if not rows:
        return
    first, last = rows[0] + 2, rows[-1] + 2  # data starts on sheet row 2 (0-based)
    native = book.add_chart({"type": "bar"})
    native.add_series(
        {
            "name": chart.title,
            "categories": [name, first, 1, last, 1],
            "values": [name, first, 2, last, 2],
            "fill": {"color": "#1f5f99"},
        }
    )
    native.set_title({"name": chart.title})
    native.set_legend({"none": True})
    if METRICS[chart.metric].unit == "percent":
        native.set_x_axis({"min": 0, "max": 100})
    sheet.insert_chart(1, 10 + n * 9, native, {"x_scale": 1.3, "y_scale": 1.2})


def _trends(writer, report: Report, used: set[str], header) -> None:  # type: ignore[no-untyped-def]
    if report.trends.empty:
        return
    wide = report.trends.pivot(index="period", columns="metric_id", values="value")
    order = [m for m in report.definition.trend_metrics() if m in wide.columns]
    wide = wide[order].reset_index()
    name = _sheet_name("Trends", used)
    wide.to_excel(writer, sheet_name=name, index=False)
    sheet, book = writer.sheets[name], writer.book
    sheet.set_column(0, len(order), 22)
    for col, title in enumerate(wide.columns):
        sheet.write(0, col, title, header)
    for n, (section, chart) in enumerate(
        (s, c) for s in report.definition.sections for c in s.charts if c.type == "line"
    ):
        del section
        col = order.index(chart.metric) + 1
        native = book.add_chart({"type": "line"})
        native.add_series(
            {
                "name": chart.title,
                "categories": [name, 1, 0, len(wide), 0],
                "values": [name, 1, col, len(wide), col],
                "marker": {"type": "circle"},
            }
        )
        native.set_title({"name": chart.title})
        native.set_legend({"none": True})
        sheet.insert_chart(len(wide) + 3 + 16 * n, 0, native, {"x_scale": 1.4})


def _exceptions(writer, report: Report, used: set[str], header) -> None:  # type: ignore[no-untyped-def]
    records = [
        {
            "Figure": metric.spec.title,
            "Breakdown": line.dimension if line else "",
            "Value": line.value if line else metric.value,
            "Target": metric.target,
            "Metric id": metric.spec.id,
            "Records behind it": metric.spec.drilldown or "",
        }
        for metric, line in exceptions(report)
    ]
    frame = pd.DataFrame.from_records(
        records,
        columns=["Figure", "Breakdown", "Value", "Target", "Metric id", "Records behind it"],
    )
    name = _sheet_name("Exceptions", used)
    frame.to_excel(writer, sheet_name=name, index=False)
    sheet = writer.sheets[name]
    sheet.set_column(0, 1, 40)
    sheet.set_column(2, 5, 18)
    for col, title in enumerate(frame.columns):
        sheet.write(0, col, title, header)
