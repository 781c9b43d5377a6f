"""Incident and near-miss reports."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import utcnow
from ..extensions import db
from ..site.models import Room, Scanner

CATEGORIES = {
    "thermal": "Thermal / burn",
    "projectile": "Projectile",
    "mechanical": "Mechanical",
    "acoustic": "Acoustic",
    "implant": "Implant-related",
    "contrast": "Contrast reaction",
    "cryogen": "Quench / cryogen",
    "access": "Access violation",
    "screening": "Screening failure",
    "other": "Other",
}
SEVERITIES = {
    "near_miss": "Near miss (no one reached)",
    "no_harm": "Reached someone, no harm",
    "minor": "Minor harm",
    "moderate": "Moderate harm",
    "severe": "Severe harm",
    "death": "Death",
}
STATUSES = ("new", "under_review", "closed")


class Incident(db.Model):  # type: ignore[name-defined]
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime]
    reported_at: Mapped[datetime] = mapped_column(default=utcnow)
    reported_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    report_delay_minutes: Mapped[int]
    late_report: Mapped[bool]
    zone: Mapped[str] = mapped_column(String(8))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    scanner_id: Mapped[int | None] = mapped_column(ForeignKey("scanners.id"))
    category: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text)
    immediate_actions: Mapped[str] = mapped_column(Text, default="")
    patient_mrn: Mapped[str | None] = mapped_column(String(40))  # PHI: shown only to safety roles
    staff_person_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    device_involved: Mapped[bool] = mapped_column(default=False)
    device_description: Mapped[str] = mapped_column(String(300), default="")
    status: Mapped[str] = mapped_column(String(14), default="new")
    root_cause: Mapped[str] = mapped_column(Text, default="")
    review_notes: Mapped[str] = mapped_column(Text, default="")
    monthly_review_on: Mapped[date | None]
    reviewed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[datetime | None]
    closed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    room: Mapped[Room | None] = relationship()
    scanner: Mapped[Scanner | None] = relationship()
    reported_by = relationship("User", foreign_keys=[reported_by_user_id])
