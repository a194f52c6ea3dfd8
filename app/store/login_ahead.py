"""An operator's password check started while the console program is still loading.

The argon2id check of a login is deliberately slow (≈ 0.2 s of one core with the library's default
parameters, reliability.md §4.4), and a console command spends about twice that importing SQLAlchemy
and the services before it can open the store. :func:`check_ahead` reads the operator's stored hash
with the standard library (read-only, before the store is opened) and verifies the password on a
second thread meanwhile, on the machine's other core.

Nothing is decided here. The store's own login (``AuthService.login`` → the operator repository)
runs exactly as before — unknown or disabled account, lockout, second factor, audit record, role —
and only its call to :meth:`PrecheckedHasher.verify` takes the answer computed ahead, and only for
the very same stored hash and password; any other verification (another operator, a hash changed
in the meantime) is computed as usual. The parameters are the library's defaults, the same the
store uses when none are given, so hashing and ``check_needs_rehash`` are unchanged.

Standard library and argon2 only: importing this module does not load SQLAlchemy.
"""

from __future__ import annotations

import hmac
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Literal

from argon2 import PasswordHasher

_SQLITE_HEADER = b"SQLite format 3\x00"


def stored_hash(database: Path, code: str) -> str | None:
    """``code``'s password hash as stored, or ``None`` when it cannot be read cheaply and safely.

    Only an existing file that starts like a SQLite database is opened, read-only (``mode=ro``:
    nothing is created or written, a damaged or emptied file stays for the store to refuse), and
    the connection is closed before this returns, so the store's own connection never runs beside it.
    """
    try:
        with database.open("rb") as file:
            if file.read(len(_SQLITE_HEADER)) != _SQLITE_HEADER:
                return None
        uri = f"{database.resolve().as_uri()}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True, timeout=1.0)) as connection:
            row = connection.execute(
                "SELECT password_hash FROM operators WHERE code = ?", (code,)
            ).fetchone()
    except (OSError, sqlite3.Error):
        return None
    if row is None or not isinstance(row[0], str):
        return None
    return str(row[0])


class PrecheckedHasher(PasswordHasher):
    """The library's default argon2id hasher whose first verification of ``(stored, password)``
    was started on a thread at construction; that one verification waits for it instead of
    computing it again (same answer, same exceptions)."""

    def __init__(self, stored: str, password: str) -> None:
        """Start verifying ``password`` against ``stored`` now."""
        super().__init__()
        self._stored: str | None = stored
        self._password: str | None = password
        self._error: BaseException | None = None
        # Not a daemon: the interpreter waits for it at exit rather than stopping it inside argon2.
        self._thread = threading.Thread(
            target=self._check, args=(stored, password), name="login-ahead"
        )
        self._thread.start()

    def _check(self, stored: str, password: str) -> None:
        try:
            super().verify(stored, password)
        except Exception as exc:  # handed to the caller of verify, unchanged
            self._error = exc

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        """As :meth:`PasswordHasher.verify`; the pair checked ahead is answered from that check,
        once (the password is then forgotten)."""
        if self._matches(hash, password):
            self._thread.join()
            error, self._error = self._error, None
            self._stored = self._password = None
            if error is not None:
                raise error
            return True
        return super().verify(hash, password)

    def _matches(self, stored: str | bytes, password: str | bytes) -> bool:
        if self._stored is None or self._password is None:
            return False
        given_hash = stored.decode() if isinstance(stored, bytes) else stored
        given = password.encode() if isinstance(password, str) else password
        return given_hash == self._stored and hmac.compare_digest(given, self._password.encode())


def check_ahead(database: Path, code: str, password: str) -> PrecheckedHasher | None:
    """A hasher already verifying ``code``'s password, or ``None`` (no such account, or the
    database cannot be read cheaply: the login then verifies as usual)."""
    stored = stored_hash(database, code)
    return None if stored is None else PrecheckedHasher(stored, password)
