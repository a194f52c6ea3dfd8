"""Hospital-wide charge claims: one live claim per HIS charge line across every window (issue #11
item 1 in hospital mode), taken before the 2207 and released when the charge is payable again.

Revision ID: h0004
Revises: h0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "h0004"
down_revision = "h0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hospital_charge_claims",
        sa.Column("charge_key", sa.String(64), primary_key=True),
        sa.Column("window", sa.String(30), nullable=False),
        sa.Column("bill_id", sa.String(64), nullable=False, index=True),
        sa.Column("line_no", sa.String(40), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("hospital_charge_claims")
