"""People and the records their MR personnel level is derived from."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import utcnow
from ..extensions import db

PERSON_KINDS = ("staff", "patient", "visitor", "contractor", "responder")


class Person(db.Model):  # type: ignore[name-defined]
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    given_name: Mapped[str] = mapped_column(String(120))
    family_name: Mapped[str] = mapped_column(String(120))
    staff_number: Mapped[str | None] = mapped_column(String(40), unique=True)
    job_title: Mapped[str] = mapped_column(String(120), default="")
    organisation: Mapped[str] = mapped_column(String(120), default="")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    trainings: Mapped[list[TrainingRecord]] = relationship(
        back_populates="person",
        foreign_keys="TrainingRecord.person_id",
        order_by="TrainingRecord.completed_on",
    )
    designations: Mapped[list[Designation]] = relationship(back_populates="person")
    screenings: Mapped[list[StaffScreening]] = relationship(
        back_populates="person", order_by="StaffScreening.screened_on"
    )

    __table_args__ = (
        CheckConstraint(
            "kind IN ('staff', 'patient', 'visitor', 'contractor', 'responder')",
            name="ck_people_kind",
        ),
    )

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class TrainingRecord(db.Model):  # type: ignore[name-defined]
    """A completed MR safety training. Never edited: a wrong one is voided with a reason."""

    __tablename__ = "training_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    completed_on: Mapped[date]
    level: Mapped[str] = mapped_column(String(20))  # a level id from rules/personnel.yaml
    course: Mapped[str] = mapped_column(String(200))
    course_version: Mapped[str] = mapped_column(String(40))
    approver_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    evidence: Mapped[str] = mapped_column(Text, default="")  # e.g. "quiz 18/20"
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # a record entered in error is voided (with a reason), never edited or deleted
    voided_at: Mapped[datetime | None]
    voided_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    person: Mapped[Person] = relationship(back_populates="trainings", foreign_keys=[person_id])
    approver: Mapped[Person | None] = relationship(foreign_keys=[approver_id])


class Designation(db.Model):  # type: ignore[name-defined]
    """A safety role (MRSO, MRMD, MRSE, Level 2 physician) held from a date, maybe until one."""

    __tablename__ = "designations"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    role: Mapped[str] = mapped_column(String(40))  # a designation id from rules/personnel.yaml
    in_charge: Mapped[bool] = mapped_column(default=False)  # the one MRSO in charge
    granted_on: Mapped[date]
    ended_on: Mapped[date | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None]
    ended_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    person: Mapped[Person] = relationship(back_populates="designations")

    def held_on(self, day: date) -> bool:
        return self.granted_on <= day and (self.ended_on is None or day < self.ended_on)


class StaffScreening(db.Model):  # type: ignore[name-defined]
    """A person's own MR screening form on file (annual for regular staff)."""

    __tablename__ = "staff_screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    screened_on: Mapped[date]
    valid_until: Mapped[date]
    cleared: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    person: Mapped[Person] = relationship(back_populates="screenings")

    __table_args__ = (CheckConstraint("valid_until >= screened_on", name="ck_screening_dates"),)
