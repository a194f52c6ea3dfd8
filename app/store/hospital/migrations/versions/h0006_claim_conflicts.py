"""Offline charge-claim conflicts for a supervisor (issue 13): a bill settled under the HIS lock alone
while the hospital database was away whose claims, pushed on reconnect, found another window's bill
holding the same charges. One row per pair of bills; its facts are written once (a trigger refuses any
change to them, and the handling is set once), and the window's role gets no DELETE.

Revision ID: h0006
Revises: h0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "h0006"
down_revision = "h0005"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "hospital_claim_conflicts",
        sa.Column("conflict_id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("window", sa.String(30), nullable=False),
        sa.Column("bill_id", sa.String(64), nullable=False),
        sa.Column("operator_code", sa.String(30), nullable=False),
        sa.Column("other_window", sa.String(30), nullable=False),
        sa.Column("other_bill_id", sa.String(64), nullable=False),
        sa.Column("outpatient_no", sa.String(64), nullable=False),
        sa.Column("line_nos", sa.Text, nullable=False),
        sa.Column("detected_at", _TIME, nullable=False),
        sa.Column("handled_at", _TIME, nullable=True),
        sa.Column("handled_by", sa.String(30), nullable=False, server_default=""),
        sa.Column("handled_window", sa.String(30), nullable=False, server_default=""),
        sa.Column("handled_note", sa.Text, nullable=False, server_default=""),
        sa.UniqueConstraint("bill_id", "other_bill_id", name="hospital_claim_conflicts_bills"),
    )
    op.create_index("ix_hospital_claim_conflicts_open", "hospital_claim_conflicts", ["handled_at"])
    # What was found is written once; the handling is written once, by whoever handles it first.
    op.execute(
        """CREATE FUNCTION hospital_claim_conflict_once() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'a charge-claim conflict cannot be deleted';
  END IF;
  IF OLD.handled_at IS NOT NULL THEN
    RAISE EXCEPTION 'charge-claim conflict % was handled already', OLD.conflict_id;
  END IF;
  IF (NEW.conflict_id, NEW."window", NEW.bill_id, NEW.operator_code, NEW.other_window,
      NEW.other_bill_id, NEW.outpatient_no, NEW.line_nos, NEW.detected_at)
     IS DISTINCT FROM
     (OLD.conflict_id, OLD."window", OLD.bill_id, OLD.operator_code, OLD.other_window,
      OLD.other_bill_id, OLD.outpatient_no, OLD.line_nos, OLD.detected_at) THEN
    RAISE EXCEPTION 'what charge-claim conflict % found cannot be changed', OLD.conflict_id;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql"""
    )
    op.execute(
        "CREATE TRIGGER hospital_claim_conflicts_once BEFORE UPDATE OR DELETE "
        "ON hospital_claim_conflicts FOR EACH ROW EXECUTE FUNCTION hospital_claim_conflict_once()"
    )


def downgrade() -> None:
    op.drop_table("hospital_claim_conflicts")
    op.execute("DROP FUNCTION hospital_claim_conflict_once()")
