"""Lapsed training: each staff member's runs of local days with a lapsed training,
read once for the periods a report computes together, and the entries made during
them (counted in the access log's one grouped scan, listed for the drill-down)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Integer, and_, column, func, or_, select, values

from ..doors.models import AccessEvent
from ..extensions import db
from ..people.models import Person, TrainingRecord
from ..policy import TrainingFact, best_current_training
from ..site.models import Door
from .families import Context, periods_of, shared_value
from .period import _local_midnight_utc

GRANTED = ("grant", "grant_with_escort")


def staff_trainings(day: date) -> dict[int, list[TrainingFact]]:
    """Active staff with at least one valid training on file by ``day``."""
    records = db.session.execute(
        select(TrainingRecord.person_id, TrainingRecord.level, TrainingRecord.completed_on)
        .join(Person, Person.id == TrainingRecord.person_id)
        .where(
            Person.kind == "staff",
            Person.active.is_(True),
            TrainingRecord.voided_at.is_(None),
            TrainingRecord.completed_on <= day,
        )
    ).all()
    found: dict[int, list[TrainingFact]] = defaultdict(list)
    for person_id, level, completed_on in records:
        found[person_id].append(TrainingFact(level, completed_on))
    return found


def shared_trainings(ctx: Context) -> dict[int, list[TrainingFact]]:
    """``staff_trainings`` on the period's last day, read once for the periods computed
    together (the later periods' records, filtered by completion date)."""
    periods = periods_of(ctx)
    last = periods[-1].last_day
    everything = shared_value(ctx, ("trainings", last), lambda: staff_trainings(last))
    day = ctx.period.last_day
    if day >= last:
        return everything  # type: ignore[no-any-return]
    return {
        person: kept
        for person, facts in everything.items()
        if (kept := [f for f in facts if f.completed_on <= day])
    }


def restricted_entry(ctx: Context) -> Any:
    """A granted entry of an identified person into one of the policy's restricted zones."""
    return and_(
        AccessEvent.direction == "in",
        AccessEvent.outcome.in_(GRANTED),
        AccessEvent.person_id.is_not(None),
        Door.to_zone.in_(ctx.restricted_zones),
    )


def lapsed_intervals(
    trainings: list[TrainingFact], start: date, end: date, ctx: Context
) -> list[tuple[date, date]]:
    """The [from, to) local-date runs within [start, end) when the training was lapsed.

    The standing only changes on a completion date or the day after a record's last
    valid day, so it is evaluated at those days only, not day by day.
    """
    window = ctx.policy.training_validity_days
    changes = {start}
    for t in trainings:
        for day in (t.completed_on, t.completed_on + timedelta(days=window + 1)):
            if start < day < end:
                changes.add(day)
    runs: list[tuple[date, date]] = []
    points = sorted(changes) + [end]
    for begin, stop in zip(points, points[1:], strict=False):
        standing = best_current_training(trainings, begin, ctx.policy)
        if standing.basis is not None and (standing.age_days or 0) > window:
            if runs and runs[-1][1] == begin:
                runs[-1] = (runs[-1][0], stop)
            else:
                runs.append((begin, stop))
    return runs


def lapsed_instants(ctx: Context) -> list[tuple[int, datetime, datetime]]:
    """(person, from, to) instants of every lapsed run in the period (never-trained
    people, who enter with escorts, have none). A person's runs are disjoint."""
    zone = ctx.period.zone
    return [
        (person_id, _local_midnight_utc(begin, zone), _local_midnight_utc(stop, zone))
        for person_id, facts in sorted(shared_trainings(ctx).items())
        for begin, stop in lapsed_intervals(facts, ctx.period.start, ctx.period.end, ctx)
    ]


def lapsed_entry_counts(ctx: Context) -> dict[str, int]:
    """Granted entries into restricted zones made while the person's training had
    lapsed, by zone: one grouped query for all the periods computed together.

    The lapsed runs are a ``VALUES`` table joined to the access log by person. Each run
    also carries the range of access-event ids of its period (read from the time index),
    so a database can seek each person's events of that period on the person index
    (whose entries end with the row id) instead of all the person's history."""
    periods = periods_of(ctx)
    key = ("lapsed", tuple(p.label for p in periods))
    if key in ctx.shared:
        return ctx.shared[key][periods.index(ctx.period)]  # type: ignore[no-any-return]
    counts: list[dict[str, int]] = [{} for _ in periods]
    found = []
    for index, period in enumerate(periods):
        runs = lapsed_instants(replace(ctx, period=period))
        if runs:
            low, high = db.session.execute(
                select(func.min(AccessEvent.id), func.max(AccessEvent.id)).where(
                    AccessEvent.occurred_at >= period.start_utc,
                    AccessEvent.occurred_at < period.end_utc,
                )
            ).one()
            if low is not None:
                found += [(index, person, starts, ends, low, high) for person, starts, ends in runs]
    if found:
        instant = AccessEvent.occurred_at.type
        table = (
            values(
                column("period", Integer),
                column("person_id", Integer),
                column("starts", instant),
                column("ends", instant),
                column("low", Integer),
                column("high", Integer),
                name="lapsed_runs",
            )
            .data(found)
            .cte("lapsed_runs")
        )
        # a person's runs are disjoint: an entry is counted at most once
        statement = (
            select(table.c.period, Door.to_zone, func.count())
            .select_from(table)
            .join(
                AccessEvent,
                and_(
                    AccessEvent.person_id == table.c.person_id,
                    AccessEvent.id >= table.c.low,
                    AccessEvent.id <= table.c.high,
                    AccessEvent.occurred_at >= table.c.starts,
                    AccessEvent.occurred_at < table.c.ends,
                ),
            )
            .join(Door, Door.id == AccessEvent.door_id)
            .where(restricted_entry(ctx))
            .group_by(table.c.period, Door.to_zone)
        )
        for index, zone, n in db.session.execute(statement):
            counts[int(index)][zone] = int(n)
    ctx.shared[key] = counts
    return counts[periods.index(ctx.period)]


def lapsed_entry_events(ctx: Context) -> list[AccessEvent]:
    """The drill-down's records: the entries the access scan counts as lapsed, a chunk
    of (person, lapsed run) conditions per query."""
    conditions = [
        and_(
            AccessEvent.person_id == person_id,
            AccessEvent.occurred_at >= starts,
            AccessEvent.occurred_at < ends,
        )
        for person_id, starts, ends in lapsed_instants(ctx)
    ]
    events: list[AccessEvent] = []
    period = ctx.period
    when = and_(
        restricted_entry(ctx),
        AccessEvent.occurred_at >= period.start_utc,
        AccessEvent.occurred_at < period.end_utc,
    )
    for first in range(0, len(conditions), LAPSE_CHUNK):
        events += db.session.scalars(
            select(AccessEvent)
            .join(Door, Door.id == AccessEvent.door_id)
            .where(when, or_(*conditions[first : first + LAPSE_CHUNK]))
        ).all()
    return events


LAPSE_CHUNK = 100  # (person, lapsed run) conditions per drill-down query
