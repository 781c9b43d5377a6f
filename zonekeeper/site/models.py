"""Rooms, doors and scanners. Zones themselves live in the policy files."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import utcnow
from ..extensions import db


class Room(db.Model):  # type: ignore[name-defined]
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    zone: Mapped[str] = mapped_column(String(8))  # a zone id from rules/zones.yaml
    description: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    scanners: Mapped[list[Scanner]] = relationship(back_populates="room")


class Door(db.Model):  # type: ignore[name-defined]
    """A controlled passage from one zone into another, where people badge."""

    __tablename__ = "doors"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # used in reader URLs
    name: Mapped[str] = mapped_column(String(120), unique=True)
    from_zone: Mapped[str] = mapped_column(String(8))
    to_zone: Mapped[str] = mapped_column(String(8))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))  # the room it opens into
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    room: Mapped[Room | None] = relationship()

    __table_args__ = (CheckConstraint("from_zone <> to_zone", name="ck_doors_distinct_zones"),)


class Scanner(db.Model):  # type: ignore[name-defined]
    """An MR system, described by the limits that MR Conditional labels are checked against."""

    __tablename__ = "scanners"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"))
    manufacturer: Mapped[str] = mapped_column(String(120), default="")
    model: Mapped[str] = mapped_column(String(120), default="")
    field_strength_t: Mapped[float]
    # worst case at patient-accessible positions, from the scanner's MR safety documentation
    spatial_field_gradient_t_per_m: Mapped[float]
    # the vendor's gradient table, as entered by the site: [{"within_cm": 40,
    # "max_t_per_m": 4.0, "note": "patient path, 20 cm off axis"}, ...] ([] = none entered)
    spatial_gradient_map: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, server_default="[]"
    )
    max_slew_rate_t_per_m_per_s: Mapped[float]
    operating_modes: Mapped[list[str]] = mapped_column(JSON)
    transmit_coils: Mapped[list[str]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    room: Mapped[Room] = relationship(back_populates="scanners")

    __table_args__ = (
        CheckConstraint(
            "field_strength_t > 0 AND field_strength_t <= 11.7", name="ck_scanners_field"
        ),
        CheckConstraint("spatial_field_gradient_t_per_m >= 0", name="ck_scanners_gradient"),
        CheckConstraint("max_slew_rate_t_per_m_per_s > 0", name="ck_scanners_slew"),
    )
