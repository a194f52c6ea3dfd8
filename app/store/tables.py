"""SQLAlchemy Core tables of the store's identification path, without the ORM.

The operators, the audit log, the configuration fingerprints, the person cache, the msgid counters
and the journal are read and written by repositories that use Core statements only
(:mod:`app.store.repositories`), so a command that only identifies a patient (``eligibility``)
opens the store without importing ``sqlalchemy.orm`` or the mapped classes of
:mod:`app.store.models` (docs/performance.md, CLI start-up).

These tables are declared here only: the mapped classes of :mod:`app.store.models` are mapped onto
them (``__table__``) and share this module's ``metadata``, so there is one declaration of each
column (``tests/store/test_core_tables.py``). The schema itself is still created by
:mod:`app.store.migrations`.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import (
    Boolean,
    Column,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)
from sqlalchemy.engine import Connection

from app.domain.journal import JournalState
from app.domain.operator import Role
from app.store.types import EncryptedText, MoneyType, UTCDateTime

metadata = MetaData()

store_meta = Table(
    "store_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", String, nullable=False),
)

msgid_counters = Table(
    "msgid_counters",
    metadata,
    Column("institution_code", String(12), primary_key=True),
    Column("last_second", String(14), nullable=False),
    Column("last_seq", Integer, nullable=False),
)

journal = Table(
    "journal",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("msgid", String(30), nullable=False, unique=True),
    Column("infno", String(4), nullable=False),
    Column("state", Enum(JournalState), nullable=False, index=True),
    Column("bill_id", String(64), nullable=False, index=True),
    Column("group_key", EncryptedText("journal.group_key"), nullable=False),
    Column("person_no", EncryptedText("journal.person_no"), nullable=False),
    Column("insured_admdvs", String(6), nullable=False),
    Column("operator_code", String(30), nullable=False),
    Column("created_at", UTCDateTime, nullable=False, index=True),
    Column("updated_at", UTCDateTime, nullable=False),
    Column("visit_id", String(30), nullable=False, index=True),
    Column("batch_no", String(30), nullable=False),
    Column("original_msgid", String(30), nullable=False),
    Column("original_infno", String(4), nullable=False),
    Column("settlement_id", String(30), nullable=False),
    Column("amount", MoneyType, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("last_error", EncryptedText("journal.last_error"), nullable=False),
    Column("owner", String(40), nullable=False, index=True, default=""),
    Column("writer", String(40), nullable=False, default=""),
)

journal_events = Table(
    "journal_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("msgid", String(30), ForeignKey("journal.msgid"), nullable=False, index=True),
    Column("at", UTCDateTime, nullable=False),
    Column("from_state", Enum(JournalState), nullable=True),
    Column("to_state", Enum(JournalState), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("error", EncryptedText("journal_events.error"), nullable=False),
)

persons = Table(
    "persons",
    metadata,
    Column("person_hash", String(64), primary_key=True),
    Column("payload", EncryptedText("persons.payload"), nullable=False),
    Column("fetched_at", UTCDateTime, nullable=False, index=True),
)

person_lookups = Table(
    "person_lookups",
    metadata,
    Column("lookup_hash", String(64), primary_key=True),
    Column(
        "person_hash",
        String(64),
        ForeignKey("persons.person_hash", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
)

operators = Table(
    "operators",
    metadata,
    Column("code", String(30), primary_key=True),
    Column("name", String(50), nullable=False),
    Column("role", Enum(Role), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("failed_attempts", Integer, nullable=False),
    Column("locked_until", UTCDateTime, nullable=True),
    Column("password_changed_at", UTCDateTime, nullable=False),
    Column("totp_secret", EncryptedText("operators.totp_secret"), nullable=True),
    Column("totp_pending", EncryptedText("operators.totp_pending"), nullable=True),
    Column("totp_last_step", Integer, nullable=True),
    Column("totp_enrolled_at", UTCDateTime, nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True),
    Column("at", UTCDateTime, nullable=False),
    Column("operator_code", String(30), nullable=False),
    Column("event", String(64), nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("detail", EncryptedText("audit_log.detail"), nullable=False),
    Column("bill_id", String(64), nullable=False),
    Column("msgid", String(30), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("row_hash", String(64), nullable=False),
    Index("ix_audit_log_at", "at"),
    sqlite_autoincrement=True,
)

config_state = Table(
    "config_state",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("fingerprints", EncryptedText("config_state.fingerprints"), nullable=False),
    Column("recorded_at", UTCDateTime, nullable=False),
)


class Connected(Protocol):
    """What a repository works in: the unit of work's transaction, whose ``connection()`` is the
    Core connection holding it (:class:`app.store.uow.CoreSession`, or an ORM ``Session``)."""

    def connection(self) -> Connection:
        """The connection of the unit of work's transaction (begun on first use)."""
        ...
