"""The issue's "done means" on the demo site: last month's report is built by the
command line into four files, and its CSV's denials and incidents equal the access
log's denied scans and the incidents reported that month, counted here in SQL."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from zonekeeper.doors.models import AccessEvent
from zonekeeper.extensions import db
from zonekeeper.incidents.models import Incident


def _last_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


def test_demo_last_month_report_matches_the_records(app, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(["demo", "load"]).exit_code == 0
    zone = ZoneInfo(app.config["SITE_TIMEZONE"])
    first = _last_month(datetime.now(zone).date())
    end = (first + timedelta(days=32)).replace(day=1)
    label = f"{first:%Y-%m}"
    out = tmp_path / "report-out"
    result = runner.invoke(
        ["report", "build", "--month", label, "--format", "pdf,xlsx,csv,html", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(p.suffix for p in out.iterdir()) == [".csv", ".html", ".pdf", ".xlsx"]
    rows = {
        r["metric_id"]: r
        for r in csv.DictReader(io.StringIO((out / f"zonekeeper-monthly-{label}.csv").read_text()))
        if r["dimension"] == ""
    }
    start_utc = datetime(first.year, first.month, 1, tzinfo=zone)
    end_utc = datetime(end.year, end.month, 1, tzinfo=zone)
    with app.app_context():
        denied = db.session.scalar(
            select(func.count()).where(
                AccessEvent.kind == "scan",
                AccessEvent.outcome == "deny",
                AccessEvent.occurred_at >= start_utc,
                AccessEvent.occurred_at < end_utc,
            )
        )
        reported = db.session.scalar(
            select(func.count()).where(
                Incident.reported_at >= start_utc, Incident.reported_at < end_utc
            )
        )
    assert denied and reported  # the demo has a last month worth reading
    assert float(rows["access.denials"]["value"]) == denied
    assert float(rows["incidents.count"]["value"]) == reported
    for metric_id in ("screening.count", "access.entries", "audits.completion_rate"):
        assert float(rows[metric_id]["value"]) > 0, metric_id
