"""The hospital key: one 32-byte key shared by every window, kept outside the database.

It encrypts the personal data of every window's records in the hospital record, so that a copy of
the database (a backup, a stolen disk, a curious database administrator) reveals no patient. IT
creates it once (``settlement-window hospital key-create PATH``) and copies it to each window as a
0600 file; a window never creates one by itself — two windows with different keys would write rows
the others cannot read.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from app.errors import StoreError

KEY_BYTES = 32


def read_hospital_key(path: Path) -> bytes:
    """The key in ``path``: must exist, be readable by this account only, and be 32 bytes."""
    try:
        info = path.stat()
        key = path.read_bytes()
    except OSError as exc:
        raise StoreError(
            f"无法读取医院密钥文件 {path}：请确认信息科已把医院密钥文件复制到这里，且权限为 600。",
            code="hospital_key_unreadable",
        ) from exc
    if os.name == "posix" and stat.S_IMODE(info.st_mode) & 0o077:
        raise StoreError(
            f"医院密钥文件 {path} 的权限过宽，其他用户可以读取。请执行 chmod 600 {path} 后重试。",
            code="hospital_key_permissions",
        )
    if len(key) != KEY_BYTES:
        raise StoreError(
            f"医院密钥文件 {path} 不是有效的医院密钥（应为 32 字节）。"
            "请向信息科重新索取医院密钥文件。",
            code="hospital_key_corrupt",
        )
    return key


def create_hospital_key(path: Path) -> None:
    """Write a new random key to ``path`` (0600); an existing file is never overwritten."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise StoreError(
            f"{path} 已存在，不会覆盖（覆盖医院密钥会使已加密的数据无法读取）。请换一个文件名。",
            code="hospital_key_exists",
        ) from None
    except OSError as exc:
        raise StoreError(
            f"无法创建医院密钥文件 {path}，请检查所在文件夹是否存在、是否可写。",
            code="hospital_key_create",
        ) from exc
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(secrets.token_bytes(KEY_BYTES))
        handle.flush()
        os.fsync(handle.fileno())
    if os.name == "posix":
        os.chmod(path, 0o600)  # os.open's mode is reduced by the umask; be exact
