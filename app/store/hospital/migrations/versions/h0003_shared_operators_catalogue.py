"""Shared once (issue 13 item 3): the hospital's operators and catalogue, and key rotation.

* ``hospital_operators``: every account of the hospital (argon2id hash, role, disabled flag, lockout,
  TOTP secrets encrypted under the hospital key with the id of that key); each window pulls them into
  its own store by ``version``.
* ``hospital_catalogue``: the catalogue imported once; windows pull it by ``version``, incrementally.
* Both ``version`` columns come from ``hospital_shared_version``; writers serialise on an advisory
  lock, so versions are committed in order and a puller never skips one.
* The audit rows' trigger lets the schema's owner re-encrypt an audit row under a new hospital key
  (``hospital key-rotate``) and nothing else: only ``payload`` and ``key_id`` may change, and only in
  a transaction that set ``settlement_window.rekey``. Every other change stays refused.

Revision ID: h0003
Revises: h0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "h0003"
down_revision = "h0002"
branch_labels = None
depends_on = None

_TIME = sa.DateTime(timezone=True)
_PRICE = sa.Numeric(18, 6)


def upgrade() -> None:
    op.execute("CREATE SEQUENCE hospital_shared_version")
    op.create_table(
        "hospital_operators",
        sa.Column("code", sa.String(30), primary_key=True),
        sa.Column("name", sa.String(50), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("password_changed_at", _TIME, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("failed_attempts", sa.Integer, nullable=False),
        sa.Column("locked_until", _TIME),
        sa.Column("totp_secret", sa.LargeBinary),
        sa.Column("totp_pending", sa.LargeBinary),
        sa.Column("totp_last_step", sa.BigInteger),
        sa.Column("totp_enrolled_at", _TIME),
        sa.Column("key_id", sa.String(16)),
        sa.Column("version", sa.BigInteger, nullable=False, index=True),
        sa.Column("updated_at", _TIME, nullable=False),
    )
    op.create_table(
        "hospital_catalogue",
        sa.Column("hospital_code", sa.String(64), primary_key=True),
        sa.Column("national_code", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("pinyin", sa.String(200), nullable=False),
        sa.Column("unit_price", _PRICE, nullable=False),
        sa.Column("spec", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(40), nullable=False),
        sa.Column("item_type", sa.String(8), nullable=False),
        sa.Column("item_class", sa.String(4), nullable=False),
        sa.Column("self_pay_ratio", sa.String(20), nullable=False),
        sa.Column("price_ceiling", _PRICE),
        sa.Column("restricted", sa.Boolean, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False, index=True),
        sa.Column("updated_at", _TIME, nullable=False),
    )
    op.execute(
        """CREATE OR REPLACE FUNCTION hospital_audit_is_append_only() RETURNS trigger AS $$
BEGIN
  IF OLD.kind = 'audit' THEN
    IF TG_OP = 'UPDATE'
       AND current_setting('settlement_window.rekey', true) = 'on'
       AND pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')
       AND NEW.window = OLD.window AND NEW.kind = OLD.kind
       AND NEW.natural_key = OLD.natural_key AND NEW.version = OLD.version
       AND NEW.updated_at = OLD.updated_at AND NEW.key_id <> OLD.key_id THEN
      RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit rows of the hospital record cannot be changed or deleted';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql"""
    )


def downgrade() -> None:
    raise NotImplementedError("the hospital record only moves forward")
