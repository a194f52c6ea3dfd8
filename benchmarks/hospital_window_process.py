"""One window of ``benchmarks/hospital_windows.py``, as its own process (a window is its own PC).

The parent starts it with :func:`start_window` (``multiprocessing`` spawn: a fresh interpreter, as a
window's program is). The window is composed as production composes it: ``build_engine`` from its
configuration (with ``[hospital_db]`` in hospital mode: the msgid slot claimed in PostgreSQL, the HIS
charges claimed hospital-wide before every 2207, the shared operators and catalogue) and
``start_hospital_sync`` as ``app.main`` runs it (sync thread, window lock), woken after each settled
visit as the window wakes it.

It settles one warm-up visit (its 9001 sign-in; in hospital mode also the first sync round with the
shared pulls, waited for), says ``ready``, waits for the parent's start, settles its timed visits (the
demo bills 01 and 02 alternately, each a new HIS visit), waits until its outbox is empty (hospital
mode), and sends back a :class:`WindowRun`: per visit the wall time and the CPU of the window's own
thread (the cashier's path), and the whole process's CPU from the start to the drained outbox (the
sync thread included: what the window's PC spends for it).
"""

from __future__ import annotations

import secrets
import statistics
import time
from dataclasses import dataclass, field, replace
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

DEMO_BILLS = Path(__file__).resolve().parents[1] / "resources" / "demo_bills"
BILLS = ("01", "02")
DRAIN_POLL_S = 0.02
DRAIN_TIMEOUT_S = 120.0
START_TIMEOUT_S = 900.0


@dataclass
class WindowSpec:
    """What the parent tells a window process."""

    name: str
    folder: str
    config: dict[str, Any]
    visits: int
    slot: int | None = None  # a stand-alone window's msgid slot (hospital mode claims its own)
    pause_s: float = 0.0  # between two visits (the next patient steps up), not timed
    profile: str = ""  # write a cProfile of the timed visits here (``--profile``)


@dataclass
class WindowRun:
    """What one window did in one round."""

    name: str
    hospital: bool = False
    visit_seconds: list[float] = field(default_factory=list)
    visit_cpu_seconds: list[float] = field(default_factory=list)
    process_cpu_seconds: float = 0.0  # from the start to the drained outbox, every thread
    settlement_ids: list[str] = field(default_factory=list)
    returned_at: dict[str, float] = field(default_factory=dict)  # epoch seconds
    warm_up_settlements: int = 0
    drain_seconds: float = 0.0  # after the last visit, until the outbox was empty
    error: str = ""

    @property
    def mean_s(self) -> float:
        """Mean local time per timed visit (the bills alternate: a median would pick one kind)."""
        return statistics.fmean(self.visit_seconds) if self.visit_seconds else float("nan")

    @property
    def mean_cpu_s(self) -> float:
        """Mean CPU of the window's own thread per timed visit."""
        return statistics.fmean(self.visit_cpu_seconds) if self.visit_cpu_seconds else float("nan")

    @property
    def process_cpu_per_visit(self) -> float:
        """The window process's CPU (every thread) per timed visit."""
        visits = len(self.visit_seconds)
        return self.process_cpu_seconds / visits if visits else float("nan")


@dataclass
class Window:
    """A composed window: its engine, its cashier and, in hospital mode, its sync worker."""

    engine: Any
    cashier: Any
    closers: list[Any] = field(default_factory=list)
    worker: Any = None

    def settled(self) -> None:
        """As the window does on ``group_settled``: run a sync round now."""
        if self.worker is not None:
            self.worker.wake()

    def pending(self) -> int:
        """Records in the local outbox not yet in the hospital record."""
        with self.engine.uow_factory() as uow:
            return int(uow.replica.stats().pending)

    def close(self) -> None:
        """Stop the sync worker, release the window lock and pools, close the engine."""
        for closer in reversed(self.closers):
            closer()
        self.engine.close()


def open_window(spec: WindowSpec) -> Window:
    """Compose the window from its configuration, as the window's program does."""
    from argon2 import PasswordHasher  # noqa: PLC0415

    from app.config import settings_from_mapping  # noqa: PLC0415
    from app.domain.operator import Role  # noqa: PLC0415
    from app.hospital_window import start_hospital_sync  # noqa: PLC0415
    from app.wiring import build_engine  # noqa: PLC0415

    engine = build_engine(
        settings_from_mapping(spec.config),
        Path(spec.folder),
        password_hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
    )
    with engine.uow_factory() as uow:
        uow.operators.add("C001", "收费员", Role.CASHIER, "Bench-pass-2026")
        if spec.slot is not None:
            uow.msgids.use_window_slot(spec.slot)
        uow.commit()
    window = Window(engine, engine.operator("C001"))
    if "hospital_db" in spec.config:
        window.worker = start_hospital_sync(window, engine)
    return window


def _visits() -> list[Any]:
    from app.services.bill_import import load_visit  # noqa: PLC0415

    return [load_visit(next(DEMO_BILLS.glob(f"{prefix}*.json"))) for prefix in BILLS]


def _new_visit(visit: Any, window: str, n: int) -> Any:
    # Another HIS visit every time: a visit's charges are settled once (issue #11 item 1).
    return replace(visit, outpatient_no=f"MZ{window}{n:04d}{secrets.token_hex(4).upper()}")


def _settle(window: Window, visit: Any, run: WindowRun) -> None:
    bill = window.engine.settle_visit(visit, window.cashier)
    window.settled()
    unsettled = [
        f"{g.group_key} {g.state.value} {g.failure}" for g in bill.groups if not g.settlement_id
    ]
    if unsettled:
        raise RuntimeError(f"groups not settled: {unsettled}")
    now = time.time()
    for group in bill.groups:
        if group.settlement_id:
            run.settlement_ids.append(group.settlement_id)
            run.returned_at[group.settlement_id] = now


def _wait_drained(window: Window) -> None:
    """Until the outbox is empty (hospital mode; at once for a stand-alone window)."""
    if window.worker is None:
        return
    deadline = time.monotonic() + DRAIN_TIMEOUT_S
    while window.pending():
        if time.monotonic() > deadline:
            raise RuntimeError(f"outbox not drained in {DRAIN_TIMEOUT_S:.0f} s")
        time.sleep(DRAIN_POLL_S)


def _timed(window: Window, run: WindowRun, spec: WindowSpec) -> None:
    bills = _visits()
    profiler: Any = None
    if spec.profile:
        import cProfile  # noqa: PLC0415

        profiler = cProfile.Profile(time.thread_time)  # the cashier's path: CPU, not waits
    if profiler is not None and window.worker is not None:
        _profile_sync_rounds(window.worker, spec.profile.replace(".prof", "-sync.prof"))
    cpu = time.process_time()
    for n in range(spec.visits):
        if n and spec.pause_s:
            time.sleep(spec.pause_s)
        visit = _new_visit(bills[n % len(bills)], run.name, n + 1)
        started, thread_cpu = time.perf_counter(), time.thread_time()
        if profiler is not None:
            profiler.enable()
        _settle(window, visit, run)
        if profiler is not None:
            profiler.disable()
        run.visit_seconds.append(time.perf_counter() - started)
        run.visit_cpu_seconds.append(time.thread_time() - thread_cpu)
    drained = time.perf_counter()
    _wait_drained(window)
    run.drain_seconds = time.perf_counter() - drained
    run.process_cpu_seconds = time.process_time() - cpu
    if profiler is not None:
        profiler.dump_stats(spec.profile)


def _profile_sync_rounds(worker: Any, path: str) -> None:
    """Profile the sync thread's rounds (its CPU) into ``path``, rewritten after each round."""
    import cProfile  # noqa: PLC0415

    profiler = cProfile.Profile(time.thread_time)
    plain = worker.run_round

    def run_round() -> Any:
        profiler.enable()
        try:
            return plain()
        finally:
            profiler.disable()
            profiler.dump_stats(path)

    worker.run_round = run_round


def window_main(spec: WindowSpec, conn: Connection, start: Event) -> None:
    """The window process's body: compose, warm up, ``ready``, wait, settle, report, close."""
    run = WindowRun(spec.name, hospital="hospital_db" in spec.config)
    window: Window | None = None
    try:
        window = open_window(spec)
        _settle(window, _new_visit(_visits()[0], spec.name, 0), run)  # warm-up: 9001
        run.warm_up_settlements = len(run.settlement_ids)
        _wait_drained(window)  # the first sync round and its shared pulls, before the clock runs
    except Exception as exc:  # reported; the round's figures say it
        run.error = f"warm-up: {exc!r}"
    conn.send(("ready", run.error))
    if not run.error:
        if not start.wait(START_TIMEOUT_S):
            run.error = "no start from the parent"
        else:
            try:
                assert window is not None
                _timed(window, run, spec)
            except Exception as exc:
                run.error = repr(exc)
    try:
        if window is not None:
            window.close()
    finally:
        conn.send(("done", run))
        conn.close()
