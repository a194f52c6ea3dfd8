"""The hospital record's tables (PostgreSQL). Changed only through the Alembic history in
``migrations/``; this module is what the adapter's queries are written against.

* ``hospital_records`` holds every window's records whole (bills, settlements, receipts, journal rows,
  day closes, audit rows), encrypted with the hospital key, keyed by ``(window, kind, natural_key)``
  and kept at the highest version a window sent: re-delivery changes nothing.
* ``hospital_settlements`` and ``hospital_journal`` are clear projections (amounts, states, ids: no
  personal data) for the cross-window history, the day close and the supervisor's view.
* ``hospital_cancel_claims``: one row per settlement being cancelled; the primary key lets exactly one
  window send the 2208.
* ``hospital_operators`` and ``hospital_catalogue`` (issue 13 item 3): shared once, pulled by every
  window by ``version`` into its own store (TOTP secrets encrypted under the hospital key).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
)

metadata = MetaData()

MONEY = Numeric(14, 2)

windows = Table(
    "hospital_windows",
    metadata,
    Column("device_no", String(30), primary_key=True),
    Column("first_seen_at", DateTime(timezone=True), nullable=False),
    Column("last_sync_at", DateTime(timezone=True)),
    Column("last_report_at", DateTime(timezone=True), nullable=False),
    Column("pending", Integer, nullable=False, default=0),
    Column("lag_seconds", Float, nullable=False, default=0.0),
)

records = Table(
    "hospital_records",
    metadata,
    Column("window", String(30), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("natural_key", String(64), primary_key=True),
    Column("version", BigInteger, nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("payload", LargeBinary, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

settlements = Table(
    "hospital_settlements",
    metadata,
    Column("settlement_id", String(40), primary_key=True),
    Column("window", String(30), nullable=False, index=True),
    Column("bill_id", String(64), nullable=False),
    Column("msgid", String(30), nullable=False),
    Column("operator_code", String(30), nullable=False),
    Column("settled_at", DateTime(timezone=True), nullable=False, index=True),
    Column("med_type", String(8), nullable=False),
    Column("insurance_type", String(6), nullable=False),
    Column("clearing_type", String(8), nullable=False),
    Column("clearing_way", String(8), nullable=False),
    Column("clearing_agency", String(30), nullable=False),
    Column("total", MONEY, nullable=False),
    Column("fund", MONEY, nullable=False),
    Column("account", MONEY, nullable=False),
    Column("cash", MONEY, nullable=False),
    Column("hospital", MONEY, nullable=False),
    Column("is_cancellation", Boolean, nullable=False),
    Column("original_settlement_id", String(40), nullable=False),
    Column("cancelled_by", String(40), nullable=False),
)

journal = Table(
    "hospital_journal",
    metadata,
    Column("msgid", String(30), primary_key=True),
    Column("window", String(30), nullable=False, index=True),
    Column("infno", String(4), nullable=False),
    Column("state", String(16), nullable=False, index=True),
    Column("bill_id", String(64), nullable=False),
    Column("settlement_id", String(30), nullable=False),
    Column("original_msgid", String(30), nullable=False),
    Column("operator_code", String(30), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

cancel_claims = Table(
    "hospital_cancel_claims",
    metadata,
    Column("settlement_id", String(40), primary_key=True),
    Column("window", String(30), nullable=False),
    Column("operator_code", String(30), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
)

msgid_slots = Table(
    "hospital_msgid_slots",
    metadata,
    Column("slot", Integer, primary_key=True, autoincrement=False),
    Column("device_no", String(30), nullable=False, unique=True),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
)

operators = Table(
    "hospital_operators",
    metadata,
    Column("code", String(30), primary_key=True),
    Column("name", String(50), nullable=False),
    Column("role", String(20), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("password_changed_at", DateTime(timezone=True), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("failed_attempts", Integer, nullable=False),
    Column("locked_until", DateTime(timezone=True)),
    Column("totp_secret", LargeBinary),
    Column("totp_pending", LargeBinary),
    Column("totp_last_step", BigInteger),
    Column("totp_enrolled_at", DateTime(timezone=True)),
    Column("key_id", String(16)),
    Column("version", BigInteger, nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

catalogue = Table(
    "hospital_catalogue",
    metadata,
    Column("hospital_code", String(64), primary_key=True),
    Column("national_code", String(64), nullable=False),
    Column("name", String(200), nullable=False),
    Column("pinyin", String(200), nullable=False),
    Column("unit_price", Numeric(18, 6), nullable=False),
    Column("spec", String(200), nullable=False),
    Column("unit", String(40), nullable=False),
    Column("item_type", String(8), nullable=False),
    Column("item_class", String(4), nullable=False),
    Column("self_pay_ratio", String(20), nullable=False),
    Column("price_ceiling", Numeric(18, 6)),
    Column("restricted", Boolean, nullable=False),
    Column("version", BigInteger, nullable=False, index=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

# Writers of the shared tables take this pg_advisory_xact_lock(class, key) so versions from
# ``hospital_shared_version`` commit in order (a puller asking "version > n" never skips one).
SHARED_LOCK_CLASS = 13
SHARED_LOCK_KEY = 2
