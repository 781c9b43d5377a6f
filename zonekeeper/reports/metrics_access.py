"""Access figures from the access log, counted in the database (GROUP BY)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import String, and_, cast, func, select

from ..doors.models import AccessEvent, Emergency
from ..extensions import db
from ..people.models import Person
from ..site.models import Door
from .families import Context, Figure, count_figures, family, rows

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


@family("access")
def access(ctx: Context) -> list[Figure]:
    figures = _entries(ctx) if ctx.wants("access.entries") else []
    if ctx.wants("access.denials"):
        figures += _denials(ctx)
    for metric_id, condition in (
        ("access.escort_timeouts", escort_timeouts()),
        ("access.passback_flags", passback_flagged()),
    ):
        if ctx.wants(metric_id):
            figures += _by_door(ctx, metric_id, condition)
    if ctx.wants("access.emergency_periods"):
        figures += _emergencies(ctx)
    return figures


def _entries(ctx: Context) -> list[Figure]:
    entries = rows(
        select(Door.to_zone, Person.kind, func.count().label("n"))
        .select_from(AccessEvent)
        .join(Door, Door.id == AccessEvent.door_id)
        .outerjoin(Person, Person.id == AccessEvent.person_id)
        .where(in_period(ctx), AccessEvent.direction == "in", AccessEvent.outcome.in_(GRANTED))
        .group_by(Door.to_zone, Person.kind),
        ["zone", "kind", "n"],
    )
    entries["zone"] = "Zone " + entries["zone"].astype(str)
    entries["kind"] = entries["kind"].map(lambda k: CATEGORIES.get(k, str(k)))
    return count_figures("access.entries", entries, ["zone", "kind"])


def _denials(ctx: Context) -> list[Figure]:
    # the reason codes are a JSON list: grouped by its text in SQL, named in pandas
    denials = rows(
        select(cast(AccessEvent.reason_codes, String), func.count().label("n"))
        .where(in_period(ctx), denied_scans())
        .group_by(cast(AccessEvent.reason_codes, String)),
        ["reasons", "n"],
    )
    denials["reasons"] = denials["reasons"].map(_reasons)
    return count_figures("access.denials", denials, ["reasons"])


def _by_door(ctx: Context, metric_id: str, condition: Any) -> list[Figure]:
    by_door = rows(
        select(Door.name, func.count().label("n"))
        .select_from(AccessEvent)
        .join(Door, Door.id == AccessEvent.door_id)
        .where(in_period(ctx), condition)
        .group_by(Door.name),
        ["door", "n"],
    )
    return count_figures(metric_id, by_door, ["door"])


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
