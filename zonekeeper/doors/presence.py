"""Moving people between zones as scans are decided (who is inside)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..site.models import Door
from .models import AccessEvent, Presence


def open_presence(person_id: int) -> Presence | None:
    return db.session.scalars(
        select(Presence).where(Presence.person_id == person_id, Presence.left_at.is_(None))
    ).first()


def is_passback(current: Presence | None, door: Door) -> bool:
    """A second entry through this door without an exit: already inside where it leads."""
    return (
        current is not None
        and current.zone == door.to_zone
        and (door.room_id is None or current.room_id == door.room_id)
    )


def enter(
    person_id: int,
    door: Door,
    event: AccessEvent,
    now: datetime,
    escort_id: int | None = None,
    current: Presence | None = None,
) -> Presence:
    """The person is now beyond ``door``; ``current`` (where they were recorded) is closed.

    Pass ``current`` when it was just read under the same lock; otherwise it is looked up.
    """
    current = current if current is not None else open_presence(person_id)
    if current is not None:
        current.left_at, current.exit_event_id = now, event.id
    presence = Presence(
        person_id=person_id,
        zone=door.to_zone,
        room_id=door.room_id,
        door_id=door.id,
        entered_at=now,
        entry_event_id=event.id,
        escort_person_id=escort_id,
    )
    db.session.add(presence)
    return presence


def entered_through(person_id: int, door: Door) -> bool:
    """Whether the person is on record beyond ``door`` (an exit without it is flagged)."""
    current = open_presence(person_id)
    return current is not None and current.zone == door.to_zone


def leave(
    person_id: int, door: Door, event: AccessEvent, now: datetime, restricted: set[str]
) -> None:
    """Close where the person was recorded; back in a restricted zone, open a presence there."""
    current = open_presence(person_id)
    if current is not None:
        current.left_at, current.exit_event_id = now, event.id
    if door.from_zone in restricted:
        db.session.add(
            Presence(
                person_id=person_id,
                zone=door.from_zone,
                room_id=None,
                door_id=door.id,
                entered_at=now,
                entry_event_id=event.id,
                escort_person_id=current.escort_person_id if current else None,
            )
        )
