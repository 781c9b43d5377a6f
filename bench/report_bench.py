"""Benchmark: the monthly and annual compliance reports on a large site, against a
hand-written set of SQL aggregate queries for the same headline figures (the
baseline), measured in the same run. Prints times, the ratio and peak RSS.

What is timed is the figures' computation (``build_for_period``: SQL and pandas, no
rendering), in parts: the month alone; the month with the previous month (the
comparison column); and the whole report (with the twelve months of trends). The
baseline's nine queries run for the month, and again for the previous month, so each
part is compared with the hand-written SQL for the same periods. Rendering (CSV,
XLSX, PDF) is timed apart.

    python bench/report_bench.py                      # SQLite, built at --scale 1
    python bench/report_bench.py --scale 0.1          # a quick run
    python bench/report_bench.py --database-url postgresql+psycopg://postgres@127.0.0.1/large

Without --database-url a SQLite site is built once into /tmp (reused while its
scale matches). Targets (issue #17): monthly <= 2x baseline, annual <= 10 s,
peak RSS <= 500 MB.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from large_site import SiteNotEmptyError, bench_app, build  # noqa: E402
from sqlalchemy import text  # noqa: E402

# the headline figures, as a person would write them by hand
BASELINE = [
    """SELECT d.to_zone, p.kind, count(*) FROM access_events e JOIN doors d ON d.id = e.door_id
       LEFT JOIN people p ON p.id = e.person_id WHERE e.occurred_at >= :s AND e.occurred_at < :e
       AND e.direction = 'in' AND e.outcome IN ('grant', 'grant_with_escort')
       GROUP BY d.to_zone, p.kind""",
    """SELECT CAST(reason_codes AS TEXT), count(*) FROM access_events WHERE occurred_at >= :s
       AND occurred_at < :e AND kind = 'scan' AND outcome = 'deny'
       GROUP BY CAST(reason_codes AS TEXT)""",
    """SELECT count(*), sum(CASE WHEN first_screen_at IS NOT NULL AND second_screen_at IS NOT NULL
       THEN 1 ELSE 0 END) FROM screenings WHERE NOT superseded AND visit_date >= :ds
       AND visit_date < :de AND NOT emergent AND final_check_at IS NOT NULL""",
    """SELECT count(*) FROM screenings WHERE NOT superseded AND visit_date >= :ds
       AND visit_date < :de""",
    """SELECT count(DISTINCT checklist_id || target_key || audit_date) FROM zone_audits
       WHERE status = 'signed' AND audit_date >= :ds AND audit_date < :de""",
    """SELECT i.item_id, i.severity, count(*) FROM zone_audit_items i JOIN zone_audits a
       ON a.id = i.audit_id WHERE a.status = 'signed' AND a.audit_date >= :ds
       AND a.audit_date < :de AND i.result = 'fail' GROUP BY i.item_id, i.severity""",
    """SELECT count(*) FROM corrective_actions WHERE created_at < :e
       AND (closed_at IS NULL OR closed_at >= :e)""",
    """SELECT category, severity, count(*) FROM incidents WHERE reported_at >= :s
       AND reported_at < :e GROUP BY category, severity""",
    """SELECT count(*) FROM people p WHERE p.kind = 'staff' AND EXISTS (SELECT 1
       FROM training_records t WHERE t.person_id = p.id AND t.voided_at IS NULL
       AND t.completed_on > :train_from AND t.completed_on <= :de)""",
]


def baseline(period) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from zonekeeper.extensions import db

    params = {
        "s": period.start_utc.replace(tzinfo=None)
        if db.engine.dialect.name == "sqlite"
        else period.start_utc,
        "e": period.end_utc.replace(tzinfo=None)
        if db.engine.dialect.name == "sqlite"
        else period.end_utc,
        "ds": period.start,
        "de": period.end,
        "train_from": period.end - timedelta(days=366),
    }
    for statement in BASELINE:
        db.session.execute(text(statement), params).all()
    db.session.rollback()


class Timing(float):
    """A median wall time, with ``cpu``: the median CPU time of this process (on SQLite
    all the database's work too), steadier than wall time on a shared machine."""

    cpu: float


def timed(function: Callable[[], object], rounds: int) -> Timing:
    times, cpu = [], []
    for _ in range(rounds):
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    timing = Timing(statistics.median(times))
    timing.cpu = statistics.median(cpu)
    return timing


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    url = args.database_url
    if url is None:
        path = Path(f"/tmp/zonekeeper-large-site-{args.scale:g}.db")
        url = f"sqlite:///{path}"
        if not path.exists():
            print(f"building the large site into {path} (scale {args.scale:g}) ...", flush=True)
            print(build(url, args.scale), flush=True)
    else:
        try:  # an empty database is built first; a built one is reused
            print(f"building the large site (scale {args.scale:g}) ...", flush=True)
            print(build(url, args.scale), flush=True)
        except SiteNotEmptyError:
            print("reusing the large site already in the database", flush=True)
    app = bench_app(url)
    with app.app_context():
        from zonekeeper.clock import site_today
        from zonekeeper.extensions import db
        from zonekeeper.reports.build import build_for_period, current_definition
        from zonekeeper.reports.period import default_period, parse_period
        from zonekeeper.reports.render import render

        zone = app.config["SITE_TIMEZONE"]
        month = default_period("monthly", site_today(), zone)
        year = parse_period("annual", f"{month.start.year}", zone)
        events = db.session.execute(text("SELECT count(*) FROM access_events")).scalar()
        print(
            f"{db.engine.dialect.name}: {events:,} access events; month {month.label}, "
            f"year {year.label}"
        )
        monthly, annual = current_definition("monthly"), current_definition("annual")
        build_for_period(monthly, month)  # warm-up: imports, caches
        alone = {"with_previous": False, "with_trends": False}
        rounds = args.rounds
        base_month = timed(lambda: baseline(month), rounds)
        base_two = timed(lambda: (baseline(month.previous()), baseline(month)), rounds)
        month_alone = timed(lambda: build_for_period(monthly, month, **alone), rounds)
        month_two = timed(lambda: build_for_period(monthly, month, with_trends=False), rounds)
        report_month = timed(lambda: build_for_period(monthly, month), rounds)
        base_year = timed(lambda: baseline(year), rounds)
        report_year = timed(lambda: build_for_period(annual, year), max(1, rounds - 2))
        built = build_for_period(monthly, month)
        render_times = {
            fmt: timed(lambda f=fmt: render(built, f), 1) for fmt in ("csv", "xlsx", "pdf")
        }
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    ratio = report_month / base_month

    def verdict(value: float, limit: float) -> str:
        return "meets" if value <= limit else "misses"

    print(f"medians of {rounds} rounds; load average {' '.join(load)}")
    print(
        f"the month's figures alone: {month_alone:.3f} s; baseline (9 queries, the month) "
        f"{base_month:.3f} s; ratio {month_alone / base_month:.2f}"
    )
    print(
        f"with the previous month (the comparison): {month_two:.3f} s; baseline for both "
        f"months {base_two:.3f} s; ratio {month_two / base_two:.2f}"
    )
    print(
        f"monthly report (+ 12 months of trends): {report_month:.3f} s; ratio to the "
        f"month's baseline {ratio:.2f} ({verdict(ratio, 2)} <= 2); to both months' "
        f"{report_month / base_two:.2f}"
    )
    print(
        f"annual report:  {report_year:.2f} s ({verdict(report_year, 10)} <= 10 s); "
        f"baseline {base_year:.3f} s; ratio {report_year / base_year:.1f}"
    )
    print(
        "rendering the monthly report: "
        + ", ".join(f"{fmt} {seconds:.2f} s" for fmt, seconds in render_times.items())
    )
    print(f"peak RSS: {peak_mb:.0f} MB ({verdict(peak_mb, 500)} <= 500 MB)")
    cpu = {name: value.cpu for name, value in locals().items() if isinstance(value, Timing)}
    print(
        "CPU time in this process (medians; the database's own work only on SQLite): "
        + ", ".join(f"{name} {seconds:.3f} s" for name, seconds in cpu.items())
    )
    if url.startswith("sqlite"):
        print(
            f"CPU ratios: the month {cpu['month_alone'] / cpu['base_month']:.2f}; with the "
            f"previous month {cpu['month_two'] / cpu['base_two']:.2f}; the whole report to "
            f"the month's baseline {cpu['report_month'] / cpu['base_month']:.2f}"
        )


if __name__ == "__main__":
    main()
