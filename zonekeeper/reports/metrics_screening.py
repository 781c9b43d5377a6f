"""Screening and contrast figures, from the current version of each screening whose
visit date (a site-local date) falls in the period."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Text, and_, cast, exists, func, or_, select

from ..extensions import db
from ..screening.models import Screening, ScreeningEvaluation, ScreeningSignoff
from ..site.models import Scanner
from .families import (
    Context,
    Figure,
    count_figures,
    family,
    median_figure,
    rate_figure,
    rows,
)

SUBJECTS = {
    "patient": "Patients",
    "non_mr_personnel": "Non-MR personnel",
    "companion": "Companions",
}
# the eGFR windows of rules/contrast.yaml (outpatient 6 weeks, inpatient 48 h, dates only);
# any other setting is held to the stricter one
EGFR_MAX_AGE_DAYS = {"outpatient": 41, "inpatient": 1}
EGFR_GROUPS = ("I", "III")


def in_period(ctx: Context) -> Any:
    return and_(
        Screening.superseded.is_(False),
        Screening.visit_date >= ctx.period.start,
        Screening.visit_date < ctx.period.end,
    )


def two_screen_population(ctx: Context) -> Any:
    """Non-emergent screenings that reached the final check, outside the no-screen exception."""
    return and_(
        in_period(ctx),
        Screening.emergent.is_(False),
        Screening.final_check_at.is_not(None),
        Screening.exception_at.is_(None),
    )


def two_screens_done() -> Any:
    return and_(Screening.first_screen_at.is_not(None), Screening.second_screen_at.is_not(None))


def exception_signed_by_both() -> Any:
    return and_(
        Screening.exception_ordering_physician != "",
        Screening.exception_mr_physician_user_id.is_not(None),
    )


def answered(question: str, *values: str) -> Any:
    """A yes/no answer, tested on the stored JSON text (both backends keep json.dumps's form)."""
    text = cast(Screening.answers, Text)
    return or_(*(text.like(f'%"{question}": "{value}"%') for value in values))


def _latest_evaluation() -> Any:
    return (
        select(ScreeningEvaluation.screening_id, func.max(ScreeningEvaluation.id).label("eid"))
        .group_by(ScreeningEvaluation.screening_id)
        .subquery()
    )


def _signed_off(clearances: tuple[str, ...]) -> Any:
    return exists().where(
        ScreeningSignoff.lineage == Screening.lineage,
        ScreeningSignoff.voided_at.is_(None),
        ScreeningSignoff.clearance.in_(clearances),
    )


@family("screening")
def screening(ctx: Context) -> list[Figure]:
    by_kind = rows(
        select(Screening.subject_kind, func.count().label("n"))
        .where(in_period(ctx))
        .group_by(Screening.subject_kind),
        ["kind", "n"],
    )
    by_kind["kind"] = by_kind["kind"].map(lambda k: SUBJECTS.get(k, k))
    figures = count_figures("screening.count", by_kind, ["kind"])
    if ctx.metrics is not None and not ctx.metrics - {
        "screening.count",
        "screening.two_screen_rate",
    }:
        return figures + _two_screens(ctx)  # a trend month: the rest is not needed
    figures += _two_screens(ctx)
    return figures + _the_rest(ctx)


def _two_screens(ctx: Context) -> list[Figure]:
    due, done = db.session.execute(
        select(func.count(), func.count().filter(two_screens_done())).where(
            two_screen_population(ctx)
        )
    ).one()
    return [rate_figure("screening.two_screen_rate", "", done, due)]


def _the_rest(ctx: Context) -> list[Figure]:
    emergent = db.session.scalar(
        select(func.count()).where(in_period(ctx), Screening.single_screen_emergent.is_(True))
    )
    figures = [Figure("screening.emergent_single", "", float(emergent or 0))]
    exceptions, both = db.session.execute(
        select(func.count(), func.count().filter(exception_signed_by_both())).where(
            in_period(ctx), Screening.exception_at.is_not(None)
        )
    ).one()
    figures += [
        Figure("screening.no_screen_exceptions", "", float(exceptions), both, exceptions),
        Figure("screening.no_screen_exceptions", "both signatures", float(both)),
        Figure("screening.no_screen_exceptions", "a signature missing", float(exceptions - both)),
        Figure("screening.exceptions_missing_signature", "", float(exceptions - both)),
    ]
    figures += _outcomes(ctx)
    signoffs = rows(
        select(ScreeningSignoff.clearance, func.count().label("n"))
        .where(
            ScreeningSignoff.voided_at.is_(None),
            ScreeningSignoff.signed_at >= ctx.period.start_utc,
            ScreeningSignoff.signed_at < ctx.period.end_utc,
        )
        .group_by(ScreeningSignoff.clearance),
        ["clearance", "n"],
    )
    signoffs["clearance"] = signoffs["clearance"].str.removeprefix("clearance.")
    figures += count_figures("screening.signoffs", signoffs, ["clearance"])
    times = db.session.execute(
        select(Screening.first_screen_at, Screening.final_check_at).where(
            in_period(ctx),
            Screening.first_screen_at.is_not(None),
            Screening.final_check_at.is_not(None),
        )
    ).all()
    minutes = [(final - first).total_seconds() / 60 for first, final in times]
    figures.append(median_figure("screening.median_minutes_to_final_check", minutes))
    for metric_id, question, clearances, label in (
        ("screening.pregnancy_workups", "pregnant", ("clearance.pregnancy",), "pregnancy"),
        ("screening.orbit_workups", "eye_injury", ("clearance.orbits",), "orbits"),
    ):
        total, signed = db.session.execute(
            select(func.count(), func.count().filter(_signed_off(clearances))).where(
                in_period(ctx), answered(question, "yes", "unknown")
            )
        ).one()
        figures += [
            Figure(metric_id, "", float(total)),
            Figure(metric_id, f"{label} clearance signed", float(signed)),
            Figure(metric_id, f"no {label} clearance", float(total - signed)),
        ]
    return figures


def _outcomes(ctx: Context) -> list[Figure]:
    latest = _latest_evaluation()
    base = (
        select(
            Scanner.name.label("scanner"),
            ScreeningEvaluation.disposition,
            func.count().label("n"),
        )
        .select_from(Screening)
        .join(latest, latest.c.screening_id == Screening.id)
        .join(ScreeningEvaluation, ScreeningEvaluation.id == latest.c.eid)
        .join(Scanner, Scanner.id == Screening.scanner_id)
        .where(in_period(ctx))
    )
    outcomes = rows(
        base.group_by(Scanner.name, ScreeningEvaluation.disposition),
        ["scanner", "disposition", "n"],
    )
    conditional = rows(
        base.where(
            cast(Screening.implants, Text).like('%"astm_class": "mr_conditional"%')
        ).group_by(Scanner.name, ScreeningEvaluation.disposition),
        ["scanner", "disposition", "n"],
    )
    return (
        count_figures("screening.outcomes", outcomes, ["disposition"])
        + count_figures("screening.outcomes_by_scanner", outcomes, ["scanner", "disposition"])
        + count_figures("screening.conditional_clearances", conditional, ["disposition"])
    )


def agent_groups(ctx: Context) -> dict[str, str]:
    contrast = ctx.policy.contrast
    return {a.generic: a.group for a in contrast.agents} if contrast is not None else {}


def egfr_in_window(answers: dict[str, Any], setting: str, visit: date) -> bool:
    egfr, when = answers.get("egfr"), answers.get("egfr_date")
    if egfr in (None, "") or not when:
        return False
    try:
        age = (visit - date.fromisoformat(str(when))).days
    except ValueError:
        return False
    return 0 <= age <= EGFR_MAX_AGE_DAYS.get(setting, min(EGFR_MAX_AGE_DAYS.values()))


def egfr_cases(ctx: Context) -> list[Screening]:
    """Planned administrations of agents that need an eGFR (the drill-down's records)."""
    groups = agent_groups(ctx)
    needing = [agent for agent, group in groups.items() if group in EGFR_GROUPS]
    return list(
        db.session.scalars(
            select(Screening)
            .where(in_period(ctx), Screening.contrast_agent.in_(needing))
            .order_by(Screening.visit_date, Screening.id)
        )
    )


@family("contrast")
def contrast(ctx: Context) -> list[Figure]:
    planned = rows(
        select(Screening.contrast_agent, func.count().label("n"))
        .where(in_period(ctx), Screening.contrast_agent.is_not(None))
        .group_by(Screening.contrast_agent),
        ["agent", "n"],
    )
    groups = agent_groups(ctx)
    planned["group"] = planned["agent"].map(
        lambda a: f"Group {groups[a]}" if a in groups else ("Not in the catalogue")
    )
    figures = count_figures("contrast.planned", planned, ["group"])
    per_group: dict[str, list[int]] = {}
    for case in egfr_cases(ctx):
        counts = per_group.setdefault(f"Group {groups[case.contrast_agent or '']}", [0, 0])
        counts[1] += 1
        counts[0] += egfr_in_window(case.answers or {}, case.setting, case.visit_date)
    total = [sum(c[0] for c in per_group.values()), sum(c[1] for c in per_group.values())]
    figures.append(rate_figure("contrast.egfr_in_window_rate", "", total[0], total[1]))
    figures += [
        rate_figure("contrast.egfr_in_window_rate", group, n, d)
        for group, (n, d) in sorted(per_group.items())
    ]
    return figures
