"""Attestation (site, scanners, policy versions, officers, chain heads) and training."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select

from ..audit.models import AuditEvent
from ..doors.models import AccessEvent
from ..extensions import db
from ..people.models import Designation, Person
from ..policy import Policy, TrainingFact, best_current_training
from ..screening.models import ScreeningEvaluation
from ..site.models import Scanner
from ..zone_audits.models import ZoneAudit
from .families import (
    Context,
    Figure,
    family,
    rate_figure,
)
from .lapses import lapsed_entry_counts, shared_trainings
from .metrics_access import access_counts
from .period import Period

GRANTED = ("grant", "grant_with_escort")
OFFICERS = {"mrmd": "MRMD", "mrso": "MRSO", "mrse": "MRSE"}


@family("attestation")
def attestation(ctx: Context) -> list[Figure]:
    period = ctx.period
    figures = [
        Figure(
            "attestation.site",
            f"{ctx.site_name} · {period.title} · "
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
    for version, n in access_counts(ctx).groupby("policy_version")["n"].sum().items():
        used[str(version)] += float(n)
    evaluations = (
        select(ScreeningEvaluation.policy_version, func.count())
        .where(
            ScreeningEvaluation.evaluated_at >= period.start_utc,
            ScreeningEvaluation.evaluated_at < period.end_utc,
        )
        .group_by(ScreeningEvaluation.policy_version)
    )
    for version, n in db.session.execute(evaluations):
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
    staff = shared_trainings(ctx)
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
    entries = lapsed_entry_counts(ctx)
    figures.append(Figure("training.lapsed_entries", "", float(sum(entries.values()))))
    figures += [
        Figure("training.lapsed_entries", f"Zone {zone}", float(n))
        for zone, n in sorted(entries.items())
    ]
    return figures
