"""Damaged and foreign stores (issue #11 item 4, reliability.md R20).

* :func:`refuse_unusable_file`: a database file that exists but cannot hold a store (0 bytes, shorter
  than one SQLite page, not SQLite at all) is refused before SQLite would silently turn it into a new,
  empty store — losing the journal, the operators and the audit chain without a word.
* :func:`quick_check`: ``PRAGMA quick_check`` at every start; a damaged store opens for ``doctor`` and
  ``backup`` only, never for money actions (:func:`refuse_money_on_damaged`).
* :func:`inspect_store_file`: what ``backup check`` and ``backup restore`` accept — an SQLite file that
  passes ``integrity_check`` and carries this program's schema and key check value, and, when this
  installation's key is known, one encrypted with that key.
"""

from __future__ import annotations

import base64
import sqlite3
from contextlib import closing
from pathlib import Path

from app.errors import StoreError
from app.store.crypto import FieldCipher

SQLITE_HEADER = b"SQLite format 3\x00"
_MIN_PAGE = 512
_KEY_CHECK = "key_check"
KEY_CHECK_CONTEXT = "store_meta.key_check"
RESTORE_HINT = (
    "请立即停止收费，关闭所有收费窗口程序，由信息科从备份恢复："
    "settlement-window backup restore <最近的备份文件>（先用 backup check <备份文件> 确认备份完好），"
    "恢复后运行 settlement-window doctor 检查。"
)


def _header(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(len(SQLITE_HEADER))


def refuse_unusable_file(path: Path) -> None:
    """Refuse an existing database file that is empty or not SQLite (a missing file is fine).

    Raises:
        StoreError: ``store_empty`` or ``store_corrupt``; nothing was created or changed.
    """
    if not path.exists():
        return
    size = path.stat().st_size
    if size == 0:
        raise StoreError(
            f"本地数据库文件 {path} 是空的（0 字节），可能被误删或磁盘出错。"
            "为防止以空数据库继续收费（交易日志、操作员和审计记录都会丢失），程序拒绝启动，"
            "也不会重新创建它。" + RESTORE_HINT,
            code="store_empty",
            detail={"path": str(path)},
        )
    if size < _MIN_PAGE or _header(path) != SQLITE_HEADER:
        raise StoreError(
            f"本地数据库文件 {path} 不是有效的数据库文件（{size} 字节）。程序拒绝启动。"
            + RESTORE_HINT,
            code="store_corrupt",
            detail={"path": str(path)},
        )


def refuse_lost_key_file(path: Path, key_file: Path) -> None:
    """Refuse a database whose key file, kept beside it, is gone (a missing database is fine).

    A new key could never read the data already there, so none is created: the data folder stays as
    it was until the escrowed key file is put back.

    Raises:
        StoreError: ``store_key_missing``; nothing was created or changed.
    """
    if key_file.exists() or key_file.parent != path.parent:
        return
    if not path.exists() or path.stat().st_size == 0:
        return  # a new installation (an emptied database is refused by refuse_unusable_file)
    raise StoreError(
        f"数据库密钥文件 {key_file} 不见了，而本地数据库 {path} 还在。新建的密钥解不开原有数据，"
        "所以程序不会新建密钥，并拒绝启动。请把信息科托管的密钥文件复制回数据目录"
        f" {key_file.parent}（文件名 {key_file.name}，权限 600）后重新启动。",
        code="store_key_missing",
        detail={"path": str(path), "key_file": str(key_file)},
    )


def quick_check(connection: sqlite3.Connection) -> str:
    """``ok``, or the problems ``PRAGMA quick_check`` found (or the error it raised)."""
    try:
        rows = connection.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return str(exc)
    return "\n".join(str(row[0]) for row in rows) or "ok"


def damaged_store_error(health: str) -> StoreError:
    """The refusal of a money action on a store whose check failed."""
    return StoreError(
        f"本地数据库已损坏（完整性检查：{health.splitlines()[0][:200]}），"
        "不能再进行结算、撤销或日结。" + RESTORE_HINT,
        code="store_damaged",
        detail={"check": health[:1000]},
    )


def inspect_store_file(path: Path, cipher: FieldCipher | None = None) -> tuple[str, int]:
    """``integrity_check`` result and schema version of a store file not in use.

    Args:
        path: the file (a backup, or a database about to be replaced).
        cipher: this installation's data key, when known: the file must be encrypted with it.

    Raises:
        StoreError: the file is missing, empty, not SQLite, not a store of this program
            (``backup_not_a_store``) or of another installation (``backup_foreign``).
    """
    if not path.is_file():
        raise StoreError(f"找不到备份文件 {path}。请检查路径。", code="backup_missing")
    size = path.stat().st_size
    if size < _MIN_PAGE or _header(path) != SQLITE_HEADER:
        raise StoreError(
            f"文件 {path.name}（{size} 字节）不是收费窗口数据库的备份。请换一个备份文件。",
            code="backup_invalid",
        )
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
            rows = db.execute("PRAGMA integrity_check").fetchall()
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            ours, key_check = _key_check(db)
    except sqlite3.DatabaseError as exc:
        raise StoreError(
            f"文件 {path.name} 不是有效的收费窗口数据库备份（{exc}）。请换一个备份文件。",
            code="backup_invalid",
        ) from None
    result = "\n".join(str(row[0]) for row in rows)
    if result == "ok" and (version < 1 or not ours):
        raise StoreError(
            f"文件 {path.name} 是一个 SQLite 数据库，但不是收费窗口程序的数据库"
            "（没有本程序的数据库版本和数据表）。请换一个备份文件。",
            code="backup_not_a_store",
        )
    foreign = cipher is not None and key_check is not None and not key_opens(cipher, key_check)
    if result == "ok" and foreign:
        raise StoreError(
            f"文件 {path.name} 是另一套安装（另一个密钥）的收费窗口数据库，"
            "用本机的密钥无法读取其中的数据，拒绝使用。请选择本机的备份文件，"
            "或找回与该备份配套的密钥文件后再恢复。",
            code="backup_foreign",
        )
    return result, version


def _key_check(db: sqlite3.Connection) -> tuple[bool, str | None]:
    """(has this program's ``store_meta`` table, its key check value if one was written yet)."""
    try:
        row = db.execute("SELECT value FROM store_meta WHERE key = ?", (_KEY_CHECK,)).fetchone()
    except sqlite3.OperationalError:  # no store_meta table: not our schema
        return False, None
    return True, None if row is None else str(row[0])


def key_opens(cipher: FieldCipher, stored: str) -> bool:
    """Whether ``stored`` (a ``store_meta`` key check value) was written with ``cipher``'s key."""
    try:
        cipher.decrypt(base64.b64decode(stored), KEY_CHECK_CONTEXT)
    except (StoreError, ValueError):
        return False
    return True
