"""Door readers: each has a random bearer token; the database keeps only its hash."""

from __future__ import annotations

import secrets

from sqlalchemy import select

from ..api.door_auth import token_hash
from ..audit.services import record_event
from ..extensions import db
from ..site.models import Door
from .models import DoorDevice


class DeviceError(ValueError):
    pass


def door_by_code(code: str) -> Door | None:
    return db.session.scalars(select(Door).where(Door.code == code)).first()


def add_device(door_code: str, name: str) -> str:
    door = door_by_code(door_code)
    if door is None:
        raise DeviceError(f"no door with code '{door_code}'")
    if not name.strip() or len(name) > 120:
        raise DeviceError("give the device a name of 1 to 120 characters")
    token = "zkd_" + secrets.token_urlsafe(32)
    device = DoorDevice(door_id=door.id, name=name.strip(), token_hash=token_hash(token))
    db.session.add(device)
    record_event(
        "door.add_device", f"Registered reader '{name.strip()}' at door {door.code}", target=device
    )
    db.session.commit()
    return token
