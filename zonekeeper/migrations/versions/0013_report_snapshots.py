"""signed report snapshots (issue #17)

- report_snapshots: a signed monthly or annual compliance report: its figures
  (JSON), what changed since the previous version, the report definition's hash,
  the policy version, the audit-trail and access-log chain heads at the end of the
  period, the signer and their comment. Never edited: signing again is a new version.
- report_files: the rendered files (HTML, PDF, XLSX, CSV) exactly as signed, with
  their SHA-256.

Revision ID: 9a4c6e2b1f17
Revises: d00r12a0c0de
Create Date: 2026-11-29 19:10:00

"""

import sqlalchemy as sa
from alembic import op

from zonekeeper.db import UTCDateTime

revision = "9a4c6e2b1f17"
down_revision = "d00r12a0c0de"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("definitions_hash", sa.String(length=40), nullable=False),
        sa.Column("policy_version", sa.String(length=40), nullable=False),
        sa.Column("audit_head_seq", sa.Integer(), nullable=False),
        sa.Column("audit_head_hash", sa.String(length=64), nullable=False),
        sa.Column("access_head_seq", sa.Integer(), nullable=False),
        sa.Column("access_head_hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", UTCDateTime(), nullable=False),
        sa.Column("signed_by_user_id", sa.Integer(), nullable=False),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["signed_by_user_id"], ["users.id"], name="fk_report_snapshots_signed_by"
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["report_snapshots.id"], name="fk_report_snapshots_supersedes"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "period", "version", name="uq_report_snapshots_version"),
    )
    op.create_table(
        "report_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("snapshot_id", sa.Integer(), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("file_name", sa.String(length=120), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["snapshot_id"], ["report_snapshots.id"], name="fk_report_files_snapshot"
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("snapshot_id", "format", name="uq_report_files_format"),
    )
    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.create_index("ix_report_files_snapshot_id", ["snapshot_id"], unique=False)


def downgrade():
    with op.batch_alter_table("report_files", schema=None) as batch_op:
        batch_op.drop_index("ix_report_files_snapshot_id")
    op.drop_table("report_files")
    op.drop_table("report_snapshots")
