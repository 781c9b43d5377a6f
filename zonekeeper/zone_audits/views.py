"""Running and reviewing zone audits."""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..actions.links import actions_opened_by
from ..audit.services import record_event
from ..auth.forms import ConfirmForm
from ..clock import site_today
from ..csv_export import csv_response
from ..date_range import rows_in_range
from ..extensions import db
from ..people.models import Person
from ..people.services import person_standing
from ..policy_store import current_policy
from .forms import AmendForm
from .models import RESULTS, AuditPhoto, ZoneAudit, ZoneAuditItem
from .photos import PhotoError, store_photo
from .services import (
    ItemAnswer,
    ZoneAuditError,
    amend,
    audit_revision,
    day_statuses,
    history,
    save_answers,
    sign,
    sign_problems,
    start_or_resume,
    target_by_slug,
    targets,
)

bp = Blueprint("zone_audits", __name__, url_prefix="/zone-audits")
DELEGATE = "zone_audit_delegate"


def may_run_audits() -> bool:
    """MRSO and safety director; a technologist only as a current Level 2 delegated by the MRSO."""
    if current_user.role in ("mrso", "safety_director"):
        return True
    if current_user.role != "technologist":
        return False
    person = db.session.get(Person, current_user.person_id) if current_user.person_id else None
    if person is None:
        return False
    standing = person_standing(person, site_today(), current_policy())
    return standing.level.level == "level_2" and DELEGATE in standing.designations


def _require_runner() -> None:
    if not may_run_audits():
        record_event(
            "auth.forbidden",
            f"Refused zone audit {request.method} {request.path} (not delegated)",
            target=current_user._get_current_object(),
            target_type="users",
            person_id=current_user.person_id,
        )
        db.session.commit()
        abort(403)


@bp.route("/")
def index() -> ResponseReturnValue:
    policy, today = current_policy(), site_today()
    return render_template(
        "zone_audits/index.html",
        today_statuses=day_statuses(policy, today),
        days=history(policy, today),
        can_run=may_run_audits(),
        start_form=ConfirmForm(),
        today=today,
    )


@bp.route("/<slug>/start", methods=["POST"])
def start(slug: str) -> ResponseReturnValue:
    _require_runner()
    if not ConfirmForm().validate_on_submit():
        abort(400)
    policy = current_policy()
    target = target_by_slug(policy, slug) or abort(404)
    try:
        audit = start_or_resume(target, site_today(), policy)
        db.session.commit()
    except IntegrityError:  # another tab started the same audit a moment ago: resume that one
        db.session.rollback()
        audit = start_or_resume(target, site_today(), policy)
    return redirect(url_for("zone_audits.audit", audit_id=audit.id))


def _answers_from_form(audit: ZoneAudit) -> tuple[dict[str, ItemAnswer], dict[str, str]]:
    answers, errors = {}, {}
    for item in audit.items:
        result = request.form.get(f"result-{item.item_id}") or None
        if result is not None and result not in RESULTS:
            errors[item.item_id] = "Choose pass, fail or not applicable."
            continue
        answer = ItemAnswer(result, request.form.get(f"comment-{item.item_id}", "")[:2000])
        upload = request.files.get(f"photo-{item.item_id}")
        if upload and upload.filename:
            try:
                answer.photo_id = store_photo(upload).id
            except PhotoError as exc:
                errors[item.item_id] = str(exc)
        answers[item.item_id] = answer
    return answers, errors


@bp.route("/<int:audit_id>", methods=["GET", "POST"])
def audit(audit_id: int) -> ResponseReturnValue:
    # a POST locks the audit row (PostgreSQL; SQLite transactions already begin IMMEDIATE)
    locking = request.method == "POST"
    record = db.session.get(ZoneAudit, audit_id, with_for_update=locking) or abort(404)
    policy = current_policy()
    target = next(
        (
            t
            for t in targets(policy)
            if t.key == record.target_key and t.checklist.id == record.checklist_id
        ),
        None,
    )
    form, errors = ConfirmForm(), {}
    if request.method == "POST":
        _require_runner()
        if not form.validate_on_submit():
            abort(400)
        if request.form.get("revision") != audit_revision(record):
            flash(
                "This audit was changed in another window or by someone else since you opened it. "
                "Nothing from your last save was stored: check the answers below and save again.",
                "error",
            )
            return redirect(url_for("zone_audits.audit", audit_id=record.id))
        answers, errors = _answers_from_form(record)
        try:
            save_answers(
                record, answers
            )  # valid answers are kept even if another item has a problem
            if not errors and request.form.get("action") == "sign":
                errors = sign_problems(record)
                if not errors:
                    opened = sign(record, policy, site_today())
                    db.session.commit()
                    extra = f" {len(opened)} corrective action(s) opened." if opened else ""
                    flash("Audit signed." + extra, "info")
                    return redirect(url_for("zone_audits.audit", audit_id=record.id))
            db.session.commit()
        except ZoneAuditError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("zone_audits.audit", audit_id=record.id))
        if not errors:
            flash("Draft saved.", "info")
            return redirect(url_for("zone_audits.audit", audit_id=record.id))
    previous = db.session.get(ZoneAudit, record.supersedes_id) if record.supersedes_id else None
    return render_template(
        "zone_audits/audit.html",
        audit=record,
        target=target,
        form=form,
        errors=errors,
        amend_form=AmendForm(),
        can_run=may_run_audits(),
        previous=previous,
        revision=audit_revision(record),
        opened_actions=actions_opened_by(record),
    ), (400 if errors else 200)


@bp.route("/<int:audit_id>/amend", methods=["POST"])
def amend_audit(audit_id: int) -> ResponseReturnValue:
    _require_runner()
    record = db.session.get(ZoneAudit, audit_id, with_for_update=True) or abort(404)
    form = AmendForm()
    if not form.validate_on_submit():
        flash("Give the reason for the amendment (at least 5 characters).", "error")
        return redirect(url_for("zone_audits.audit", audit_id=record.id))
    try:
        amended = amend(record, form.reason.data)
    except ZoneAuditError as exc:
        flash(str(exc), "error")
        return redirect(url_for("zone_audits.audit", audit_id=record.id))
    try:
        db.session.commit()
    except IntegrityError:  # amended at the same moment in another window
        db.session.rollback()
        flash("A newer version of this audit was just started; open it from the history.", "error")
        return redirect(url_for("zone_audits.audit", audit_id=audit_id))
    return redirect(url_for("zone_audits.audit", audit_id=amended.id))


@bp.route("/photos/<int:photo_id>")
def photo(photo_id: int) -> ResponseReturnValue:
    stored = db.session.get(AuditPhoto, photo_id) or abort(404)
    if (
        db.session.scalar(
            select(ZoneAuditItem.id).where(ZoneAuditItem.photo_id == photo_id).limit(1)
        )
        is None
    ):
        abort(404)  # only photos that belong to an audit item are shown
    return Response(
        stored.data,
        mimetype=stored.mime_type,
        headers={
            "Content-Disposition": f'inline; filename="finding-{stored.id}"',
            "Cache-Control": "private, max-age=3600",
        },
    )


@bp.route("/export.csv")
def export_csv() -> ResponseReturnValue:
    query = (
        select(ZoneAudit, ZoneAuditItem)
        .join(ZoneAuditItem)
        .order_by(
            ZoneAudit.audit_date,
            ZoneAudit.checklist_id,
            ZoneAudit.target_key,
            ZoneAudit.version,
            ZoneAuditItem.position,
        )
    )
    query = rows_in_range(query, ZoneAudit.audit_date)
    header = [
        "audit_date",
        "checklist",
        "target",
        "zone",
        "room",
        "version",
        "status",
        "signed_at_utc",
        "item",
        "item_text",
        "frequency",
        "severity",
        "result",
        "comment",
        "has_photo",
        "amendment_reason",
    ]
    rows = (
        [
            a.audit_date.isoformat(),
            a.checklist_id,
            a.target_key,
            a.zone,
            a.room.name if a.room else "",
            a.version,
            a.status,
            a.signed_at.isoformat() if a.signed_at else "",
            i.item_id,
            i.text,
            i.frequency,
            i.severity,
            i.result or "",
            i.comment,
            "yes" if i.photo_id else "no",
            a.amendment_reason,
        ]
        for a, i in db.session.execute(query)
    )
    return csv_response("zone-audits", header, rows)
