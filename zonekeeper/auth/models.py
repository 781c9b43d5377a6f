"""User accounts: one per person (or per kiosk device)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import utcnow
from ..extensions import db
from ..people.models import Person
from ..site.models import Door

ROLE_LABELS = {
    "technologist": "Technologist",
    "mrso": "MRSO",
    "safety_director": "Safety director",
    "admin": "Administrator",
    "physician": "Physician",
    "kiosk": "Door kiosk",
    "staff": "Staff",  # sees only their own training
}
ROLES = tuple(ROLE_LABELS)


class User(db.Model):  # type: ignore[name-defined]
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), unique=True)
    # kiosk accounts only: the one door this station stands at
    door_id: Mapped[int | None] = mapped_column(ForeignKey("doors.id", name="fk_users_door_id"))
    active: Mapped[bool] = mapped_column(default=True)
    # bumped at sign-out, password change and disabling: older session cookies stop working
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_sign_in_at: Mapped[datetime | None]
    # staff accounts made from the roster: a one-time code, shown once to the MRSO,
    # lets the person set their own password at first sign-in (only a hash is kept)
    setup_code_hash: Mapped[str | None] = mapped_column(String(255))
    setup_code_expires_at: Mapped[datetime | None]
    email: Mapped[str] = mapped_column(String(200), default="", server_default="")

    person: Mapped[Person | None] = relationship()
    door: Mapped[Door | None] = relationship()

    # Flask-Login protocol
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class SignInAttempt(db.Model):  # type: ignore[name-defined]
    """One sign-in try, kept two days for throttling."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80))
    remote_addr: Mapped[str | None] = mapped_column(String(64))
    succeeded: Mapped[bool]
    attempted_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_sign_in_attempts_username_time", "username", "attempted_at"),
        Index("ix_sign_in_attempts_addr_time", "remote_addr", "attempted_at"),
    )
