"""Zone audits and the corrective actions they opened, linked both ways.

An action points at the checklist item that failed; an amended audit copies its items into
a new version, so the actions of an audit are those of any version of the same audit
(checklist, place and day)."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..zone_audits.models import ZoneAudit, ZoneAuditItem
from .models import CorrectiveAction


def source_audit(action: CorrectiveAction) -> ZoneAudit | None:
    """The zone audit whose failed item opened ``action`` (None for other sources)."""
    if action.audit_item_id is None:
        return None
    item = db.session.get(ZoneAuditItem, action.audit_item_id)
    return db.session.get(ZoneAudit, item.audit_id) if item is not None else None


def actions_opened_by(audit: ZoneAudit) -> list[tuple[CorrectiveAction, str]]:
    """The actions opened from ``audit`` (any version of it), each with its item's text."""
    rows = db.session.execute(
        select(CorrectiveAction, ZoneAuditItem.text)
        .join(ZoneAuditItem, ZoneAuditItem.id == CorrectiveAction.audit_item_id)
        .join(ZoneAudit, ZoneAudit.id == ZoneAuditItem.audit_id)
        .where(
            ZoneAudit.checklist_id == audit.checklist_id,
            ZoneAudit.target_key == audit.target_key,
            ZoneAudit.audit_date == audit.audit_date,
        )
        .order_by(CorrectiveAction.id)
    ).all()
    return [(action, text) for action, text in rows]
