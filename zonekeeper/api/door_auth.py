"""Who is posting a scan: a hardware reader's bearer token, or a kiosk station's session."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy import select
from wtforms import ValidationError

from ..auth.sessions import session_expired
from ..doors.models import DoorDevice
from ..extensions import db
from ..site.models import Door


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def scan_source(door: Door) -> tuple[str | None, int]:
    """``(source, 0)`` for an allowed poster, else ``(None, 401 or 403)``."""
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip() or len(token) > 200:
            return None, 401
        digest = token_hash(token.strip())
        device = db.session.scalars(
            select(DoorDevice).where(
                DoorDevice.token_hash == digest, DoorDevice.revoked_at.is_(None)
            )
        ).first()
        if device is None or not hmac.compare_digest(device.token_hash, digest):
            return None, 401
        if device.door_id != door.id:
            return None, 403
        return f"device:{device.id}", 0
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
