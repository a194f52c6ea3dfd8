"""ORM models of the local store (never leave ``app.store``; repositories return domain values).

Conventions (style.md §3.5): plural snake_case tables, enums stored by name, ``Decimal`` columns are money
in integer fen (:class:`~app.store.types.MoneyType`) unless typed otherwise, ``datetime`` columns are
aware UTC. Columns holding personal data are :class:`~app.store.types.EncryptedText`; columns used to find
personal data are keyed HMACs (``*_hash``). The schema itself is created by :mod:`app.store.migrations`;
these classes must describe exactly what the migrations build (a test compares them).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.domain.catalogue import ItemClass
from app.domain.journal import JournalState
from app.domain.operator import Role
from app.domain.plan import GroupKind
from app.domain.visit import BillStatus, CredentialKind, GroupState
from app.store import tables
from app.store.types import DecimalText, EncryptedText, MoneyType, PriceType, UTCDateTime


class Base(DeclarativeBase):
    """Declarative base with the store's type map."""

    # One MetaData for the whole store: the tables of the identification path are declared once,
    # as Core tables in app.store.tables (which the console's eligibility path uses without the ORM),
    # and the classes below are mapped onto them.
    metadata = tables.metadata
    type_annotation_map: ClassVar[dict[Any, Any]] = {Decimal: MoneyType, datetime: UTCDateTime}


class StoreMeta(Base):
    """Key/value facts about the database itself (creation time, app version that created it)."""

    __table__ = tables.store_meta
    __tablename__ = tables.store_meta.name  # read by the replica outbox's specs

    key: Mapped[str]
    value: Mapped[str]


class MsgIdCounter(Base):
    """The last msgid issued per institution: its time part and sequence (R7)."""

    __table__ = tables.msgid_counters
    __tablename__ = tables.msgid_counters.name  # read by the replica outbox's specs

    institution_code: Mapped[str]
    last_second: Mapped[str]
    last_seq: Mapped[int]


class JournalRow(Base):
    """A journaled state-changing platform call (reliability.md §2.2)."""

    __table__ = tables.journal
    __tablename__ = tables.journal.name  # read by the replica outbox's specs

    id: Mapped[int]
    msgid: Mapped[str]
    infno: Mapped[str]
    state: Mapped[JournalState]
    bill_id: Mapped[str]
    group_key: Mapped[str]
    person_no: Mapped[str]
    insured_admdvs: Mapped[str]
    operator_code: Mapped[str]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    visit_id: Mapped[str]
    batch_no: Mapped[str]
    original_msgid: Mapped[str]
    original_infno: Mapped[str]
    settlement_id: Mapped[str]
    amount: Mapped[Decimal | None]
    attempts: Mapped[int]
    last_error: Mapped[str]
    owner: Mapped[str]
    writer: Mapped[str]


class JournalEvent(Base):
    """One state move of a journal row (append-only history)."""

    __table__ = tables.journal_events
    __tablename__ = tables.journal_events.name  # read by the replica outbox's specs

    id: Mapped[int]
    msgid: Mapped[str]
    at: Mapped[datetime]
    from_state: Mapped[JournalState | None]
    to_state: Mapped[JournalState]
    attempts: Mapped[int]
    error: Mapped[str]


class PersonRow(Base):
    """A cached person: the whole :class:`InsuredPerson` as encrypted JSON, keyed by HMAC(psn_no)."""

    __table__ = tables.persons
    __tablename__ = tables.persons.name  # read by the replica outbox's specs

    person_hash: Mapped[str]
    payload: Mapped[str]
    fetched_at: Mapped[datetime]


class PersonLookup(Base):
    """HMAC of an ID number, card number, ecToken … → the cached person."""

    __table__ = tables.person_lookups
    __tablename__ = tables.person_lookups.name  # read by the replica outbox's specs

    lookup_hash: Mapped[str]
    person_hash: Mapped[str]


class CatalogueItemRow(Base):
    """One hospital catalogue item. Prices in millionths of a yuan (exact to six places)."""

    __tablename__ = "catalogue_items"

    item_id: Mapped[int] = mapped_column(primary_key=True)
    hospital_code: Mapped[str] = mapped_column(String(64), unique=True)
    national_code: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    pinyin: Mapped[str] = mapped_column(String(200), index=True)
    unit_price: Mapped[Decimal] = mapped_column(PriceType())
    spec: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40))
    item_type: Mapped[str] = mapped_column(String(8))
    item_class: Mapped[ItemClass]
    self_pay_ratio: Mapped[Decimal] = mapped_column(DecimalText())
    price_ceiling: Mapped[Decimal | None] = mapped_column(PriceType())
    restricted: Mapped[bool]


class CatalogueMeta(Base):
    """Facts about the downloaded catalogue (its platform version)."""

    __tablename__ = "catalogue_meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str]


class BillRow(Base):
    """A visit's bill; the credential and person number are encrypted."""

    __tablename__ = "bills"

    bill_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    person_no: Mapped[str] = mapped_column(EncryptedText("bills.person_no"))
    insured_admdvs: Mapped[str] = mapped_column(String(6))
    insurance_type: Mapped[str] = mapped_column(String(6))
    credential_kind: Mapped[CredentialKind]
    credential_number: Mapped[str] = mapped_column(EncryptedText("bills.credential_number"))
    credential_card_sn: Mapped[str] = mapped_column(EncryptedText("bills.credential_card_sn"))
    credential_id_number: Mapped[str] = mapped_column(EncryptedText("bills.credential_id_number"))
    credential_name: Mapped[str] = mapped_column(EncryptedText("bills.credential_name"))
    outpatient_no: Mapped[str] = mapped_column(String(64))
    dept_code: Mapped[str] = mapped_column(String(64))
    dept_name: Mapped[str] = mapped_column(String(100))
    doctor_code: Mapped[str] = mapped_column(String(64))
    doctor_name: Mapped[str] = mapped_column(String(100))
    status: Mapped[BillStatus] = mapped_column(index=True)
    parent_bill_id: Mapped[str] = mapped_column(String(64))
    # Health data: encrypted like the line tags; NULL on bills stored before schema step 8.
    diagnosis_code: Mapped[str | None] = mapped_column(
        EncryptedText("bills.diagnosis_code"), nullable=True
    )
    diagnosis_name: Mapped[str | None] = mapped_column(
        EncryptedText("bills.diagnosis_name"), nullable=True
    )


class BillLineRow(Base):
    """One fee line of a bill with the cashier's tag (a disease code is encrypted)."""

    __tablename__ = "bill_lines"
    __table_args__ = (UniqueConstraint("bill_id", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[str] = mapped_column(ForeignKey("bills.bill_id", ondelete="CASCADE"))
    position: Mapped[int]
    line_no: Mapped[str] = mapped_column(String(64))
    hospital_code: Mapped[str] = mapped_column(String(64))
    national_code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    unit_price: Mapped[Decimal] = mapped_column(PriceType())
    quantity: Mapped[Decimal] = mapped_column(DecimalText())
    amount: Mapped[Decimal]
    spec: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(100))
    doctor: Mapped[str] = mapped_column(String(100))
    time: Mapped[datetime | None]
    tag: Mapped[str] = mapped_column(EncryptedText("bill_lines.tag"))


class BillGroupRow(Base):
    """One settlement group of a bill; keyed by HMAC of the group key (a disease code is health data)."""

    __tablename__ = "bill_groups"
    __table_args__ = (UniqueConstraint("bill_id", "group_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[str] = mapped_column(ForeignKey("bills.bill_id", ondelete="CASCADE"))
    group_hash: Mapped[str] = mapped_column(String(64))
    group_key: Mapped[str] = mapped_column(EncryptedText("bill_groups.group_key"))
    state: Mapped[GroupState]
    med_type: Mapped[str | None] = mapped_column(String(8))  # kept for older windows' imports
    disease_code: Mapped[str | None] = mapped_column(EncryptedText("bill_groups.disease_code"))
    line_nos: Mapped[str]  # JSON list
    visit_id: Mapped[str] = mapped_column(String(30))
    batch_no: Mapped[str] = mapped_column(String(30))
    preview_json: Mapped[str | None]
    record_json: Mapped[str | None] = mapped_column(EncryptedText("bill_groups.record_json"))
    self_pay_reason: Mapped[str] = mapped_column(EncryptedText("bill_groups.self_pay_reason"))
    failure_text: Mapped[str] = mapped_column(EncryptedText("bill_groups.failure_text"))
    preview_differences: Mapped[str]  # JSON list of field names
    splits_json: Mapped[str | None]  # the 2204 split until settled (schema v3)
    kind: Mapped[GroupKind]  # as the plan decided it (schema v10)


class SettlementRow(Base):
    """A confirmed settlement (2207), a cancellation (2208) or a self-pay collection."""

    __tablename__ = "settlements"

    settlement_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    bill_id: Mapped[str] = mapped_column(String(64), index=True)
    group_key: Mapped[str] = mapped_column(EncryptedText("settlements.group_key"))
    operator_code: Mapped[str] = mapped_column(String(30))
    window: Mapped[str] = mapped_column(String(30))
    visit_id: Mapped[str] = mapped_column(String(30))
    msgid: Mapped[str] = mapped_column(String(30), index=True)
    med_type: Mapped[str] = mapped_column(String(8))
    disease_code: Mapped[str | None] = mapped_column(EncryptedText("settlements.disease_code"))
    insurance_type: Mapped[str] = mapped_column(String(6))
    settled_at: Mapped[datetime] = mapped_column(index=True)
    total: Mapped[Decimal]
    full_self_pay: Mapped[Decimal]
    over_limit: Mapped[Decimal]
    first_self_pay: Mapped[Decimal]
    in_scope: Mapped[Decimal]
    deductible: Mapped[Decimal]
    fund: Mapped[Decimal]
    account: Mapped[Decimal]
    cash: Mapped[Decimal]
    hospital: Mapped[Decimal]
    pool_ratio: Mapped[Decimal | None] = mapped_column(DecimalText())
    balance_after: Mapped[Decimal | None]
    clearing_agency: Mapped[str] = mapped_column(String(30))
    clearing_way: Mapped[str] = mapped_column(String(8))
    clearing_type: Mapped[str] = mapped_column(String(8))
    cancelled_by: Mapped[str] = mapped_column(String(40))
    is_cancellation: Mapped[bool]
    original_settlement_id: Mapped[str] = mapped_column(String(40))


class SettlementLineRow(Base):
    """The platform's split of one fee line within a settlement."""

    __tablename__ = "settlement_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[str] = mapped_column(
        ForeignKey("settlements.settlement_id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    line_no: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal]
    full_self_pay: Mapped[Decimal]
    over_limit: Mapped[Decimal]
    first_self_pay: Mapped[Decimal]
    in_scope: Mapped[Decimal]
    self_pay_ratio: Mapped[Decimal] = mapped_column(DecimalText())
    item_class: Mapped[str] = mapped_column(String(8))
    restricted: Mapped[bool]
    note: Mapped[str]


class SettlementFundRow(Base):
    """One fund payment (``setldetail``) of a settlement."""

    __tablename__ = "settlement_funds"

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[str] = mapped_column(
        ForeignKey("settlements.settlement_id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    fund_type: Mapped[str] = mapped_column(String(8))
    amount: Mapped[Decimal]
    name: Mapped[str] = mapped_column(String(100))


class ReceiptRow(Base):
    """An issued receipt number."""

    __tablename__ = "receipts"

    receipt_no: Mapped[str] = mapped_column(String(40), primary_key=True)
    settlement_id: Mapped[str] = mapped_column(String(40), index=True)
    bill_id: Mapped[str] = mapped_column(String(64), index=True)
    group_key: Mapped[str] = mapped_column(EncryptedText("receipts.group_key"))
    issued_at: Mapped[datetime] = mapped_column(index=True)
    operator_code: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(16))
    voided_by: Mapped[str] = mapped_column(String(40))
    replaces: Mapped[str] = mapped_column(String(40))
    copies: Mapped[int]


class ReceiptCopyRow(Base):
    """One 补打 (copy) of a receipt: when and by whom."""

    __tablename__ = "receipt_copies"

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_no: Mapped[str] = mapped_column(ForeignKey("receipts.receipt_no"), index=True)
    copy_no: Mapped[int]
    at: Mapped[datetime]
    operator_code: Mapped[str] = mapped_column(String(30))


class ReceiptCounter(Base):
    """The last receipt sequence issued per day (never reused)."""

    __tablename__ = "receipt_counters"

    day: Mapped[date] = mapped_column(primary_key=True)
    last_seq: Mapped[int]


class OperatorRow(Base):
    """A staff account; the password only as an argon2id hash.

    The second factor (schema v4): ``totp_secret`` is the confirmed authenticator secret,
    ``totp_pending`` one shown at enrolment and not yet confirmed with a code (both encrypted);
    ``totp_last_step`` is the RFC 6238 time step of the last accepted code (replay refusal).
    """

    __table__ = tables.operators
    __tablename__ = tables.operators.name  # read by the replica outbox's specs

    code: Mapped[str]
    name: Mapped[str]
    role: Mapped[Role]
    password_hash: Mapped[str]
    active: Mapped[bool]
    failed_attempts: Mapped[int]
    locked_until: Mapped[datetime | None]
    password_changed_at: Mapped[datetime]
    totp_secret: Mapped[str | None]
    totp_pending: Mapped[str | None]
    totp_last_step: Mapped[int | None]
    totp_enrolled_at: Mapped[datetime | None]


class AuditRow(Base):
    """One audit record; append-only (triggers) and chained by keyed hash to the previous row."""

    __table__ = tables.audit_log
    __tablename__ = tables.audit_log.name  # read by the replica outbox's specs

    seq: Mapped[int]
    at: Mapped[datetime]
    operator_code: Mapped[str]
    event: Mapped[str]
    outcome: Mapped[str]
    detail: Mapped[str]
    bill_id: Mapped[str]
    msgid: Mapped[str]
    prev_hash: Mapped[str]
    row_hash: Mapped[str]


class ConfigStateRow(Base):
    """Fingerprints of the effective configuration at the last start (schema v4; one row).

    Per key a SHA-256 of its value, as encrypted JSON: a low-entropy secret cannot be guessed from
    the file, and key rotation re-encrypts it like any other encrypted column.
    """

    __table__ = tables.config_state
    __tablename__ = tables.config_state.name  # read by the replica outbox's specs

    name: Mapped[str]
    fingerprints: Mapped[str]
    recorded_at: Mapped[datetime]


class DayCloseRow(Base):
    """A day-close result (several per day are kept; the latest counts)."""

    __tablename__ = "day_closes"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(index=True)
    closed_at: Mapped[datetime]
    operator_code: Mapped[str] = mapped_column(String(30))
    balanced: Mapped[bool]
    summary: Mapped[str]
    totals_json: Mapped[str]


class ChargeClaimRow(Base):
    """A bill's claim on one HIS charge line (schema v5). ``charge_key`` is a SHA-256 of the
    outpatient number and the line's identity; at most one live row per key (partial unique index),
    which is what stops two processes settling the same charge."""

    __tablename__ = "charge_claims"
    __table_args__ = (
        Index(
            "ux_charge_claims_live",
            "charge_key",
            unique=True,
            sqlite_where=text("released_at IS NULL"),
        ),
        Index("ix_charge_claims_bill", "bill_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    charge_key: Mapped[str] = mapped_column(String(64))
    bill_id: Mapped[str] = mapped_column(String(64))
    line_no: Mapped[str] = mapped_column(String(64))
    claimed_at: Mapped[datetime]
    released_at: Mapped[datetime | None]
    release_reason: Mapped[str] = mapped_column(String(32))


class HisChargeRow(Base):
    """A HIS charge line loaded at this window, and the settlement paying it here (schema v6).

    ``line_json`` keeps the line as loaded (price, quantity, version) so a change in the HIS is
    detected before 2207. No personal data: charge ids, item codes, prices.
    """

    __tablename__ = "his_charges"

    charge_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    visit_no: Mapped[str] = mapped_column(String(64))
    line_json: Mapped[str]
    loaded_at: Mapped[datetime]
    paid_setl_id: Mapped[str] = mapped_column(String(64), default="")


class HisOutboxRow(Base):
    """One result for the HIS, written with the settlement it reports (schema v6).

    ``result_key`` is the idempotency key (settlement id + charge id + kind); ``seq`` is the order of
    delivery. The payload holds ids and amounts only, no personal data.
    """

    __tablename__ = "his_outbox"

    seq: Mapped[int] = mapped_column(primary_key=True)
    result_key: Mapped[str] = mapped_column(String(160), unique=True)
    charge_id: Mapped[str] = mapped_column(String(64), index=True)
    payload_json: Mapped[str]
    state: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int]
    created_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str] = mapped_column(default="")
    his_ref: Mapped[str] = mapped_column(String(64), default="")
    delivered_at: Mapped[datetime | None]


class ReplicaOutboxRow(Base):
    """A record waiting for the hospital's PostgreSQL (schema v9; hospital mode).

    Written by triggers only (``app.store.replica_outbox``); pending while ``version > delivered``.
    """

    __tablename__ = "replica_outbox"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    natural_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int]
    delivered: Mapped[int]
    queued_at: Mapped[str] = mapped_column(String(27))
    attempts: Mapped[int] = mapped_column(server_default="0")
    last_error: Mapped[str] = mapped_column(server_default="")
