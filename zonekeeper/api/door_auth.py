"""Who is posting a scan: a hardware reader's bearer token, or a kiosk station's session."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import bindparam, select
from wtforms import ValidationError

from ..auth.sessions import session_expired
from ..db import fetch_rows
from ..doors.models import DoorDevice
from ..doors.scan_records import BADGE_RECORDS, badge_from_rows, with_records
from ..doors.scan_result import DoorRef
from ..doors.scan_store import ReadBadge
from ..extensions import db
from ..site.models import Door

MAX_DOOR_CODE = 40
_doors, _devices = Door.__table__, DoorDevice.__table__
_DOOR_COLUMNS = (
    _doors.c.id,
    _doors.c.code,
    _doors.c.name,
    _doors.c.from_zone,
    _doors.c.to_zone,
    _doors.c.room_id,
)
_DOOR = select(*_DOOR_COLUMNS).where(_doors.c.code == bindparam("code"))
# a reader's every scan: the door and the device its token names, in one statement
_DOOR_AND_DEVICE = (
    select(
        *_DOOR_COLUMNS, _devices.c.id.label("device_id"), _devices.c.door_id, _devices.c.token_hash
    )
    .select_from(
        _doors.outerjoin(
            _devices,
            (_devices.c.token_hash == bindparam("digest")) & _devices.c.revoked_at.is_(None),
        )
    )
    .where(_doors.c.code == bindparam("code"))
)

# with a scanned badge's records beside the door, in the same statement (one round trip)
_DOOR_AND_BADGE = with_records(_DOOR, BADGE_RECORDS)
_DOOR_DEVICE_AND_BADGE = with_records(_DOOR_AND_DEVICE, BADGE_RECORDS)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _door_ref(row: Any) -> DoorRef:
    return DoorRef(row.id, row.code, row.name, row.from_zone, row.to_zone, row.room_id)


def authorise_scan(
    code: str, badge_id: int | None = None
) -> tuple[DoorRef | None, str | None, int, ReadBadge | None]:
    """``(door, source, 0, badge)`` for an allowed poster; ``(None, None, 404, None)`` for an
    unknown door; else ``(door, None, 401 or 403, None)``.

    ``badge_id``: the badge a scan names; it is read with its holder's records in the
    same statement as the door, and returned only to an allowed poster.
    """
    if len(code) > MAX_DOOR_CODE or not code.isprintable():  # no door has a control character
        return None, None, 404, None
    header = request.headers.get("Authorization", "")
    connection = db.session.connection()  # Core on the session's connection: no ORM step
    with_badge = badge_id is not None
    params: dict[str, Any] = {"code": code, **({"badge_id": badge_id} if with_badge else {})}
    if not header:
        rows = fetch_rows(connection, _DOOR_AND_BADGE if with_badge else _DOOR, params)
        if not rows:
            return None, None, 404, None
        door = _door_ref(rows[0])
        source, status = _session_source(door)
        return door, source, status, _badge(rows, badge_id) if source is not None else None
    scheme, _, token = header.partition(" ")
    well_formed = scheme.lower() == "bearer" and token.strip() and len(token) <= 200
    params["digest"] = token_hash(token.strip()) if well_formed else ""
    statement = _DOOR_DEVICE_AND_BADGE if with_badge else _DOOR_AND_DEVICE
    rows = fetch_rows(connection, statement, params)
    row = rows[0] if rows else None
    if row is None:
        return None, None, 404, None
    door = _door_ref(row)
    if not well_formed or row.device_id is None:
        return door, None, 401, None
    if not hmac.compare_digest(row.token_hash, params["digest"]):
        return door, None, 401, None
    if row.door_id != door.id:
        return door, None, 403, None
    return door, f"device:{row.device_id}", 0, _badge(rows, badge_id)


def _badge(rows: list[Any], badge_id: int | None) -> ReadBadge | None:
    return None if badge_id is None else (badge_id, badge_from_rows(rows, badge_id))


def _session_source(door: DoorRef) -> tuple[str | None, int]:
    """A kiosk station's browser session: ``(source, 0)``, else ``(None, 401 or 403)``."""
    if not current_user.is_authenticated or session_expired(current_app):
        return None, 401
    if current_user.role != "kiosk" or current_user.door_id != door.id:
        return None, 403
    try:  # a browser session must also prove the request came from our page
        validate_csrf(request.headers.get("X-CSRFToken", ""))
    except (ValidationError, CSRFError):
        return None, 403
    session.modified = False
    return f"kiosk:{current_user.username}", 0
