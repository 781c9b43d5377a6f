"""Read models for the site overview."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from ..extensions import db
from ..people.services import active_staff, person_standing
from ..policy import Policy
from ..policy.schema import ZoneSpec
from .models import Door, Room, Scanner


@dataclass
class ZoneOverview:
    zone: ZoneSpec
    rooms: list[Room] = field(default_factory=list)
    doors_in: list[Door] = field(default_factory=list)
    scanners: list[Scanner] = field(default_factory=list)


@dataclass
class PersonnelSummary:
    by_level: dict[str, int]
    lapsed: int
    lapsing_30_days: int
    total_staff: int


def zone_overview(policy: Policy) -> tuple[list[ZoneOverview], list[str]]:
    """Rooms, doors and scanners by zone; plus anything naming a zone the policy lacks."""
    zones = {zone.id: ZoneOverview(zone) for zone in policy.zones}
    misplaced: list[str] = []
    for room in db.session.scalars(select(Room).order_by(Room.name)):
        if room.zone in zones:
            zones[room.zone].rooms.append(room)
        else:
            misplaced.append(f"Room '{room.name}' is in unknown zone '{room.zone}'")
    for door in db.session.scalars(select(Door).order_by(Door.name)):
        if door.to_zone in zones and door.from_zone in zones:
            zones[door.to_zone].doors_in.append(door)
        else:
            misplaced.append(
                f"Door '{door.name}' joins unknown zone(s) {door.from_zone} -> {door.to_zone}"
            )
    for scanner in db.session.scalars(select(Scanner).order_by(Scanner.field_strength_t)):
        if scanner.room.zone in zones:
            zones[scanner.room.zone].scanners.append(scanner)
    return list(zones.values()), misplaced


def personnel_summary(policy: Policy, today: date) -> PersonnelSummary:
    standings = [person_standing(p, today, policy) for p in active_staff()]
    by_level = Counter(s.level.level for s in standings)
    return PersonnelSummary(
        by_level={level.id: by_level.get(level.id, 0) for level in policy.levels},
        lapsed=sum(1 for s in standings if s.level.lapsed),
        lapsing_30_days=sum(1 for s in standings if s.lapses_within(30, today)),
        total_staff=len(standings),
    )


def scanners() -> list[Scanner]:
    return list(db.session.scalars(select(Scanner).order_by(Scanner.field_strength_t)))


def doors() -> list[Door]:
    return list(db.session.scalars(select(Door).order_by(Door.name)))
