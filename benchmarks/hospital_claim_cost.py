"""What the hospital-wide charge claim costs one window per visit (issue 13 with issue #11 item 1).

    .venv/bin/python -m benchmarks.hospital_claim_cost [--visits 20] [--latency-ms 0 100] [--pg-url URL]

One window, one sandbox, alternating rounds of ``--visits`` visits (demo bills 01 and 02, each a new
HIS visit) on two engines built exactly as a window builds them from its configuration: one without
``[hospital_db]`` (SQLite only), one with it (its charges claimed in PostgreSQL before the 2207, its
sync loop running), against a throwaway schema on the PostgreSQL at 127.0.0.1:5432 (dropped
afterwards). Prints the mean local time per visit of each and their ratio (goal ≤ 1.10×). Timings
are printed, never asserted.
"""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from argon2 import PasswordHasher

from app.config import settings_from_mapping
from app.domain.operator import Role
from app.hospital_window import start_hospital_sync
from app.sandbox import SandboxServer, client_config
from app.services.engine import Engine
from app.store.hospital.key import create_hospital_key
from app.wiring import build_engine
from benchmarks.hospital_window_process import _visits
from benchmarks.hospital_windows import DEFAULT_PG_URL, hospital_schema

WARM_UP = 2


def _engine(server: SandboxServer, folder: Path, hospital: dict[str, Any] | None) -> Engine:
    config: dict[str, Any] = client_config(server)
    config["window"] = {"device_no": "W01" if hospital is None else "W02"}
    if hospital is not None:
        config["hospital_db"] = hospital
    engine = build_engine(
        settings_from_mapping(config),
        folder,
        password_hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
    )
    with engine.uow_factory() as uow:
        uow.operators.add("C001", "收费员", Role.CASHIER, "Bench-pass-2026")
        if hospital is None:  # the hospital-mode window took its slot from PostgreSQL
            uow.msgids.use_window_slot(50)
        uow.commit()
    return engine


def _settle(engine: Engine, n: int) -> float:
    bills = _visits()
    visit = replace(bills[n % 2], outpatient_no=f"MZCLAIM{secrets.token_hex(6).upper()}")
    started = time.perf_counter()
    bill = engine.settle_visit(visit, engine.operator("C001"))
    elapsed = time.perf_counter() - started
    if not all(g.settlement_id for g in bill.groups):
        raise RuntimeError(f"not settled: {[g.state.value for g in bill.groups]}")
    return elapsed


def run(visits: int, latency_ms: int, pg_url: str) -> tuple[float, float]:
    """(mean seconds per visit SQLite-only, in hospital mode)."""
    with (
        tempfile.TemporaryDirectory() as temp,
        SandboxServer() as server,
        hospital_schema(pg_url) as target,
    ):
        folder = Path(temp)
        key = folder / "hospital.key"
        create_hospital_key(key)
        hospital = {
            "url": f"{pg_url}?options=-csearch_path%3D{target.name}",
            "hospital_key_file": str(key),
        }
        plain = _engine(server, folder / "plain", None)
        mode = _engine(server, folder / "hospital", hospital)
        session = SimpleNamespace(closers=[])
        worker = start_hospital_sync(session, mode)
        try:
            for n in range(WARM_UP):  # sign-in (9001), first connections
                _settle(plain, n)
                _settle(mode, n)
            server.set_latency(fixed=latency_ms / 1000)
            times: dict[str, list[float]] = {"plain": [], "hospital": []}
            for n in range(visits):  # alternate, so the machine's load hits both alike
                times["plain"].append(_settle(plain, n))
                times["hospital"].append(_settle(mode, n))
                if worker is not None:
                    worker.wake()
            return statistics.fmean(times["plain"]), statistics.fmean(times["hospital"])
        finally:
            for closer in reversed(session.closers):
                closer()
            plain.close()
            mode.close()


def main(argv: list[str] | None = None) -> int:
    """Print one line per platform latency."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--visits", type=int, default=20)
    parser.add_argument("--latency-ms", type=int, nargs="+", default=[0, 100])
    parser.add_argument("--pg-url", default=DEFAULT_PG_URL)
    args = parser.parse_args(argv)
    for latency in args.latency_ms:
        plain, mode = run(args.visits, latency, args.pg_url)
        print(
            f"hospital_claim_cost: latency {latency} ms, {args.visits} visits each: "
            f"SQLite only {plain * 1000:.0f} ms/visit, hospital mode {mode * 1000:.0f} ms/visit, "
            f"ratio {mode / plain:.2f}x (goal <= 1.10x)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
