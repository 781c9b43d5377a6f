"""Who is inside now: open presences by zone and room, with stale entries apart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..site.models import Room
from .models import AccessEvent, Presence

ZONE_ORDER = {"I": 1, "II": 2, "III": 3, "IV": 4}


@dataclass
class Area:
    """One zone, or one room of a zone (a scanner room in Zone IV)."""

    zone: str
    room: Room | None
    current: list[Presence] = field(default_factory=list)
    stale: list[Presence] = field(default_factory=list)

    @property
    def title(self) -> str:
        return f"Zone {self.zone}" + (f" · {self.room.name}" if self.room else "")


def open_presences() -> list[Presence]:
    return list(
        db.session.scalars(
            select(Presence)
            .where(Presence.left_at.is_(None))
            .options(selectinload(Presence.person), selectinload(Presence.escort))
            .order_by(Presence.entered_at)
        )
    )


def occupancy(now: datetime, stale_hours: int) -> list[Area]:
    """Areas in zone order; people inside longer than ``stale_hours`` are listed apart."""
    cutoff = now - timedelta(hours=stale_hours)
    rooms = {room.id: room for room in db.session.scalars(select(Room))}
    areas: dict[tuple[str, int | None], Area] = {}
    for presence in open_presences():
        key = (presence.zone, presence.room_id)
        area = areas.setdefault(key, Area(presence.zone, rooms.get(presence.room_id or -1)))
        (area.stale if presence.entered_at < cutoff else area.current).append(presence)
    return sorted(areas.values(), key=lambda a: (ZONE_ORDER.get(a.zone, 99), a.title))


def recent_denials(since: datetime, limit: int = 10) -> tuple[int, list[AccessEvent]]:
    """How many door denials since ``since``, and the latest few (for the safety dashboard)."""
    where = (AccessEvent.outcome == "deny", AccessEvent.occurred_at >= since)
    total = db.session.scalar(select(func.count()).select_from(AccessEvent).where(*where)) or 0
    latest = db.session.scalars(
        select(AccessEvent)
        .where(*where)
        .options(selectinload(AccessEvent.person), selectinload(AccessEvent.door))
        .order_by(AccessEvent.seq.desc())
        .limit(limit)
    ).all()
    return total, list(latest)
