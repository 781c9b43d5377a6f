"""Zone audits, corrective actions, incidents and near misses."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, func, select

from ..actions.models import CorrectiveAction
from ..extensions import db
from ..incidents.models import CATEGORIES, SEVERITIES, Incident
from ..screening.models import Screening
from ..zone_audits.models import ZoneAudit, ZoneAuditItem
from ..zone_audits.services import Target, first_audit_date, targets
from .families import Context, Figure, count_figures, family, median_figure, rate_figure, rows


def tracked_days(ctx: Context, target: Target) -> list[date]:
    """The days an audit of ``target`` was due: from the site's first audit (and the
    room's creation) to the period's end, or yesterday for the running month."""
    return tracked_days_since(ctx, target, first_audit_date())


def tracked_days_since(ctx: Context, target: Target, started: date | None) -> list[date]:
    """``tracked_days`` with the site's first audit date already read."""
    if started is None:
        return []
    first = max(ctx.period.start, started)
    if target.room is not None:
        first = max(first, target.room.created_at.astimezone(ctx.period.zone).date())
    last = min(ctx.period.last_day, ctx.today - timedelta(days=1))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def signed_days(ctx: Context) -> set[tuple[str, str, date]]:
    found = db.session.execute(
        select(ZoneAudit.checklist_id, ZoneAudit.target_key, ZoneAudit.audit_date)
        .where(
            ZoneAudit.status == "signed",
            ZoneAudit.audit_date >= ctx.period.start,
            ZoneAudit.audit_date < ctx.period.end,
        )
        .distinct()
    ).all()
    return {(c, t, d) for c, t, d in found}


def missed_audits(ctx: Context) -> list[tuple[Target, date]]:
    signed, started = signed_days(ctx), first_audit_date()
    return [
        (target, day)
        for target in targets(ctx.policy)
        for day in tracked_days_since(ctx, target, started)
        if (target.checklist.id, target.key, day) not in signed
    ]


def latest_signed_audits(ctx: Context) -> Any:
    return (
        select(func.max(ZoneAudit.id))
        .where(
            ZoneAudit.status == "signed",
            ZoneAudit.audit_date >= ctx.period.start,
            ZoneAudit.audit_date < ctx.period.end,
        )
        .group_by(ZoneAudit.checklist_id, ZoneAudit.target_key, ZoneAudit.audit_date)
    )


@family("audits")
def audits(ctx: Context) -> list[Figure]:
    signed, started = signed_days(ctx), first_audit_date()
    completion, missed = [], []
    totals = [0, 0]
    for target in targets(ctx.policy):
        days = tracked_days_since(ctx, target, started)
        done = sum((target.checklist.id, target.key, d) in signed for d in days)
        totals[0] += done
        totals[1] += len(days)
        completion.append(rate_figure("audits.completion_rate", target.label, done, len(days)))
        missed.append(Figure("audits.missed_days", target.label, float(len(days) - done)))
    failed = rows(
        select(
            ZoneAuditItem.item_id,
            func.max(ZoneAuditItem.text),
            ZoneAuditItem.severity,
            func.count().label("n"),
        )
        .where(
            ZoneAuditItem.audit_id.in_(latest_signed_audits(ctx)), ZoneAuditItem.result == "fail"
        )
        .group_by(ZoneAuditItem.item_id, ZoneAuditItem.severity),
        ["item", "text", "severity", "n"],
    )
    return (
        [rate_figure("audits.completion_rate", "", totals[0], totals[1]), *completion]
        + [Figure("audits.missed_days", "", float(totals[1] - totals[0])), *missed]
        + count_figures("audits.failed_items", failed, ["text", "severity"])
    )


def open_at_end(ctx: Context) -> Any:
    return and_(
        CorrectiveAction.created_at < ctx.period.end_utc,
        (CorrectiveAction.closed_at.is_(None)) | (CorrectiveAction.closed_at >= ctx.period.end_utc),
    )


def overdue_at_end(ctx: Context) -> Any:
    return and_(open_at_end(ctx), CorrectiveAction.due_on < ctx.period.end)


@family("actions")
def actions(ctx: Context) -> list[Figure]:
    period, figures = ctx.period, []
    for metric_id, column, by, condition in (
        ("actions.opened", CorrectiveAction.created_at, CorrectiveAction.source, None),
        ("actions.closed", CorrectiveAction.closed_at, CorrectiveAction.source, None),
        ("actions.open_at_end", None, CorrectiveAction.severity, open_at_end(ctx)),
        ("actions.overdue", None, CorrectiveAction.severity, overdue_at_end(ctx)),
    ):
        where = (
            condition
            if column is None
            else and_(column >= period.start_utc, column < period.end_utc)
        )
        grouped = rows(select(by, func.count().label("n")).where(where).group_by(by), ["by", "n"])
        figures += count_figures(metric_id, grouped, ["by"])
    closed = db.session.execute(
        select(CorrectiveAction.created_at, CorrectiveAction.closed_at).where(
            CorrectiveAction.closed_at >= period.start_utc,
            CorrectiveAction.closed_at < period.end_utc,
        )
    ).all()
    days = [(end - start).total_seconds() / 86400 for start, end in closed]
    figures.append(median_figure("actions.median_days_to_close", days))
    return figures


def reported_in(ctx: Context) -> Any:
    return and_(
        Incident.reported_at >= ctx.period.start_utc, Incident.reported_at < ctx.period.end_utc
    )


def medwatch_tasks() -> Any:
    return and_(CorrectiveAction.source == "incident", CorrectiveAction.title.like("%MedWatch%"))


@family("incidents")
def incidents(ctx: Context) -> list[Figure]:
    grouped = rows(
        select(Incident.category, Incident.severity, func.count().label("n"))
        .where(reported_in(ctx))
        .group_by(Incident.category, Incident.severity),
        ["category", "severity", "n"],
    )
    grouped["category"] = grouped["category"].map(lambda c: CATEGORIES.get(c, c))
    grouped["severity"] = grouped["severity"].map(lambda s: SEVERITIES.get(s, s))
    figures = count_figures("incidents.count", grouped, ["category", "severity"])
    count = float(grouped["n"].sum())
    screenings = db.session.scalar(
        select(func.count()).where(
            Screening.superseded.is_(False),
            Screening.visit_date >= ctx.period.start,
            Screening.visit_date < ctx.period.end,
        )
    )
    per_1000 = round(1000 * count / screenings, 2) if screenings else None
    figures.append(
        Figure("incidents.rate_per_1000_screenings", "", per_1000, count, float(screenings or 0))
    )
    delays = db.session.scalars(select(Incident.report_delay_minutes).where(reported_in(ctx)))
    figures.append(
        median_figure("incidents.median_hours_to_report", [m / 60 for m in delays], digits=1)
    )
    late = db.session.scalar(
        select(func.count()).where(reported_in(ctx), Incident.late_report.is_(True))
    )
    figures.append(Figure("incidents.late_reports", "", float(late or 0)))
    due, filed, open_late = db.session.execute(
        select(
            func.count(),
            func.count().filter(CorrectiveAction.status == "closed"),
            func.count().filter(overdue_at_end(ctx)),
        ).where(
            medwatch_tasks(),
            CorrectiveAction.due_on >= ctx.period.start,
            CorrectiveAction.due_on < ctx.period.end,
        )
    ).one()
    figures += [
        Figure("incidents.medwatch", "", float(due), float(filed), float(due)),
        Figure("incidents.medwatch", "due in the period", float(due)),
        Figure("incidents.medwatch", "filed", float(filed)),
        Figure("incidents.medwatch", "open past due", float(open_late)),
    ]
    pending = db.session.scalar(
        select(func.count()).where(
            Incident.reported_at < ctx.period.end_utc,
            (Incident.closed_at.is_(None)) | (Incident.closed_at >= ctx.period.end_utc),
        )
    )
    figures.append(Figure("incidents.reviews_pending", "", float(pending or 0)))
    return figures
