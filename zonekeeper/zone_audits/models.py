"""A zone audit is one checklist for one target (a zone or a scanner room) on one day.

Signed audits are never edited: an amendment is a new version that points at
the one it supersedes and says why.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import utcnow
from ..extensions import db
from ..site.models import Room

RESULTS = ("pass", "fail", "na")


class ZoneAudit(db.Model):  # type: ignore[name-defined]
    __tablename__ = "zone_audits"

    id: Mapped[int] = mapped_column(primary_key=True)
    checklist_id: Mapped[str] = mapped_column(String(60))
    target_key: Mapped[str] = mapped_column(String(40))  # "zone:III" or "room:5"
    zone: Mapped[str] = mapped_column(String(8))
    room_id: Mapped[int | None] = mapped_column(ForeignKey("rooms.id"))
    audit_date: Mapped[date]
    version: Mapped[int] = mapped_column(default=1)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("zone_audits.id"))
    amendment_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="draft")  # draft | signed
    policy_version: Mapped[str] = mapped_column(String(40))
    started_by_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime | None]

    room: Mapped[Room | None] = relationship()
    items: Mapped[list[ZoneAuditItem]] = relationship(
        back_populates="audit", order_by="ZoneAuditItem.position", cascade="all, delete-orphan"
    )
    started_by = relationship("User", foreign_keys=[started_by_user_id])
    signed_by = relationship("User", foreign_keys=[signed_by_user_id])

    __table_args__ = (
        UniqueConstraint(
            "checklist_id", "target_key", "audit_date", "version", name="uq_zone_audit_version"
        ),
    )

    @property
    def signed(self) -> bool:
        return self.status == "signed"


class ZoneAuditItem(db.Model):  # type: ignore[name-defined]
    __tablename__ = "zone_audit_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    audit_id: Mapped[int] = mapped_column(ForeignKey("zone_audits.id"), index=True)
    position: Mapped[int]
    item_id: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(String(300))  # as the checklist said on that day
    frequency: Mapped[str] = mapped_column(String(10))
    severity: Mapped[str] = mapped_column(String(10))
    result: Mapped[str | None] = mapped_column(String(4))  # pass | fail | na
    comment: Mapped[str] = mapped_column(Text, default="")
    photo_id: Mapped[int | None] = mapped_column(ForeignKey("audit_photos.id"))
    answered_at: Mapped[datetime | None]
    answered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    audit: Mapped[ZoneAudit] = relationship(back_populates="items")

    __table_args__ = (UniqueConstraint("audit_id", "item_id", name="uq_zone_audit_item"),)


class AuditPhoto(db.Model):  # type: ignore[name-defined]
    """A photo of a finding, kept in the database so it commits with the audit."""

    __tablename__ = "audit_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    mime_type: Mapped[str] = mapped_column(String(20))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    uploaded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
