"""pending escorts: a partial index on the waiting ones

Every scan reads, under the access log's lock, the earliest expiry of the escorts
still waiting and whether anyone waits at its door. Resolved rows (paired, expired,
replaced) pile up with every escorted entry; an index on the waiting ones alone keeps
that read to the few rows that matter, however long the site has been running.

Revision ID: 3b9e1c7d2a10
Revises: f74d60996fe0
Create Date: 2026-11-24 10:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3b9e1c7d2a10"
down_revision = "f74d60996fe0"
branch_labels = None
depends_on = None

WAITING = sa.text("status = 'pending'")


def upgrade():
    op.create_index(
        "ix_pending_escorts_waiting",
        "pending_escorts",
        ["expires_at"],
        postgresql_where=WAITING,
        sqlite_where=WAITING,
    )


def downgrade():
    op.drop_index("ix_pending_escorts_waiting", table_name="pending_escorts")
