"""Msgid slots: each window of the hospital holds one of the 100 slots of the shared msgid space.

Revision ID: h0002
Revises: h0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "h0002"
down_revision = "h0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hospital_msgid_slots",
        sa.Column("slot", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("device_no", sa.String(30), nullable=False, unique=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("slot >= 0 AND slot <= 99", name="ck_hospital_msgid_slots_range"),
    )


def downgrade() -> None:
    op.drop_table("hospital_msgid_slots")
