"""Screening and contrast figures, from the current version of each screening whose
visit date (a site-local date) falls in the period."""

from __future__ import annotations

from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy import Text, and_, case, cast, exists, func, or_, select

from ..extensions import db
from ..screening.models import Screening, ScreeningEvaluation, ScreeningSignoff
from ..site.models import Scanner
from .families import (
    Context,
    Figure,
    count_figures,
    family,
    grouped,
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


def _signed_off(clearances: tuple[str, ...]) -> Any:
    return exists().where(
        ScreeningSignoff.lineage == Screening.lineage,
        ScreeningSignoff.voided_at.is_(None),
        ScreeningSignoff.clearance.in_(clearances),
    )


def _counts(ctx: Context) -> pd.DataFrame:
    """The screening counts of the period by subject kind, every condition a column: one
    grouped query for the periods computed together."""
    population = and_(
        Screening.emergent.is_(False),
        Screening.final_check_at.is_not(None),
        Screening.exception_at.is_(None),
    )
    exception = Screening.exception_at.is_not(None)
    pregnancy = answered("pregnant", "yes", "unknown")
    orbits = answered("eye_injury", "yes", "unknown")
    conditions = {
        "due": population,
        "done": and_(population, two_screens_done()),
        "emergent": Screening.single_screen_emergent.is_(True),
        "exceptions": exception,
        "both": and_(exception, exception_signed_by_both()),
        "pregnancy": pregnancy,
        "pregnancy_signed": and_(pregnancy, _signed_off(("clearance.pregnancy",))),
        "orbits": orbits,
        "orbits_signed": and_(orbits, _signed_off(("clearance.orbits",))),
    }
    return grouped(
        ctx,
        "screening",
        Screening.visit_date,
        lambda bucket: (
            select(
                bucket,
                Screening.subject_kind,
                func.count(),
                *(func.count().filter(c) for c in conditions.values()),
            )
            .where(Screening.superseded.is_(False))
            .group_by(Screening.subject_kind)
        ),
        ["kind", "n", *conditions],
    )


@family("screening")
def screening(ctx: Context) -> list[Figure]:
    counts = _counts(ctx)
    total = counts.drop(columns="kind").sum()
    by_kind = counts.assign(kind=counts["kind"].map(lambda k: SUBJECTS.get(k, k)))
    figures = count_figures("screening.count", by_kind, ["kind"])
    figures.append(rate_figure("screening.two_screen_rate", "", total["done"], total["due"]))
    if ctx.metrics is not None and not ctx.metrics - {
        "screening.count",
        "screening.two_screen_rate",
    }:
        return figures  # a trend month: the rest is not needed
    return figures + _the_rest(ctx, total)


def _the_rest(ctx: Context, total: pd.Series) -> list[Figure]:
    exceptions, both = float(total["exceptions"]), float(total["both"])
    figures = [
        Figure("screening.emergent_single", "", float(total["emergent"])),
        Figure("screening.no_screen_exceptions", "", exceptions, both, exceptions),
        Figure("screening.no_screen_exceptions", "both signatures", both),
        Figure("screening.no_screen_exceptions", "a signature missing", exceptions - both),
        Figure("screening.exceptions_missing_signature", "", exceptions - both),
    ]
    figures += _outcomes(ctx)
    signoffs = grouped(
        ctx,
        "signoffs",
        ScreeningSignoff.signed_at,
        lambda bucket: (
            select(bucket, ScreeningSignoff.clearance, func.count())
            .where(ScreeningSignoff.voided_at.is_(None))
            .group_by(ScreeningSignoff.clearance)
        ),
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
    for metric_id, column, label in (
        ("screening.pregnancy_workups", "pregnancy", "pregnancy"),
        ("screening.orbit_workups", "orbits", "orbits"),
    ):
        found, signed = float(total[column]), float(total[f"{column}_signed"])
        figures += [
            Figure(metric_id, "", found),
            Figure(metric_id, f"{label} clearance signed", signed),
            Figure(metric_id, f"no {label} clearance", found - signed),
        ]
    return figures


def _outcomes(ctx: Context) -> list[Figure]:
    # each screening's latest evaluation, sought by screening (not over all the history)
    latest = (
        select(func.max(ScreeningEvaluation.id))
        .where(ScreeningEvaluation.screening_id == Screening.id)
        .correlate(Screening)
        .scalar_subquery()
    )
    conditional = case(
        (cast(Screening.implants, Text).like('%"astm_class": "mr_conditional"%'), 1), else_=0
    )  # one expression object, so the GROUP BY repeats the SELECT's very parameters
    outcomes = grouped(
        ctx,
        "outcomes",
        Screening.visit_date,
        lambda bucket: (
            select(
                bucket,
                Scanner.name,
                ScreeningEvaluation.disposition,
                conditional,
                func.count(),
            )
            .select_from(Screening)
            .join(ScreeningEvaluation, ScreeningEvaluation.id == latest)
            .join(Scanner, Scanner.id == Screening.scanner_id)
            .where(Screening.superseded.is_(False))
            .group_by(Scanner.name, ScreeningEvaluation.disposition, conditional)
        ),
        ["scanner", "disposition", "conditional", "n"],
    )
    return (
        count_figures("screening.outcomes", outcomes, ["disposition"])
        + count_figures("screening.outcomes_by_scanner", outcomes, ["scanner", "disposition"])
        + count_figures(
            "screening.conditional_clearances",
            outcomes[outcomes["conditional"] == 1],
            ["disposition"],
        )
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
    needing = [agent for agent, group in groups.items() if group in EGFR_GROUPS]
    cases = db.session.execute(
        select(
            Screening.contrast_agent, Screening.answers, Screening.setting, Screening.visit_date
        ).where(in_period(ctx), Screening.contrast_agent.in_(needing))
    )
    for agent, answers, setting, visit in cases:
        counts = per_group.setdefault(f"Group {groups[agent or '']}", [0, 0])
        counts[1] += 1
        counts[0] += egfr_in_window(answers or {}, setting, visit)
    total = [sum(c[0] for c in per_group.values()), sum(c[1] for c in per_group.values())]
    figures.append(rate_figure("contrast.egfr_in_window_rate", "", total[0], total[1]))
    figures += [
        rate_figure("contrast.egfr_in_window_rate", group, n, d)
        for group, (n, d) in sorted(per_group.items())
    ]
    return figures
