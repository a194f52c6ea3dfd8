"""Versioned schema: ``PRAGMA user_version`` with forward-only steps (style.md §3.5).

A fresh database runs every step from 1, so the path "first schema version → current" is the path every
installation takes and is exercised by every test. Each step runs in one ``BEGIN IMMEDIATE`` transaction
together with its ``user_version`` bump: a crash mid-step leaves the previous version intact. Before an
existing database is migrated, a copy is taken with SQLite's online backup API next to the file. A database
written by a newer program is refused: running old code on a newer schema could lose journal rows.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from app.errors import StoreError
from app.store import schema_v1
from app.store.db import Store, store_error_from
from app.store.names import name_index_row
from app.store.types import format_utc

log = logging.getLogger(__name__)

Step = Callable[[Connection], None]


def _v1_core_tables(connection: Connection) -> None:
    for statement in schema_v1.STATEMENTS:
        connection.exec_driver_sql(statement)


def fts5_available(connection: sqlite3.Connection) -> bool:
    """Whether the linked SQLite has the FTS5 extension."""
    options = {row[0] for row in connection.execute("PRAGMA compile_options")}
    return "ENABLE_FTS5" in options


def _v2_catalogue_name_index(connection: Connection) -> None:
    raw = connection.connection.driver_connection
    assert isinstance(raw, sqlite3.Connection)
    if not fts5_available(raw):
        # Search then falls back to LIKE on catalogue_items.name (slower at 500,000 items).
        log.warning("SQLite without FTS5: catalogue name search will scan the table")
        connection.exec_driver_sql(
            "INSERT OR REPLACE INTO store_meta (key, value) VALUES ('catalogue_name_index', 'none')"
        )
        return
    connection.exec_driver_sql(
        "CREATE VIRTUAL TABLE catalogue_names USING fts5("
        "chars, pairs, tokenize = 'unicode61 remove_diacritics 2')"
    )
    raw.create_function("name_chars", 1, lambda n: name_index_row(n)[0], deterministic=True)
    raw.create_function("name_pairs", 1, lambda n: name_index_row(n)[1], deterministic=True)
    connection.exec_driver_sql(
        "INSERT INTO catalogue_names (rowid, chars, pairs) "
        "SELECT item_id, name_chars(name), name_pairs(name) FROM catalogue_items"
    )
    connection.exec_driver_sql(
        "INSERT OR REPLACE INTO store_meta (key, value) VALUES ('catalogue_name_index', 'fts5')"
    )


def _v3_group_splits(connection: Connection) -> None:
    # Amounts and line numbers only: no personal data, so not encrypted (like preview_json).
    connection.exec_driver_sql("ALTER TABLE bill_groups ADD COLUMN splits_json VARCHAR")


def _v4_second_factor_and_config_state(connection: Connection) -> None:
    # TOTP secrets are encrypted like personal data (AES-GCM with "operators.<column>" bound).
    for statement in (
        "ALTER TABLE operators ADD COLUMN totp_secret BLOB",
        "ALTER TABLE operators ADD COLUMN totp_pending BLOB",
        "ALTER TABLE operators ADD COLUMN totp_last_step INTEGER",
        "ALTER TABLE operators ADD COLUMN totp_enrolled_at VARCHAR(27)",
        """CREATE TABLE config_state (
	name VARCHAR(32) NOT NULL,
	fingerprints BLOB NOT NULL,
	recorded_at VARCHAR(27) NOT NULL,
	PRIMARY KEY (name)
)""",
    ):
        connection.exec_driver_sql(statement)


def _v5_charge_claims(connection: Connection) -> None:
    # One live claim per charge line (issue #11 item 1): the partial unique index is the guard.
    for statement in (
        """CREATE TABLE charge_claims (
	id INTEGER NOT NULL,
	charge_key VARCHAR(64) NOT NULL,
	bill_id VARCHAR(64) NOT NULL,
	line_no VARCHAR(64) NOT NULL,
	claimed_at VARCHAR(27) NOT NULL,
	released_at VARCHAR(27),
	release_reason VARCHAR(32) NOT NULL,
	PRIMARY KEY (id)
)""",
        "CREATE UNIQUE INDEX ux_charge_claims_live ON charge_claims (charge_key)"
        " WHERE released_at IS NULL",
        "CREATE INDEX ix_charge_claims_bill ON charge_claims (bill_id)",
    ):
        connection.exec_driver_sql(statement)


def _v6_his_charges_and_outbox(connection: Connection) -> None:
    # The HIS hand-off: lines loaded from the HIS and the results outbox (docs/his-integration.md).
    for statement in (
        """CREATE TABLE his_charges (
	charge_id VARCHAR(64) NOT NULL,
	visit_no VARCHAR(64) NOT NULL,
	line_json VARCHAR NOT NULL,
	loaded_at VARCHAR(27) NOT NULL,
	paid_setl_id VARCHAR(64) NOT NULL,
	PRIMARY KEY (charge_id)
)""",
        """CREATE TABLE his_outbox (
	seq INTEGER NOT NULL,
	result_key VARCHAR(160) NOT NULL,
	charge_id VARCHAR(64) NOT NULL,
	payload_json VARCHAR NOT NULL,
	state VARCHAR(16) NOT NULL,
	attempts INTEGER NOT NULL,
	created_at VARCHAR(27) NOT NULL,
	next_attempt_at VARCHAR(27) NOT NULL,
	last_error VARCHAR NOT NULL,
	his_ref VARCHAR(64) NOT NULL,
	delivered_at VARCHAR(27),
	PRIMARY KEY (seq),
	UNIQUE (result_key)
)""",
        "CREATE INDEX ix_his_outbox_state ON his_outbox (state)",
        "CREATE INDEX ix_his_outbox_charge_id ON his_outbox (charge_id)",
    ):
        connection.exec_driver_sql(statement)


def _v7_journal_owners(connection: Connection) -> None:
    # Who may act on a row (issue #16). Rows written before leases existed get "" (a long-gone writer);
    # visit_id is indexed for the open-visit query (issue #11 item 2).
    for statement in (
        "ALTER TABLE journal ADD COLUMN owner VARCHAR(40) NOT NULL DEFAULT ''",
        "ALTER TABLE journal ADD COLUMN writer VARCHAR(40) NOT NULL DEFAULT ''",
        "CREATE INDEX ix_journal_owner ON journal (owner)",
        "CREATE INDEX ix_journal_visit_id ON journal (visit_id)",
    ):
        connection.exec_driver_sql(statement)


def _v8_bill_diagnosis(connection: Connection) -> None:
    # The HIS diagnosis is kept with the bill (it lived only in memory and was lost on a restart).
    # Encrypted, so BLOB; NULL on older bills, which had none stored.
    for statement in (
        "ALTER TABLE bills ADD COLUMN diagnosis_code BLOB",
        "ALTER TABLE bills ADD COLUMN diagnosis_name BLOB",
    ):
        connection.exec_driver_sql(statement)


def _v10_group_kind(connection: Connection) -> None:
    # A group keeps the kind the plan gave it (it was re-derived from med_type before). Older groups:
    # no med_type is full self-pay (also a direct group turned self-pay by 未备案), 14 chronic, else
    # general — what app.domain.plan.kind_of says. Enum names, as SQLAlchemy stores them.
    for statement in (
        "ALTER TABLE bill_groups ADD COLUMN kind VARCHAR(8) NOT NULL DEFAULT 'GENERAL'",
        "UPDATE bill_groups SET kind = CASE WHEN med_type IS NULL OR med_type = '' THEN 'SELF_PAY' "
        "WHEN med_type = '14' THEN 'CHRONIC' ELSE 'GENERAL' END",
    ):
        connection.exec_driver_sql(statement)


def _v9_replica_outbox(connection: Connection) -> None:
    # Imported here: the replica outbox's module loads the ORM models, which opening an
    # up-to-date store does not need (docs/performance.md, CLI start-up).
    from app.store.replica_outbox import create_replica_outbox  # noqa: PLC0415

    create_replica_outbox(connection)


STEPS: dict[int, Step] = {
    1: _v1_core_tables,
    2: _v2_catalogue_name_index,
    3: _v3_group_splits,
    4: _v4_second_factor_and_config_state,
    5: _v5_charge_claims,
    6: _v6_his_charges_and_outbox,
    7: _v7_journal_owners,
    8: _v8_bill_diagnosis,
    # Hospital mode: the outbox to the hospital's PostgreSQL, inert until switched on.
    9: _v9_replica_outbox,
    10: _v10_group_kind,
}
SCHEMA_VERSION = max(STEPS)


def user_version(connection: Connection) -> int:
    """``PRAGMA user_version`` of the connected database."""
    value = connection.exec_driver_sql("PRAGMA user_version").scalar()
    return int(value or 0)


def migrate(store: Store, *, target: int = SCHEMA_VERSION) -> int:
    """Bring the schema of ``store`` up to ``target``; returns the version found before.

    ``target`` below :data:`SCHEMA_VERSION` exists so that tests can build an old database.

    Raises:
        StoreError: the database is newer than this program, or a step failed (then rolled back).
    """
    with store.engine.connect() as connection:
        found = user_version(connection)
        connection.rollback()
    if found > SCHEMA_VERSION:
        raise StoreError(
            f"本地数据库的版本（{found}）比本程序支持的版本（{SCHEMA_VERSION}）新，"
            "可能由更新版本的收费程序创建。为防止数据损坏，程序拒绝打开。请安装最新版本的程序，或联系信息科。",
            code="store_too_new",
            detail={"found": str(found), "supported": str(SCHEMA_VERSION)},
        )
    if found >= target:
        return found
    if found > 0:
        backup = _backup_before_migration(store, found)
        log.info("schema v%d → v%d; backup taken at %s", found, target, backup.name)
    for version in range(found + 1, target + 1):
        try:
            _run_step(store, version)
        except DBAPIError as exc:
            if store_error_from(exc) is not None:
                raise  # disk full, read-only …: the caller maps it with its own wording
            log.exception("schema step v%d failed; the database stays at v%d", version, version - 1)
            raise StoreError(
                f"本地数据库升级失败（第 {version} 步），数据库保持升级前的状态，没有数据被改动。"
                "请不要再次启动程序，联系信息科处理（升级前的备份在数据目录中）。",
                code="store_migration_failed",
                detail={"step": str(version)},
            ) from exc
    return found


def _run_step(store: Store, version: int) -> None:
    with store.engine.begin() as connection:
        if user_version(connection) >= version:
            return  # another process got here first
        STEPS[version](connection)
        connection.exec_driver_sql(f"PRAGMA user_version = {int(version)}")
        if version == 1:
            connection.exec_driver_sql(
                "INSERT INTO store_meta (key, value) VALUES ('created_at', ?)",
                (format_utc(store.clock.now()),),
            )
    log.info("schema step v%d applied", version)


def _backup_before_migration(store: Store, found: int) -> Path:
    stamp = store.clock.now().strftime("%Y%m%d%H%M%S")
    target = store.path.with_name(f"{store.path.name}.v{found}-{stamp}.bak")
    with store.driver_connection() as source:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    if os.name == "posix":
        target.chmod(0o600)  # same confidentiality as the database itself
    return target
