"""Stored training: quiz attempts and their answers, certificates, flash-card state,
course assignments and reminders (issue #14)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import utcnow
from ..extensions import db
from ..people.models import Person, TrainingRecord

ATTEMPT_STATES = ("in_progress", "passed", "failed", "awaiting_cosign")


class QuizAttempt(db.Model):  # type: ignore[name-defined]
    """One try at a course's quiz: the questions drawn for it, then its score."""

    __tablename__ = "quiz_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    course_id: Mapped[str] = mapped_column(String(60))
    course_version: Mapped[int]
    course_hash: Mapped[str] = mapped_column(String(40))
    grants_level: Mapped[str] = mapped_column(String(20))
    pass_mark_percent: Mapped[int]
    drawn: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # question ids and option orders
    state: Mapped[str] = mapped_column(String(20), default="in_progress")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]
    correct: Mapped[int | None]
    total: Mapped[int | None]
    percent: Mapped[float | None] = mapped_column(Float)
    training_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("training_records.id", name="fk_quiz_attempts_training_record")
    )
    cosigned_at: Mapped[datetime | None]
    cosigned_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", name="fk_quiz_attempts_cosigned_by")
    )

    person: Mapped[Person] = relationship()
    training_record: Mapped[TrainingRecord | None] = relationship()
    answers: Mapped[list[QuizAnswer]] = relationship(
        back_populates="attempt", order_by="QuizAnswer.id", cascade="all, delete-orphan"
    )

    __table_args__ = (Index("ix_quiz_attempts_person_course", "person_id", "course_id"),)


class QuizAnswer(db.Model):  # type: ignore[name-defined]
    """The answer given to one drawn question, with when; changed until the attempt is submitted."""

    __tablename__ = "quiz_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"), index=True)
    question_id: Mapped[str] = mapped_column(String(60))
    selected: Mapped[list[str]] = mapped_column(JSON)
    correct: Mapped[bool | None]  # set at submission
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt: Mapped[QuizAttempt] = relationship(back_populates="answers")

    __table_args__ = (UniqueConstraint("attempt_id", "question_id", name="uq_quiz_answer"),)


class Certificate(db.Model):  # type: ignore[name-defined]
    """A pass's certificate; valid while its training record is not voided and current."""

    __tablename__ = "training_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # unguessable, in the QR
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempts.id"), unique=True)
    training_record_id: Mapped[int] = mapped_column(ForeignKey("training_records.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    attempt: Mapped[QuizAttempt] = relationship()
    training_record: Mapped[TrainingRecord] = relationship()
    person: Mapped[Person] = relationship()


class FlashCardState(db.Model):  # type: ignore[name-defined]
    """One person's SM-2 state for one question of the bank."""

    __tablename__ = "flash_card_states"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    question_id: Mapped[str] = mapped_column(String(60))
    repetitions: Mapped[int] = mapped_column(default=0)
    interval_days: Mapped[int] = mapped_column(default=0)
    ease: Mapped[float] = mapped_column(Float, default=2.5)
    due_on: Mapped[date]
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("person_id", "question_id", name="uq_flash_card_state"),)


class CourseAssignment(db.Model):  # type: ignore[name-defined]
    """The MRSO asks a person to take a course by a date."""

    __tablename__ = "course_assignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    course_id: Mapped[str] = mapped_column(String(60))
    due_on: Mapped[date]
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)
    assigned_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    person: Mapped[Person] = relationship()


class TrainingReminder(db.Model):  # type: ignore[name-defined]
    """A reminder sent to a person: shown on their page; e-mailed when SMTP is set."""

    __tablename__ = "training_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    message: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    emailed_to: Mapped[str] = mapped_column(String(200), default="")
