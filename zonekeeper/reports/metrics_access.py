"""Access figures from the access log, counted in the database (GROUP BY)."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from sqlalchemy import String, and_, case, cast, func, select

from ..doors.models import AccessEvent, Emergency
from ..extensions import db
from ..people.models import Person
from ..site.models import Door
from .families import Context, Figure, count_figures, family, grouped, rows

GRANTED = ("grant", "grant_with_escort")
CATEGORIES = {
    "staff": "Staff",
    "patient": "Patients",
    "visitor": "Visitors",
    "contractor": "Contractors",
    "responder": "Responders",
    None: "Unidentified",
}


def in_period(ctx: Context) -> Any:
    return and_(
        AccessEvent.occurred_at >= ctx.period.start_utc,
        AccessEvent.occurred_at < ctx.period.end_utc,
    )


def denied_scans() -> Any:
    return and_(AccessEvent.kind == "scan", AccessEvent.outcome == "deny")


def escort_timeouts() -> Any:
    return and_(AccessEvent.kind == "expiry", AccessEvent.outcome == "deny")


def passback_flagged() -> Any:
    return cast(AccessEvent.flags, String).like('%"passback"%')


def _reasons(raw: Any) -> str:
    codes = json.loads(raw) if isinstance(raw, str) else raw
    return ", ".join(codes or []) or "no reason recorded"


def access_counts(ctx: Context) -> pd.DataFrame:
    """Every access figure's counts for the period from one grouped scan of the access
    log (run once for the periods computed together): door (and its zone), person
    category, event kind, direction, outcome, the denial's reasons, the passback flag
    and the policy version, with the number of events of each combination. Grouped by
    door id: the few doors' names and zones are joined to the counts afterwards."""
    denied = and_(AccessEvent.kind == "scan", AccessEvent.outcome == "deny")
    columns = {
        "door_id": AccessEvent.door_id,
        "category": Person.kind,
        "event": AccessEvent.kind,
        "direction": AccessEvent.direction,
        "outcome": AccessEvent.outcome,
        "reasons": case((denied, cast(AccessEvent.reason_codes, String)), else_=None),
        "passback": case((passback_flagged(), 1), else_=0),
        "policy_version": AccessEvent.policy_version,
    }

    def statement(bucket: Any) -> Any:
        return (
            select(bucket, *(c.label(name) for name, c in columns.items()), func.count())
            .select_from(AccessEvent)
            .outerjoin(Person, Person.id == AccessEvent.person_id)
            .group_by(*columns.values())
        )

    counts = grouped(ctx, "access", AccessEvent.occurred_at, statement, [*columns, "n"])
    doors = rows(select(Door.id, Door.to_zone, Door.name), ["door_id", "zone", "door"])
    return counts.merge(doors, on="door_id", how="inner")


@family("access")
def access(ctx: Context) -> list[Figure]:
    counts = access_counts(ctx)
    entries = counts[(counts.direction == "in") & counts.outcome.isin(GRANTED)]
    entries = entries.assign(
        zone="Zone " + entries["zone"].astype(str),
        kind=entries["category"].map(lambda k: CATEGORIES.get(k, str(k))),
    )
    figures = count_figures("access.entries", entries, ["zone", "kind"])
    denials = counts[(counts.event == "scan") & (counts.outcome == "deny")]
    denials = denials.assign(reasons=denials["reasons"].map(_reasons))
    figures += count_figures("access.denials", denials, ["reasons"])
    timeouts = counts[(counts.event == "expiry") & (counts.outcome == "deny")]
    figures += count_figures("access.escort_timeouts", timeouts, ["door"])
    figures += count_figures("access.passback_flags", counts[counts.passback == 1], ["door"])
    if ctx.wants("access.emergency_periods"):
        figures += _emergencies(ctx)
    return figures


def _emergencies(ctx: Context) -> list[Figure]:
    emergencies = db.session.execute(
        select(Emergency.kind, Emergency.declared_at, Emergency.ended_at).where(
            Emergency.declared_at < ctx.period.end_utc,
            (Emergency.ended_at.is_(None)) | (Emergency.ended_at >= ctx.period.start_utc),
        )
    ).all()
    figures = [Figure("access.emergency_periods", "", float(len(emergencies)))]
    for kind, declared, ended in emergencies:
        minutes = ((ended - declared).total_seconds() / 60) if ended else None
        length = f"{minutes:.0f} min" if minutes is not None else "not ended"
        figures.append(
            Figure(
                "access.emergency_periods",
                f"{kind} from {declared.astimezone(ctx.period.zone):%Y-%m-%d %H:%M} ({length})",
                1.0,
            )
        )
    return figures
