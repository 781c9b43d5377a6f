"""Every metric against the hand-counted October of tests/report_dataset.py; month
boundaries in the site's time zone; an empty month."""

from __future__ import annotations

import math
from datetime import date

import pytest

from tests.report_dataset import EXPECTED, TODAY, ZONE, build_october
from zonekeeper.reports.catalogue import METRICS
from zonekeeper.reports.compute import MISSED, NO_DATA, build_report
from zonekeeper.reports.definitions import load_definition
from zonekeeper.reports.families import FAMILIES
from zonekeeper.reports.period import parse_period

REPORTS_DIR = "reports"


def _report(month: str = "2026-10", kind: str = "monthly", **kw: bool):  # type: ignore[no-untyped-def]
    from zonekeeper.policy_store import current_policy

    definition = load_definition(REPORTS_DIR, kind)
    return build_report(
        definition, parse_period(kind, month, ZONE), current_policy(), TODAY, "Test site", **kw
    )


def _close(actual: object, expected: float | None) -> bool:
    if expected is None:
        return actual is None or (isinstance(actual, float) and math.isnan(actual))
    return (
        actual is not None
        and not math.isnan(float(actual))
        and abs(float(actual) - expected) < 0.01
    )  # type: ignore[arg-type]


def test_every_catalogue_family_is_implemented() -> None:
    from zonekeeper.reports import families

    families.compute_families(set(), None)  # type: ignore[arg-type]  # imports the modules
    assert {info.family for info in METRICS.values()} <= set(FAMILIES)


def test_every_metric_matches_the_hand_count(app_context: None) -> None:
    build_october()
    report = _report()
    frame = report.figures
    problems = []
    for (metric_id, dimension), (value, numerator, denominator) in EXPECTED.items():
        found = frame[(frame.metric_id == metric_id) & (frame.dimension == dimension)]
        if found.empty:
            problems.append(f"{metric_id} [{dimension}]: missing")
            continue
        row = found.iloc[0]
        for name, expected in (
            ("value", value),
            ("numerator", numerator),
            ("denominator", denominator),
        ):
            if expected is not None and not _close(row[name], expected):
                problems.append(f"{metric_id} [{dimension}] {name}: {row[name]} != {expected}")
    assert not problems, "\n".join(problems)
    # every metric the definition shows has an overall row
    assert {m.id for m in report.definition.metrics()} <= set(frame.metric_id)


def test_statuses_and_exceptions(app_context: None) -> None:
    build_october()
    report = _report()
    status = {(r.metric_id, r.dimension): r.status for r in report.figures.itertuples(index=False)}
    assert status[("audits.completion_rate", "")] == "met"  # 96.7 >= 95
    assert status[("audits.completion_rate", "Magnet room check · MRI 2 magnet room")] == MISSED
    assert status[("screening.two_screen_rate", "")] == MISSED
    assert status[("actions.overdue", "")] == MISSED
    assert status[("screening.count", "")] == ""  # no target
    missed = set(report.exceptions().metric_id)
    assert {"training.current_rate", "audits.missed_days", "incidents.late_reports"} <= missed


def test_boundaries_follow_the_site_time_zone(app_context: None) -> None:
    """23:30 local on 31 October is October; 23:30 local on 30 September is not."""
    build_october()
    october = _report(with_trends=False, with_previous=False).figures
    november = _report("2026-11", with_trends=False, with_previous=False).figures

    def total(frame, metric_id):  # type: ignore[no-untyped-def]
        return float(frame[(frame.metric_id == metric_id) & (frame.dimension == "")].value.iloc[0])

    assert total(october, "access.entries") == 6  # includes 31 Oct 23:30 local
    assert total(october, "incidents.count") == 3  # includes the 31 Oct 23:30 report
    assert total(november, "incidents.count") == 1
    assert total(november, "access.denials") == 1  # 1 Nov 00:30 local
    in_utc = build_report(
        load_definition(REPORTS_DIR, "monthly"),
        parse_period("monthly", "2026-10", "UTC"),
        __import__("zonekeeper.policy_store", fromlist=["x"]).current_policy(),
        TODAY,
        "x",
        with_trends=False,
        with_previous=False,
    ).figures
    # counted in UTC the late-evening events move months: the zone matters
    assert total(in_utc, "incidents.count") == 2


def test_trends_and_previous_month(app_context: None) -> None:
    build_october()
    report = _report()
    trends = report.trends
    assert list(trends[trends.metric_id == "incidents.count"].period)[-1] == "2026-10"
    assert len(trends[trends.metric_id == "incidents.count"]) == 12
    september = trends[(trends.metric_id == "incidents.count") & (trends.period == "2026-09")]
    assert float(september.value.iloc[0]) == 1
    assert report.previous["incidents.count"] == 1
    assert report.previous["access.entries"] == 1  # 30 Sep 23:30 local


def test_the_periods_computed_together_equal_each_computed_alone(app_context: None) -> None:
    """October and September share their grouped queries (bucketed by month): every
    figure equals the month computed on its own."""
    build_october()
    together = _report(with_trends=False)
    alone = _report(with_previous=False, with_trends=False)
    assert (
        together.figures.astype(object).fillna("-").equals(alone.figures.astype(object).fillna("-"))
    )
    september = _report("2026-09", with_previous=False, with_trends=False).figures
    overall = september[september.dimension == ""].set_index("metric_id")["value"]
    assert len(together.previous) > 20
    for metric_id, value in together.previous.items():
        expected = overall[metric_id]
        assert _close(value, None if pd_isna(expected) else float(expected)), metric_id


def test_an_empty_month_gives_zeros_and_no_data(app_context: None) -> None:
    report = _report("2025-03")
    frame = report.figures
    overall = frame[frame.dimension == ""].set_index("metric_id")
    assert overall.loc["screening.count", "value"] == 0
    assert overall.loc["access.denials", "value"] == 0
    assert overall.loc["incidents.count", "value"] == 0
    assert pd_isna(overall.loc["screening.two_screen_rate", "value"])
    assert overall.loc["screening.two_screen_rate", "status"] == NO_DATA
    assert overall.loc["audits.completion_rate", "status"] == NO_DATA
    assert report.exceptions().empty
    # its charts say "no data" instead of drawing empty axes
    import matplotlib.pyplot as plt

    from zonekeeper.reports.charts import chart_figure

    for _, chart in report.definition.charts():
        figure = chart_figure(report, chart)
        texts = [t.get_text() for t in figure.axes[0].texts]
        plt.close(figure)
        if chart.type == "bar":
            assert texts == ["No data this period"], chart.id
        elif METRICS[chart.metric].unit == "percent":  # no month had anything due
            assert texts == ["No data for these months"], chart.id


def test_annual_report_covers_the_year(app_context: None) -> None:
    build_october()
    report = _report("2026", kind="annual")
    frame = report.figures
    overall = frame[frame.dimension == ""].set_index("metric_id")
    assert overall.loc["incidents.count", "value"] == 5  # Sep, 3 in October, 1 in November
    assert overall.loc["screening.count", "value"] == 8  # 7 in October + 1 on 1 November
    assert list(report.trends.period.unique()) == [f"2026-{m:02d}" for m in range(1, 13)]


@pytest.mark.parametrize(
    ("kind", "text", "label"),
    [("monthly", "2026-02", "2026-02"), ("annual", "2025", "2025"), ("annual", "2025-06", "2025")],
)
def test_periods_parse(kind: str, text: str, label: str) -> None:
    period = parse_period(kind, text, ZONE)
    assert period.label == label
    assert period.start <= period.last_day < period.end


@pytest.mark.parametrize("text", ["2026-13", "26-01", "", "2026/01", "abcd-ef"])
def test_bad_months_are_refused(text: str) -> None:
    from zonekeeper.reports.period import PeriodError

    with pytest.raises(PeriodError):
        parse_period("monthly", text, ZONE)


def test_month_boundaries_are_local_midnights() -> None:
    period = parse_period("monthly", "2026-10", ZONE)
    assert period.start == date(2026, 10, 1) and period.end == date(2026, 11, 1)
    assert period.start_utc.isoformat() == "2026-10-01T05:00:00+00:00"
    assert period.end_utc.isoformat() == "2026-11-01T05:00:00+00:00"


def pd_isna(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
