"""The HIS charge line behind a hospital-wide charge claim (its HIS visit number and the line as loaded),
so that a window cancelling or refunding another window's settlement reports the result to the HIS
(issue #15 item 7: each result reported once, whichever window settled it).

Revision ID: h0005
Revises: h0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "h0005"
down_revision = "h0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "hospital_charge_claims",
        sa.Column("his_visit_no", sa.String(64), nullable=False, server_default=""),
    )
    op.add_column(
        "hospital_charge_claims",
        sa.Column("his_line", sa.Text, nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_column("hospital_charge_claims", "his_line")
    op.drop_column("hospital_charge_claims", "his_visit_no")
