"""A throwaway PostgreSQL server of a test's own (the hospital campaign restarts it mid-run, which it
must never do to the shared server at 127.0.0.1:5432).

:func:`start_throwaway_pg` runs ``initdb`` into a fresh folder and ``pg_ctl start`` on a free loopback
port with trust authentication. ``initdb`` refuses to run as root, so as root it runs as the
``postgres`` account (or ``nobody``) through ``setpriv``, in a folder owned by that account. Where the
binaries are missing, it fails the test with what to install: never a skip.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

SEARCH = (
    "/usr/lib/postgresql/17/bin",
    "/usr/lib/postgresql/16/bin",
    "/usr/lib/postgresql/15/bin",
    "/usr/local/bin",
    "/usr/local/pgsql/bin",
)
INSTALL_HINT = (
    "the hospital campaign starts a PostgreSQL server of its own: install the server binaries "
    "(Debian/Ubuntu: `apt install postgresql`; initdb and pg_ctl must be on PATH or in "
    "/usr/lib/postgresql/<version>/bin), or set SW_PG_BIN to the folder holding them"
)


class ThrowawayPgError(RuntimeError):
    """The server could not be started; the text says what to install or check."""


def find_binary(name: str) -> str:
    """``initdb`` / ``pg_ctl``: ``$SW_PG_BIN``, then PATH, then the usual folders."""
    folder = os.environ.get("SW_PG_BIN")
    candidates = [Path(folder) / name] if folder else []
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    candidates += [Path(d) / name for d in SEARCH]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise ThrowawayPgError(f"{name} not found; {INSTALL_HINT}")


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _account() -> pwd.struct_passwd | None:
    """The unprivileged account to run the server as (``None``: run as ourselves, not root)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise ThrowawayPgError("running as root and neither a postgres nor a nobody account exists")


@dataclass
class ThrowawayPg:
    """A running server: its folder, port and how to restart and stop it."""

    folder: Path
    port: int
    account: pwd.struct_passwd | None
    pg_ctl: str
    restarts: int = 0

    @property
    def data(self) -> Path:
        """The cluster's data folder."""
        return self.folder / "data"

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL for ``database`` as the superuser ``postgres`` (trust)."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, timeout: float = 60.0) -> None:
        done = subprocess.run(
            _as(self.account, [self.pg_ctl, *args]),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            log = (self.folder / "server.log").read_text(errors="replace")[-2000:]
            raise ThrowawayPgError(f"pg_ctl {args[0]} failed: {done.stderr}\n{log}")

    def start(self) -> None:
        """Start (or start again) and wait until it accepts connections."""
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c max_connections=200 -c shared_buffers=32MB"
        )
        self._run(
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        """Stop: ``fast`` ends sessions cleanly, ``immediate`` is a crash (recovery at start)."""
        self._run("-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def restart(self, mode: str = "immediate", down_seconds: float = 0.0) -> None:
        """Stop (a crash by default), stay down ``down_seconds``, start again."""
        self.stop(mode)
        time.sleep(down_seconds)
        self.start()
        self.restarts += 1

    def destroy(self) -> None:
        """Stop if running and remove the folder."""
        with contextlib.suppress(ThrowawayPgError, subprocess.TimeoutExpired):
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def _as(account: pwd.struct_passwd | None, command: list[str]) -> list[str]:
    if account is None:
        return command
    return [
        "setpriv",
        f"--reuid={account.pw_uid}",
        f"--regid={account.pw_gid}",
        "--clear-groups",
        *command,
    ]


def start_throwaway_pg() -> ThrowawayPg:
    """initdb + start on a free port; raises :class:`ThrowawayPgError` saying what is missing."""
    initdb, pg_ctl = find_binary("initdb"), find_binary("pg_ctl")
    account = _account()
    if account is not None and shutil.which("setpriv") is None:
        raise ThrowawayPgError("running as root: setpriv (util-linux) is needed to run initdb")
    folder = Path(tempfile.mkdtemp(prefix="sw-pg-"))
    folder.chmod(0o755)
    if account is not None:
        os.chown(folder, account.pw_uid, account.pw_gid)
    done = subprocess.run(
        _as(
            account,
            [
                initdb,
                "-D",
                str(folder / "data"),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--no-locale",
                "--no-sync",
            ],
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise ThrowawayPgError(f"initdb failed: {done.stderr.strip()[-1500:]}; {INSTALL_HINT}")
    server = ThrowawayPg(folder, free_port(), account, pg_ctl)
    try:
        server.start()
    except BaseException:
        server.destroy()
        raise
    return server
