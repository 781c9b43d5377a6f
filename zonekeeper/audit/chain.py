"""The HMAC chain: each row's hash covers its content and the previous hash.

The key lives outside the database (``ZONEKEEPER_AUDIT_KEY``), so someone who
can edit the table cannot recompute the hashes of the rows they change.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

HASHED_FIELDS = (
    "seq",
    "occurred_at",
    "actor_user_id",
    "actor",
    "action",
    "target_type",
    "target_id",
    "person_id",
    "remote_addr",
    "summary",
    "before",
    "after",
    "prev_hash",
)


def head_mac(key: bytes, seq: int, last_hash: str) -> str:
    return hmac.new(key, f"head:{seq}:{last_hash}".encode(), hashlib.sha256).hexdigest()


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    return value


def row_hash(key: bytes, fields: dict[str, Any], names: tuple[str, ...] = HASHED_FIELDS) -> str:
    """The HMAC of the named fields (the audit trail's by default; the access log has its own)."""
    payload = json.dumps(
        {name: _canonical(fields[name]) for name in names},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        default=str,
    )
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None
    seq: int
    problem: str

    def __str__(self) -> str:
        where = f"row id {self.event_id} (seq {self.seq})" if self.event_id else f"seq {self.seq}"
        return f"{where}: {self.problem}"


def first_break(
    key: bytes,
    rows: Any,
    head_seq: int,
    head_hash: str,
    genesis: str,
    sealed_head: str = "",
    names: tuple[str, ...] | Callable[[Any], tuple[str, ...]] = HASHED_FIELDS,
) -> tuple[int, ChainBreak | None]:
    """Walk rows in seq order; return how many were checked and the first break.

    ``names``: the hashed fields, or a function giving them per row (a log whose
    hash covers more fields from some version on).
    """
    expected_mac = (
        "" if head_seq == 0 and head_hash == genesis else head_mac(key, head_seq, head_hash)
    )
    if not hmac.compare_digest(expected_mac, sealed_head):
        return 0, ChainBreak(
            None, head_seq, "the chain head's seal does not match: the head was rewritten"
        )
    expected_seq, previous, checked = 1, genesis, 0
    for row in rows:
        row_names = names(row) if callable(names) else names
        fields = {name: getattr(row, name) for name in row_names}
        if row.seq != expected_seq:
            missing = f"seq {expected_seq}" + (
                f" to {row.seq - 1}" if row.seq - 1 > expected_seq else ""
            )
            return checked, ChainBreak(
                row.id, row.seq, f"{missing} missing before it: a row was deleted"
            )
        if row.prev_hash != previous:
            return checked, ChainBreak(row.id, row.seq, "does not link to the row before it")
        if not hmac.compare_digest(row_hash(key, fields, row_names), row.row_hash):
            return checked, ChainBreak(
                row.id, row.seq, "content does not match its hash: the row was changed"
            )
        previous, expected_seq, checked = row.row_hash, expected_seq + 1, checked + 1
    if head_seq != checked or head_hash != previous:
        return checked, ChainBreak(
            None,
            checked + 1,
            f"the chain head records {head_seq} rows but {checked} remain: "
            "the newest rows were deleted",
        )
    return checked, None
