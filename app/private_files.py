"""Files and folders only the program's own account may read: files 0600, folders 0700.

The data folder holds personal data, the key file, the database, logs and backups. Modes are set
explicitly on creation (never left to the umask), and a data folder that already exists with looser
modes is tightened — or refused when it cannot be (owned by someone else). Standard library only, so
the store, the log set-up and the console commands can all use it cheaply.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from app.errors import ConfigError

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
_POSIX = os.name == "posix"


def make_private_folders(folder: Path) -> None:
    """Create ``folder`` and any missing parents as 0700; folders that already exist are left as
    they are (an ``--output`` into ``/tmp`` must not change ``/tmp``).

    Raises:
        ConfigError: a component exists and is not a folder.
        OSError: the folder cannot be created.
    """
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    if current.exists() and not current.is_dir():
        raise not_a_folder(current)
    for each in reversed(missing):
        try:
            each.mkdir(mode=PRIVATE_FOLDER)
        except FileExistsError:
            if not each.is_dir():
                raise not_a_folder(each) from None
            continue
        if _POSIX:
            each.chmod(PRIVATE_FOLDER)  # mkdir's mode is reduced by the umask; be exact


def private_folder(folder: Path) -> None:
    """A folder of the program's own inside the data folder (``logs/``, ``backups/``): created
    0700, or tightened to 0700 if an older version made it looser."""
    make_private_folders(folder)
    if _POSIX and stat.S_IMODE(folder.stat().st_mode) & 0o077:
        folder.chmod(PRIVATE_FOLDER)


def secure_data_folder(folder: Path) -> None:
    """Make sure the data folder exists, is a folder and is 0700 (tightening a looser one).

    Raises:
        ConfigError: it is a file, or it is looser than 0700 and cannot be tightened.
        OSError: it cannot be created.
    """
    make_private_folders(folder)
    if not _POSIX:
        return
    mode = stat.S_IMODE(folder.stat().st_mode)
    if mode & 0o077 == 0:
        return
    try:
        folder.chmod(mode & ~0o077 | PRIVATE_FOLDER)
    except OSError:
        raise ConfigError(
            f"数据目录 {folder} 其他用户也可以访问（权限 {mode:o}），且无法改为仅本账号可用。"
            f"请由该目录的所有者执行 chmod 700 {folder}，或换一个数据目录。",
            code="data_dir_mode",
        ) from None


def private_file(path: Path) -> None:
    """Create ``path`` empty as 0600 if it does not exist; tighten it to 0600 if it does."""
    if not _POSIX:
        path.touch(exist_ok=True)
        return
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(PRIVATE_FILE)
        return
    os.close(descriptor)
    os.chmod(path, PRIVATE_FILE)  # os.open's mode is reduced by the umask too


def tighten(path: Path) -> None:
    """Set an existing file to 0600 (no-op when it is missing or not on POSIX)."""
    if _POSIX and path.exists():
        path.chmod(PRIVATE_FILE)


def not_a_folder(path: Path) -> ConfigError:
    """The error for a folder path that names a file."""
    return ConfigError(
        f"{path} 是一个文件，不是文件夹。请指定一个文件夹作为数据目录或输出目录"
        "（不存在时会自动创建）。",
        code="not_a_folder",
    )
