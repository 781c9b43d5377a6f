"""screening safety (issue #11)

- scanners.spatial_gradient_map: the scanner's spatial field gradient table as the
  site enters it from the vendor's MR safety documentation (rows of "within N cm of
  isocentre along the patient's path, at most G T/m"); [] means none entered.
- screenings.operating_mode: the exam's planned operating mode (normal / first_level);
  existing screenings were planned in Normal Operating Mode (the default mode).
- screenings.exception_mr_physician_user_id: the no-screen exception's Level 2 MR
  physician is an account, never free text (the ordering physician stays free text).
- screening_signoffs.details: structured data of a sign-off (e.g. the spatial
  gradient at the implant's position: implant, scanner, value in T/m, position, source).
- screening_workup_steps: the unreliable-history work-up (scar examination,
  radiographs), each step recorded by who did it, bound to the answers like a sign-off.

Revision ID: 7d41c2e9a011
Revises: 3b9e1c7d2a10
Create Date: 2026-11-29 18:05:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7d41c2e9a011"
down_revision = "3b9e1c7d2a10"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("scanners", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("spatial_gradient_map", sa.JSON(), server_default="[]", nullable=False)
        )
    with op.batch_alter_table("screenings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "operating_mode", sa.String(length=20), server_default="normal", nullable=False
            )
        )
        batch_op.add_column(sa.Column("exception_mr_physician_user_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_screenings_exception_mr_physician", "users", ["exception_mr_physician_user_id"], ["id"]
        )
    with op.batch_alter_table("screening_signoffs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("details", sa.JSON(), nullable=True))
    op.create_table(
        "screening_workup_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("lineage", sa.String(length=32), nullable=False),
        sa.Column("step", sa.String(length=60), nullable=False),
        sa.Column("finding", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), server_default="", nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_by_user_id", sa.Integer(), nullable=True),
        sa.Column("void_reason", sa.String(length=500), server_default="", nullable=False),
        sa.ForeignKeyConstraint(
            ["screening_id"], ["screenings.id"], name="fk_screening_workup_steps_screening"
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"], ["users.id"], name="fk_screening_workup_steps_by"
        ),
        sa.ForeignKeyConstraint(
            ["voided_by_user_id"], ["users.id"], name="fk_screening_workup_steps_voided_by"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("screening_workup_steps", schema=None) as batch_op:
        batch_op.create_index("ix_screening_workup_steps_screening_id", ["screening_id"])
        batch_op.create_index("ix_screening_workup_steps_lineage", ["lineage"])


def downgrade():
    with op.batch_alter_table("screening_workup_steps", schema=None) as batch_op:
        batch_op.drop_index("ix_screening_workup_steps_lineage")
        batch_op.drop_index("ix_screening_workup_steps_screening_id")
    op.drop_table("screening_workup_steps")
    with op.batch_alter_table("screening_signoffs", schema=None) as batch_op:
        batch_op.drop_column("details")
    with op.batch_alter_table("screenings", schema=None) as batch_op:
        batch_op.drop_constraint("fk_screenings_exception_mr_physician", type_="foreignkey")
        batch_op.drop_column("exception_mr_physician_user_id")
        batch_op.drop_column("operating_mode")
    with op.batch_alter_table("scanners", schema=None) as batch_op:
        batch_op.drop_column("spatial_gradient_map")
