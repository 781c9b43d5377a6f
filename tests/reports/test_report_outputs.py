"""The four outputs of one computation, read back: CSV columns, XLSX sheets and native
charts (pandas + the zip's chart parts), PDF text with every section; and the CLI."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pypdf
from sqlalchemy import func, select

from tests.report_dataset import build_october, october_report
from zonekeeper.doors.models import AccessEvent
from zonekeeper.extensions import db
from zonekeeper.incidents.models import Incident
from zonekeeper.reports.render import render

CSV_COLUMNS = [
    "metric_id",
    "period",
    "dimension",
    "value",
    "numerator",
    "denominator",
    "target",
    "status",
]


def test_csv_is_long_format_with_the_specified_columns(app_context: None) -> None:
    build_october()
    report = october_report()
    rows = list(csv.DictReader(io.StringIO(render(report, "csv").decode("utf-8"))))
    assert list(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(report.figures)
    overall = {r["metric_id"]: r for r in rows if r["dimension"] == ""}
    assert overall["access.denials"]["value"] == "2"
    assert overall["audits.completion_rate"]["numerator"] == "87"
    assert overall["audits.completion_rate"]["target"] == "≥ 95"
    assert overall["audits.completion_rate"]["status"] == "met"
    assert {r["period"] for r in rows} == {"2026-10"}


def test_xlsx_reads_back_with_a_sheet_per_section_and_native_charts(app_context: None) -> None:
    build_october()
    report = october_report()
    data = render(report, "xlsx")
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, header=1)
    for title in ("Attestation", "Training", "Screening", "Contrast", "Access", "Zone audits"):
        assert title in sheets
    audits = sheets["Zone audits"]
    overall = audits[audits["Metric id"].eq("audits.completion_rate") & audits["Breakdown"].isna()]
    assert float(overall["Value"].iloc[0]) == 96.7
    assert float(overall["Denominator"].iloc[0]) == 90
    figures = pd.read_excel(io.BytesIO(data), sheet_name="Figures")
    assert list(figures.columns) == CSV_COLUMNS
    parts = zipfile.ZipFile(io.BytesIO(data)).namelist()
    charts = [p for p in parts if p.startswith("xl/charts/chart")]
    line_charts = sum(1 for _, c in report.definition.charts() if c.type == "line")
    assert len(charts) >= line_charts + 4  # bars with data: training, outcomes, contrast, audits
    exceptions = pd.read_excel(io.BytesIO(data), sheet_name="Exceptions")
    assert "Missed audit days" in set(exceptions["Figure"])


def test_pdf_text_contains_every_section(app_context: None) -> None:
    build_october()
    report = october_report()
    reader = pypdf.PdfReader(io.BytesIO(render(report, "pdf")))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) > 5
    for section in report.definition.sections:
        assert section.title in text, section.title
    for phrase in ("Contents", "Signature", "Daily audit completion", "96.7 %", "≥ 95 %"):
        assert phrase in text, phrase
    assert any(page.images for page in reader.pages)  # the charts


def test_html_file_is_standalone(app_context: None) -> None:
    build_october()
    html = render(october_report(), "html").decode("utf-8")
    assert "<style>" in html and "data:image/png;base64," in html
    assert "<script" not in html
    assert "Daily audit completion" in html and "href=" not in html.split("<main>")[1]


def _utc_counts() -> tuple[int, int]:
    start, end = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)
    denied = db.session.scalar(
        select(func.count()).where(
            AccessEvent.kind == "scan",
            AccessEvent.outcome == "deny",
            AccessEvent.occurred_at >= start,
            AccessEvent.occurred_at < end,
        )
    )
    incidents = db.session.scalar(
        select(func.count()).where(Incident.reported_at >= start, Incident.reported_at < end)
    )
    return denied, incidents


def test_cli_builds_four_files_idempotently(app, setup_data, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    setup_data(build_october)
    out = tmp_path / "report-out"
    args = ["report", "build", "--month", "2026-10", "--format", "pdf,xlsx,csv,html"]
    result = runner.invoke([*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == ""  # quiet when not on a terminal (cron)
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"zonekeeper-monthly-2026-10.{ext}" for ext in ("csv", "html", "pdf", "xlsx")]
    first = (out / "zonekeeper-monthly-2026-10.csv").read_bytes()
    with app.app_context():
        denied, incidents = _utc_counts()
    rows = {
        r["metric_id"]: r
        for r in csv.DictReader(io.StringIO(first.decode()))
        if r["dimension"] == ""
    }
    assert int(rows["access.denials"]["value"]) == denied == 2
    assert int(rows["incidents.count"]["value"]) == incidents == 2  # in UTC, the app's zone
    again = runner.invoke([*args, "--out", str(out)])
    assert again.exit_code == 0
    assert sorted(p.name for p in out.iterdir()) == names
    assert (out / "zonekeeper-monthly-2026-10.csv").read_bytes() == first


def test_cli_refuses_bad_input_with_exit_2(setup_data, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    empty = runner.invoke(["report", "build", "--month", "2026-10", "--out", str(tmp_path)])
    assert empty.exit_code == 2 and "site is empty" in empty.output
    setup_data(build_october)
    for args, message in (
        (["--month", "2026-13"], "is not a month"),
        (["--month", "October"], "is not a month"),
        (["--format", "pdf,docx"], "unknown format 'docx'"),
        (["--format", "xlxs"], "did you mean 'xlsx'"),
    ):
        result = runner.invoke(["report", "build", *args, "--out", str(tmp_path)])
        assert result.exit_code == 2, args
        assert message in result.output
    assert not list(tmp_path.iterdir())


def test_cli_defaults_to_the_previous_month(setup_data, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from zonekeeper.db import utcnow

    setup_data(build_october)
    result = runner.invoke(["report", "build", "--format", "csv", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    today = utcnow().date()
    previous = (today.replace(day=1) - pd.Timedelta(days=1)).strftime("%Y-%m")
    assert [p.name for p in tmp_path.iterdir()] == [f"zonekeeper-monthly-{previous}.csv"]
    annual = runner.invoke(
        [
            "report",
            "build",
            "--kind",
            "annual",
            "--month",
            "2026",
            "--format",
            "csv",
            "--out",
            str(tmp_path),
        ]
    )
    assert annual.exit_code == 0, annual.output
    assert (tmp_path / "zonekeeper-annual-2026.csv").exists()


def test_cli_refuses_a_future_month_and_writes_a_signed_month_as_signed(
    app, setup_data, runner, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """A user trial: a future month was built as a draft, and a signed month was written as
    'DRAFT: not signed' from today's data."""
    from tests import factories
    from zonekeeper.auth.models import User
    from zonekeeper.reports.build import current_definition
    from zonekeeper.reports.period import parse_period
    from zonekeeper.reports.snapshots import sign_report

    setup_data(build_october)
    future = runner.invoke(["report", "build", "--month", "2999-01", "--out", str(tmp_path)])
    assert future.exit_code == 2 and "has not begun" in future.output
    assert not list(tmp_path.iterdir())
    with app.test_request_context():
        user = factories.user("boss", "safety_director")
        assert isinstance(user, User)
        snapshot = sign_report(
            current_definition("monthly"),
            parse_period("monthly", "2026-10", app.config["SITE_TIMEZONE"]),
            "Reviewed every section with the MRSO.",
            user,
        )
        db.session.commit()
        signed = {f.format: (f.file_name, f.content) for f in snapshot.files}
    out = tmp_path / "signed"
    result = runner.invoke(
        ["report", "build", "--month", "2026-10", "--format", "csv,pdf", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "signed version 1" in result.output
    for fmt in ("pdf", "csv"):
        name, content = signed[fmt]
        assert (out / name).read_bytes() == content  # byte for byte as signed
