"""Signing a report: freeze the figures and the four rendered files as a new version."""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record_event
from ..auth.models import ROLE_LABELS, User
from ..clock import site_time, site_today
from ..db import utcnow
from ..extensions import db
from .build import build_for_period
from .compute import Report, figures_json
from .definitions import ReportDefinition
from .models import ReportFile, ReportSnapshot
from .period import Period, is_complete
from .render import FORMATS, file_name, render

MIN_COMMENT = 5


class SignError(ValueError):
    pass


def snapshots_for(kind: str, label: str) -> list[ReportSnapshot]:
    return list(
        db.session.scalars(
            select(ReportSnapshot)
            .where(ReportSnapshot.kind == kind, ReportSnapshot.period == label)
            .order_by(ReportSnapshot.version.desc())
        )
    )


def latest_versions(kind: str) -> dict[str, ReportSnapshot]:
    newest = (
        select(func.max(ReportSnapshot.id))
        .where(ReportSnapshot.kind == kind)
        .group_by(ReportSnapshot.period)
    )
    found = db.session.scalars(select(ReportSnapshot).where(ReportSnapshot.id.in_(newest)))
    return {s.period: s for s in found}


def _values(figures: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {(f["metric_id"], f["dimension"]): f["value"] for f in figures.get("figures", [])}


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    old, new = _values(before), _values(after)
    return [
        {"metric_id": key[0], "dimension": key[1], "before": old.get(key), "after": new.get(key)}
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    ]


def signer_name(user: User) -> str:
    person = user.person
    return f"{person.given_name} {person.family_name}" if person is not None else user.username


def sign_report(
    definition: ReportDefinition, period: Period, comment: str, user: User
) -> ReportSnapshot:
    """Compute and render under a read-only transaction, then store the new signed
    version in a short write transaction (the caller commits)."""
    comment = comment.strip()
    if len(comment) < MIN_COMMENT:
        raise SignError("Write a comment with your signature (what you reviewed, any follow-up).")
    if not is_complete(period, site_today()):
        raise SignError(f"{period.title} is not over yet; sign it once it has ended.")
    report = build_for_period(definition, period)  # read-only
    previous = snapshots_for(period.kind, period.label)
    version = previous[0].version + 1 if previous else 1
    figures = figures_json(report)
    snapshot = ReportSnapshot(
        kind=period.kind,
        period=period.label,
        version=version,
        supersedes_id=previous[0].id if previous else None,
        figures=figures,
        changes=changes_between(previous[0].figures, figures) if previous else [],
        definitions_hash=definition.hash,
        policy_version=report.policy_version,
        signed_at=utcnow(),
        signed_by_user_id=user.id,
        signer_name=signer_name(user),
        comment=comment[:2000],
        **_heads(report),
    )
    signature = signature_of(snapshot, user)
    files = []
    for fmt in FORMATS:
        content = render(report, fmt, signature)
        files.append(
            ReportFile(
                format=fmt,
                file_name=file_name(period.kind, period.label, fmt, version),
                media_type=FORMATS[fmt][1],
                sha256=hashlib.sha256(content).hexdigest(),
                size_bytes=len(content),
                content=content,
            )
        )
    db.session.rollback()  # end the read; the write transaction begins with the insert
    snapshot.files = files
    db.session.add(snapshot)
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise SignError(
            f"Version {version} of {period.title} was signed meanwhile; reload and review it."
        ) from exc
    record_event(
        "report.sign",
        f"Signed the {period.kind} report for {period.label} (version {version}, "
        f"{len(snapshot.changes)} figure(s) changed since the previous version)",
        target=snapshot,
        after={
            "kind": period.kind,
            "period": period.label,
            "version": version,
            "definitions_hash": definition.hash,
            "audit_head_seq": snapshot.audit_head_seq,
            "access_head_seq": snapshot.access_head_seq,
        },
    )
    current_app.logger.info("report %s %s signed as version %s", period.kind, period.label, version)
    return snapshot


def _heads(report: Report) -> dict[str, Any]:
    audit_seq, audit_hash = report.chain_head("attestation.audit_chain_head")
    access_seq, access_hash = report.chain_head("attestation.access_log_chain_head")
    return {
        "audit_head_seq": audit_seq,
        "audit_head_hash": audit_hash[:64],
        "access_head_seq": access_seq,
        "access_head_hash": access_hash[:64],
    }


def signature_of(snapshot: ReportSnapshot, user: User) -> dict[str, Any]:
    return {
        "signer": snapshot.signer_name,
        "role": ROLE_LABELS.get(user.role, user.role),
        "signed_at": site_time(snapshot.signed_at),
        "comment": snapshot.comment,
        "version": snapshot.version,
    }
