"""The hospital record: windows, every window's records, projections, cancel claims.

Revision ID: h0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "h0001"
down_revision = None
branch_labels = None
depends_on = None

_MONEY = sa.Numeric(14, 2)
_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "hospital_windows",
        sa.Column("device_no", sa.String(30), primary_key=True),
        sa.Column("first_seen_at", _TIME, nullable=False),
        sa.Column("last_sync_at", _TIME),
        sa.Column("last_report_at", _TIME, nullable=False),
        sa.Column("pending", sa.Integer, nullable=False),
        sa.Column("lag_seconds", sa.Float, nullable=False),
    )
    op.create_table(
        "hospital_records",
        sa.Column("window", sa.String(30), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("natural_key", sa.String(64), primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
    )
    op.create_table(
        "hospital_settlements",
        sa.Column("settlement_id", sa.String(40), primary_key=True),
        sa.Column("window", sa.String(30), nullable=False, index=True),
        sa.Column("bill_id", sa.String(64), nullable=False),
        sa.Column("msgid", sa.String(30), nullable=False),
        sa.Column("operator_code", sa.String(30), nullable=False),
        sa.Column("settled_at", _TIME, nullable=False, index=True),
        sa.Column("med_type", sa.String(8), nullable=False),
        sa.Column("insurance_type", sa.String(6), nullable=False),
        sa.Column("clearing_type", sa.String(8), nullable=False),
        sa.Column("clearing_way", sa.String(8), nullable=False),
        sa.Column("clearing_agency", sa.String(30), nullable=False),
        sa.Column("total", _MONEY, nullable=False),
        sa.Column("fund", _MONEY, nullable=False),
        sa.Column("account", _MONEY, nullable=False),
        sa.Column("cash", _MONEY, nullable=False),
        sa.Column("hospital", _MONEY, nullable=False),
        sa.Column("is_cancellation", sa.Boolean, nullable=False),
        sa.Column("original_settlement_id", sa.String(40), nullable=False),
        sa.Column("cancelled_by", sa.String(40), nullable=False),
    )
    op.create_table(
        "hospital_journal",
        sa.Column("msgid", sa.String(30), primary_key=True),
        sa.Column("window", sa.String(30), nullable=False, index=True),
        sa.Column("infno", sa.String(4), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("bill_id", sa.String(64), nullable=False),
        sa.Column("settlement_id", sa.String(30), nullable=False),
        sa.Column("original_msgid", sa.String(30), nullable=False),
        sa.Column("operator_code", sa.String(30), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
    )
    op.create_table(
        "hospital_cancel_claims",
        sa.Column("settlement_id", sa.String(40), primary_key=True),
        sa.Column("window", sa.String(30), nullable=False),
        sa.Column("operator_code", sa.String(30), nullable=False),
        sa.Column("claimed_at", _TIME, nullable=False),
    )
    # Audit rows are written once: not even the window's own database role may change or remove one.
    op.execute(
        """CREATE FUNCTION hospital_audit_is_append_only() RETURNS trigger AS $$
BEGIN
  IF OLD.kind = 'audit' THEN
    RAISE EXCEPTION 'audit rows of the hospital record cannot be changed or deleted';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql"""
    )
    op.execute(
        "CREATE TRIGGER hospital_records_audit_append_only BEFORE UPDATE OR DELETE "
        "ON hospital_records FOR EACH ROW EXECUTE FUNCTION hospital_audit_is_append_only()"
    )


def downgrade() -> None:
    raise NotImplementedError("the hospital record only moves forward")
