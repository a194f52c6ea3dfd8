"""Opening the SQLite store: engine, PRAGMAs read back, version check, migrations (reliability.md §3).

* WAL + ``synchronous=FULL``: a commit is durable once ``commit()`` returns, even on power loss.
* ``BEGIN IMMEDIATE`` for every unit of work (pysqlite's own transaction handling is switched off with
  ``isolation_level=None`` and SQLAlchemy's ``begin`` event emits the BEGIN) — a transaction that reads and
  then writes can then never fail half-way with ``SQLITE_BUSY``.
* One writer: the WAL-reset bug (SQLite 3.7.0–3.51.2, fixed in 3.51.3, backports 3.44.6 and 3.50.7) needs
  two connections; on an affected runtime the engine has exactly one connection.
* The PRAGMAs are read back after connecting and the store refuses to open if any differs.
"""

from __future__ import annotations

import base64
import logging
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.pool import QueuePool

from app.errors import StoreError
from app.private_files import secure_data_folder, tighten
from app.services.ports.clock import Clock
from app.store.checkpoints import WAL_AUTOCHECKPOINT_PAGES, IdleCheckpointer
from app.store.crypto import FieldCipher, FileKeyProvider, KeyProvider, RotatableKeyProvider
from app.store.deferred import DeferredWrites
from app.store.integrity import (
    KEY_CHECK_CONTEXT,
    key_opens,
    quick_check,
    refuse_lost_key_file,
    refuse_unusable_file,
)
from app.store.types import bind_cipher

if TYPE_CHECKING:
    from app.store.bill_cache import BillCache
    from app.store.uow import SqlUnitOfWorkFactory

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
POOL_TIMEOUT_S = 30.0
_FIXED_IN = (3, 51, 3)
_BACKPORTS = ((3, 44, 6), (3, 50, 7))
_FIRST_AFFECTED = (3, 7, 0)

# What every connection is set to, and what must be read back (R5).
CONNECTION_PRAGMAS: tuple[str, ...] = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA temp_store=MEMORY",
    "PRAGMA mmap_size=0",
    # A big transaction (a catalogue import) grows the WAL; give the space back after checkpoints.
    "PRAGMA journal_size_limit=16777216",
    # Checkpoints run when the store is idle (app.store.checkpoints); SQLite's own is a backstop.
    f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}",
)
_EXPECTED: Mapping[str, Any] = {
    "journal_mode": "wal",
    "synchronous": 2,
    "foreign_keys": 1,
    "temp_store": 2,
    "mmap_size": 0,
}


@dataclass(frozen=True)
class SqliteVersionStatus:
    """The runtime SQLite version judged against the WAL-reset bug (reliability.md §3.2)."""

    version: str
    affected: bool
    max_connections: int

    @property
    def text(self) -> str:
        """One line for ``doctor`` and the start-up log."""
        if self.affected:
            return (
                f"SQLite {self.version} 受 WAL 重置缺陷影响（3.7.0–3.51.2），已限制为单连接运行；"
                "建议升级到 3.51.3 或更高版本。"
            )
        return f"SQLite {self.version} 不受 WAL 重置缺陷影响。"


def _parse_version(text: str) -> tuple[int, int, int]:
    parts = [int(p) for p in text.split(".")[:3] if p.isdigit()]
    while len(parts) < 3:
        parts.append(0)
    return parts[0], parts[1], parts[2]


def wal_reset_bug_affects(version: str) -> bool:
    """Whether SQLite ``version`` has the WAL-reset corruption bug."""
    parsed = _parse_version(version)
    if parsed < _FIRST_AFFECTED or parsed >= _FIXED_IN:
        return False
    return not any(parsed[:2] == fix[:2] and parsed >= fix for fix in _BACKPORTS)


def sqlite_version_status(version: str | None = None) -> SqliteVersionStatus:
    """Judge ``version`` (default: the linked runtime's ``sqlite3.sqlite_version``)."""
    text = version if version is not None else sqlite3.sqlite_version
    affected = wal_reset_bug_affects(text)
    return SqliteVersionStatus(text, affected, 1 if affected else 4)


def read_pragmas(connection: sqlite3.Connection) -> dict[str, Any]:
    """The durability-relevant PRAGMAs as SQLite reports them."""
    names = ("journal_mode", "synchronous", "foreign_keys", "busy_timeout", "temp_store")
    values: dict[str, Any] = {}
    for name in (*names, "mmap_size"):
        row = connection.execute(f"PRAGMA {name}").fetchone()
        values[name] = None if row is None else row[0]
    if isinstance(values["journal_mode"], str):
        values["journal_mode"] = values["journal_mode"].lower()
    return values


def pragma_problems(actual: Mapping[str, Any]) -> list[str]:
    """Differences between ``actual`` and what the store requires (empty when all is right)."""
    problems = [
        f"{name}={actual.get(name)!r} (需要 {expected!r})"
        for name, expected in _EXPECTED.items()
        if actual.get(name) != expected
    ]
    busy = actual.get("busy_timeout")
    if not isinstance(busy, int) or busy < BUSY_TIMEOUT_MS:
        problems.append(f"busy_timeout={busy!r} (需要 ≥ {BUSY_TIMEOUT_MS})")
    return problems


def check_pragmas(connection: sqlite3.Connection) -> dict[str, Any]:
    """Read the PRAGMAs back; raise :class:`StoreError` if any is not what the store requires."""
    actual = read_pragmas(connection)
    problems = pragma_problems(actual)
    if problems:
        log.error("SQLite settings differ from the required ones: %s", "; ".join(problems))
        raise StoreError(
            "本地数据库的安全设置没有生效（" + "；".join(problems) + "），为防止丢失结算记录，"
            "程序拒绝启动。请确认数据目录在本机硬盘上（不要放在网络共享盘），然后联系信息科。",
            code="store_pragmas",
            detail={"problems": "; ".join(problems)},
        )
    return actual


_ENVIRONMENT_ERRORS: tuple[tuple[str, str, str], ...] = (
    (
        "database or disk is full",
        "store_disk_full",
        "本地数据库写入失败：磁盘空间已满。本次操作没有完成。请清理磁盘空间后重试，或联系信息科。",
    ),
    (
        "disk i/o error",
        "store_io",
        "本地数据库读写失败（磁盘错误或空间不足）。本次操作没有完成。请检查磁盘后重试，或联系信息科。",
    ),
    (
        "readonly",
        "store_readonly",
        "本地数据库是只读的，无法保存。本次操作没有完成。请检查数据目录的写权限，或联系信息科。",
    ),
    (
        "database is locked",
        "store_locked",
        "本地数据库正被占用（可能另一个收费程序正在运行）。本次操作没有完成。请关闭其他收费程序后重试。",
    ),
    (
        "file is not a database",
        "store_corrupt",
        "本地数据库文件已损坏或不是本程序的数据库，程序无法使用它。请不要删除该文件，联系信息科从备份恢复。",
    ),
    (
        "malformed",
        "store_corrupt",
        "本地数据库文件已损坏，程序无法继续使用它。请不要删除该文件，联系信息科从备份恢复。",
    ),
    (
        "unable to open database file",
        "store_open",
        "无法打开本地数据库文件。请检查数据目录是否存在、是否有写权限，或联系信息科。",
    ),
)


def store_error_from(exc: BaseException) -> StoreError | None:
    """A :class:`StoreError` for errors of the environment (disk full, I/O, read-only, locked, corrupt).

    Anything else from the database is a bug and is left to propagate unchanged.
    """
    if isinstance(exc, PoolTimeoutError):
        return StoreError(
            "本地数据库忙，等待超时。本次操作没有完成，请稍后重试。", code="store_busy"
        )
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(original, sqlite3.DatabaseError):
        return None
    message = str(original).lower()
    for fragment, code, text in _ENVIRONMENT_ERRORS:
        if fragment in message:
            return StoreError(text, code=code, detail={"sqlite": str(original)})
    return None


@contextmanager
def environment_errors() -> Iterator[None]:
    """Turn environment failures of SQLite inside the block into :class:`StoreError`."""
    try:
        yield
    except (DBAPIError, sqlite3.DatabaseError, PoolTimeoutError) as exc:
        mapped = store_error_from(exc)
        if mapped is None:
            raise
        log.warning("store environment error %s: %s", mapped.code, mapped.detail.get("sqlite", ""))
        raise mapped from exc


def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
    # Hand transaction control to SQLAlchemy's begin event (reliability.md §3.5).
    dbapi_connection.isolation_level = None
    for pragma in CONNECTION_PRAGMAS:
        dbapi_connection.execute(pragma).fetchall()


def _on_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def create_store_engine(path: Path, status: SqliteVersionStatus) -> Engine:
    """An engine on ``path`` with the connection PRAGMAs, BEGIN IMMEDIATE and the pool size of ``status``."""
    engine = create_engine(
        f"sqlite:///{path}",
        poolclass=QueuePool,
        pool_size=status.max_connections,
        max_overflow=0,
        pool_timeout=POOL_TIMEOUT_S,
        connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


@dataclass(eq=False)
class Store:
    """An open store: engine, session factory, cipher and clock. Close it when done.

    Attributes:
        path: the database file.
        engine: the SQLAlchemy engine (stays inside ``app.store``).
        cipher: field encryption and keyed hashes.
        clock: the clock used for bookkeeping times (password changes, migration backups).
        version_status: the SQLite version judgement made at open.
        pragmas: the PRAGMA values read back at open.
        password_hasher: argon2id parameters for operator passwords (None: library defaults).
        catalogue_name_index: whether the FTS5 name index exists.
    """

    path: Path
    engine: Engine
    cipher: FieldCipher
    clock: Clock
    version_status: SqliteVersionStatus
    pragmas: dict[str, Any] = field(default_factory=dict)
    password_hasher: PasswordHasher | None = None
    catalogue_name_index: bool = False
    health: str = "ok"  # PRAGMA quick_check at open; money actions refuse anything else
    # WAL checkpoints when no unit of work is open (app.store.checkpoints).
    checkpointer: IdleCheckpointer = field(init=False)
    # Advisory writes riding on the next commit (app.store.deferred).
    deferred: DeferredWrites = field(init=False)

    def __post_init__(self) -> None:
        self.checkpointer = IdleCheckpointer(self._idle_checkpoint)
        self.deferred = DeferredWrites()
        # Made on first use: a store used for identification only (app.store.uow, Core first)
        # never imports sqlalchemy.orm or the mapped classes (docs/performance.md, CLI start-up).
        self._orm_lock = threading.Lock()
        self._bill_cache: BillCache | None = None

    @property
    def bill_cache(self) -> BillCache:
        """Decrypted bills shared by this store's units of work (content only;
        :mod:`app.store.bill_cache`), made on first use."""
        with self._orm_lock:
            if self._bill_cache is None:
                from app.store.bill_cache import BillCache  # noqa: PLC0415 - loads the models

                self._bill_cache = BillCache()
            return self._bill_cache

    def uow_factory(self) -> SqlUnitOfWorkFactory:
        """A factory of units of work (the ``UnitOfWorkFactory`` port)."""
        from app.store.uow import SqlUnitOfWorkFactory  # noqa: PLC0415 - uow imports this module

        return SqlUnitOfWorkFactory(self, self.password_hasher)

    @contextmanager
    def driver_connection(self) -> Iterator[sqlite3.Connection]:
        """The underlying ``sqlite3`` connection from the pool, for backup/VACUUM INTO/checkpoints.

        Uses the store's own (single) connection, so no second connection touches the WAL.
        """
        with environment_errors(), self.engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert isinstance(raw, sqlite3.Connection)
            yield raw

    def checkpoint(self) -> None:
        """Copy the WAL into the database file and truncate it."""
        with self.driver_connection() as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def _idle_checkpoint(self) -> None:
        # PASSIVE: copies what it can without waiting for anyone; the log is reused afterwards.
        with self.driver_connection() as raw:
            raw.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check``: ``ok`` or the problems SQLite found."""
        with self.driver_connection() as raw:
            rows = raw.execute("PRAGMA integrity_check").fetchall()
        return "\n".join(str(row[0]) for row in rows)

    def close(self) -> None:
        """Commit the writes still deferred, then dispose of the engine (closes the connection;
        SQLite checkpoints on last close)."""
        if self.deferred.pending():
            try:
                with self.uow_factory()() as uow:
                    uow.commit()  # applies them (app.store.deferred)
            except Exception as exc:  # advisory writes only: closing goes on
                log.warning("deferred writes not stored at close: %s", exc)
        self.checkpointer.close()
        self.engine.dispose()

    def __enter__(self) -> Store:
        """Use as a context manager that closes the store."""
        return self

    def __exit__(self, *_exc: object) -> None:
        """Close."""
        self.close()


KEY_CHECK = "key_check"
_KEY_CHECK_CONTEXT = KEY_CHECK_CONTEXT
_KEY_CHECK_PLAINTEXT = "settlement-window data key"


def key_check_value(cipher: FieldCipher) -> str:
    """The ``store_meta`` value that proves which data key the database is encrypted with."""
    token = cipher.encrypt(_KEY_CHECK_PLAINTEXT, _KEY_CHECK_CONTEXT)
    return base64.b64encode(token).decode("ascii")


_opens = key_opens


def _settle_data_key(engine: Engine, cipher: FieldCipher, provider: KeyProvider) -> FieldCipher:
    """The cipher this database is encrypted with; finishes or forgets an interrupted key rotation.

    A data key that does not belong to the database is refused at start-up, not mid-settlement.
    """
    with engine.begin() as connection:
        stored = connection.exec_driver_sql(
            "SELECT value FROM store_meta WHERE key = ?", (KEY_CHECK,)
        ).scalar()
        if stored is None:
            connection.exec_driver_sql(
                "INSERT INTO store_meta (key, value) VALUES (?, ?)",
                (KEY_CHECK, key_check_value(cipher)),
            )
    rotatable = provider if isinstance(provider, RotatableKeyProvider) else None
    staged = None if rotatable is None else rotatable.next_key()
    if stored is None or _opens(cipher, str(stored)):
        if rotatable is not None and staged is not None:
            log.warning("discarding a staged data key: its rotation never committed")
            rotatable.discard_next_key()
        return cipher
    if rotatable is not None and staged is not None:
        rotated = FieldCipher.from_data_key(staged)
        if _opens(rotated, str(stored)):
            log.warning("finishing an interrupted data key rotation")
            rotatable.promote_next_key()
            return rotated
    raise StoreError(
        "数据库密钥与本地数据库不匹配（可能换了电脑、恢复了别的备份，或密钥文件被替换）。"
        "为防止数据无法读取，程序拒绝启动。请找回与此数据库配套的密钥文件，或联系信息科。",
        code="store_wrong_key",
    ) from None


def _has_table(engine: Engine, name: str) -> bool:
    with engine.connect() as connection:
        found = connection.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE name = ?", (name,)
        ).first()
        connection.rollback()
    return found is not None


def open_store(
    path: Path,
    key_provider: KeyProvider,
    clock: Clock,
    *,
    password_hasher: PasswordHasher | None = None,
) -> Store:
    """Open (creating or migrating if needed) the store at ``path``.

    Args:
        path: the database file (its directory is created if missing).
        key_provider: source of the data key (keyring or 0600 key file).
        clock: bookkeeping times (migration backup names, password changes).
        password_hasher: argon2id parameters; tests may pass cheaper ones.

    Raises:
        StoreError: the environment prevents safe operation (PRAGMAs not in effect, disk full,
            read-only, locked, a newer schema than this program knows, wrong key).
    """
    from app.store.migrations import migrate  # noqa: PLC0415 - migrations import db helpers

    if isinstance(key_provider, FileKeyProvider):
        refuse_lost_key_file(path, key_provider.path)  # before a new key file is made
    cipher = FieldCipher.from_data_key(key_provider.data_key())
    status = sqlite_version_status()
    log.info(
        "SQLite %s (WAL-reset bug: %s); %d connection(s)",
        status.version,
        "affected" if status.affected else "not affected",
        status.max_connections,
    )
    with environment_errors():
        secure_data_folder(path.parent)
    refuse_unusable_file(path)  # never let SQLite turn an emptied file into a new empty store
    engine = create_store_engine(path, status)
    bind_cipher(engine.dialect, cipher)
    try:
        with environment_errors(), engine.connect() as connection:
            raw = connection.connection.driver_connection
            assert isinstance(raw, sqlite3.Connection)
            pragmas = check_pragmas(raw)
            health = quick_check(raw)
            # SQLite creates the file (and its -wal/-shm, which copy the file's mode) as 0644
            # less the umask; only this account may read them.
            for each in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm"))):
                tighten(each)
        store = Store(path, engine, cipher, clock, status, pragmas, password_hasher, health=health)
        if health != "ok":
            # Opened for doctor and backup only: no migration or key bookkeeping writes into it.
            log.error("store failed its quick check: %s", health.splitlines()[0])
            return store
        with environment_errors():
            migrate(store)
            store.cipher = _settle_data_key(engine, cipher, key_provider)
            bind_cipher(engine.dialect, store.cipher)
            store.catalogue_name_index = _has_table(engine, "catalogue_names")
    except BaseException:
        engine.dispose()
        raise
    return store
