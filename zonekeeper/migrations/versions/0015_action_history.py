"""corrective action history: who changed the owner, due date or status, when and why (issue #16)

Revision ID: 15ac710a4157
Revises: 14a7c0ur5e01 (training, 0014)
"""

import sqlalchemy as sa
from alembic import op

from zonekeeper.db import UTCDateTime

revision = "15ac710a4157"
down_revision = "14a7c0ur5e01"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "corrective_action_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("action_id", sa.Integer(), sa.ForeignKey("corrective_actions.id"), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("changed_by_user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("changed_by_name", sa.String(200), nullable=False),
        sa.Column("status_from", sa.String(12), nullable=True),
        sa.Column("status_to", sa.String(12), nullable=False),
        sa.Column("owner_from_person_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=True),
        sa.Column("owner_to_person_id", sa.Integer(), sa.ForeignKey("people.id"), nullable=False),
        sa.Column("due_from", sa.Date(), nullable=True),
        sa.Column("due_to", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False, server_default=""),
    )
    op.create_index(
        "ix_corrective_action_changes_action_id", "corrective_action_changes", ["action_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_corrective_action_changes_action_id", "corrective_action_changes")
    op.drop_table("corrective_action_changes")
