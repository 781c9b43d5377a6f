"""door: Level 2 zone authorizations; display_text inside the access log's hash (issue #12)

- zone_authorizations: a Non-MR person's final authorization by Level 2 MR personnel,
  for a zone, until a time (from a screening's final check, or a Level 2 / MRSO action
  for Non-MR staff). With it a Level 1 escort admits the person to Zone III.
- access_events.hash_version: 1 for the rows written before (their hash leaves
  display_text out and they keep verifying so); 2 for every new row, whose hash covers
  display_text and the version itself.

Revision ID: d00r12a0c0de
Revises: 7d41c2e9a011
Create Date: 2026-12-01 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "d00r12a0c0de"
down_revision = "7d41c2e9a011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "zone_authorizations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("zone", sa.String(length=8), nullable=False),
        sa.Column("authorized_by_person_id", sa.Integer(), nullable=False),
        sa.Column("authorized_by_user_id", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.ForeignKeyConstraint(["authorized_by_person_id"], ["people.id"]),
        sa.ForeignKeyConstraint(["authorized_by_user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["screening_id"], ["screenings.id"]),
        sa.ForeignKeyConstraint(["revoked_by_user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_zone_authorizations_person_id", "zone_authorizations", ["person_id"], unique=False
    )
    with op.batch_alter_table("access_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("hash_version", sa.Integer(), server_default="1", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("access_events", schema=None) as batch_op:
        batch_op.drop_column("hash_version")
    op.drop_index("ix_zone_authorizations_person_id", table_name="zone_authorizations")
    op.drop_table("zone_authorizations")
