"""Attestation (site, scanners, policy versions, officers, chain heads) and training."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select

from ..audit.models import AuditEvent
from ..doors.models import AccessEvent
from ..extensions import db
from ..people.models import Designation, Person, TrainingRecord
from ..policy import Policy, TrainingFact, best_current_training
from ..screening.models import ScreeningEvaluation
from ..site.models import Door, Scanner
from ..zone_audits.models import ZoneAudit
from .families import Context, Figure, family, rate_figure, rows
from .period import Period, _local_midnight_utc

GRANTED = ("grant", "grant_with_escort")
OFFICERS = {"mrmd": "MRMD", "mrso": "MRSO", "mrse": "MRSE"}


@family("attestation")
def attestation(ctx: Context) -> list[Figure]:
    period = ctx.period
    figures = [
        Figure(
            "attestation.site",
            f"{ctx.site_name or 'Site'} · {period.title} · "
            f"{period.start:%Y-%m-%d} to {period.last_day:%Y-%m-%d} ({period.zone_name})",
            None,
        )
    ]
    scanners = db.session.scalars(
        select(Scanner).where(Scanner.created_at < period.end_utc).order_by(Scanner.name)
    ).all()
    figures.append(Figure("attestation.scanners", "", float(len(scanners))))
    figures += [
        Figure(
            "attestation.scanners",
            f"{s.name} · {s.field_strength_t:g} T {s.manufacturer} {s.model}".strip(),
            1.0,
        )
        for s in scanners
    ]
    figures += _policy_versions(ctx)
    figures += _officers(period.last_day)
    for metric_id, (seq, digest) in chain_heads(period).items():
        figures += [
            Figure(metric_id, "", float(seq)),
            Figure(metric_id, f"seq {seq} · {digest}", float(seq)),
        ]
    return figures


def chain_heads(period: Period) -> dict[str, tuple[int, str]]:
    """The last audit-trail and access-log rows before the period ended (seq, hash)."""
    heads = {}
    for metric_id, model in (
        ("attestation.audit_chain_head", AuditEvent),
        ("attestation.access_log_chain_head", AccessEvent),
    ):
        head = db.session.execute(
            select(model.seq, model.row_hash)
            .where(model.occurred_at < period.end_utc)
            .order_by(model.seq.desc())
            .limit(1)
        ).first()
        heads[metric_id] = (int(head[0]), str(head[1])) if head else (0, "0" * 64)
    return heads


def _policy_versions(ctx: Context) -> list[Figure]:
    period = ctx.period
    used: dict[str, float] = defaultdict(float)
    for column, when in (
        (AccessEvent.policy_version, AccessEvent.occurred_at),
        (ScreeningEvaluation.policy_version, ScreeningEvaluation.evaluated_at),
    ):
        statement = (
            select(column, func.count())
            .where(when >= period.start_utc, when < period.end_utc)
            .group_by(column)
        )
        for version, n in db.session.execute(statement):
            used[version] += n
    audits = (
        select(ZoneAudit.policy_version, func.count())
        .where(ZoneAudit.audit_date >= period.start, ZoneAudit.audit_date < period.end)
        .group_by(ZoneAudit.policy_version)
    )
    for version, n in db.session.execute(audits):
        used[version] += n
    if not used:  # nothing decided in the period: the policy loaded now
        used[ctx.policy.version] = 0.0
    return [Figure("attestation.policy_versions", "", float(len(used)))] + [
        Figure("attestation.policy_versions", version, n) for version, n in sorted(used.items())
    ]


def _officers(day: date) -> list[Figure]:
    held = db.session.execute(
        select(Designation.role, Person.given_name, Person.family_name, Designation.in_charge)
        .join(Person, Person.id == Designation.person_id)
        .where(
            Designation.role.in_(OFFICERS),
            Designation.granted_on <= day,
            (Designation.ended_on.is_(None)) | (Designation.ended_on > day),
        )
        .order_by(Designation.role, Person.family_name)
    ).all()
    figures = [Figure("attestation.safety_officers", "", float(len(held)))]
    for role, given, family_name, in_charge in held:
        suffix = " (in charge)" if in_charge else ""
        figures.append(
            Figure(
                "attestation.safety_officers",
                f"{OFFICERS[role]}: {given} {family_name}{suffix}",
                1.0,
            )
        )
    return figures


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


def held_level(trainings: list[TrainingFact], rank: dict[str, int]) -> str:
    return max((t.level for t in trainings if t.level in rank), key=lambda lv: rank[lv])


def training_standing(
    staff: dict[int, list[TrainingFact]], day: date, policy: Policy
) -> tuple[dict[str, list[int]], dict[int, int]]:
    """Per level held: [current, holders] on ``day``; and how many lapse within 30/60/90 days."""
    rank = {level.id: level.rank for level in policy.levels}
    per_level: dict[str, list[int]] = {lv.id: [0, 0] for lv in policy.levels if lv.rank > 0}
    lapsing = {30: 0, 60: 0, 90: 0}
    for trainings in staff.values():
        if not any(t.level in rank for t in trainings):
            continue
        level = held_level(trainings, rank)
        standing = best_current_training(trainings, day, policy)
        counts = per_level.setdefault(level, [0, 0])
        counts[1] += 1
        if standing.level == level and not standing.lapsed:
            counts[0] += 1
            left = (standing.current_until - day).days if standing.current_until else None
            for days in lapsing:
                if left is not None and left < days:
                    lapsing[days] += 1
    return per_level, lapsing


@family("training")
def training(ctx: Context) -> list[Figure]:
    policy, day = ctx.policy, ctx.period.last_day
    staff = staff_trainings(day)
    per_level, lapsing = training_standing(staff, day, policy)
    names = {lv.id: lv.name for lv in policy.levels}
    total = [sum(c[0] for c in per_level.values()), sum(c[1] for c in per_level.values())]
    figures = [rate_figure("training.current_rate", "", total[0], total[1])]
    figures += [
        rate_figure("training.current_rate", names.get(level, level), n, d)
        for level, (n, d) in per_level.items()
    ]
    figures.append(Figure("training.lapsing", "", float(lapsing[30])))
    figures += [Figure("training.lapsing", f"{d} days", float(n)) for d, n in lapsing.items()]
    if not ctx.wants("training.lapsed_entries"):
        return figures
    entries = lapsed_entries(ctx, trainings=staff)
    figures.append(Figure("training.lapsed_entries", "", float(sum(entries.values()))))
    figures += [
        Figure("training.lapsed_entries", f"Zone {zone}", float(n))
        for zone, n in sorted(entries.items())
    ]
    return figures


def _restricted_entries(ctx: Context):  # type: ignore[no-untyped-def]
    period = ctx.period
    return and_(
        AccessEvent.occurred_at >= period.start_utc,
        AccessEvent.occurred_at < period.end_utc,
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


LAPSE_CHUNK = 100  # (person, lapsed run) conditions per counting query


def lapsed_entries(  # type: ignore[no-untyped-def]
    ctx: Context,
    with_events: bool = False,
    trainings: dict[int, list[TrainingFact]] | None = None,
):
    """Granted entries into restricted zones by staff whose training had lapsed, by zone
    (or the events themselves for the drill-down).

    The lapsed runs of every person are counted together, a chunk of runs per GROUP BY
    (the runs of one person are disjoint, so no entry is counted twice)."""
    people = rows(
        select(AccessEvent.person_id, func.count().label("n"))
        .join(Door, Door.id == AccessEvent.door_id)
        .where(_restricted_entries(ctx))
        .group_by(AccessEvent.person_id),
        ["person_id", "n"],
    )
    if trainings is None:
        trainings = staff_trainings(ctx.period.last_day)
    runs = []
    for person_id in people["person_id"]:
        facts = trainings.get(int(person_id))
        if not facts:
            continue  # never trained: not a lapse (Non-MR people enter with escorts)
        for begin, stop in lapsed_intervals(facts, ctx.period.start, ctx.period.end, ctx):
            runs.append(
                and_(
                    AccessEvent.person_id == int(person_id),
                    AccessEvent.occurred_at >= _local_midnight_utc(begin, ctx.period.zone),
                    AccessEvent.occurred_at < _local_midnight_utc(stop, ctx.period.zone),
                )
            )
    counts: dict[str, int] = defaultdict(int)
    events: list[AccessEvent] = []
    for first in range(0, len(runs), LAPSE_CHUNK):
        when = and_(_restricted_entries(ctx), or_(*runs[first : first + LAPSE_CHUNK]))
        if with_events:
            events += db.session.scalars(
                select(AccessEvent).join(Door, Door.id == AccessEvent.door_id).where(when)
            ).all()
            continue
        for zone, n in db.session.execute(
            select(Door.to_zone, func.count())
            .select_from(AccessEvent)
            .join(Door, Door.id == AccessEvent.door_id)
            .where(when)
            .group_by(Door.to_zone)
        ):
            counts[zone] += n
    return events if with_events else dict(counts)
