"""The PDF a director can hand to a surveyor: a cover, a table of contents, every
section with its figures, targets and sources, the charts and a signature block."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.tableofcontents import TableOfContents

from .charts import chart_png
from .compute import Report
from .presentation import STATUS_LABELS, MetricView, exceptions, sections, trend_table


def _register_fonts() -> tuple[str, str]:
    """DejaVu Sans (shipped with matplotlib) for ≥, ≤, − and accented names; Helvetica
    has none of them."""
    fonts = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    try:
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(fonts / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(fonts / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Oblique", str(fonts / "DejaVuSans-Oblique.ttf")))
        registerFontFamily(
            "DejaVuSans",
            normal="DejaVuSans",
            bold="DejaVuSans-Bold",
            italic="DejaVuSans-Oblique",
            boldItalic="DejaVuSans-Bold",
        )
    except (OSError, TTFError):  # fall back: the text stays readable, the signs do not
        return "Helvetica", "Helvetica-Bold"
    return "DejaVuSans", "DejaVuSans-Bold"


FONT, BOLD = _register_fonts()
STATUS_COLOURS = {"met": "#2e7d32", "missed": "#c62828", "no data": "#616161"}
STYLES = getSampleStyleSheet()
for _style in STYLES.byName.values():
    _style.fontName = BOLD if "Bold" in getattr(_style, "fontName", "") else FONT
SMALL = ParagraphStyle("small", parent=STYLES["BodyText"], fontSize=8, leading=10)
CELL = ParagraphStyle("cell", parent=STYLES["BodyText"], fontSize=8.5, leading=10.5)
H1 = ParagraphStyle("h1", parent=STYLES["Heading1"], fontSize=16, fontName=BOLD)


class _Document(SimpleDocTemplate):
    def afterFlowable(self, flowable: Any) -> None:  # noqa: N802 - reportlab's hook
        if isinstance(flowable, Paragraph) and flowable.style.name == "h1":
            self.notify("TOCEntry", (0, flowable.getPlainText(), self.page))


def _p(text: str, style: ParagraphStyle = CELL) -> Paragraph:
    return Paragraph(escape(text), style)


def _status(status: str) -> Paragraph:
    colour = STATUS_COLOURS.get(status, "#000000")
    return Paragraph(f'<font color="{colour}"><b>{escape(STATUS_LABELS[status])}</b></font>', CELL)


def _metric_table(metric: MetricView) -> Table:
    rows: list[list[Any]] = [
        [
            Paragraph(f"<b>{escape(metric.spec.title)}</b>", CELL),
            _p(metric.value + (f" ({metric.ratio})" if metric.ratio else "")),
            _p(metric.target),
            _status(metric.status),
            _p(f"{metric.previous} {('(' + metric.change + ')') if metric.change else ''}"),
        ]
    ]
    for line in metric.lines[:25]:
        rows.append(
            [
                _p("    " + line.dimension),
                _p(line.value + (f" ({line.ratio})" if line.ratio else "")),
                "",
                _status(line.status) if line.status else "",
                "",
            ]
        )
    if len(metric.lines) > 25:
        rows.append(
            [_p(f"    … {len(metric.lines) - 25} more rows in the XLSX and CSV"), "", "", "", ""]
        )
    rows.append([Paragraph(f"<i>{escape(metric.tooltip)}</i>", SMALL), "", "", "", ""])
    table = Table(rows, colWidths=[70 * mm, 38 * mm, 20 * mm, 24 * mm, 28 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEABOVE", (0, 0), (-1, 0), 0.6, colors.HexColor("#9e9e9e")),
                ("SPAN", (0, len(rows) - 1), (-1, len(rows) - 1)),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return table


def _column_heads(report: Report) -> Table:
    heads = ["Figure", "Value", "Target", "Status", f"Previous ({report.period.previous().label})"]
    table = Table(
        [[Paragraph(f"<b>{h}</b>", SMALL) for h in heads]],
        colWidths=[70 * mm, 38 * mm, 20 * mm, 24 * mm, 28 * mm],
    )
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#e8eef5"))]))
    return table


def _cover(report: Report, signature: dict[str, Any] | None) -> list[Any]:
    heads = [
        ("Audit trail chain head", report.chain_head("attestation.audit_chain_head")),
        ("Access log chain head", report.chain_head("attestation.access_log_chain_head")),
    ]
    story: list[Any] = [
        Spacer(1, 40 * mm),
        Paragraph(escape(report.definition.title), STYLES["Title"]),
        Paragraph(escape(f"{report.site_name} · {report.period.title}"), STYLES["Heading2"]),
        Spacer(1, 10 * mm),
        _p(
            f"Period: {report.period.start:%d %B %Y} to {report.period.last_day:%d %B %Y} "
            f"(days counted in {report.period.zone_name})"
        ),
        _p(f"Computed: {report.computed_at:%Y-%m-%d %H:%M} UTC"),
        _p(f"Report definition: {report.definition.file} {report.definition.hash}"),
        _p(f"Policy version loaded: {report.policy_version}"),
    ]
    story += [_p(f"{label}: seq {seq} · {digest}") for label, (seq, digest) in heads]
    story.append(Spacer(1, 8 * mm))
    story.append(
        _p(
            f"Signed version {signature['version']} by {signature['signer']} on "
            f"{signature['signed_at']}"
            if signature
            else "DRAFT: not signed. Figures may change until the report is signed."
        )
    )
    return story


def _signature_block(signature: dict[str, Any] | None) -> list[Any]:
    story: list[Any] = [Paragraph("Signature", H1)]
    if signature:
        story += [
            _p(f"Signed by: {signature['signer']} ({signature['role']})"),
            _p(f"Signed at: {signature['signed_at']}"),
            _p(f"Version: {signature['version']}"),
            _p(f"Comment: {signature['comment']}"),
        ]
    else:
        story += [
            _p("Not signed yet. Reviewed and approved by the MR Medical Director:"),
            Spacer(1, 14 * mm),
            _p("Name: ____________________   Signature: ____________________   Date: ________"),
        ]
    return story


def render_pdf(report: Report, signature: dict[str, Any] | None = None) -> bytes:
    out = io.BytesIO()
    document = _Document(
        out,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"{report.definition.title}: {report.period.title}",
        author=report.site_name or "ZoneKeeper",
        invariant=1,
    )
    toc = TableOfContents()
    story: list[Any] = _cover(report, signature)
    story += [PageBreak(), Paragraph("Contents", STYLES["Heading1"]), toc, PageBreak()]
    for section in sections(report):
        story.append(Paragraph(escape(section.spec.title), H1))
        story.append(_p(f"Answers to: {section.spec.answers_to}", SMALL))
        if section.spec.intro:
            story.append(_p(section.spec.intro))
        story.append(Spacer(1, 3 * mm))
        if section.metrics:
            story.append(_column_heads(report))
        story += [KeepTogether([_metric_table(m), Spacer(1, 2 * mm)]) for m in section.metrics]
        if section.spec.type == "trends":
            story.append(_trend_table(report))
        if section.spec.type == "exceptions":
            story += _exceptions(report)
        for chart in section.charts:
            image = Image(io.BytesIO(chart_png(report, chart)), width=170 * mm, height=78 * mm)
            story += [Spacer(1, 3 * mm), image]
        story.append(PageBreak())
    story += _signature_block(signature)
    document.multiBuild(story)
    return out.getvalue()


def _trend_table(report: Report) -> Table:
    months, table = trend_table(report)
    rows = [[_p("Metric")] + [_p(m[2:]) for m in months]]
    for spec, metric_id, values in table:
        rows.append([_p(spec.title if spec else metric_id)] + [_p(v, SMALL) for v in values])
    width = (180 * mm - 45 * mm) / max(len(months), 1)
    grid = Table(rows, colWidths=[45 * mm] + [width] * len(months))
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#bdbdbd"))]))
    return grid


def _exceptions(report: Report) -> list[Any]:
    found = exceptions(report)
    if not found:
        return [_p("No figure missed its target.")]
    rows = [[_p("Figure"), _p("Value"), _p("Target")]]
    for metric, line in found:
        label = metric.spec.title + (f" · {line.dimension}" if line else "")
        rows.append([_p(label), _p(line.value if line else metric.value), _p(metric.target)])
    grid = Table(rows, colWidths=[110 * mm, 35 * mm, 35 * mm])
    grid.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#bdbdbd"))]))
    return [grid]
