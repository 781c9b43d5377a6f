"""Appending to and verifying the audit trail.

``record_event`` joins the caller's transaction: the change and its audit row
commit together or not at all. The chain head row is locked for the append
(SELECT ... FOR UPDATE on PostgreSQL; SQLite transactions begin IMMEDIATE), so
two appends can never take the same sequence number or fork the chain.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import current_app, has_request_context, request
from flask_login import current_user
from sqlalchemy import select

from ..db import utcnow
from ..extensions import db
from .chain import HASHED_FIELDS, ChainBreak, first_break, head_mac, row_hash
from .models import GENESIS_HASH, AuditChainHead, AuditEvent

log = logging.getLogger(__name__)


def _key() -> bytes:
    return str(current_app.config["AUDIT_KEY"]).encode()


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def snapshot(record: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    """The named fields of a record as JSON-safe values (choose fields without PHI)."""
    return {name: _plain(getattr(record, name)) for name in fields}


def _actor() -> tuple[int | None, str]:
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, current_user.username
    return None, "anonymous" if has_request_context() else "cli"


def record_event(
    action: str,
    summary: str,
    *,
    target: Any = None,
    target_type: str | None = None,
    person_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor: tuple[int | None, str] | None = None,
) -> AuditEvent:
    """Append one event in the current transaction (the caller commits)."""
    head = db.session.execute(
        select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
    ).scalar_one()
    actor_id, actor_name = actor or _actor()
    if target is not None:
        target_type = target_type or type(target).__tablename__
        db.session.flush()  # the target needs its id
    fields: dict[str, Any] = {
        "seq": head.last_seq + 1,
        "occurred_at": utcnow(),
        "actor_user_id": actor_id,
        "actor": actor_name,
        "action": action,
        "target_type": target_type,
        "target_id": str(target.id) if target is not None else None,
        "person_id": person_id,
        "remote_addr": request.remote_addr if has_request_context() else None,
        "summary": summary[:300],
        "before": before,
        "after": after,
        "prev_hash": head.last_hash,
    }
    event = AuditEvent(**fields, row_hash=row_hash(_key(), fields))
    db.session.add(event)
    head.last_seq, head.last_hash = event.seq, event.row_hash
    head.head_mac = head_mac(_key(), event.seq, event.row_hash)
    return event


def chain_head() -> AuditChainHead | None:
    return db.session.get(AuditChainHead, 1)


def verify_chain(min_seq: int = 0) -> tuple[int, ChainBreak | None]:
    """Check every row's link and hash; return rows checked and the first break.

    ``min_seq`` is a sequence number recorded outside the database earlier (say
    in last month's report): a chain now shorter than that was truncated.
    """
    return walk_chain(AuditEvent, chain_head(), HASHED_FIELDS, min_seq)


def walk_chain(
    model: Any,
    head: Any,
    names: tuple[str, ...] | Callable[[Any], tuple[str, ...]],
    min_seq: int = 0,
) -> tuple[int, ChainBreak | None]:
    """Verify the rows of ``model`` (audit trail or access log) against their ``head``."""
    if head is None:
        return 0, ChainBreak(None, 0, "the chain head row is missing")
    if head.last_seq < min_seq:
        return 0, ChainBreak(
            None,
            head.last_seq + 1,
            f"the chain ends at seq {head.last_seq}, but seq {min_seq} "
            "was recorded earlier: rows were removed and the head rewound",
        )
    result = db.session.execute(select(model).order_by(model.seq).execution_options(yield_per=500))
    try:  # the walk may stop at a break: close the (server-side) cursor either way
        return first_break(
            _key(),
            result.scalars(),
            head.last_seq,
            head.last_hash,
            GENESIS_HASH,
            head.head_mac or "",
            names,
        )
    finally:
        result.close()
