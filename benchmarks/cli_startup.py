"""CLI start-up: ``--help`` and ``eligibility`` up to its first request, next to a bare interpreter.

Goals (issue #11 item 15): ``settlement-window --help`` ≤ 0.2 s and ``eligibility`` sending its first
request ≤ 0.5 s after launch, on the 2-core machine. Each figure is the median of ``--runs`` fresh
processes; a bare ``python -c pass`` is timed in the same run so a busy machine can be recognised.

The first request is seen by a byte-forwarding proxy in front of the in-process sandbox: the time
from launching the process to the proxy accepting its first connection.

    .venv/bin/python -m benchmarks.cli_startup [--runs 7]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
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


class FirstRequestProxy:
    """Forwards TCP connections to ``target_port`` and notes when the first one arrived."""

    def __init__(self, target_port: int) -> None:
        self._target = ("127.0.0.1", target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.first_at: float | None = None
        threading.Thread(target=self._accept, daemon=True).start()

    def reset(self) -> None:
        """Forget the previous run's first connection."""
        self.first_at = None

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.first_at is None:
                self.first_at = time.perf_counter()
            upstream = socket.create_connection(self._target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()

    def close(self) -> None:
        """Stop accepting."""
        self._listener.close()


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


def _median_ms(measure: Callable[[], float], runs: int) -> tuple[float, float, float]:
    values = sorted(measure() * 1000 for _ in range(runs))
    return statistics.median(values), values[0], values[-1]


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
        # to the temporary folder, not into the source tree; one warm-up run fills it.
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

            def first_request() -> float:
                proxy.reset()
                started = time.perf_counter()
                subprocess.run(eligibility, env=env, check=True, capture_output=True)
                assert proxy.first_at is not None, "eligibility sent no request"
                return proxy.first_at - started

            for warm_up in ([python, "-m", "app", "--help"], eligibility):
                subprocess.run(warm_up, env=env, check=True, capture_output=True)
            figures = {
                "bare interpreter (python -c pass)": _median_ms(
                    lambda: _timed([python, "-c", "pass"], env), args.runs
                ),
                "settlement-window --help": _median_ms(
                    lambda: _timed([python, "-m", "app", "--help"], env), args.runs
                ),
                "eligibility: launch → first request": _median_ms(first_request, args.runs),
                "eligibility: whole command": _median_ms(
                    lambda: _timed(eligibility, env), args.runs
                ),
                "CPU: bare interpreter": _median_ms(
                    lambda: _cpu([python, "-c", "pass"], env), args.runs
                ),
                "CPU: settlement-window --help": _median_ms(
                    lambda: _cpu([python, "-m", "app", "--help"], env), args.runs
                ),
                "CPU: eligibility, whole command": _median_ms(
                    lambda: _cpu(eligibility, env), args.runs
                ),
            }
        finally:
            proxy.close()
    goals = {
        "settlement-window --help": HELP_GOAL_S,
        "eligibility: launch → first request": FIRST_REQUEST_GOAL_S,
    }
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"cli_startup: median of {args.runs} fresh processes (min–max); load average {load}")
    for name, (median, low, high) in figures.items():
        goal = goals.get(name)
        verdict = ""
        if goal is not None:
            met = "met" if median <= goal * 1000 else "NOT met"
            verdict = f"  goal ≤ {goal * 1000:.0f} ms — {met}"
        print(f"  {name:<40} {median:7.0f} ms ({low:.0f}–{high:.0f}){verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
