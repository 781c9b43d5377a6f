"""Pages: the kiosk station, who is inside, emergency mode and the muster list, the access log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..clock import site_time, site_today, site_zone
from ..csv_export import csv_response
from ..date_range import date_range_from_query, rows_in_range
from ..db import utcnow
from ..extensions import db
from ..policy_store import current_policy
from .access_log import verify_access_log
from .emergency import (
    EMERGENCY_KINDS,
    EmergencyError,
    active_emergency,
    declare_emergency,
    emergency_instructions,
    end_emergency,
    mark_safe,
    may_declare,
    zone_iv_entries,
)
from .forms import ConfirmForm, DeclareEmergencyForm, EndEmergencyForm
from .models import AccessEvent, Presence
from .occupancy import occupancy, open_presences
from .tap_list import tap_list

bp = Blueprint("doors", __name__)

# "Who is inside" and the muster list fetch their live part this often (live.js)
REFRESH_SECONDS = 5

OUTCOME_LABELS = {
    "grant": "Granted",
    "grant_with_escort": "Granted with escort",
    "escort_pending": "Waiting for escort",
    "deny": "Denied",
    "exit": "Exit",
    "emergency_logged": "Logged (emergency)",
}


@bp.route("/kiosk")
def kiosk() -> ResponseReturnValue:
    door = current_user.door
    if door is None:
        return render_template("doors/kiosk_unbound.html"), 409
    return render_template(
        "doors/kiosk.html",
        door=door,
        window=current_app.config["ESCORT_WINDOW_SECONDS"],
        wristbands=tap_list(site_today()),
    )


@bp.app_template_filter("site_clock")
def site_clock(moment: datetime) -> str:
    """A time of day in site time, to the second (when a live list was last updated)."""
    return moment.astimezone(site_zone()).strftime("%H:%M:%S")


def _inside_context() -> dict[str, Any]:
    now = utcnow()
    return {
        "areas": occupancy(now, current_app.config["STALE_ENTRY_HOURS"]),
        "stale_hours": current_app.config["STALE_ENTRY_HOURS"],
        "emergency": active_emergency(),
        "now": now,
        "refresh_seconds": REFRESH_SECONDS,
    }


@bp.route("/inside")
def inside() -> ResponseReturnValue:
    return render_template("doors/inside.html", **_inside_context())


@bp.route("/inside/live")
def inside_live() -> ResponseReturnValue:
    """The page's live part alone, fetched every few seconds by live.js."""
    return _fragment("doors/_inside_live.html", _inside_context())


def _fragment(template: str, context: dict[str, Any]) -> ResponseReturnValue:
    response = make_response(render_template(template, **context))
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-ZoneKeeper-Fragment"] = "1"  # live.js replaces the list only with this
    return response


@bp.route("/emergency", methods=["GET", "POST"])
def emergency() -> ResponseReturnValue:
    policy = current_policy()
    allowed = may_declare(current_user, policy)
    form = DeclareEmergencyForm()
    current = active_emergency()
    if form.validate_on_submit():
        if not allowed:
            abort(403)
        try:
            declare_emergency(form.kind.data, form.note.data or "", current_user)
        except EmergencyError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("doors.emergency"))
        db.session.commit()
        return redirect(url_for("doors.muster"))
    return (
        render_template(
            "doors/emergency.html",
            form=form,
            allowed=allowed,
            current=current,
            instructions=emergency_instructions(current.kind) if current else None,
            kinds=EMERGENCY_KINDS,
        ),
        400 if form.is_submitted() else 200,
    )


@bp.route("/emergency/end", methods=["GET", "POST"])
def emergency_end() -> ResponseReturnValue:
    """Ending an emergency asks for confirmation, and offers to mark everyone out."""
    if not may_declare(current_user, current_policy()):
        abort(403)
    current = active_emergency()
    if current is None:
        flash("No emergency is declared.", "error")
        return redirect(url_for("doors.emergency"))
    form = EndEmergencyForm()
    if form.validate_on_submit():
        reason = form.reason.data if form.mark_out.data else None
        try:
            end_emergency(current_user, reason)
        except EmergencyError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("doors.emergency_end"))
        db.session.commit()
        flash(
            "Emergency ended. Doors decide again."
            + (" Everyone was marked out." if reason is not None else ""),
            "ok",
        )
        return redirect(url_for("doors.inside"))
    people = open_presences()
    return (
        render_template(
            "doors/emergency_end.html",
            form=form,
            current=current,
            kinds=EMERGENCY_KINDS,
            inside=people,
            unaccounted=[p for p in people if p.safe_marked_at is None],
        ),
        400 if form.is_submitted() else 200,
    )


def _muster_context() -> dict[str, Any]:
    people = open_presences()
    emergency = active_emergency()
    return {
        "people": people,
        "unaccounted": [p for p in people if p.safe_marked_at is None],
        "emergency": emergency,
        "alerts": zone_iv_entries(emergency),
        "form": ConfirmForm(),
        "now": utcnow(),
        "refresh_seconds": REFRESH_SECONDS,
    }


@bp.route("/muster")
def muster() -> ResponseReturnValue:
    return render_template("doors/muster.html", **_muster_context())


@bp.route("/muster/live")
def muster_live() -> ResponseReturnValue:
    """The muster list's live part alone (alerts, counts, the table), for live.js."""
    return _fragment("doors/_muster_live.html", _muster_context())


@bp.post("/muster/<int:presence_id>/safe")
def mark_person_safe(presence_id: int) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    presence = db.session.execute(
        select(Presence).where(Presence.id == presence_id).with_for_update()
    ).scalar_one_or_none()
    if presence is None:
        abort(404)
    mark_safe(presence, current_user)
    db.session.commit()
    return redirect(url_for("doors.muster") + f"#presence-{presence_id}")


@bp.route("/muster.csv")
def muster_csv() -> ResponseReturnValue:
    rows = [
        (
            f"{p.person.family_name}, {p.person.given_name}",
            p.person.kind,
            f"Zone {p.zone}",
            p.door.name,
            site_time(p.entered_at),
            f"{p.escort.given_name} {p.escort.family_name}" if p.escort else "",
            site_time(p.safe_marked_at) if p.safe_marked_at else "NOT ACCOUNTED FOR",
        )
        for p in open_presences()
    ]
    return csv_response(
        "muster",
        ["Person", "Kind", "Where", "Door", "Since", "Escort", "Marked safe"],
        rows,
    )


@bp.route("/access-log")
def access_log() -> ResponseReturnValue:
    form = date_range_from_query()
    query = (
        select(AccessEvent)
        .options(selectinload(AccessEvent.person), selectinload(AccessEvent.door))
        .order_by(AccessEvent.seq.desc())
    )
    query = rows_in_range(query, AccessEvent.occurred_at)
    events = db.session.scalars(query.limit(300)).all()
    checked, broken = verify_access_log()
    return render_template(
        "doors/access_log.html",
        events=events,
        form=form,
        checked=checked,
        broken=broken,
        labels=OUTCOME_LABELS,
    )


@bp.route("/access-log.csv")
def access_log_csv() -> ResponseReturnValue:
    query = (
        select(AccessEvent)
        .options(selectinload(AccessEvent.door), selectinload(AccessEvent.person))
        .order_by(AccessEvent.seq)
    )
    query = rows_in_range(query, AccessEvent.occurred_at)
    rows = (
        (
            e.seq,
            e.occurred_at.isoformat(),
            e.kind,
            e.door.code,
            e.direction,
            e.person_id or "",
            e.badge_id or "",
            e.outcome,
            " ".join(e.reason_codes),
            " ".join(e.rule_ids),
            e.escort_person_id or "",
            " ".join(e.flags),
            e.policy_version,
            e.source,
            e.row_hash,
        )
        for e in db.session.scalars(query)
    )
    return csv_response(
        "access-log",
        [
            "seq",
            "occurred_at_utc",
            "kind",
            "door",
            "direction",
            "person_id",
            "badge_id",
            "outcome",
            "reason_codes",
            "rules",
            "escort_person_id",
            "flags",
            "policy_version",
            "source",
            "row_hash",
        ],
        rows,
    )
