"""Door devices, the hash-chained access log, presences, pending escorts, emergencies."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import utcnow
from ..extensions import db
from ..people.models import Person
from ..site.models import Door

GENESIS_HASH = "0" * 64

# Version 1 (rows written before issue #12): hashed in this order; a change to any of
# them breaks the chain. ``display_text`` was outside it.
ACCESS_HASHED_FIELDS_V1 = (
    "seq",
    "occurred_at",
    "kind",
    "door_id",
    "direction",
    "badge_id",
    "badge_version",
    "person_id",
    "outcome",
    "reason_codes",
    "rule_ids",
    "escort_person_id",
    "related_event_id",
    "flags",
    "policy_version",
    "source",
    "scanned_excerpt",
    "prev_hash",
)
# Version 2: every field shown to anyone, ``display_text`` included, and the version
# itself (so a row cannot be passed off as version 1 to leave its text out). Old rows
# keep verifying under version 1; every new row is written as version 2.
ACCESS_HASH_VERSION = 2
ACCESS_HASHED_FIELDS = (*ACCESS_HASHED_FIELDS_V1, "display_text", "hash_version")
HASHED_FIELDS_BY_VERSION = {1: ACCESS_HASHED_FIELDS_V1, 2: ACCESS_HASHED_FIELDS}


def hashed_fields_of(row: Any) -> tuple[str, ...]:
    """The fields a stored row's hash covers (an unknown version verifies as nothing)."""
    return HASHED_FIELDS_BY_VERSION.get(row.hash_version, ("unknown hash version",))


class DoorDevice(db.Model):  # type: ignore[name-defined]
    """A hardware reader (or kiosk) that posts scans with a bearer token; only its hash is kept."""

    __tablename__ = "door_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    door_id: Mapped[int] = mapped_column(ForeignKey("doors.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]

    door: Mapped[Door] = relationship()


class AccessEvent(db.Model):  # type: ignore[name-defined]
    """One scan at a door (or one escort pairing), appended and never changed."""

    __tablename__ = "access_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    occurred_at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(16))  # scan | pairing | expiry | mark_out
    door_id: Mapped[int] = mapped_column(ForeignKey("doors.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # in | out
    badge_id: Mapped[int | None] = mapped_column(ForeignKey("badges.id"))
    badge_version: Mapped[int | None]
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    # grant | grant_with_escort | escort_pending | deny | exit | emergency_logged
    outcome: Mapped[str] = mapped_column(String(24), index=True)
    reason_codes: Mapped[list[str]] = mapped_column(JSON)
    rule_ids: Mapped[list[str]] = mapped_column(JSON)
    display_text: Mapped[str] = mapped_column(String(500))
    escort_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    related_event_id: Mapped[int | None]  # the pending scan a pairing resolves, and back
    flags: Mapped[list[str]] = mapped_column(JSON)  # e.g. passback
    policy_version: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(80))  # kiosk:<username> | device:<id> | ...
    scanned_excerpt: Mapped[str] = mapped_column(String(80))  # bounded, escaped
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64))
    hash_version: Mapped[int] = mapped_column(default=ACCESS_HASH_VERSION, server_default="1")

    door: Mapped[Door] = relationship()
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])
    escort: Mapped[Person | None] = relationship(foreign_keys=[escort_person_id])

    __table_args__ = (Index("ix_access_events_time", "occurred_at"),)

    def hashed_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in hashed_fields_of(self)}


class AccessLogHead(db.Model):  # type: ignore[name-defined]
    """The single row every scan locks first: the log's last sequence number and hash."""

    __tablename__ = "access_log_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_seq: Mapped[int]
    last_hash: Mapped[str] = mapped_column(String(64))
    head_mac: Mapped[str] = mapped_column(String(64), default="")


class Presence(db.Model):  # type: ignore[name-defined]
    """Where a person is: opened by an entry, closed by an exit or a later entry elsewhere."""

    __tablename__ = "presences"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    zone: Mapped[str] = mapped_column(String(8))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    door_id: Mapped[int] = mapped_column(ForeignKey("doors.id"))
    entered_at: Mapped[datetime]
    entry_event_id: Mapped[int] = mapped_column(ForeignKey("access_events.id"))
    escort_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    left_at: Mapped[datetime | None]
    exit_event_id: Mapped[int | None] = mapped_column(ForeignKey("access_events.id"))
    safe_marked_at: Mapped[datetime | None]
    safe_marked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    escort: Mapped[Person | None] = relationship(foreign_keys=[escort_person_id])
    door: Mapped[Door] = relationship()

    __table_args__ = (
        Index("ix_presences_open", "left_at", "zone"),
        # a scan reads its person's open presence under the lock: closed rows pile up
        Index(
            "ix_presences_open_by_person",
            "person_id",
            postgresql_where=text("left_at IS NULL"),
            sqlite_where=text("left_at IS NULL"),
        ),
    )


class PendingEscort(db.Model):  # type: ignore[name-defined]
    """A Non-MR person's entry waiting for an eligible escort to badge at the same door."""

    __tablename__ = "pending_escorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    door_id: Mapped[int] = mapped_column(ForeignKey("doors.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    scan_event_id: Mapped[int] = mapped_column(ForeignKey("access_events.id"))
    expires_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending|paired|expired
    resolved_event_id: Mapped[int | None] = mapped_column(ForeignKey("access_events.id"))

    person: Mapped[Person] = relationship()

    # every scan reads the waiting ones under the lock; resolved rows pile up
    __table_args__ = (
        Index(
            "ix_pending_escorts_waiting",
            "expires_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )


class Emergency(db.Model):  # type: ignore[name-defined]
    """A declared emergency (quench, fire, code). At most one is open at a time."""

    __tablename__ = "emergencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # quench | fire | code | other
    note: Mapped[str] = mapped_column(String(300), default="")
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)
    declared_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None]
    ended_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ZoneAuthorization(db.Model):  # type: ignore[name-defined]
    """A Non-MR person's final authorization by Level 2 MR personnel (ACR, Zone III).

    Who authorized (a current Level 2 person), for which zone (IV covers III), from
    when until when. It comes from a screening's final check (patients, visitors) or
    from a Level 2 / MRSO action for Non-MR staff ("authorized for Zone III for a
    shift"). With it a current Level 1 escort may admit the person to Zone III; Zone IV
    still needs a Level 2 escort.
    """

    __tablename__ = "zone_authorizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    zone: Mapped[str] = mapped_column(String(8))
    authorized_by_person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    authorized_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    valid_from: Mapped[datetime]
    valid_until: Mapped[datetime]
    note: Mapped[str] = mapped_column(String(300), default="")
    screening_id: Mapped[int | None] = mapped_column(ForeignKey("screenings.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
    authorized_by: Mapped[Person] = relationship(foreign_keys=[authorized_by_person_id])
