"""The Trends section: each trend metric for all its months at once.

One grouped query per metric over the whole run of months, instead of one metric
family computation per month. An instant is put in its month by a ``CASE`` on the
months' local midnights converted to UTC (``Period.start_utc``), the very bounds a
single month's computation uses, so an event at 23:30 local time on the 31st stays
in that month whatever its UTC date and whatever the daylight-saving offset; a local
date (visit, audit) is bucketed on the months' first local days. Portable: neither
backend's time-zone functions are used.

A metric without a batched form here falls back to its family, month by month.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import func, select, true

from ..doors.models import AccessEvent
from ..extensions import db
from ..incidents.models import Incident
from ..policy import Policy
from ..screening.models import Screening
from ..zone_audits.models import ZoneAudit
from ..zone_audits.services import first_audit_date, targets
from .catalogue import METRICS
from .families import (
    Context,
    compute_families,
    date_bounds,
    instant_bounds,
    period_bucket,
    rate,
    shared_value,
)
from .lapses import staff_trainings
from .metrics_access import denied_scans
from .metrics_audits import tracked_days_since
from .metrics_people import training_standing
from .metrics_screening import two_screens_done
from .period import Period

Values = dict[str, float | None]  # month label -> value


def _counted(months: list[Period], column: Any, condition: Any) -> Values:
    """A count per month of the rows matching ``condition`` whose instant ``column``
    falls in the month: one GROUP BY over all the months."""
    bounds = instant_bounds(months)
    bucket = period_bucket(column, bounds).label("bucket")
    found = dict(
        db.session.execute(
            select(bucket, func.count())
            .where(condition, column >= bounds[0], column < bounds[-1])
            .group_by(bucket)
        ).all()
    )
    return {m.label: float(found.get(n, 0)) for n, m in enumerate(months)}


def denials(months: list[Period], ctx: Context) -> Values:
    return _counted(months, AccessEvent.occurred_at, denied_scans())


def incident_counts(months: list[Period], ctx: Context) -> Values:
    return _counted(months, Incident.reported_at, true())


def two_screen_rates(months: list[Period], ctx: Context) -> Values:
    bounds = date_bounds(months)
    bucket = period_bucket(Screening.visit_date, bounds).label("bucket")
    found = {
        n: (due, done)
        for n, due, done in db.session.execute(
            select(bucket, func.count(), func.count().filter(two_screens_done()))
            .where(
                Screening.superseded.is_(False),
                Screening.visit_date >= bounds[0],
                Screening.visit_date < bounds[-1],
                Screening.emergent.is_(False),
                Screening.final_check_at.is_not(None),
                Screening.exception_at.is_(None),
            )
            .group_by(bucket)
        ).all()
    }
    return {m.label: rate(*reversed(found.get(n, (0, 0)))) for n, m in enumerate(months)}


def audit_completion(months: list[Period], ctx: Context) -> Values:
    """Signed (checklist, place, day) triples of all the months in one query; the days
    due are counted per month exactly as the audits family does."""
    signed = {
        (c, t, d)
        for c, t, d in db.session.execute(
            select(ZoneAudit.checklist_id, ZoneAudit.target_key, ZoneAudit.audit_date)
            .where(
                ZoneAudit.status == "signed",
                ZoneAudit.audit_date >= months[0].start,
                ZoneAudit.audit_date < months[-1].end,
            )
            .distinct()
        ).all()
    }
    places, started = targets(ctx.policy), first_audit_date()
    out: Values = {}
    for month in months:
        month_ctx = Context(month, ctx.policy, ctx.today, ctx.site_name, ctx.metrics)
        done = due = 0
        for target in places:
            days = tracked_days_since(month_ctx, target, started)
            done += sum((target.checklist.id, target.key, d) in signed for d in days)
            due += len(days)
        out[month.label] = rate(done, due)
    return out


def training_current(months: list[Period], ctx: Context) -> Values:
    """The training records up to the last month's end read once, then each month's
    standing on its last day, as the training family computes it."""
    last = months[-1].last_day  # read once with the report's own figures
    everything = shared_value(ctx, ("trainings", last), lambda: staff_trainings(last))
    out: Values = {}
    for month in months:
        day = month.last_day
        held = {
            person: kept
            for person, facts in everything.items()
            if (kept := [f for f in facts if f.completed_on <= day])
        }
        per_level, _ = training_standing(held, day, ctx.policy)
        out[month.label] = rate(
            sum(c[0] for c in per_level.values()), sum(c[1] for c in per_level.values())
        )
    return out


BATCHED: dict[str, Callable[[list[Period], Context], Values]] = {
    "access.denials": denials,
    "incidents.count": incident_counts,
    "screening.two_screen_rate": two_screen_rates,
    "audits.completion_rate": audit_completion,
    "training.current_rate": training_current,
}


def trend_values(
    months: list[Period],
    metric_ids: list[str],
    policy: Policy,
    today: date,
    site_name: str,
    shared: dict[Any, Any] | None = None,
) -> dict[str, Values]:
    """metric id -> {month label -> overall value} for every month of ``months``
    (``shared``: what the report's own computation already read)."""
    ctx = Context(months[-1], policy, today, site_name, frozenset(metric_ids), (), shared or {})
    out = {m: BATCHED[m](months, ctx) for m in metric_ids if m in BATCHED}
    rest = [m for m in metric_ids if m not in BATCHED]
    if rest:
        families = {METRICS[m].family for m in rest}
        for month in months:
            figures = compute_families(
                families, Context(month, policy, today, site_name, frozenset(rest))
            )
            for f in figures:
                if f.dimension == "" and f.metric_id in rest:
                    out.setdefault(f.metric_id, {})[month.label] = f.value
    return out
