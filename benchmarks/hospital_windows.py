"""Hospital mode: N windows settling at once against one sandbox and one PostgreSQL (issue 13).

    .venv/bin/python -m benchmarks.hospital_windows [--windows 1 5 20] [--visits 4] [--rounds 2]
        [--baseline-visits 6] [--latency-ms 0 100 300] [--pause-ms 0] [--sync-interval 2.0]
        [--no-sqlite-peers] [--profile DIR] [--pg-url URL]

Each window is **its own process** (``multiprocessing`` spawn; :mod:`benchmarks.hospital_window_process`),
as each window of a hospital is its own PC, on its own SQLite data folder, all against one sandbox (in
this process) and one throwaway schema on the PostgreSQL at 127.0.0.1:5432 (db ``test``;
``HOSPITAL_TEST_DB_URL`` or ``--pg-url`` names another), dropped afterwards. A hospital-mode window is
composed exactly as a window composes itself from its configuration: ``build_engine`` with
``[hospital_db]`` and ``start_hospital_sync`` as ``app.main`` runs it (sync thread, window lock), woken
after every settled visit. For each window count N and platform latency, ``--rounds`` times: one
stand-alone SQLite window (the single-window figure the goal is against), N stand-alone SQLite windows
(the same contention without hospital mode; ``--no-sqlite-peers`` skips them), N hospital-mode windows
— alternating, so the machine's load hits all alike.

Every window settles one warm-up visit (9001; in hospital mode its first sync round and shared pulls
too), then its timed visits (demo bills 01 and 02 alternately, each a new HIS visit). Printed per N:

* settlements per minute (the timed visits' platform settlements over the time from the start to the
  last visit's return);
* wall time per visit: each hospital-mode window's mean against the single SQLite window's, ratio
  (goal ≤ 1.10×), and against the N SQLite-only windows (the machine's contention taken out);
* CPU per visit of each window's own thread (the cashier's path) and of each window process (its sync
  thread included, from the start until its outbox is empty: what the window's PC spends), each
  against the single SQLite window's. On a machine with fewer cores than busy windows, wall time
  measures the machine's contention; the CPU figures are what a window's own PC would spend;
* replication lag p50/p95/max: from ``settle_visit`` returning (the settlement is committed locally
  by then) to a poller (every 50 ms) first seeing its row in ``hospital_settlements`` (goal ≤ 2 s);
* consistency: every platform settlement of the round is in ``hospital_settlements`` with the same
  fund / account / cash / total, and the hospital totals equal the sandbox ledger's to the fen. A
  mismatch makes the exit code 1 (a correctness failure; timings are never asserted).
"""

from __future__ import annotations

import argparse
import itertools
import math
import multiprocessing
import os
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as SqlEngine
from sqlalchemy import create_engine, select, text

from app.sandbox import SandboxServer, client_config
from app.store.hospital import schema
from app.store.hospital.connect import open_hospital_engine, upgrade
from app.store.hospital.key import create_hospital_key
from benchmarks.hospital_window_process import WindowRun, WindowSpec, window_main

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BASELINE_VISITS = 6
TARGET_RATIO = 1.10
TARGET_LAG_P95_S = 2.0
POLL_S = 0.05
CATCH_UP_TIMEOUT_S = 60.0
READY_TIMEOUT_S = 600.0
DONE_TIMEOUT_S = 1800.0
MONEY_FIELDS = (  # (hospital_settlements column, sandbox ledger field)
    ("total", "medfee_sumamt"),
    ("fund", "fund_pay_sumamt"),
    ("account", "acct_pay"),
    ("cash", "psn_cash_pay"),
)
Money = tuple[Decimal, Decimal, Decimal, Decimal]


@dataclass
class RoundResult:
    """One or more rounds of N windows, with or without hospital mode."""

    windows: list[WindowRun]
    wall_seconds: float
    timed_settlements: int
    hospital: bool
    lags: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    platform_count: int = 0
    hospital_count: int = 0
    platform_total: Money | None = None
    hospital_total: Money | None = None
    platform_calls: int = 0  # requests the sandbox answered during the timed visits
    latency_s: float = 0.0  # the sandbox's fixed latency per call

    @property
    def calls_per_visit(self) -> float:
        """Platform calls per timed visit (every window settles the same bills in turn)."""
        visits = sum(len(run.visit_seconds) for run in self.settled)
        return self.platform_calls / visits if visits else 0.0

    @property
    def platform_s(self) -> float:
        """The raw platform time of a visit: its calls times the latency of each."""
        return self.calls_per_visit * self.latency_s

    @property
    def per_minute(self) -> float:
        """Platform settlements of the timed visits per minute of wall time."""
        return self.timed_settlements * 60 / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def settled(self) -> list[WindowRun]:
        """The windows that settled timed visits."""
        return [run for run in self.windows if run.visit_seconds]

    @property
    def mean_s(self) -> float:
        """Mean local time per visit over every window."""
        return statistics.fmean(r.mean_s for r in self.settled)

    @property
    def mean_cpu_s(self) -> float:
        """Mean window-thread CPU per visit over every window."""
        return statistics.fmean(r.mean_cpu_s for r in self.settled)

    @property
    def process_cpu_per_visit(self) -> float:
        """Mean window-process CPU (sync thread included) per visit over every window."""
        return statistics.fmean(r.process_cpu_per_visit for r in self.settled)


def merged(results: Sequence[RoundResult]) -> RoundResult:
    """Several rounds of the same kind as one (figures pooled, problems kept)."""
    totals = [r.platform_total for r in results if r.platform_total is not None]
    spent = [r.hospital_total for r in results if r.hospital_total is not None]
    return RoundResult(
        windows=[w for r in results for w in r.windows],
        wall_seconds=sum(r.wall_seconds for r in results),
        timed_settlements=sum(r.timed_settlements for r in results),
        hospital=results[0].hospital,
        lags=[lag for r in results for lag in r.lags],
        problems=[p for r in results for p in r.problems],
        platform_count=sum(r.platform_count for r in results),
        hospital_count=sum(r.hospital_count for r in results),
        platform_total=_sum_money(totals) if totals else None,
        hospital_total=_sum_money(spent) if spent else None,
        platform_calls=sum(r.platform_calls for r in results),
        latency_s=results[0].latency_s,
    )


def _sum_money(rows: Sequence[Money]) -> Money:
    return money_total({str(n): row for n, row in enumerate(rows)})


# ------------------------------------------------------------------------------------ PostgreSQL


@dataclass
class HospitalSchema:
    """A throwaway schema on the server, upgraded to the newest revision."""

    url: str
    name: str
    key_file: Path

    def engine(self) -> SqlEngine:
        """A new pool on the schema."""
        return open_hospital_engine(self.url, search_path=self.name)

    def settings(self, sync_interval: float) -> dict[str, Any]:
        """A window's ``[hospital_db]`` on this schema."""
        joiner = "&" if "?" in self.url else "?"
        return {
            "url": f"{self.url}{joiner}options=-csearch_path%3D{self.name}",
            "hospital_key_file": str(self.key_file),
            "sync_interval_seconds": sync_interval,
        }


@contextmanager
def hospital_schema(url: str, key_file: Path | None = None) -> Iterator[HospitalSchema]:
    """Create ``hsp_bench_…``, upgrade it, drop it afterwards (the hospital key in ``key_file``,
    created if missing; a temporary file by default)."""
    admin = create_engine(url, connect_args={"connect_timeout": 5})
    name = f"hsp_bench_{secrets.token_hex(5)}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    try:
        with tempfile.TemporaryDirectory(prefix="sw-hkey-") as temp:
            key = key_file or Path(temp) / "hospital.key"
            if not key.exists():
                create_hospital_key(key)
            target = HospitalSchema(url, name, key)
            database = target.engine()
            try:
                upgrade(database)
            finally:
                database.dispose()
            yield target
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


class Poller:
    """Notes when each settlement's row first appears in ``hospital_settlements``.

    It polls from its own process: a thread here would take the interpreter lock from the sandbox
    this process serves, and slow the platform's answers in the hospital rounds only.
    """

    def __init__(self, target: HospitalSchema) -> None:
        """Poll ``target``'s schema."""
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_poll, args=(target.url, target.name, child), name="lag-poller", daemon=True
        )
        self._process.start()
        child.close()
        self.first_seen: dict[str, float] = {}
        self._done = False

    def ready(self, timeout: float = READY_TIMEOUT_S) -> Poller:
        """Wait for its first poll."""
        if not self._conn.poll(timeout):
            raise TimeoutError("the lag poller did not start")
        self._conn.recv()
        return self

    def finish(self, ids: set[str], timeout: float = CATCH_UP_TIMEOUT_S) -> None:
        """Poll until every one of ``ids`` was seen (or ``timeout``), then take what it saw."""
        if self._done:
            return
        self._done = True
        self._conn.send((ids, timeout))
        if self._conn.poll(timeout + 30):
            self.first_seen = self._conn.recv()
        self.stop()

    def stop(self) -> None:
        """End the poller's process (ours)."""
        self._done = True
        self._process.join(5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(5)
        self._conn.close()

    def lags(self, committed: dict[str, float]) -> list[float]:
        """Seconds from each settlement's local commit (epoch seconds) to its row being seen."""
        return [
            self.first_seen[key] - at for key, at in committed.items() if key in self.first_seen
        ]


def _poll(url: str, name: str, conn: Connection) -> None:
    """The poller process: every ``POLL_S``, the settlement ids in the schema; after the parent
    sends the ids it waits for, until all are seen or the time is up, then their first sightings."""
    database = open_hospital_engine(url, search_path=name)
    s = schema.settlements
    first_seen: dict[str, float] = {}
    wanted: set[str] | None = None
    deadline = 0.0
    try:
        conn_said_ready = False
        while True:
            with database.connect() as connection:
                rows = connection.execute(select(s.c.settlement_id)).scalars().all()
            now = time.time()
            for settlement_id in rows:
                first_seen.setdefault(settlement_id, now)
            if not conn_said_ready:
                conn.send("ready")
                conn_said_ready = True
            if wanted is None and conn.poll():
                wanted, timeout = conn.recv()
                deadline = time.monotonic() + timeout
            if wanted is not None and (wanted <= set(first_seen) or time.monotonic() > deadline):
                conn.send(first_seen)
                return
            time.sleep(POLL_S)
    finally:
        database.dispose()


def hospital_money(database: SqlEngine) -> dict[str, Money]:
    """Every row of ``hospital_settlements``: settlement id → (total, fund, account, cash)."""
    s = schema.settlements
    columns = [s.c[column] for column, _ in MONEY_FIELDS]
    with database.connect() as connection:
        rows = connection.execute(select(s.c.settlement_id, *columns)).all()
    return {row[0]: (row[1], row[2], row[3], row[4]) for row in rows}


# ----------------------------------------------------------------------------------- consistency


def platform_money(ledger: Sequence[dict[str, Any]], before: set[str]) -> dict[str, Money]:
    """The round's platform settlements (2207/2208 not reversed, not in ``before``)."""
    rows: dict[str, Money] = {}
    for row in ledger:
        counted = row["infno"] in ("2207", "2208") and row["status"] != "reversed"
        if counted and row["setl_id"] not in before:
            rows[row["setl_id"]] = tuple(row[source] for _, source in MONEY_FIELDS)
    return rows


def money_total(rows: dict[str, Money]) -> Money:
    """Column sums, quantized to the fen."""
    sums = [sum((row[i] for row in rows.values()), Decimal("0")) for i in range(4)]
    cent = Decimal("0.01")
    return (
        sums[0].quantize(cent),
        sums[1].quantize(cent),
        sums[2].quantize(cent),
        sums[3].quantize(cent),
    )


def consistency_problems(
    local_ids: Sequence[str], platform: dict[str, Money], hospital: dict[str, Money]
) -> list[str]:
    """What does not agree between the windows, the sandbox ledger and the hospital record."""
    problems: list[str] = []
    local = set(local_ids)
    if len(local) != len(local_ids):
        problems.append("a settlement id twice in the windows' stores")
    if missing := sorted(set(platform) - set(hospital)):
        problems.append(f"{len(missing)} platform settlements not in PostgreSQL: {missing[:5]}")
    if extra := sorted(set(hospital) - set(platform)):
        problems.append(f"{len(extra)} PostgreSQL settlements the platform lacks: {extra[:5]}")
    if local != set(platform):
        problems.append(
            f"windows' settlements ({len(local)}) differ from the platform's ({len(platform)})"
        )
    differ = sorted(k for k in set(platform) & set(hospital) if platform[k] != hospital[k])
    if differ:
        problems.append(f"{len(differ)} settlements with other amounts in PostgreSQL: {differ[:5]}")
    if money_total(platform) != money_total(hospital):
        problems.append(
            f"hospital totals {money_total(hospital)} != ledger totals {money_total(platform)}"
        )
    return problems


# ----------------------------------------------------------------------------------------- rounds

# A stand-alone window of a round takes a msgid slot no window of the run has used yet: a slot
# belongs to one window's store, and two stores on one slot in the same second would issue the same
# msgid. A hospital-mode window claims its slot in PostgreSQL as it does in production.
_SLOTS = itertools.cycle(range(1, 100))


def _into_the_next_second() -> None:
    """Wait into the next wall-clock second before a round opens its windows.

    Every round's windows have fresh stores, whose msgid counters start at the current second, and
    the same institution code and slot numbers come back in the next round (a fresh schema hands
    out slots from the start again). A round starting in a second the previous one still used would
    issue some of its msgids again, and the platform refuses those as duplicates (报文重复) —
    which the smoke test saw as a refused sign-in about one run in two.
    """
    time.sleep(1.0 - time.time() % 1.0 + 0.01)


@dataclass
class _Process:
    spec: WindowSpec
    process: Any
    conn: Connection
    run: WindowRun | None = None


def _collect(windows: Sequence[_Process], kind: str, timeout: float) -> dict[str, Any]:
    """Each window's next message, which must be ``kind``: name → payload (a dead window's is an
    error text)."""
    got: dict[str, Any] = {}
    by_conn = {id(w.conn): w for w in windows}
    deadline = time.monotonic() + timeout
    while len(got) < len(windows):
        waiting = [w.conn for w in windows if w.spec.name not in got]
        ready = wait(waiting, timeout=max(0.0, deadline - time.monotonic()))
        if not ready:
            late = sorted(w.spec.name for w in windows if w.spec.name not in got)
            raise TimeoutError(f"windows {late} sent no {kind!r} in {timeout:.0f} s")
        for conn in ready:
            window = by_conn[id(conn)]
            try:
                what, payload = window.conn.recv()
            except EOFError:
                what, payload = kind, f"window process ended (exit {window.process.exitcode})"
            if what != kind:
                payload = f"sent {what!r} instead of {kind!r}"
            got[window.spec.name] = payload
    return got


def _start(specs: Sequence[WindowSpec]) -> tuple[list[_Process], Any]:
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    windows: list[_Process] = []
    for spec in specs:
        receive, send = context.Pipe(duplex=False)
        process = context.Process(
            target=window_main, args=(spec, send, start), name=spec.name, daemon=True
        )
        process.start()
        send.close()
        windows.append(_Process(spec, process, receive))
    return windows, start


def _stop(windows: Sequence[_Process]) -> None:
    for window in windows:
        window.process.join(30)
        if window.process.is_alive():  # only ours: the round's own window processes
            window.process.terminate()
            window.process.join(10)
        window.conn.close()


def _specs(
    server: SandboxServer,
    folder: Path,
    count: int,
    visits: int,
    *,
    hospital: HospitalSchema | None,
    sync_interval: float,
    profile_dir: Path | None,
    pause_s: float = 0.0,
) -> list[WindowSpec]:
    """Each window's configuration: the sandbox's, its window number, ``[hospital_db]`` or not."""
    config = client_config(server)
    if hospital is not None:
        config["hospital_db"] = hospital.settings(sync_interval)
    specs = []
    for n in range(1, count + 1):
        name = f"W{n:02d}"
        kind = "sqlite" if hospital is None else "hospital"
        profile = "" if profile_dir is None else str(profile_dir / f"{kind}{count}-{name}.prof")
        specs.append(
            WindowSpec(
                name,
                str(folder / name),
                {**config, "window": {"device_no": name}},
                visits,
                slot=None if hospital is not None else next(_SLOTS),
                profile=profile,
                pause_s=pause_s,
            )
        )
    return specs


def run_round(
    server: SandboxServer,
    folder: Path,
    count: int,
    visits: int,
    *,
    hospital: HospitalSchema | None = None,
    sync_interval: float = 2.0,
    profile_dir: Path | None = None,
    pause_s: float = 0.0,
) -> RoundResult:
    """``count`` window processes settle ``visits`` timed visits each, at once (``pause_s``
    between two visits of a window)."""
    _into_the_next_second()
    before = {row["setl_id"] for row in server.ledger()}
    specs = _specs(
        server,
        folder,
        count,
        visits,
        hospital=hospital,
        sync_interval=sync_interval,
        profile_dir=profile_dir,
        pause_s=pause_s,
    )
    pool: SqlEngine | None = None
    poller = Poller(hospital) if hospital is not None else None
    windows, start = _start(specs)
    try:
        errors = _collect(windows, "ready", READY_TIMEOUT_S)
        if hospital is not None and poller is not None:
            pool = hospital.engine()
            poller.ready()
        calls = server.request_count()
        started = time.time()
        start.set()
        runs: list[WindowRun] = []
        done = _collect(windows, "done", DONE_TIMEOUT_S)
        calls = server.request_count() - calls
        for spec in specs:
            payload = done[spec.name]
            run = payload if isinstance(payload, WindowRun) else WindowRun(spec.name)
            if not isinstance(payload, WindowRun):
                run.error = str(payload)
            run.error = run.error or errors.get(spec.name, "")
            runs.append(run)
        returned = [at for run in runs for at in run.returned_at.values()]
        wall = max(returned) - started if returned else 0.0
        timed = sum(len(run.settlement_ids) - run.warm_up_settlements for run in runs)
        result = RoundResult(runs, wall, timed, hospital is not None, platform_calls=calls)
        result.problems = [f"{run.name}: {run.error}" for run in runs if run.error]
        if poller is not None and pool is not None:
            _check(result, poller, pool, server.ledger(), before)
        return result
    finally:
        start.set()  # a window still waiting for it ends
        if poller is not None:
            poller.stop()
        _stop(windows)
        if pool is not None:
            pool.dispose()


def _check(
    result: RoundResult,
    poller: Poller,
    pool: SqlEngine,
    ledger: Sequence[dict[str, Any]],
    before: set[str],
) -> None:
    """The round's lags, and whether the windows, the ledger and PostgreSQL agree."""
    runs = result.windows
    local_ids = [key for run in runs for key in run.settlement_ids]
    poller.finish(set(local_ids))
    # The timed visits' lags (a warm-up visit's rows went with the window's first sync round).
    timed = {k: r.returned_at[k] for r in runs for k in r.settlement_ids[r.warm_up_settlements :]}
    result.lags = poller.lags(timed)
    platform = platform_money(ledger, before)
    in_pg = hospital_money(pool)
    result.problems += consistency_problems(local_ids, platform, in_pg)
    result.platform_count, result.hospital_count = len(platform), len(in_pg)
    result.platform_total, result.hospital_total = (
        money_total(platform),
        money_total(in_pg),
    )


# ---------------------------------------------------------------------------------------- report


def _verdict(ok: bool) -> str:
    return "ok" if ok else "ABOVE TARGET"


def _load() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def _uptime() -> str:
    """As ``uptime`` prints it: the time, how long the machine has run, the load averages."""
    seconds = float(Path("/proc/uptime").read_text().split()[0])
    now = time.strftime("%H:%M:%S", time.gmtime())
    return f"{now} UTC up {seconds / 60:.0f} min, load average {_load()} (1/5/15 min)"


def _ratios(windows: Sequence[WindowRun], figure: str, reference: float) -> str:
    """``median / worst`` of each window's ``figure`` over ``reference``."""
    ratios = sorted(getattr(run, figure) / reference for run in windows)
    return f"median {statistics.median(ratios):.2f}×, worst {ratios[-1]:.2f}×"


def _worst(windows: Sequence[WindowRun], figure: str, reference: float) -> float:
    return float(max(getattr(run, figure) / reference for run in windows))


def report(
    count: int, hospital: RoundResult, peers: RoundResult | None, single: RoundResult
) -> None:
    """Print one block for ``count`` windows against the single SQLite window of the same rounds
    (and the N SQLite-only windows when there are any)."""
    windows = hospital.settled
    if not windows:
        print(f"hospital_windows: {count} window(s): no visit settled — {hospital.problems}")
        return
    print(
        f"hospital_windows: {count} window process(es) in hospital mode — "
        f"{hospital.timed_settlements} settlements in {hospital.wall_seconds:.1f} s, "
        f"{hospital.per_minute:.0f} settlements/min"
        + (f" ({count} SQLite-only: {peers.per_minute:.0f}/min)" if peers else "")
        + f"; 1 SQLite-only window {single.per_minute:.0f}/min"
    )
    ref = single.mean_s
    worst = _worst(windows, "mean_s", ref)
    print(
        f"  wall per visit vs 1 SQLite-only window ({ref * 1000:.0f} ms): hospital mode "
        f"{hospital.mean_s * 1000:.0f} ms, {_ratios(windows, 'mean_s', ref)} "
        f"(goal ≤ {TARGET_RATIO}) {_verdict(worst <= TARGET_RATIO)}"
    )
    if peers is not None and peers.settled:
        print(
            f"  wall per visit vs {count} SQLite-only windows ({peers.mean_s * 1000:.0f} ms, the "
            f"same contention): {_ratios(windows, 'mean_s', peers.mean_s)}"
        )
    _distribution(count, hospital, peers, single)
    cpu = single.mean_cpu_s
    worst_cpu = _worst(windows, "mean_cpu_s", cpu)
    print(
        f"  CPU per visit, window's thread (cashier's path): 1 SQLite window {cpu * 1000:.0f} ms, "
        f"hospital mode {hospital.mean_cpu_s * 1000:.0f} ms, {_ratios(windows, 'mean_cpu_s', cpu)}"
        f" (goal ≤ {TARGET_RATIO}) {_verdict(worst_cpu <= TARGET_RATIO)}"
        + (f"; {count} SQLite-only windows {peers.mean_cpu_s * 1000:.0f} ms" if peers else "")
    )
    proc = single.process_cpu_per_visit
    worst_proc = _worst(windows, "process_cpu_per_visit", proc)
    print(
        f"  CPU per visit, window process (sync thread included): 1 SQLite window "
        f"{proc * 1000:.0f} ms, hospital mode {hospital.process_cpu_per_visit * 1000:.0f} ms, "
        f"{_ratios(windows, 'process_cpu_per_visit', proc)} (goal ≤ {TARGET_RATIO}) "
        f"{_verdict(worst_proc <= TARGET_RATIO)}"
        + (
            f"; {count} SQLite-only windows {peers.process_cpu_per_visit * 1000:.0f} ms"
            if peers
            else ""
        )
    )
    lags = sorted(hospital.lags)
    if lags:
        p95 = lags[min(len(lags) - 1, round(0.95 * (len(lags) - 1)))]
        print(
            f"  replication lag: p50 {statistics.median(lags):.2f} s, p95 {p95:.2f} s, "
            f"max {lags[-1]:.2f} s over {len(lags)} settlements "
            f"(goal p95 ≤ {TARGET_LAG_P95_S} s) {_verdict(p95 <= TARGET_LAG_P95_S)}"
        )
    print(
        f"  consistency: {hospital.platform_count} platform settlements, "
        f"{hospital.hospital_count} in PostgreSQL; totals (total, fund, account, cash) "
        f"ledger {_money(hospital.platform_total)}, hospital {_money(hospital.hospital_total)} — "
        + ("ok" if not hospital.problems else "MISMATCH: " + "; ".join(hospital.problems))
    )


def _quantiles(values: Sequence[float]) -> str:
    """min / p25 / median / p75 / p90 / max of ``values`` (each a window's ratio)."""
    ordered = sorted(values)
    if len(ordered) < 2:
        return f"{ordered[0]:.2f}×" if ordered else "-"
    cuts = statistics.quantiles(ordered, n=20, method="inclusive")  # every 5 %
    return (
        f"min {ordered[0]:.2f}, p25 {cuts[4]:.2f}, median {statistics.median(ordered):.2f}, "
        f"p75 {cuts[14]:.2f}, p90 {cuts[17]:.2f}, max {ordered[-1]:.2f}×"
    )


def _spread(run: WindowRun) -> float:
    """The standard error of a window's mean wall time per visit, as a fraction of it, from its
    pairs of visits (bills 01 and 02 alternate and differ, so single visits would overstate it)."""
    times = run.visit_seconds
    pairs = [(times[i] + times[i + 1]) / 2 for i in range(0, len(times) - 1, 2)]
    if len(pairs) < 2:
        return float("nan")
    return statistics.stdev(pairs) / len(pairs) ** 0.5 / statistics.fmean(pairs)


def _distribution(
    count: int, hospital: RoundResult, peers: RoundResult | None, single: RoundResult
) -> None:
    """Each window's wall ratio over the single SQLite window, as a distribution (every window of
    every round counted once), next to the N SQLite-only windows' (the same statistic without
    hospital mode: how much of a worst window is the machine's contention and chance); how
    precisely a window's mean is known; and the time over the raw platform time."""
    ref = single.mean_s
    windows = hospital.settled
    above = sum(1 for run in windows if run.mean_s / ref > TARGET_RATIO)
    print(
        f"  per window (each window of each round, {len(windows)}), wall vs 1 SQLite window: "
        f"hospital mode {_quantiles([r.mean_s / ref for r in windows])}; "
        f"{above} of {len(windows)} above {TARGET_RATIO}×"
    )
    if peers is not None and peers.settled:
        plain = peers.settled
        above_plain = sum(1 for run in plain if run.mean_s / ref > TARGET_RATIO)
        print(
            f"    {count} SQLite-only windows, the same statistic: "
            f"{_quantiles([r.mean_s / ref for r in plain])}; "
            f"{above_plain} of {len(plain)} above {TARGET_RATIO}×"
        )
    spreads = [x for x in (_spread(run) for run in windows) if not math.isnan(x)]
    base = [x for x in (_spread(run) for run in single.settled) if not math.isnan(x)]
    if spreads:
        print(
            f"    a window's mean is known to ± {statistics.median(spreads) * 100:.1f} % "
            f"(median standard error over its pairs of visits; the single SQLite window's "
            + (f"± {statistics.median(base) * 100:.1f} %)" if base else "-)")
        )
    raw = single.platform_s
    if raw > 0:
        extra = ref - raw
        ratios = sorted((run.mean_s - raw) / extra for run in windows) if extra > 0 else []
        print(
            f"  time over the raw platform time ({single.calls_per_visit:.1f} calls × "
            f"{single.latency_s * 1000:.0f} ms = {raw * 1000:.0f} ms per visit): 1 SQLite window "
            f"{extra * 1000:.0f} ms, hospital mode {(hospital.mean_s - raw) * 1000:.0f} ms"
            + (
                f" (per window vs the single: median {statistics.median(ratios):.2f}×, "
                f"worst {ratios[-1]:.2f}×)"
                if ratios
                else ""
            )
            + (
                f"; {count} SQLite-only windows {(peers.mean_s - raw) * 1000:.0f} ms"
                if peers
                else ""
            )
        )


def _money(total: Money | None) -> str:
    return "-" if total is None else "/".join(str(v) for v in total)


def run(
    counts: Sequence[int],
    visits: int,
    *,
    url: str,
    sync_interval: float,
    latency_ms: int = 0,
    sqlite_peers: bool = True,
    rounds: int = 1,
    baseline_visits: int = BASELINE_VISITS,
    profile_dir: Path | None = None,
    pause_s: float = 0.0,
) -> dict[int, RoundResult]:
    """Every round against one sandbox (``latency_ms`` per call), each hospital round on its own
    schema; for each N, ``rounds`` times: one SQLite-only window, N SQLite-only windows (unless
    ``sqlite_peers`` is off, or N is 1), N hospital-mode windows. Prints as it goes; returns each
    N's hospital rounds pooled (their problems include the SQLite rounds')."""
    results: dict[int, RoundResult] = {}
    with tempfile.TemporaryDirectory(prefix="sw-hbench-") as name:
        folder = Path(name)
        server = SandboxServer(state_path=folder / "sandbox.sqlite3", seed=1)
        server.start()
        try:
            server.set_latency(fixed=latency_ms / 1000)
            print(
                f"platform latency {latency_ms} ms per call, {pause_s * 1000:.0f} ms between "
                f"a window's visits; {_uptime()}"
            )
            for count in counts:
                single: list[RoundResult] = []
                plain: list[RoundResult] = []
                mode: list[RoundResult] = []
                for n in range(rounds):
                    base_visits = max(visits, baseline_visits)
                    single.append(
                        run_round(
                            server,
                            folder / f"b{count}-{n}",
                            1,
                            base_visits,
                            profile_dir=profile_dir,
                        )
                    )
                    if sqlite_peers and count > 1:
                        plain.append(run_round(server, folder / f"s{count}-{n}", count, visits))
                    with hospital_schema(url) as target:
                        mode.append(
                            run_round(
                                server,
                                folder / f"h{count}-{n}",
                                count,
                                visits,
                                hospital=target,
                                sync_interval=sync_interval,
                                profile_dir=profile_dir,
                                pause_s=pause_s,
                            )
                        )
                for done in (*single, *plain, *mode):
                    done.latency_s = latency_ms / 1000
                base = merged(single)
                peers = merged(plain) if plain else None
                result = merged(mode)
                result.problems += [f"SQLite-only round: {p}" for p in base.problems]
                if peers is not None:
                    result.problems += [f"SQLite-only round: {p}" for p in peers.problems]
                print(f"load average after {count} window(s): {_load()}")
                report(count, result, peers, base)
                results[count] = result
        finally:
            server.stop()
    return results


def main(argv: list[str] | None = None) -> int:
    """Run the rounds; exit 1 if a round's records disagree (timings are printed, never asserted)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hospital_windows")
    parser.add_argument("--windows", type=int, nargs="+", default=[1, 5, 20])
    parser.add_argument(
        "--visits",
        type=int,
        default=4,
        help="timed visits per window (even: bills 01 and 02 alternate)",
    )
    parser.add_argument(
        "--rounds", type=int, default=2, help="rounds of each kind per window count (alternating)"
    )
    parser.add_argument(
        "--baseline-visits",
        type=int,
        default=BASELINE_VISITS,
        help="timed visits of the single SQLite window (at least --visits)",
    )
    parser.add_argument(
        "--sync-interval", type=float, default=2.0, help="the window's sync_interval_seconds"
    )
    parser.add_argument(
        "--latency-ms", type=int, nargs="+", default=[0], help="platform latency per call (each)"
    )
    parser.add_argument(
        "--pause-ms",
        type=int,
        default=0,
        help="between two visits of a window (the next patient steps up; not timed)",
    )
    parser.add_argument(
        "--no-sqlite-peers", action="store_true", help="skip the N-window SQLite-only rounds"
    )
    parser.add_argument(
        "--profile", type=Path, help="write each window's cProfile of its timed visits here"
    )
    parser.add_argument("--pg-url", default=os.environ.get("HOSPITAL_TEST_DB_URL", DEFAULT_PG_URL))
    args = parser.parse_args(argv)
    print(f"before: {_uptime()}")
    failed = False
    for latency in args.latency_ms:
        results = run(
            args.windows,
            args.visits,
            url=args.pg_url,
            sync_interval=args.sync_interval,
            latency_ms=latency,
            sqlite_peers=not args.no_sqlite_peers,
            rounds=args.rounds,
            baseline_visits=args.baseline_visits,
            profile_dir=args.profile,
            pause_s=args.pause_ms / 1000,
        )
        failed = failed or any(result.problems for result in results.values())
    print(f"after: {_uptime()}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
