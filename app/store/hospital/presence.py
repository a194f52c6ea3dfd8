"""Which windows are alive: a PostgreSQL session advisory lock per window (issue 13 item 5, issue 16).

A running window holds ``pg_try_advisory_lock(<window key>)`` on a connection of its own for as long
as it runs. PostgreSQL drops a session lock when the session ends — the process closed it, or died
(``SIGKILL`` closes its socket, and the server ends the session) — so another window decides "dead"
the way issue 16 decides it for processes on one PC: a lock held for the owner's lifetime, never a
guess by age. A window whose PC lost power keeps its session until the server's TCP keepalive gives
up (``tcp_keepalives_idle`` etc. on the server; see docs/hospital-mode.md).

The key is the first 8 bytes of SHA-256 over the schema holding the hospital's tables and the window's
number: one key per window, the same at every window of the hospital. Advisory locks are shared by the
whole database, so the schema keeps two hospitals (or a training copy) in one database apart.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging

from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from app.errors import StoreError
from app.store.hospital.connect import unreachable

log = logging.getLogger(__name__)


def window_lock_key(device_no: str, schema: str) -> int:
    """The advisory lock key of a window of the hospital whose tables are in ``schema`` (a signed
    64-bit integer, as PostgreSQL takes it)."""
    digest = hashlib.sha256(
        b"hospital-window\x00" + schema.encode() + b"\x00" + device_no.encode()
    ).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class WindowPresence:
    """Holding this window's lock, and probing other windows' locks."""

    def __init__(self, engine: Engine) -> None:
        """Use connections from ``engine`` (the hospital database)."""
        self._engine = engine
        self._held: Connection | None = None
        self._schema: str | None = None

    def _key(self, connection: Connection, device_no: str) -> int:
        """``device_no``'s lock key in the schema this engine's sessions use (asked once)."""
        if self._schema is None:
            self._schema = str(connection.execute(text("SELECT current_schema()")).scalar_one())
        return window_lock_key(device_no, self._schema)

    def hold(self, device_no: str) -> None:
        """Take this window's lock for the life of this object.

        Raises:
            StoreError: another running program already holds this window's number, or the
                hospital database is unreachable.
        """
        if self._held is not None:
            return
        try:
            connection = self._engine.connect()
            taken = connection.execute(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key(connection, device_no)}
            ).scalar_one()
            connection.commit()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        if not taken:
            connection.close()
            raise StoreError(
                f"窗口编号 {device_no} 已由另一台正在运行的收费程序使用。每个窗口的编号必须唯一："
                "请检查本机配置文件 [window] device_no。",
                code="window_in_use",
                detail={"window": device_no},
            )
        self._held = connection

    def keep(self, device_no: str) -> bool:
        """Hold the lock again when the session that held it has ended (the server restarted, or
        the network to it was cut: PostgreSQL then dropped the lock, and other windows would take
        this running window for dead). Called after each sync round; returns whether it is held.
        Never raises: an unreachable server or a lock taken meanwhile is logged."""
        if self._held is not None:
            try:
                self._held.execute(text("SELECT 1"))
                self._held.commit()
                return True
            except DBAPIError:
                with contextlib.suppress(Exception):
                    self._held.invalidate()
                    self._held.close()
                self._held = None
        try:
            self.hold(device_no)
        except StoreError as exc:
            log.warning("window lock of %s not held again (%s)", device_no, exc.code)
            return False
        log.info("window lock of %s held again after its session ended", device_no)
        return True

    def release(self) -> None:
        """Give the lock back: unlocked before returning (the server ends a closed session, and
        drops its locks, only some time after the client hung up), then the session is ended, not
        returned to the pool (a pooled session would keep the lock)."""
        if self._held is not None:
            with contextlib.suppress(
                DBAPIError
            ):  # unreachable: the server drops it with the session
                self._held.execute(text("SELECT pg_advisory_unlock_all()"))
                self._held.commit()
            self._held.invalidate()
            self._held.close()
            self._held = None

    def is_alive(self, device_no: str) -> bool:
        """Whether a running program holds ``device_no``'s lock right now.

        Raises:
            StoreError: the hospital database is unreachable (then nobody can tell).
        """
        try:
            with self._engine.connect() as connection:
                key = self._key(connection, device_no)
                free = connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": key}
                ).scalar_one()
                if free:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                connection.commit()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return not free
