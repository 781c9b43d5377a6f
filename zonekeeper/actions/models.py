"""Corrective actions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import utcnow
from ..extensions import db
from ..people.models import Person

STATUSES = ("open", "in_progress", "closed")


class CorrectiveAction(db.Model):  # type: ignore[name-defined]
    __tablename__ = "corrective_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    severity: Mapped[str] = mapped_column(String(10))
    source: Mapped[str] = mapped_column(String(10))  # audit | incident | manual
    audit_item_id: Mapped[int | None] = mapped_column(ForeignKey("zone_audit_items.id"))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    owner_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    due_on: Mapped[date]
    status: Mapped[str] = mapped_column(String(12), default="open")
    closing_note: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None]
    closed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    owner: Mapped[Person] = relationship()

    def overdue_on(self, today: date) -> bool:
        return self.status != "closed" and self.due_on < today


class ActionChange(db.Model):  # type: ignore[name-defined]
    """One change to a corrective action: who changed the owner, due date or status, when
    and why. Appended, never edited (the action's history)."""

    __tablename__ = "corrective_action_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("corrective_actions.id"), index=True)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_by_name: Mapped[str] = mapped_column(String(200))  # the name as it was then
    status_from: Mapped[str | None] = mapped_column(String(12))
    status_to: Mapped[str] = mapped_column(String(12))
    owner_from_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    owner_to_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    due_from: Mapped[date | None]
    due_to: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")

    owner_from: Mapped[Person | None] = relationship(foreign_keys=[owner_from_person_id])
    owner_to: Mapped[Person] = relationship(foreign_keys=[owner_to_person_id])
