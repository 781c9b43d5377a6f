"""Every metric a report definition may name: its id (stable, documented in
reports/README.md), the family that computes it and its unit.

The catalogue is plain data so that definitions can be validated without a
database; :mod:`.families` registers the function computing each family.
"""

from __future__ import annotations

from dataclasses import dataclass

UNITS = ("count", "percent", "minutes", "hours", "days", "per_1000", "text")


@dataclass(frozen=True)
class MetricInfo:
    family: str
    unit: str
    dimensions: str = ""  # what the breakdown rows are, e.g. "level"


def _m(family: str, unit: str, dimensions: str = "") -> MetricInfo:
    return MetricInfo(family, unit, dimensions)


METRICS: dict[str, MetricInfo] = {
    # attestation
    "attestation.site": _m("attestation", "text"),
    "attestation.scanners": _m("attestation", "count", "scanner"),
    "attestation.policy_versions": _m("attestation", "count", "policy version"),
    "attestation.safety_officers": _m("attestation", "count", "designation"),
    "attestation.audit_chain_head": _m("attestation", "count", "hash"),
    "attestation.access_log_chain_head": _m("attestation", "count", "hash"),
    # training
    "training.current_rate": _m("training", "percent", "level"),
    "training.lapsing": _m("training", "count", "within days"),
    "training.lapsed_entries": _m("training", "count", "zone"),
    # screening
    "screening.count": _m("screening", "count", "subject"),
    "screening.two_screen_rate": _m("screening", "percent"),
    "screening.emergent_single": _m("screening", "count"),
    "screening.no_screen_exceptions": _m("screening", "count", "signatures"),
    "screening.exceptions_missing_signature": _m("screening", "count"),
    "screening.outcomes": _m("screening", "count", "disposition"),
    "screening.outcomes_by_scanner": _m("screening", "count", "scanner / disposition"),
    "screening.conditional_clearances": _m("screening", "count", "disposition"),
    "screening.signoffs": _m("screening", "count", "clearance"),
    "screening.median_minutes_to_final_check": _m("screening", "minutes"),
    "screening.pregnancy_workups": _m("screening", "count", "sign-off"),
    "screening.orbit_workups": _m("screening", "count", "clearance"),
    # contrast
    "contrast.planned": _m("contrast", "count", "ACR group"),
    "contrast.egfr_in_window_rate": _m("contrast", "percent", "ACR group"),
    # access
    "access.entries": _m("access", "count", "zone / person category"),
    "access.denials": _m("access", "count", "reason"),
    "access.escort_timeouts": _m("access", "count", "door"),
    "access.passback_flags": _m("access", "count", "door"),
    "access.emergency_periods": _m("access", "count", "kind"),
    # zone audits
    "audits.completion_rate": _m("audits", "percent", "checklist / place"),
    "audits.missed_days": _m("audits", "count", "checklist / place"),
    "audits.failed_items": _m("audits", "count", "item / severity"),
    # corrective actions
    "actions.opened": _m("actions", "count", "source"),
    "actions.closed": _m("actions", "count", "source"),
    "actions.open_at_end": _m("actions", "count", "severity"),
    "actions.overdue": _m("actions", "count", "severity"),
    "actions.median_days_to_close": _m("actions", "days"),
    # incidents and near misses
    "incidents.count": _m("incidents", "count", "category / severity"),
    "incidents.rate_per_1000_screenings": _m("incidents", "per_1000"),
    "incidents.median_hours_to_report": _m("incidents", "hours"),
    "incidents.late_reports": _m("incidents", "count"),
    "incidents.medwatch": _m("incidents", "count", "state"),
    "incidents.reviews_pending": _m("incidents", "count"),
}

SECTION_TYPES = ("metrics", "trends", "exceptions")
CHART_TYPES = ("bar", "line")
# the drill-downs a metric may offer (records behind the figure); see drilldown.py
DRILLDOWNS = (
    "training.people",
    "training.lapsed_entries",
    "screening.not_two_screens",
    "screening.emergent_single",
    "screening.exceptions",
    "contrast.egfr",
    "access.denials",
    "access.escort_timeouts",
    "access.passback_flags",
    "audits.missed",
    "audits.failed_items",
    "actions.open",
    "actions.overdue",
    "incidents.list",
    "incidents.late",
)
