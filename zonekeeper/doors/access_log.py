"""The access log: every scan is one appended, hash-chained event.

Each scan's read-decide-write starts by locking the log's head row
(``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite every transaction already
begins IMMEDIATE). That one lock serialises the decisions that read state
(anti-passback, escort pairing) with the appends, so two scans can neither be
granted on the same state nor take the same sequence number.
"""

from __future__ import annotations

import html
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..audit.chain import ChainBreak, head_mac, row_hash
from ..audit.services import walk_chain
from ..db import ensure_transaction, utcnow
from ..extensions import db
from .models import ACCESS_HASHED_FIELDS, AccessEvent, AccessLogHead

EXCERPT_CHARS = 40


def _key() -> bytes:
    return str(current_app.config["AUDIT_KEY"]).encode()


def lock_log_head() -> AccessLogHead:
    """Lock the head row for this transaction; call first in every scan."""
    ensure_transaction(db.session.connection())  # a scan's connection may be in autocommit
    return db.session.execute(
        select(AccessLogHead).where(AccessLogHead.id == 1).with_for_update()
    ).scalar_one()


def scanned_excerpt(text: str) -> str:
    """A bounded, printable, HTML-escaped excerpt of what was scanned (never the raw payload)."""
    printable = "".join(ch if ch.isprintable() else "\N{REPLACEMENT CHARACTER}" for ch in text)
    cut = printable[:EXCERPT_CHARS]
    suffix = f"... ({len(text)} chars)" if len(text) > EXCERPT_CHARS else ""
    return html.escape(cut + suffix)[:80]


def append_access_event(head: AccessLogHead, **values: Any) -> AccessEvent:
    """Append one event under the locked head (the caller commits)."""
    fields: dict[str, Any] = {
        "badge_id": None,
        "badge_version": None,
        "person_id": None,
        "reason_codes": [],
        "rule_ids": [],
        "escort_person_id": None,
        "related_event_id": None,
        "flags": [],
        "scanned_excerpt": "",
        **values,
        "seq": head.last_seq + 1,
        "occurred_at": values.get("occurred_at") or utcnow(),
        "prev_hash": head.last_hash,
    }
    hashed = {name: fields[name] for name in ACCESS_HASHED_FIELDS}
    event = AccessEvent(**fields, row_hash=row_hash(_key(), hashed, ACCESS_HASHED_FIELDS))
    db.session.add(event)
    head.last_seq, head.last_hash = event.seq, event.row_hash
    head.head_mac = head_mac(_key(), event.seq, event.row_hash)
    db.session.flush()
    return event


def verify_access_log(min_seq: int = 0) -> tuple[int, ChainBreak | None]:
    return walk_chain(AccessEvent, db.session.get(AccessLogHead, 1), ACCESS_HASHED_FIELDS, min_seq)
