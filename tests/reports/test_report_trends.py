"""The Trends section computed in one grouped query per metric (issue #17) gives, month
by month, exactly what each month's own computation gives, local-time boundaries
included."""

from __future__ import annotations

import math

import pytest

from tests.report_dataset import TODAY, ZONE, build_october
from zonekeeper.reports.catalogue import METRICS
from zonekeeper.reports.compute import build_report
from zonekeeper.reports.definitions import load_definition
from zonekeeper.reports.families import Context, compute_families
from zonekeeper.reports.period import parse_period
from zonekeeper.reports.trends import BATCHED, trend_values


def _same(a: float | None, b: float | None) -> bool:
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    return b is not None and abs(float(a) - float(b)) < 1e-9


def _one_month_at_a_time(month, metric_ids, policy):  # type: ignore[no-untyped-def]
    wanted = frozenset(metric_ids)
    figures = compute_families(
        {METRICS[m].family for m in metric_ids}, Context(month, policy, TODAY, "x", wanted)
    )
    return {f.metric_id: f.value for f in figures if f.dimension == "" and f.metric_id in wanted}


@pytest.mark.parametrize(
    ("kind", "text", "zone"),
    [
        ("monthly", "2026-10", ZONE),
        ("monthly", "2026-11", ZONE),
        ("annual", "2026", ZONE),
        ("monthly", "2026-10", "UTC"),
        ("monthly", "2026-10", "Asia/Kolkata"),
    ],
)
def test_batched_trends_equal_month_by_month(app_context: None, kind, text, zone) -> None:  # type: ignore[no-untyped-def]
    from zonekeeper.policy_store import current_policy

    build_october()
    policy = current_policy()
    definition = load_definition("reports", kind)
    period = parse_period(kind, text, zone)
    months = period.trailing_months(definition.trend_months)
    batched = trend_values(months, definition.trend_metrics(), policy, TODAY, "x")
    assert set(definition.trend_metrics()) <= set(BATCHED)  # no month-by-month fallback
    problems = []
    for month in months:
        expected = _one_month_at_a_time(month, definition.trend_metrics(), policy)
        for metric_id in definition.trend_metrics():
            got = batched[metric_id][month.label]
            if not _same(got, expected.get(metric_id)):
                problems.append(f"{metric_id} {month.label}: {got} != {expected.get(metric_id)}")
    assert not problems, "\n".join(problems)


def test_trend_months_follow_the_site_time_zone(app_context: None) -> None:
    """31 Oct 23:30 local (04:30 UTC on 1 November) is counted in October's trend."""
    from zonekeeper.policy_store import current_policy

    build_october()
    report = build_report(
        load_definition("reports", "monthly"),
        parse_period("monthly", "2026-11", ZONE),
        current_policy(),
        TODAY,
        "x",
        with_previous=False,
    )
    trends = report.trends.set_index(["metric_id", "period"])["value"]
    assert trends[("incidents.count", "2026-10")] == 3  # includes the 31 Oct 23:30 report
    assert trends[("incidents.count", "2026-11")] == 1
    assert trends[("incidents.count", "2026-09")] == 1
    assert trends[("access.denials", "2026-11")] == 1  # 1 Nov 00:30 local


@pytest.mark.parametrize("chunk", [1, 100])
def test_lapsed_entries_counted_in_the_access_scan(
    app_context: None, monkeypatch, chunk: int
) -> None:  # type: ignore[no-untyped-def]
    """The entries during lapsed runs, counted in the access log's grouped scan with the
    previous month computed together: the hand count; the drill-down's events (a chunk
    of runs per query) are the same entries."""
    from zonekeeper.policy_store import current_policy
    from zonekeeper.reports import lapses
    from zonekeeper.reports.families import FAMILIES

    build_october()
    monkeypatch.setattr(lapses, "LAPSE_CHUNK", chunk)
    october = parse_period("monthly", "2026-10", ZONE)
    together = (october.previous(), october)
    ctx = Context(october, current_policy(), TODAY, "x", None, together, {})
    got = {
        f.dimension: f.value
        for f in FAMILIES["training"](ctx)
        if f.metric_id == "training.lapsed_entries"
    }
    assert got == {"": 2, "Zone III": 1, "Zone IV": 1}
    events = lapses.lapsed_entry_events(ctx)
    assert len(events) == 2


def test_a_trend_metric_without_a_batched_form_is_computed_month_by_month(
    app_context: None, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from zonekeeper.policy_store import current_policy
    from zonekeeper.reports import trends

    build_october()
    policy = current_policy()
    months = parse_period("monthly", "2026-10", ZONE).trailing_months(3)
    monkeypatch.delitem(trends.BATCHED, "incidents.count")
    got = trend_values(months, ["incidents.count", "access.denials"], policy, TODAY, "x")
    assert got["incidents.count"] == {"2026-08": 0.0, "2026-09": 1.0, "2026-10": 3.0}
    assert set(got["access.denials"]) == {"2026-08", "2026-09", "2026-10"}
