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
from .models import (
    ACCESS_HASH_VERSION,
    ACCESS_HASHED_FIELDS,
    AccessEvent,
    AccessLogHead,
    hashed_fields_of,
)

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
        "hash_version": ACCESS_HASH_VERSION,
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


def verify_access_log(
    min_seq: int = 0, expect_head: str | None = None
) -> tuple[int, ChainBreak | None]:
    """Walk the chain; how many events are intact and the first break.

    The chain proves its rows were neither changed nor removed in the middle, but a
    wiped table with its head reset to genesis, or the newest rows deleted and an
    older copy of the head row put back, is a shorter chain that still verifies.
    What catches those is a head recorded elsewhere before (``access_log_head``):
    ``min_seq`` (the log had at least that many events) and ``expect_head`` (the hash
    of the event at ``min_seq``, or of any event when no ``min_seq`` is given) must
    still be in the chain.
    """
    checked, broken = walk_chain(
        AccessEvent, db.session.get(AccessLogHead, 1), hashed_fields_of, min_seq
    )
    if broken is not None or not expect_head:
        return checked, broken
    query = select(AccessEvent.seq).where(AccessEvent.row_hash == expect_head.strip().lower())
    if min_seq:
        query = query.where(AccessEvent.seq == min_seq)
    if db.session.scalars(query).first() is None:
        where = f"at seq {min_seq}" if min_seq else "anywhere"
        return checked, ChainBreak(
            None,
            min_seq,
            f"the recorded head {expect_head[:16]}... is not in the chain {where}: "
            "the log was rolled back or replaced",
        )
    return checked, None


def access_log_head() -> tuple[int, str]:
    """The head a verification ends at: record it elsewhere to check the next one against."""
    head = db.session.get(AccessLogHead, 1)
    return (head.last_seq, head.last_hash) if head is not None else (0, "")
