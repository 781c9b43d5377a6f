"""Signed report snapshots: the figures and the rendered files as signed, never edited.

Signing a period again creates the next version, which records what changed
since the one before; every version's files download byte for byte as signed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import utcnow
from ..extensions import db


class ReportSnapshot(db.Model):  # type: ignore[name-defined]
    __tablename__ = "report_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # monthly | annual
    period: Mapped[str] = mapped_column(String(7))  # 2026-10 | 2026
    version: Mapped[int]
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_snapshots.id", name="fk_report_snapshots_supersedes")
    )
    figures: Mapped[dict[str, Any]] = mapped_column(JSON)
    # what changed since the version before: [{"metric_id", "dimension", "before", "after"}]
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    definitions_hash: Mapped[str] = mapped_column(String(40))
    policy_version: Mapped[str] = mapped_column(String(40))
    audit_head_seq: Mapped[int]
    audit_head_hash: Mapped[str] = mapped_column(String(64))
    access_head_seq: Mapped[int]
    access_head_hash: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    signed_by_user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", name="fk_report_snapshots_signed_by")
    )
    signer_name: Mapped[str] = mapped_column(String(200))  # as it was when signed
    comment: Mapped[str] = mapped_column(Text)

    files: Mapped[list[ReportFile]] = relationship(
        back_populates="snapshot", order_by="ReportFile.format"
    )
    signed_by = relationship("User")

    __table_args__ = (
        UniqueConstraint("kind", "period", "version", name="uq_report_snapshots_version"),
    )


class ReportFile(db.Model):  # type: ignore[name-defined]
    __tablename__ = "report_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(
        ForeignKey("report_snapshots.id", name="fk_report_files_snapshot"), index=True
    )
    format: Mapped[str] = mapped_column(String(8))  # html | pdf | xlsx | csv
    file_name: Mapped[str] = mapped_column(String(120))
    media_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    content: Mapped[bytes] = mapped_column(LargeBinary)

    snapshot: Mapped[ReportSnapshot] = relationship(back_populates="files")

    __table_args__ = (UniqueConstraint("snapshot_id", "format", name="uq_report_files_format"),)


class SnapshotFrozenError(RuntimeError):
    pass


def _refuse_changes(_mapper: Any, _connection: Any, target: Any) -> None:
    raise SnapshotFrozenError(
        f"{type(target).__name__} #{target.id} is signed and never changes; sign a new version"
    )


for _model in (ReportSnapshot, ReportFile):
    event.listen(_model, "before_update", _refuse_changes)
    event.listen(_model, "before_delete", _refuse_changes)
