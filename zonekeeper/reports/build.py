"""Building a report for a period with the app's policy and settings."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from ..clock import site_today
from ..db import begin_read
from ..extensions import db
from ..people.models import Person
from ..policy_store import current_policy
from ..site.models import Scanner
from .compute import Report, build_report
from .definitions import ReportDefinition, load_definition
from .period import Period

# no site table holds a name: the configured one, or a placeholder that says what to set
UNNAMED_SITE = "Unnamed site (set ZONEKEEPER_SITE_NAME)"


class EmptySiteError(RuntimeError):
    pass


def site_name() -> str:
    return str(current_app.config.get("SITE_NAME") or "").strip() or UNNAMED_SITE


def site_is_empty() -> bool:
    return not db.session.scalar(select(func.count()).select_from(Scanner)) and not (
        db.session.scalar(select(func.count()).select_from(Person))
    )


def read_only() -> None:
    """Compute under a read-only transaction: on SQLite a deferred BEGIN, so door scans
    and other writers are never queued behind a report. Nothing may be pending."""
    if db.session.new or db.session.dirty or db.session.deleted:
        raise RuntimeError("a report is computed before anything is written")
    db.session.rollback()  # ends the request's transaction (it wrote nothing)
    begin_read(db.session)


def build_for_period(definition: ReportDefinition, period: Period, **parts: bool) -> Report:
    """The report's figures (``parts``: ``with_previous``, ``with_trends``, both on by
    default; the benchmark times them apart)."""
    read_only()
    if site_is_empty():
        raise EmptySiteError(
            "the site is empty (no scanners, no people): set it up or run "
            "'zonekeeper demo load' first"
        )
    return build_report(
        definition,
        period,
        current_policy(),
        site_today(),
        site_name(),
        **parts,
    )


def current_definition(kind: str) -> ReportDefinition:
    return load_definition(current_app.config["REPORTS_DIR"], kind)
