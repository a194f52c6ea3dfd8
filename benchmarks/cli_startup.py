"""CLI start-up: ``--help`` and ``eligibility`` up to its first request, next to a bare interpreter.

Goals (issue #11 item 15): ``settlement-window --help`` ≤ 0.2 s and ``eligibility`` sending its first
request ≤ 0.5 s after launch, on the 2-core machine. Each figure is the median of ``--runs`` fresh
processes; a bare ``python -c pass`` is timed in the same run so a busy machine can be recognised.

The requests are seen by a byte-forwarding proxy in front of the in-process sandbox: "first request"
is when the first bytes of a request arrive (a connection opened ahead would not count), "first
patient query" when the first 1101 arrives (after the operator's login, which precedes every query).
CPU time (user + system of the child, all its threads) is printed too: wall time on a shared machine
mostly measures the other load.

The CPU of importing the path's libraries alone (SQLAlchemy Core, the Core-only store eligibility
opens, SQLAlchemy's ORM with the store's mapped classes, requests, the platform client) is printed too, each in a fresh interpreter: the floor of any
start-up path that loads them.

Like an installed program, the modules run from compiled bytecode (in a temporary
``PYTHONPYCACHEPREFIX``, filled by ``compileall`` before the runs).

    .venv/bin/python -m benchmarks.cli_startup [--runs 7]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import tomli_w

from app.config import settings_from_mapping
from app.domain.operator import Role
from app.sandbox import SandboxServer, client_config
from app.wiring import build_engine

ROOT = Path(__file__).resolve().parents[1]
HELP_GOAL_S = 0.2
FIRST_REQUEST_GOAL_S = 0.5
PASSWORD = "Bench-cashier-2026"  # noqa: S105 - a throw-away benchmark account
PERSON = "李淑芬"
BARE = "bare interpreter (python -c pass)"
HELP = "settlement-window --help"
FIRST = "eligibility: launch → first request"
QUERY = "eligibility: launch → first 1101 (patient)"
WHOLE = "eligibility: whole command"
CPU_BARE = "CPU: bare interpreter"
CPU_HELP = "CPU: settlement-window --help"
CPU_MAIN_FIRST = "CPU: eligibility → first request, main thread"
CPU_ALL_FIRST = "CPU: eligibility → first request, all threads"
CPU_SERIAL_FIRST = "CPU: … all threads but the password check"
LOGIN_AHEAD_THREAD = "login-ahead"  # app/store/login_ahead.py names its thread so
CPU_WHOLE = "CPU: eligibility, whole command (all threads)"
# What the libraries on eligibility's path cost on their own (fresh interpreters, bare included):
# the floor any start-up path that loads them pays (docs/performance.md, CLI start-up).
CPU_LIBRARIES = {
    "CPU: import sqlalchemy (Core) + sqlite dialect": "import sqlalchemy, sqlalchemy.dialects.sqlite",
    # eligibility's store since the Core-only path: Core tables, their repositories, no ORM.
    "CPU: … + app.store.uow (eligibility's store)": (
        "import sqlalchemy, sqlalchemy.dialects.sqlite, app.store.uow"
    ),
    "CPU: … + sqlalchemy.orm": "import sqlalchemy.orm, sqlalchemy.dialects.sqlite",
    "CPU: … + sqlalchemy.orm + app.store.models": (
        "import sqlalchemy.orm, sqlalchemy.dialects.sqlite, app.store.models"
    ),
    "CPU: import requests": "import requests",
    "CPU: import app.platform.client": "import app.platform.client",
}
FIGURES = (
    BARE, HELP, FIRST, QUERY, WHOLE, CPU_BARE, CPU_HELP, CPU_MAIN_FIRST, CPU_ALL_FIRST,
    CPU_SERIAL_FIRST, CPU_WHOLE,
    *CPU_LIBRARIES,
)  # fmt: skip
INFNO = re.compile(rb'"infno"\s*:\s*"(\d{4})"')


class FirstRequestProxy:
    """Forwards TCP connections to ``target_port`` and notes when requests first arrive."""

    def __init__(self, target_port: int) -> None:
        self._target = ("127.0.0.1", target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.first_bytes_at: float | None = None
        self.first_infno_at: dict[str, float] = {}
        self.client_pid: int | None = None
        self.cpu_at_first: tuple[float, float, float] | None = None
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self, client_pid: int | None = None) -> None:
        """Forget the previous run's requests; ``client_pid``'s CPU time is read at its first."""
        with self._lock:
            self.first_bytes_at = None
            self.first_infno_at = {}
            self.client_pid = client_pid
            self.cpu_at_first = None

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._target)
            threading.Thread(target=self._requests, args=(client, upstream), daemon=True).start()
            threading.Thread(target=_pump, args=(upstream, client), daemon=True).start()

    def _requests(self, client: socket.socket, upstream: socket.socket) -> None:
        """Client → platform, noting the time of the first bytes and of each first ``infno``."""
        seen = b""
        try:
            while chunk := client.recv(65536):
                now = time.perf_counter()
                seen = (seen + chunk)[-65536:]
                with self._lock:
                    if self.first_bytes_at is None:
                        self.first_bytes_at = now
                        if self.client_pid is not None:
                            self.cpu_at_first = _cpu_so_far(self.client_pid)
                    for infno in INFNO.findall(seen):
                        self.first_infno_at.setdefault(infno.decode(), now)
                upstream.sendall(chunk)
        except OSError:
            pass
        finally:
            for each in (client, upstream):
                with contextlib.suppress(OSError):
                    each.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Stop accepting."""
        self._listener.close()


def _cpu_so_far(pid: int) -> tuple[float, float, float] | None:
    """(main thread, whole process, every thread but the password check) CPU seconds of a running
    process so far (Linux ``/proc``).

    The main thread's is the start-up's serial path: what the wall time would be on an idle
    machine with a core to spare for the password check, whatever else the machine is doing — as
    long as the other threads release the GIL, as argon2 does. The third figure counts every thread
    but the password check's: a thread that imported modules (holding the GIL) would lower the first
    without making the start any faster, and shows here.
    """
    try:
        main_ns = _thread_ns(pid, pid)
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        others_ns = 0
        for task in Path(f"/proc/{pid}/task").iterdir():
            tid = int(task.name)
            if tid != pid and (task / "comm").read_text().strip() != LOGIN_AHEAD_THREAD:
                others_ns += _thread_ns(pid, tid)
    except (OSError, ValueError, IndexError):
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    return main_ns / 1e9, (int(fields[11]) + int(fields[12])) / ticks, (main_ns + others_ns) / 1e9


def _thread_ns(pid: int, tid: int) -> int:
    """CPU nanoseconds of thread ``tid`` of ``pid`` so far (``schedstat``)."""
    return int(Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split()[0])


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for each in (source, sink):
            with contextlib.suppress(OSError):
                each.shutdown(socket.SHUT_RDWR)


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def _cpu(command: list[str], env: dict[str, str]) -> float:
    """User + system CPU time of one run: unlike wall time, barely moved by other load."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env=env, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _prepare(folder: Path, server: SandboxServer, proxy: FirstRequestProxy) -> Path:
    """A configuration pointing at the proxy and a data folder with cashier C001."""
    config: dict[str, Any] = client_config(server)
    config["platform"]["url"] = config["platform"]["url"].replace(
        f":{server.port}", f":{proxy.port}"
    )
    config["data_dir"] = str(folder / "data")
    path = folder / "settlement-window.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    engine = build_engine(settings_from_mapping(config), folder / "data")
    try:
        with engine.uow_factory() as uow:
            uow.operators.add("C001", "收费员甲", Role.CASHIER, PASSWORD)
            uow.commit()
    finally:
        engine.close()
    return path


def _spread_ms(seconds: list[float]) -> tuple[float, float, float]:
    values = sorted(value * 1000 for value in seconds)
    return statistics.median(values), values[0], values[-1]


def _first_request(
    command: list[str], env: dict[str, str], proxy: FirstRequestProxy
) -> tuple[float, float, tuple[float, float, float] | None]:
    """(launch → first request bytes, launch → first 1101, the child's CPU at its first request)."""
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    proxy.reset(child.pid)
    if child.wait() != 0:
        raise RuntimeError("eligibility failed")
    first, query = proxy.first_bytes_at, proxy.first_infno_at.get("1101")
    if first is None or query is None:
        raise RuntimeError("eligibility sent no 1101")
    return first - started, query - started, proxy.cpu_at_first


def _rounds(
    runs: int, eligibility: list[str], env: dict[str, str], proxy: FirstRequestProxy
) -> dict[str, list[float]]:
    """Every figure ``runs`` times; rounds interleave the commands, so a change in the machine's
    load touches all alike."""
    python = eligibility[0]
    bare, help_ = [python, "-c", "pass"], [python, "-m", "app", "--help"]
    samples: dict[str, list[float]] = {name: [] for name in FIGURES}
    for _ in range(runs):
        samples[BARE].append(_timed(bare, env))
        samples[HELP].append(_timed(help_, env))
        first, query, cpu = _first_request(eligibility, env, proxy)
        samples[FIRST].append(first)
        samples[QUERY].append(query)
        if cpu is not None:
            samples[CPU_MAIN_FIRST].append(cpu[0])
            samples[CPU_ALL_FIRST].append(cpu[1])
            samples[CPU_SERIAL_FIRST].append(cpu[2])
        samples[WHOLE].append(_timed(eligibility, env))
        samples[CPU_BARE].append(_cpu(bare, env))
        samples[CPU_HELP].append(_cpu(help_, env))
        samples[CPU_WHOLE].append(_cpu(eligibility, env))
        for name, code in CPU_LIBRARIES.items():
            samples[name].append(_cpu([python, "-c", code], env))
    return samples


def main(argv: list[str] | None = None) -> int:
    """Time a bare interpreter, ``--help`` and ``eligibility``'s first request; print medians."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp, SandboxServer() as server:
        # Like an installed program, with compiled bytecode: without it (PYTHONDONTWRITEBYTECODE,
        # set in some shells) every start recompiles every module, ≈ 0.3-0.6 s more. The cache goes
        # to the temporary folder, not into the source tree.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env.update(
            PYTHONPATH=str(ROOT),
            SW_OPERATOR_PASSWORD=PASSWORD,
            PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"),
        )
        proxy = FirstRequestProxy(server.port)
        try:
            config = _prepare(Path(tmp), server, proxy)
            who = next(p for p in server.identities() if p["name"] == PERSON)
            eligibility = [
                python, "-m", "app", "--config", str(config), "eligibility",
                "--id-number", who["id_number"], "--operator", "C001",
            ]  # fmt: skip
            # Byte-compile the program as an installation does; the warm-ups fill the libraries'.
            compile_app = [python, "-m", "compileall", "-q", str(ROOT / "app")]
            subprocess.run(compile_app, env=env, check=True, capture_output=True)
            for warm_up in ([python, "-m", "app", "--help"], eligibility):
                subprocess.run(warm_up, env=env, check=True, capture_output=True)
            samples = _rounds(args.runs, eligibility, env, proxy)
        finally:
            proxy.close()
    goals = {HELP: HELP_GOAL_S, FIRST: FIRST_REQUEST_GOAL_S}
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cli_startup: median of {args.runs} fresh processes (min–max); load average {load}")
    for name, values in samples.items():
        if not values:
            continue
        median, low, high = _spread_ms(values)
        goal = goals.get(name)
        verdict = ""
        if goal is not None:
            met = "met" if median <= goal * 1000 else "NOT met"
            verdict = f"  goal ≤ {goal * 1000:.0f} ms — {met}"
        print(f"  {name:<44} {median:7.0f} ms ({low:.0f}–{high:.0f}){verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
