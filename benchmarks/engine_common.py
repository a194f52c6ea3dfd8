"""Shared set-up of the engine benchmarks: an in-process sandbox, an engine on a temporary data folder,
and a raw ``requests`` client speaking Part A to the same sandbox (the baseline)."""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
from argon2 import PasswordHasher
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import event

from app.config import settings_from_mapping
from app.domain.operator import Operator, Role
from app.sandbox import SandboxServer, client_config
from app.services.engine import Engine
from app.wiring import build_engine

CALL_PATH = "/fsi/api/rsfComIfsService/callService"


@dataclass
class Bench:
    """A running sandbox, an engine and a cashier."""

    server: SandboxServer
    engine: Engine
    cashier: Operator
    folder: Path


@contextmanager
def bench_setup() -> Iterator[Bench]:
    """Sandbox + engine in a temporary folder, torn down afterwards."""
    with tempfile.TemporaryDirectory(prefix="sw-bench-") as name:
        folder = Path(name)
        server = SandboxServer(state_path=folder / "sandbox.sqlite3", seed=1)
        server.start()
        engine = build_engine(
            settings_from_mapping(client_config(server)),
            folder / "data",
            password_hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
        )
        try:
            with engine.uow_factory() as uow:
                uow.operators.add("C001", "收费员", Role.CASHIER, "Bench-pass-2026")
                uow.commit()
            yield Bench(server, engine, engine.operator("C001"), folder)
        finally:
            engine.close()
            server.stop()


class RawClient:
    """The baseline: signed Part A requests with plain ``requests``, no journal, no store."""

    def __init__(self, server: SandboxServer) -> None:
        """Bind to a running sandbox."""
        self.server = server
        self.http = requests.Session()
        self._numbers = itertools.count(1)
        self.sign_no = ""

    def close(self) -> None:
        """Close the HTTP session."""
        self.http.close()

    def _msgid(self) -> str:
        number = next(self._numbers) % 10000
        return f"{self.server.hospital.code}{datetime.now():%Y%m%d%H%M%S}{number:04d}"  # noqa: DTZ005

    def call(self, infno: str, input_: Mapping[str, Any], insuplc: str = "") -> dict[str, Any]:
        """One signed transaction; returns the parsed envelope (asserting success)."""
        hospital = self.server.hospital
        envelope = {
            "infno": infno, "msgid": self._msgid(), "mdtrtarea_admvs": hospital.admdvs,
            "insuplc_admdvs": insuplc, "recer_sys_code": "YBXT", "dev_no": "", "dev_safe_info": "",
            "cainfo": "", "signtype": "", "infver": "V1.0", "opter_type": "1", "opter": "C001",
            "opter_name": "收费员", "inf_time": f"{datetime.now():%Y-%m-%d %H:%M:%S}",  # noqa: DTZ005
            "fixmedins_code": hospital.code, "fixmedins_name": hospital.name,
            "sign_no": self.sign_no, "input": dict(input_),
        }  # fmt: skip
        stamp = str(int(time.time()))
        nonce = uuid.uuid4().hex
        token = self.server.token
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "x-tif-paasid": self.server.passid,
            "x-tif-timestamp": stamp,
            "x-tif-nonce": nonce,
            "x-tif-signature": hashlib.sha256(f"{stamp}{token}{nonce}{stamp}".encode()).hexdigest(),
        }
        body = json.dumps(envelope, ensure_ascii=False, default=str).encode("utf-8")
        response = self.http.post(
            self.server.url + CALL_PATH, data=body, headers=headers, timeout=30
        )
        reply: dict[str, Any] = json.loads(response.text, parse_float=Decimal)
        if reply.get("infcode") != 0:
            raise RuntimeError(f"{infno}: {reply.get('err_msg')}")
        return reply

    def sign_in(self) -> None:
        """9001."""
        reply = self.call("9001", {"signIn": {"opter_no": "C001", "mac": "", "ip": "127.0.0.1"}})
        self.sign_no = str(reply["output"]["signinoutb"]["sign_no"])

    def person(self, id_number: str) -> tuple[dict[str, Any], str]:
        """1101 + 5301 by ID number; returns (1101 output, insured region)."""
        data = {"mdtrt_cert_type": "02", "mdtrt_cert_no": id_number, "card_sn": "", "begntime": "",
                "psn_cert_type": "01", "certno": id_number, "psn_name": ""}  # fmt: skip
        info = self.call("1101", {"data": data})["output"]
        psn_no = info["baseinfo"]["psn_no"]
        insuplc = next(r["insuplc_admdvs"] for r in info["insuinfo"] if r["psn_insu_stas"] == "1")
        self.call("5301", {"data": {"psn_no": psn_no}}, insuplc)
        return info, insuplc


# The in-process sandbox answers in a few milliseconds, so the client's local work is measured against
# almost nothing; the national platform's published average answer time is about 0.8 s per call.
# Each overhead benchmark runs once with no added latency (the worst case for the ratio) and once
# with 100 ms per call, a platform eight times faster than that average.
DEFAULT_LATENCIES_MS = (0, 100)


def add_latency_argument(parser: argparse.ArgumentParser) -> None:
    """``--latency-ms`` (one or more values, milliseconds added by the sandbox to every call)."""
    parser.add_argument(
        "--latency-ms",
        type=int,
        nargs="+",
        default=list(DEFAULT_LATENCIES_MS),
        help="platform latency per call to measure at, in ms (default: 0 100)",
    )


def at_latency(bench: Bench, latency_ms: int) -> None:
    """Make the sandbox wait ``latency_ms`` before answering every request."""
    bench.server.set_latency(fixed=latency_ms / 1000)


def verdict(ratio: float, target: float) -> str:
    """``ok`` or ``ABOVE TARGET``."""
    return "ok" if ratio <= target else "ABOVE TARGET"


def median_ratio(
    raw: Callable[[], None], ours: Callable[[], None], runs: int
) -> tuple[float, float, float]:
    """Alternate the two sides ``runs`` times; (raw median s, ours median s, ratio)."""
    found = compare(raw, ours, runs)
    return found.raw, found.ours, found.ratio


@dataclass(frozen=True)
class Comparison:
    """Medians (and minima) of the two sides, alternated in one run, in seconds.

    ``*_cpu`` is the process's CPU time (every thread: the sandbox answers in-process, so both sides
    include its work and the difference is our local work without the time spent waiting for
    ``fsync`` or for other processes). On a shared machine the wall figures move with the load;
    the CPU difference moves much less.
    """

    raw: float
    ours: float
    raw_min: float
    ours_min: float
    raw_cpu: float
    ours_cpu: float

    @property
    def ratio(self) -> float:
        """Services median / raw median."""
        return self.ours / self.raw

    @property
    def extra_ms(self) -> float:
        """Extra wall time per run (medians), ms."""
        return (self.ours - self.raw) * 1000

    @property
    def extra_min_ms(self) -> float:
        """Extra wall time per run (minima), ms."""
        return (self.ours_min - self.raw_min) * 1000

    @property
    def extra_cpu_ms(self) -> float:
        """Extra process CPU time per run (medians), ms."""
        return (self.ours_cpu - self.raw_cpu) * 1000

    def line(self) -> str:
        """The figures after the medians, for a benchmark's printed line."""
        return (
            f"min raw {self.raw_min * 1000:.1f} / services {self.ours_min * 1000:.1f} ms "
            f"(extra {self.extra_min_ms:.1f} ms); process CPU raw {self.raw_cpu * 1000:.1f} / "
            f"services {self.ours_cpu * 1000:.1f} ms (extra {self.extra_cpu_ms:.1f} ms)"
        )


def compare(raw: Callable[[], None], ours: Callable[[], None], runs: int) -> Comparison:
    """Alternate the two sides ``runs`` times, timing wall and process CPU time."""
    times: dict[str, list[float]] = {"raw": [], "ours": [], "raw_cpu": [], "ours_cpu": []}
    for _ in range(runs):
        for side, work in (("raw", raw), ("ours", ours)):
            cpu = time.process_time()
            started = time.perf_counter()
            work()
            times[side].append(time.perf_counter() - started)
            times[f"{side}_cpu"].append(time.process_time() - cpu)
    median = statistics.median
    return Comparison(
        raw=median(times["raw"]),
        ours=median(times["ours"]),
        raw_min=min(times["raw"]),
        ours_min=min(times["ours"]),
        raw_cpu=median(times["raw_cpu"]),
        ours_cpu=median(times["ours_cpu"]),
    )


def load_average() -> str:
    """The machine's 1-minute load average now (``uptime``), for the printed line."""
    try:
        return f"{os.getloadavg()[0]:.1f}"
    except OSError:  # pragma: no cover - not on this platform
        return "?"


@contextmanager
def store_counts(folder: Path) -> Iterator[dict[str, int]]:
    """Count SQL statements, ``BEGIN``s and commits on the engine's store under ``folder``."""
    counts = {"statements": 0, "transactions": 0, "commits": 0}
    prefix = str(folder)

    def ours(connection: Any) -> bool:
        return str(connection.engine.url.database or "").startswith(prefix)

    def on_statement(connection: Any, *_args: Any) -> None:
        if ours(connection):
            counts["statements"] += 1

    def on_begin(connection: Any) -> None:
        if ours(connection):
            counts["transactions"] += 1

    def on_commit(connection: Any) -> None:
        if ours(connection):
            counts["commits"] += 1

    listeners = (
        ("before_cursor_execute", on_statement),
        ("begin", on_begin),
        ("commit", on_commit),
    )
    for name, listener in listeners:
        event.listen(SqlEngine, name, listener)
    try:
        yield counts
    finally:
        for name, listener in listeners:
            event.remove(SqlEngine, name, listener)
