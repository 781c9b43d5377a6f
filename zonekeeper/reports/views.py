"""The Reports pages: months and years with their state, the preview with status
colours and the previous period, drill-downs, charts as images, signing, downloads."""

from __future__ import annotations

import time
from datetime import date
from threading import Lock
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from ..audit.models import AuditChainHead
from ..auth.access import REPORT_SIGNERS, ROSTER_WRITERS
from ..clock import site_today
from ..doors.models import AccessLogHead
from ..extensions import db
from ..policy.errors import PolicyError
from ..policy_store import current_policy
from .build import (
    EmptySiteError,
    build_for_period,
    current_definition,
    read_only,
    site_is_empty,
)
from .catalogue import DRILLDOWNS, METRICS
from .charts import chart_png
from .compute import Report
from .drilldown import DRILLS
from .families import Context
from .forms import SignReportForm
from .models import ReportFile, ReportSnapshot
from .period import Period, PeriodError, default_period, is_complete, month_period, parse_period
from .presentation import format_value, metric_view
from .render_html import page_context
from .snapshots import SignError, latest_versions, sign_report, snapshots_for

bp = Blueprint("reports", __name__, url_prefix="/reports")
SIGNERS = REPORT_SIGNERS
CACHE_SECONDS = 120
# computed reports for a short while, keyed by what would change them
_cache: dict[tuple[str, ...], tuple[float, Report]] = {}
_cache_lock = Lock()
_compute_lock = Lock()  # one computation at a time: a page's charts wait for it, then hit


def _zone() -> str:
    from flask import current_app

    return str(current_app.config["SITE_TIMEZONE"])


def _period(kind: str, label: str) -> Period:
    try:
        period = parse_period(kind, label, _zone())
    except PeriodError:
        abort(404)
    if period.label != label or period.start > site_today():
        abort(404)  # a future period has nothing to report
    return period


def _report(kind: str, period: Period) -> Report:
    """The computed report, kept a short while so its charts and drill-downs are cheap."""
    # end the request's write transaction first: a page's charts wait here for one
    # computation, and must not hold SQLite's write lock meanwhile (others would time out)
    read_only()
    definition = current_definition(kind)
    # nearly every change is audited or logged: a new row in either chain is new data
    heads = (
        db.session.scalar(select(AuditChainHead.last_seq).where(AuditChainHead.id == 1)),
        db.session.scalar(select(AccessLogHead.last_seq).where(AccessLogHead.id == 1)),
    )
    key = (kind, period.label, definition.hash, current_policy().version, str(heads))
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
    with _compute_lock:
        with _cache_lock:
            hit = _cache.get(key)
            if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
                return hit[1]
        report = build_for_period(definition, period)
    with _cache_lock:
        for old in [k for k, (t, _) in _cache.items() if time.monotonic() - t >= CACHE_SECONDS]:
            del _cache[old]
        _cache[key] = (time.monotonic(), report)
    return report


def _months(today: date) -> list[Period]:
    current = month_period(today, _zone())
    months = [current]
    for _ in range(12):
        months.append(months[-1].previous())
    return months


@bp.route("/")
def index() -> ResponseReturnValue:
    read_only()
    today = site_today()
    try:
        definition = current_definition("monthly")
    except PolicyError as exc:
        return render_template("reports/broken.html", error=exc), 503
    if site_is_empty():
        return render_template("reports/index.html", empty=True, rows=[], years=[])
    signed = latest_versions("monthly")
    last_complete = default_period("monthly", today, _zone())
    keys = [m for m in definition.metrics() if m.key]
    rows = []
    for period in _months(today):
        snapshot = signed.get(period.label)
        figures: dict[str, str] = {}
        if snapshot is not None:
            values = {
                f["metric_id"]: f["value"]
                for f in snapshot.figures.get("figures", [])
                if f["dimension"] == ""
            }
            figures = {m.id: format_value(values.get(m.id), METRICS[m.id].unit) for m in keys}
        elif period in (last_complete, month_period(today, _zone())):
            report = _report("monthly", period)
            figures = {m.id: metric_view(report, m).value for m in keys}
        rows.append((period, snapshot, figures, is_complete(period, today)))
    years = [default_period("annual", today, _zone())]
    years.append(years[0].previous())
    annual = latest_versions("annual")
    return render_template(
        "reports/index.html",
        empty=False,
        rows=rows,
        keys=keys,
        years=[(y, annual.get(y.label)) for y in years],
        last_complete=last_complete,
    )


@bp.route("/<kind>/<label>")
def report(kind: str, label: str) -> ResponseReturnValue:
    if kind not in ("monthly", "annual"):
        abort(404)
    period = _period(kind, label)
    try:
        built = _report(kind, period)
    except EmptySiteError:
        return redirect(url_for("reports.index"))
    versions = snapshots_for(kind, period.label)
    form = SignReportForm()
    return render_template(
        "reports/report.html",
        period=period,
        kind=kind,
        versions=versions,
        form=form,
        may_sign=current_user.role in SIGNERS,
        complete=is_complete(period, site_today()),
        chart_src=lambda chart_id: url_for(
            "reports.chart", kind=kind, label=label, chart_id=chart_id
        ),
        drill_url=lambda metric_id, dimension: url_for(
            "reports.drill",
            kind=kind,
            label=label,
            metric_id=metric_id,
            dimension=dimension or None,
        ),
        signature=None,
        **page_context(built),
    )


@bp.route("/<kind>/<label>/charts/<chart_id>.png")
def chart(kind: str, label: str, chart_id: str) -> ResponseReturnValue:
    if kind not in ("monthly", "annual"):
        abort(404)
    built = _report(kind, _period(kind, label))
    found = {c.id: c for _, c in built.definition.charts()}.get(chart_id)
    if found is None:
        abort(404)
    response = Response(chart_png(built, found), mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=60"
    return response


@bp.route("/<kind>/<label>/figures/<metric_id>")
def drill(kind: str, label: str, metric_id: str) -> ResponseReturnValue:
    if kind not in ("monthly", "annual"):
        abort(404)
    period = _period(kind, label)
    definition = current_definition(kind)
    spec = definition.metric(metric_id)
    if spec is None or spec.drilldown not in DRILLDOWNS or spec.drilldown not in DRILLS:
        abort(404)
    dimension = request.args.get("dimension", "")
    try:
        built = _report(kind, period)
    except EmptySiteError:
        abort(404)
    if dimension and dimension not in set(built.breakdown(metric_id)["dimension"]):
        abort(404)  # only the report's own breakdown rows have records behind them
    read_only()
    context = Context(period, current_policy(), site_today(), "")
    can_see_mrn = current_user.role in ROSTER_WRITERS
    table = DRILLS[spec.drilldown](context, dimension, can_see_mrn)
    return render_template(
        "reports/drill.html",
        period=period,
        kind=kind,
        spec=spec,
        dimension=dimension,
        table=table,
        view=metric_view(built, spec),
    )


@bp.route("/<kind>/<label>/sign", methods=["POST"])
def sign(kind: str, label: str) -> ResponseReturnValue:
    if current_user.role not in SIGNERS:
        abort(403)
    if kind not in ("monthly", "annual"):
        abort(404)
    period = _period(kind, label)
    form = SignReportForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return redirect(url_for("reports.report", kind=kind, label=label))
    try:
        snapshot = sign_report(
            current_definition(kind), period, form.comment.data or "", current_user
        )
        db.session.commit()
    except (SignError, EmptySiteError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("reports.report", kind=kind, label=label))
    flash(f"Signed {period.title} as version {snapshot.version}.", "success")
    return redirect(url_for("reports.report", kind=kind, label=label) + "#versions")


@bp.route("/signed/<int:snapshot_id>/<fmt>")
def download(snapshot_id: int, fmt: str) -> ResponseReturnValue:
    read_only()
    snapshot = db.session.get(ReportSnapshot, snapshot_id)
    found: Any = (
        db.session.query(ReportFile).filter_by(snapshot_id=snapshot_id, format=fmt).one_or_none()
        if snapshot is not None
        else None
    )
    if found is None:
        abort(404)
    response = Response(found.content, mimetype=found.media_type.split(";")[0])
    response.headers["Content-Disposition"] = f'attachment; filename="{found.file_name}"'
    response.headers["X-Content-SHA256"] = found.sha256
    response.headers["Cache-Control"] = "private, no-store"
    return response
