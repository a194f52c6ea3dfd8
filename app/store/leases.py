"""Process leases in the data folder: an operating-system lock held for a process's lifetime (issue #16).

Each process that opens the store creates ``leases/<lease id>.lease`` (0600, folder 0700) and holds an
exclusive, non-blocking ``flock`` (``msvcrt.locking`` on Windows) on it until it closes or dies. The
kernel drops the lock when the process dies for any reason, ``SIGKILL`` and power cut included, so:

* the lock can be taken → its owner is dead (and stays dead: the id contains a random part and is
  never reused);
* the lock cannot be taken → its owner is alive (or another process is claiming it right now);
* the file is missing → its owner closed cleanly or was already claimed: dead.

``flock`` locks belong to the open file description, not to the process, so probing another lease from
a thread of this process never releases this process's own lock (POSIX ``fcntl`` record locks would).
Never delete files in ``leases/`` by hand while programs run: a missing lease reads as a dead owner.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import sys
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from app.errors import StoreError

log = logging.getLogger(__name__)

LEASE_FOLDER = "leases"
LEASE_SUFFIX = ".lease"
_LEASE_ID = re.compile(r"^[A-Za-z0-9-]{1,40}$")


def new_lease_id() -> str:
    """``p<pid>-<12 hex>``: the pid helps a human reading the folder, the random part makes it unique."""
    return f"p{os.getpid()}-{secrets.token_hex(6)}"


if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def live_leases(data_dir: Path) -> list[str]:
    """Lease ids of the processes working on ``data_dir`` now (without taking a lease of our own)."""
    folder = data_dir / LEASE_FOLDER
    if not folder.is_dir():
        return []
    live = []
    for path in sorted(folder.glob(f"*{LEASE_SUFFIX}")):
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            continue
        try:
            if _try_lock(fd):
                _unlock(fd)
            else:
                live.append(path.name.removesuffix(LEASE_SUFFIX))
        finally:
            os.close(fd)
    return live


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:  # pragma: no cover - e.g. another process has it open on Windows
        log.info("lease file %s left in place (%s): it reads as a dead owner", path.name, exc)


class FileLeases:
    """:class:`~app.services.ports.ownership.Ownership` with one locked file per process."""

    def __init__(self, data_dir: Path, *, lease_id: str | None = None) -> None:
        """Create and lock this process's lease in ``data_dir / leases``.

        Raises:
            StoreError: the folder cannot be written or the lease cannot be locked.
        """
        self._folder = data_dir / LEASE_FOLDER
        self._owner_id = lease_id or new_lease_id()
        self._closed = False
        self._lock = threading.Lock()
        try:
            self._folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._path = self._folder / f"{self._owner_id}{LEASE_SUFFIX}"
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise StoreError(
                f"无法在数据目录中建立本程序的运行登记（{self._folder}）：{exc.strerror or exc}。"
                "请检查数据目录的权限和磁盘空间。",
                code="lease_unavailable",
            ) from exc
        if not _try_lock(self._fd):  # a fresh random id: only a broken file system gets here
            os.close(self._fd)
            raise StoreError(
                "无法锁定本程序的运行登记文件，数据目录所在的文件系统可能不支持文件锁"
                "（例如网络共享盘）。请把数据目录放在本机磁盘上。",
                code="lease_unavailable",
            )
        started = datetime.now(UTC).isoformat(timespec="seconds")
        os.write(self._fd, f"pid={os.getpid()} started={started}\n".encode())

    @property
    def owner_id(self) -> str:
        """This process's lease id."""
        return self._owner_id

    def is_alive(self, owner: str) -> bool:
        """Probe ``owner``'s lease without keeping it."""
        if owner == self._owner_id:
            return not self._closed
        if not owner:
            return False  # rows written before leases existed: their writer has long gone
        if not _LEASE_ID.match(owner):
            return True  # not a lease of ours: never guess it dead
        fd = self._open(owner)
        if fd is None:
            return False
        try:
            if _try_lock(fd):
                _unlock(fd)
                return False
            return True
        finally:
            os.close(fd)

    def claim(self, owner: str) -> AbstractContextManager[bool]:
        """Hold ``owner``'s lease for the block when it is dead; discard the lease after it."""
        return self._claim(owner)

    @contextmanager
    def _claim(self, owner: str) -> Iterator[bool]:
        if owner == self._owner_id or (owner and not _LEASE_ID.match(owner)):
            yield False
            return
        fd = self._open(owner) if owner else None
        if fd is None:
            yield True  # no lease left to hold: the rows' own UPDATE decides who takes them
            return
        claimed = False
        try:
            if not _try_lock(fd):
                yield False
                return
            yield True
            claimed = True
        finally:
            os.close(fd)  # also drops the lock
        # Rows moved: the lease has no more use. Removed after closing it (Windows cannot remove an
        # open file); a claimer that locks it in between moves no rows, they are ours already.
        if claimed:
            _remove(self._lease_path(owner))
            log.info("lease %s claimed and discarded", owner)

    def close(self) -> None:
        """Give up the lease: drop the lock, then remove the file."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            os.close(self._fd)
            _remove(self._path)

    def _lease_path(self, owner: str) -> Path:
        return self._folder / f"{owner}{LEASE_SUFFIX}"

    def _open(self, owner: str) -> int | None:
        try:
            return os.open(self._lease_path(owner), os.O_RDWR)
        except FileNotFoundError:
            return None
