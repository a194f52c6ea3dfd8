"""Backup, restore and scrubbing of the local database (reliability.md §3.3, §4.2, §4.5).

* **Backup** uses SQLite's online backup API through the store's own connection — never a file copy of
  a live database (a copy taken mid-transaction, or without its ``-wal``, is corrupt or stale). The copy
  is written to a temporary name, checked with ``PRAGMA integrity_check`` and only then renamed.
* **Restore** checks the backup first (integrity, schema version this program knows) and refuses a
  corrupt one; the current database (with its ``-wal``/``-shm``) is moved aside, never deleted.
* **Scrub** after a purge: checkpoint, ``VACUUM``, checkpoint again, so deleted rows do not linger in
  free pages of the file or in the WAL.

The data key is not part of a backup: it is escrowed separately by hospital IT (docs/deployment.md).
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app.errors import StoreError
from app.private_files import make_private_folders, private_file, secure_data_folder
from app.services.ports.progress import Progress, ProgressSink
from app.store.crypto import KEY_FILE_NAME, FieldCipher, FileKeyProvider
from app.store.db import Store, environment_errors
from app.store.integrity import inspect_store_file
from app.store.migrations import SCHEMA_VERSION

log = logging.getLogger(__name__)

_SIDE_FILES = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class BackupInfo:
    """A finished, verified backup."""

    path: Path
    size: int
    sha256: str
    schema_version: int


@dataclass(frozen=True)
class RestoreResult:
    """A finished restore and where the previous database went."""

    restored_from: Path
    database: Path
    previous: Path | None
    schema_version: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _connect_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def inspect_database_file(path: Path, cipher: FieldCipher | None = None) -> tuple[str, int]:
    """``PRAGMA integrity_check`` result and ``user_version`` of a store file not in use.

    ``cipher``: this installation's data key, when known — the file must then be encrypted with it.

    Raises:
        StoreError: the file is missing, empty, not SQLite, not a store of this program, or a store
            of another installation (:func:`app.store.integrity.inspect_store_file`).
    """
    return inspect_store_file(path, cipher)


def installation_cipher(data_dir: Path) -> FieldCipher | None:
    """The data key of the installation in ``data_dir`` if its key file exists (never creates one)."""
    key_file = data_dir / KEY_FILE_NAME
    if not key_file.is_file():
        return None
    return FieldCipher.from_data_key(FileKeyProvider(key_file).data_key())


def backup_store(
    store: Store, destination: Path, progress: ProgressSink | None = None
) -> BackupInfo:
    """Write a verified online backup of ``store`` to ``destination`` (a file; must not exist).

    ``progress`` sees the three stages (copy, check, checksum). Cancel is honoured only before the
    copy starts: the copy is one step so that it is a consistent snapshot.

    Raises:
        StoreError: the destination exists or cannot be written, or the copy failed its check.
        UserCancelled: stopped before anything was written.
    """
    steps = Progress(progress)
    steps.step("复制数据库", 0, 3, cancellable=True)
    if destination.exists():
        raise StoreError(
            f"备份文件 {destination} 已存在，为避免覆盖请换一个文件名。", code="backup_exists"
        )
    with environment_errors():
        make_private_folders(destination.parent)  # backups/ or an --output folder: 0700 if made
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        private_file(partial)  # 0600 before a single page of personal data is copied in
        with store.driver_connection() as source, closing(sqlite3.connect(partial)) as target:
            # pages=-1: one step under one read transaction, so the copy is a consistent snapshot
            # even while other connections keep writing.
            source.backup(target, pages=-1)
            target.execute("PRAGMA journal_mode=DELETE").fetchall()
        steps.step("校验备份", 1, 3)
        result, version = inspect_database_file(partial)
        if result != "ok":
            raise StoreError(
                f"备份校验失败（{result}），备份没有完成。请运行 doctor 检查数据库。",
                code="backup_corrupt",
            )
        with environment_errors():
            os.replace(partial, destination)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    steps.step("计算校验值", 2, 3)
    info = BackupInfo(destination, destination.stat().st_size, _sha256(destination), version)
    steps.step("完成", 3, 3)
    log.info("backup written: %s (%d bytes, schema v%d)", destination.name, info.size, version)
    return info


def default_backup_name(database: Path, now: datetime) -> str:
    """``<db stem>-<UTC timestamp>.backup.sqlite``."""
    return f"{database.stem}-{now.strftime('%Y%m%dT%H%M%SZ')}.backup.sqlite"


def restore_database(
    backup: Path,
    database: Path,
    now: datetime,
    progress: ProgressSink | None = None,
    *,
    cipher: FieldCipher | None = None,
) -> RestoreResult:
    """Replace ``database`` with a checked copy of ``backup``. The window must not be running.

    The current database and its side files are renamed to ``<name>.before-restore-<time>`` so
    nothing is lost if the wrong backup was chosen.

    Raises:
        StoreError: the backup is corrupt, not a database, or from a newer program.
        UserCancelled: stopped while the backup was being checked (nothing was changed).
    """
    steps = Progress(progress)
    steps.step("校验备份文件", 0, 3, cancellable=True)
    result, version = inspect_database_file(backup, cipher)
    if result != "ok":
        raise StoreError(
            f"备份文件 {backup.name} 已损坏（{result.splitlines()[0]}），拒绝恢复。"
            "当前数据库没有改动。请换一个较早的备份。",
            code="backup_corrupt",
        )
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"备份文件 {backup.name} 由更新版本的程序创建（数据库版本 {version}，本程序支持 "
            f"{SCHEMA_VERSION}），拒绝恢复。请先升级程序。",
            code="backup_too_new",
        )
    # The last point where stopping changes nothing: the current database is still in place.
    steps.step("复制数据库", 1, 3, cancellable=True)
    with environment_errors():
        secure_data_folder(database.parent)  # restoring onto a new PC
    previous = _move_aside(database, now)
    partial = database.with_name(database.name + ".restoring")
    partial.unlink(missing_ok=True)
    try:
        private_file(partial)
        with (
            closing(_connect_read_only(backup)) as source,
            closing(sqlite3.connect(partial)) as target,
        ):
            source.backup(target, pages=-1)
        os.replace(partial, database)
    except BaseException:
        partial.unlink(missing_ok=True)
        if previous is not None and not database.exists():
            _move_back(previous, database)
        raise
    steps.step("校验恢复结果", 2, 3)
    check, _ = inspect_database_file(database)
    if check != "ok":  # pragma: no cover - the source was checked; this guards the disk
        raise StoreError("恢复后的数据库校验失败，请联系信息科。", code="restore_corrupt")
    log.info("database restored from %s (schema v%d)", backup.name, version)
    return RestoreResult(backup, database, previous, version)


def _move_aside(database: Path, now: datetime) -> Path | None:
    if not database.exists():
        return None
    aside = database.with_name(f"{database.name}.before-restore-{now.strftime('%Y%m%dT%H%M%SZ')}")
    with environment_errors():
        for suffix in _SIDE_FILES:
            side = database.with_name(database.name + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
        os.replace(database, aside)
    return aside


def _move_back(aside: Path, database: Path) -> None:
    os.replace(aside, database)
    for suffix in _SIDE_FILES:
        side = aside.with_name(aside.name + suffix)
        if side.exists():
            os.replace(side, database.with_name(database.name + suffix))


class StoreMaintenance:
    """The store's maintenance operations as the admin service sees them (``Maintenance`` port)."""

    def __init__(self, store: Store) -> None:
        """Maintain ``store``."""
        self._store = store

    def backup_to(self, destination: Path, progress: ProgressSink | None = None) -> BackupInfo:
        """Online backup; see :func:`backup_store`."""
        return backup_store(self._store, destination, progress)

    def scrub(self) -> None:
        """Rewrite the file so deleted rows leave no trace in free pages or in the WAL."""
        with self._store.driver_connection() as raw:
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            raw.execute("VACUUM")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    def integrity_check(self) -> str:
        """``ok`` or the problems SQLite found."""
        return self._store.integrity_check()
