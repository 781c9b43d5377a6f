"""annual MR safety training (issue #14)

- quiz_attempts / quiz_answers: each attempt's drawn questions, every answer with
  its time, the score and the training record a pass wrote.
- training_certificates: the unguessable verification code of a pass.
- flash_card_states: SM-2 state per person and question.
- course_assignments, training_reminders: the MRSO's assignments and reminders.
- users: a one-time first-sign-in code (hash, expiry) and an e-mail address.

Revision ID: 14a7c0ur5e01
Revises: 9a4c6e2b1f17
Create Date: 2026-11-29 21:10:00

"""

import sqlalchemy as sa
from alembic import op

from zonekeeper.db import UTCDateTime

revision = "14a7c0ur5e01"
down_revision = "9a4c6e2b1f17"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("setup_code_hash", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("setup_code_expires_at", UTCDateTime(), nullable=True))
        batch.add_column(
            sa.Column("email", sa.String(length=200), nullable=False, server_default="")
        )
    op.create_table(
        "quiz_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=60), nullable=False),
        sa.Column("course_version", sa.Integer(), nullable=False),
        sa.Column("course_hash", sa.String(length=40), nullable=False),
        sa.Column("grants_level", sa.String(length=20), nullable=False),
        sa.Column("pass_mark_percent", sa.Integer(), nullable=False),
        sa.Column("drawn", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=True),
        sa.Column("correct", sa.Integer(), nullable=True),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("percent", sa.Float(), nullable=True),
        sa.Column("training_record_id", sa.Integer(), nullable=True),
        sa.Column("cosigned_at", UTCDateTime(), nullable=True),
        sa.Column("cosigned_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.ForeignKeyConstraint(
            ["training_record_id"], ["training_records.id"], name="fk_quiz_attempts_training_record"
        ),
        sa.ForeignKeyConstraint(
            ["cosigned_by_user_id"], ["users.id"], name="fk_quiz_attempts_cosigned_by"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_quiz_attempts_person_id", "quiz_attempts", ["person_id"])
    op.create_index("ix_quiz_attempts_person_course", "quiz_attempts", ["person_id", "course_id"])
    op.create_table(
        "quiz_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=60), nullable=False),
        sa.Column("selected", sa.JSON(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["quiz_attempts.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("attempt_id", "question_id", name="uq_quiz_answer"),
    )
    op.create_index("ix_quiz_answers_attempt_id", "quiz_answers", ["attempt_id"])
    op.create_table(
        "training_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("training_record_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["quiz_attempts.id"]),
        sa.ForeignKeyConstraint(["training_record_id"], ["training_records.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("code"),
        sa.UniqueConstraint("attempt_id"),
    )
    op.create_index("ix_training_certificates_person_id", "training_certificates", ["person_id"])
    op.create_table(
        "flash_card_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=60), nullable=False),
        sa.Column("repetitions", sa.Integer(), nullable=False),
        sa.Column("interval_days", sa.Integer(), nullable=False),
        sa.Column("ease", sa.Float(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("reviewed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("person_id", "question_id", name="uq_flash_card_state"),
    )
    op.create_table(
        "course_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.String(length=60), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
        sa.Column("assigned_by_user_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.ForeignKeyConstraint(["assigned_by_user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_course_assignments_person_id", "course_assignments", ["person_id"])
    op.create_table(
        "training_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("sent_by_user_id", sa.Integer(), nullable=True),
        sa.Column("emailed_to", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"]),
        sa.ForeignKeyConstraint(["sent_by_user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_training_reminders_person_id", "training_reminders", ["person_id"])


def downgrade():
    for table in (
        "training_reminders",
        "course_assignments",
        "flash_card_states",
        "training_certificates",
        "quiz_answers",
        "quiz_attempts",
    ):
        op.drop_table(table)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email")
        batch.drop_column("setup_code_expires_at")
        batch.drop_column("setup_code_hash")
