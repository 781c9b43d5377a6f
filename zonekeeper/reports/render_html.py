"""The standalone HTML file: the same sections as the page, charts embedded as PNG
data (the file is read offline, with no route to fetch them from)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from flask import current_app

from .charts import chart_png
from .compute import Report
from .presentation import exceptions, sections, trend_table

CSS = Path(__file__).resolve().parent.parent / "static" / "reports.css"


def page_context(report: Report) -> dict[str, Any]:
    months, rows = trend_table(report)
    return {
        "report": report,
        "sections": sections(report),
        "exceptions": exceptions(report),
        "trend_months": months,
        "trend_rows": rows,
        "previous_label": f"Previous ({report.period.previous().label})",
    }


def render_html(report: Report, signature: dict[str, Any] | None = None) -> bytes:
    charts = {c.id: c for _, c in report.definition.charts()}

    def chart_src(chart_id: str) -> str:
        data = base64.b64encode(chart_png(report, charts[chart_id])).decode("ascii")
        return f"data:image/png;base64,{data}"

    # rendered without a request (the command line): no context processors
    html = current_app.jinja_env.get_template("reports/document.html").render(
        css=CSS.read_text(encoding="utf-8"),
        chart_src=chart_src,
        drill_url=None,
        signature=signature,
        **page_context(report),
    )
    return html.encode("utf-8")
