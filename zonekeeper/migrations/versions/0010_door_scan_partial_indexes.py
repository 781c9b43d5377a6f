"""door scans: partial indexes on the escorts waiting and on open presences

Every scan reads, under the access log's lock, the earliest expiry of the escorts
still waiting, whether anyone waits at its door, and its person's open presence.
Resolved escorts (paired, expired, replaced) and closed presences pile up with every
scan; indexes on the waiting and open rows alone keep those reads to the few rows
that matter, however long the site has been running.

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
OPEN = sa.text("left_at IS NULL")


def upgrade():
    op.create_index(
        "ix_pending_escorts_waiting",
        "pending_escorts",
        ["expires_at"],
        postgresql_where=WAITING,
        sqlite_where=WAITING,
    )
    op.create_index(
        "ix_presences_open_by_person",
        "presences",
        ["person_id"],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )


def downgrade():
    op.drop_index("ix_presences_open_by_person", table_name="presences")
    op.drop_index("ix_pending_escorts_waiting", table_name="pending_escorts")
