"""The records behind a figure, for the report page's drill-down links.

Each drill-down lists the rows a figure counted (capped), with links to the
record's own page. Patient MRNs appear only for roles allowed to see them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import url_for
from sqlalchemy import and_, select

from ..actions.models import CorrectiveAction
from ..clock import site_time
from ..doors.models import AccessEvent
from ..extensions import db
from ..incidents.models import CATEGORIES, SEVERITIES, Incident
from ..people.models import Person
from ..policy import best_current_training
from ..screening.models import Screening
from ..site.models import Scanner
from ..zone_audits.models import ZoneAudit, ZoneAuditItem
from . import lapses
from . import metrics_access as acc
from . import metrics_audits as aud
from . import metrics_people as ppl
from . import metrics_screening as scr
from .families import Context

LIMIT = 500
Cell = str | tuple[str, str]  # text, or (text, link)


@dataclass
class DrillTable:
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    truncated: bool = False


Drill = Callable[[Context, str, bool], DrillTable]
DRILLS: dict[str, Drill] = {}


def drill(name: str) -> Callable[[Drill], Drill]:
    def register(function: Drill) -> Drill:
        DRILLS[name] = function
        return function

    return register


def _cap(table: DrillTable) -> DrillTable:
    if len(table.rows) > LIMIT:
        table.rows, table.truncated = table.rows[:LIMIT], True
    return table


def _name(person: Person | None) -> str:
    return f"{person.given_name} {person.family_name}" if person is not None else "unidentified"


@drill("training.people")
def training_people(ctx: Context, dimension: str, _mrn: bool) -> DrillTable:
    day = ctx.period.last_day
    rank = {lv.id: lv.rank for lv in ctx.policy.levels}
    names = {lv.id: lv.name for lv in ctx.policy.levels}
    table = DrillTable(["Person", "Level on file", "Basis (completed)", "Counts until", "Current"])
    for person_id, trainings in sorted(lapses.staff_trainings(day).items()):
        if not any(t.level in rank for t in trainings):
            continue
        level = ppl.held_level(trainings, rank)
        standing = best_current_training(trainings, day, ctx.policy)
        current = standing.level == level and not standing.lapsed
        if dimension and dimension not in (names.get(level), "30 days", "60 days", "90 days"):
            continue
        if dimension.endswith(" days"):
            left = (standing.current_until - day).days if standing.current_until else None
            if not current or left is None or left >= int(dimension.split()[0]):
                continue
        person = db.session.get(Person, person_id)
        table.rows.append(
            [
                (_name(person), url_for("people.person", person_id=person_id)),
                names.get(level, level),
                str(standing.basis.completed_on) if standing.basis else "",
                str(standing.current_until or ""),
                "yes" if current else "LAPSED",
            ]
        )
    return _cap(table)


def _event_rows(events: list[AccessEvent], ctx: Context) -> DrillTable:
    table = DrillTable(["When (site time)", "Door", "Person", "Outcome", "Reasons", "Seq"])
    for event in events:
        table.rows.append(
            [
                event.occurred_at.astimezone(ctx.period.zone).strftime("%Y-%m-%d %H:%M"),
                event.door.name,
                _name(event.person),
                event.outcome.replace("_", " "),
                ", ".join(event.reason_codes or []),
                str(event.seq),
            ]
        )
    return _cap(table)


def _events(ctx: Context, condition: Any) -> list[AccessEvent]:
    return list(
        db.session.scalars(
            select(AccessEvent)
            .where(acc.in_period(ctx), condition)
            .order_by(AccessEvent.occurred_at)
            .limit(LIMIT + 1)
        )
    )


@drill("training.lapsed_entries")
def lapsed_entries(ctx: Context, dimension: str, _mrn: bool) -> DrillTable:
    events = sorted(lapses.lapsed_entry_events(ctx), key=lambda e: e.occurred_at)
    if dimension:
        events = [e for e in events if f"Zone {e.door.to_zone}" == dimension]
    return _event_rows(events, ctx)


@drill("access.denials")
def denials(ctx: Context, dimension: str, _mrn: bool) -> DrillTable:
    events = _events(ctx, acc.denied_scans())
    if dimension:
        events = [e for e in events if acc._reasons(e.reason_codes) == dimension]
    return _event_rows(events, ctx)


@drill("access.escort_timeouts")
def escort_timeouts(ctx: Context, dimension: str, _mrn: bool) -> DrillTable:
    events = _events(ctx, acc.escort_timeouts())
    return _event_rows([e for e in events if not dimension or e.door.name == dimension], ctx)


@drill("access.passback_flags")
def passback(ctx: Context, dimension: str, _mrn: bool) -> DrillTable:
    events = _events(ctx, acc.passback_flagged())
    return _event_rows([e for e in events if not dimension or e.door.name == dimension], ctx)


def _screening_rows(screenings: list[Screening], mrn: bool, extra: str = "") -> DrillTable:
    columns = ["Screening", "Visit date", "Scanner", "State", "First screen", "Second screen"]
    table = DrillTable(columns + (["MRN"] if mrn else []) + ([extra] if extra else []))
    for s in screenings:
        row: list[Cell] = [
            (f"#{s.id}", url_for("screening.screening", screening_id=s.id)),
            str(s.visit_date),
            s.scanner.name,
            s.state_label,
            site_time(s.first_screen_at),
            site_time(s.second_screen_at),
        ]
        if mrn:
            row.append(s.subject.mrn or "")
        table.rows.append(row)
    return _cap(table)


def _screenings(ctx: Context, *conditions: Any) -> list[Screening]:
    return list(
        db.session.scalars(
            select(Screening)
            .join(Scanner, Scanner.id == Screening.scanner_id)
            .where(scr.in_period(ctx), *conditions)
            .order_by(Screening.visit_date, Screening.id)
            .limit(LIMIT + 1)
        )
    )


@drill("screening.not_two_screens")
def not_two_screens(ctx: Context, _dimension: str, mrn: bool) -> DrillTable:
    rows = _screenings(ctx, scr.two_screen_population(ctx), ~scr.two_screens_done())
    return _screening_rows(rows, mrn)


@drill("screening.emergent_single")
def emergent_single(ctx: Context, _dimension: str, mrn: bool) -> DrillTable:
    return _screening_rows(_screenings(ctx, Screening.single_screen_emergent.is_(True)), mrn)


@drill("screening.exceptions")
def exceptions(ctx: Context, dimension: str, mrn: bool) -> DrillTable:
    condition: Any = Screening.exception_at.is_not(None)
    if dimension == "both signatures":
        condition = and_(condition, scr.exception_signed_by_both())
    elif dimension == "a signature missing" or not dimension:
        condition = and_(condition, ~scr.exception_signed_by_both()) if dimension else condition
    return _screening_rows(_screenings(ctx, condition), mrn)


@drill("contrast.egfr")
def egfr(ctx: Context, dimension: str, mrn: bool) -> DrillTable:
    groups = scr.agent_groups(ctx)
    cases = [
        s
        for s in scr.egfr_cases(ctx)
        if not dimension or f"Group {groups.get(s.contrast_agent or '')}" == dimension
    ]
    table = _screening_rows(cases, mrn, extra="eGFR within window")
    for row, case in zip(table.rows, cases, strict=False):
        row.append(
            "yes" if scr.egfr_in_window(case.answers or {}, case.setting, case.visit_date) else "NO"
        )
    return table


@drill("audits.missed")
def missed(ctx: Context, dimension: str, _mrn: bool) -> DrillTable:
    table = DrillTable(["Day", "Checklist and place", "Zone", "State"])
    for target, day in aud.missed_audits(ctx):
        if dimension and target.label != dimension:
            continue
        draft = db.session.scalar(
            select(ZoneAudit.id).where(
                ZoneAudit.checklist_id == target.checklist.id,
                ZoneAudit.target_key == target.key,
                ZoneAudit.audit_date == day,
            )
        )
        state: Cell = (
            ("draft, never signed", url_for("zone_audits.audit", audit_id=draft))
            if draft
            else "no audit started"
        )
        table.rows.append([str(day), target.label, target.zone, state])
    return _cap(table)


@drill("audits.failed_items")
def failed_items(ctx: Context, dimension: str, _mrn: bool) -> DrillTable:
    found = db.session.execute(
        select(ZoneAuditItem, ZoneAudit)
        .join(ZoneAudit, ZoneAudit.id == ZoneAuditItem.audit_id)
        .where(ZoneAudit.id.in_(aud.latest_signed_audits(ctx)), ZoneAuditItem.result == "fail")
        .order_by(ZoneAudit.audit_date)
        .limit(LIMIT + 1)
    ).all()
    table = DrillTable(["Day", "Place", "Item", "Severity", "Comment"])
    for item, audit in found:
        if dimension and f"{item.text} / {item.severity}" != dimension:
            continue
        where = audit.room.name if audit.room else f"Zone {audit.zone}"
        table.rows.append(
            [
                (str(audit.audit_date), url_for("zone_audits.audit", audit_id=audit.id)),
                where,
                item.text,
                item.severity,
                item.comment,
            ]
        )
    return _cap(table)


def _action_rows(ctx: Context, condition: Any, dimension: str) -> DrillTable:
    actions = db.session.scalars(
        select(CorrectiveAction).where(condition).order_by(CorrectiveAction.due_on).limit(LIMIT + 1)
    )
    table = DrillTable(["Action", "Severity", "Source", "Opened", "Due", "Owner", "Status"])
    for a in actions:
        if dimension and a.severity != dimension:
            continue
        table.rows.append(
            [
                (a.title, url_for("actions.action", action_id=a.id)),
                a.severity,
                a.source,
                site_time(a.created_at),
                str(a.due_on),
                _name(a.owner),
                a.status.replace("_", " "),
            ]
        )
    return _cap(table)


@drill("actions.open")
def actions_open(ctx: Context, dimension: str, _mrn: bool) -> DrillTable:
    return _action_rows(ctx, aud.open_at_end(ctx), dimension)


@drill("actions.overdue")
def actions_overdue(ctx: Context, dimension: str, _mrn: bool) -> DrillTable:
    return _action_rows(ctx, aud.overdue_at_end(ctx), dimension)


def _incident_rows(incidents: list[Incident], mrn: bool, dimension: str) -> DrillTable:
    table = DrillTable(
        ["Incident", "Reported", "Category", "Severity", "Hours to report", "Status"]
        + (["Patient MRN"] if mrn else [])
    )
    for i in incidents:
        category, severity = CATEGORIES.get(i.category, i.category), SEVERITIES.get(i.severity, "")
        if dimension and dimension != f"{category} / {severity}":
            continue
        row: list[Cell] = [
            (f"#{i.id}", url_for("incidents.incident", incident_id=i.id)),
            site_time(i.reported_at),
            category,
            severity,
            f"{i.report_delay_minutes / 60:.1f}" + (" (late)" if i.late_report else ""),
            i.status.replace("_", " "),
        ]
        if mrn:
            row.append(i.patient_mrn or "")
        table.rows.append(row)
    return _cap(table)


@drill("incidents.list")
def incidents_list(ctx: Context, dimension: str, mrn: bool) -> DrillTable:
    found = db.session.scalars(
        select(Incident).where(aud.reported_in(ctx)).order_by(Incident.reported_at).limit(LIMIT + 1)
    )
    return _incident_rows(list(found), mrn, dimension)


@drill("incidents.late")
def incidents_late(ctx: Context, _dimension: str, mrn: bool) -> DrillTable:
    found = db.session.scalars(
        select(Incident)
        .where(aud.reported_in(ctx), Incident.late_report.is_(True))
        .order_by(Incident.reported_at)
        .limit(LIMIT + 1)
    )
    return _incident_rows(list(found), mrn, "")
