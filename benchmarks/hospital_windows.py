"""Hospital mode: N windows settling at once against one sandbox and one PostgreSQL (issue 13).

    .venv/bin/python -m benchmarks.hospital_windows [--windows 1 5 20] [--visits 4]
        [--sync-interval 2.0] [--latency-ms 0] [--pg-url URL]

Each window is a real engine on its own SQLite data folder (its own thread here: the machine has two
cores, and threads keep 20 windows' start-up cheap), all on one in-process sandbox. A hospital-mode
window is built exactly as a window builds itself from its configuration: ``build_engine`` with
``[hospital_db]`` (its msgid slot claimed in PostgreSQL, its HIS charges claimed hospital-wide before
every 2207, the shared operators and catalogue), and ``start_hospital_sync`` as ``app.main`` runs it
(the sync loop, the window lock), woken after every settled visit as the window wakes it. They run
against a throwaway schema on the PostgreSQL at 127.0.0.1:5432 (db ``test``;
``HOSPITAL_TEST_DB_URL`` or ``--pg-url`` names another), dropped afterwards. The SQLite-only baseline
is N stand-alone windows (no ``[hospital_db]``) doing the same work on the same sandbox, in rounds
alternating with the hospital-mode ones (``--rounds``), so the machine's load hits both alike. Every
window first settles one warm-up visit (its 9001 sign-in), then its timed visits (the demo bills 01
and 02, alternately, each as a new HIS visit).

Printed per window count N:

* settlements per minute (platform settlements of the timed visits over the timed wall time);
* each hospital-mode window's local time per visit (mean of ``settle_visit``), its extra time per
  visit over the N SQLite-only windows' mean and the ratio (goal ≤ 1.10×); the same for the CPU the
  window's thread spent per visit (less sensitive to the machine's load), and the process CPU per
  visit (sandbox, sync loops and claims included; the lag poller's own CPU left out);
* replication lag p50/p95/max: from the moment ``settle_visit`` returned (the settlement is committed
  locally by then; ``settled_at`` is the platform's ``setl_time``, whole seconds, too coarse) to the
  moment a poller (every 50 ms) first sees its row in ``hospital_settlements`` (goal p95 ≤ 2 s);
* consistency: every platform settlement of the round is in ``hospital_settlements`` with the same
  fund / account / cash / total, and the hospital totals equal the sandbox ledger's to the fen. A
  mismatch makes the exit code 1 (a correctness failure, not a timing one: timings are not asserted).
"""

from __future__ import annotations

import argparse
import itertools
import os
import secrets
import statistics
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import create_engine, select, text

from app.config import settings_from_mapping
from app.domain.operator import Operator, Role
from app.hospital_window import start_hospital_sync
from app.sandbox import SandboxServer, client_config
from app.services.bill_import import ImportedVisit, load_visit
from app.services.engine import Engine
from app.store.hospital import schema
from app.store.hospital.connect import open_hospital_engine, upgrade
from app.store.hospital.key import create_hospital_key
from app.wiring import build_engine

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
DEMO_BILLS = Path(__file__).resolve().parents[1] / "resources" / "demo_bills"
BILLS = ("01", "02")
BASELINE_VISITS = 6
TARGET_RATIO = 1.10
TARGET_LAG_P95_S = 2.0
POLL_S = 0.05
CATCH_UP_TIMEOUT_S = 60.0
MONEY_FIELDS = (  # (hospital_settlements column, sandbox ledger field)
    ("total", "medfee_sumamt"),
    ("fund", "fund_pay_sumamt"),
    ("account", "acct_pay"),
    ("cash", "psn_cash_pay"),
)
Money = tuple[Decimal, Decimal, Decimal, Decimal]


@dataclass
class WindowRun:
    """What one window did in one round."""

    name: str
    visit_seconds: list[float] = field(default_factory=list)
    visit_cpu_seconds: list[float] = field(default_factory=list)
    settlement_ids: list[str] = field(default_factory=list)
    returned_at: dict[str, datetime] = field(default_factory=dict)
    warm_up_settlements: int = 0
    error: str = ""

    @property
    def mean_s(self) -> float:
        """Mean local time per timed visit (the bills alternate: a median would pick one kind)."""
        return statistics.fmean(self.visit_seconds) if self.visit_seconds else float("nan")

    @property
    def mean_cpu_s(self) -> float:
        """Mean CPU time of the window's own thread per timed visit."""
        return statistics.fmean(self.visit_cpu_seconds) if self.visit_cpu_seconds else float("nan")


@dataclass
class RoundResult:
    """One or more rounds of N windows, with or without hospital mode."""

    windows: list[WindowRun]
    wall_seconds: float
    timed_settlements: int
    hospital: bool
    process_cpu_seconds: float = 0.0
    lags: list[float] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    platform_count: int = 0
    hospital_count: int = 0
    platform_total: Money | None = None
    hospital_total: Money | None = None

    @property
    def per_minute(self) -> float:
        """Platform settlements of the timed visits per minute of wall time."""
        return self.timed_settlements * 60 / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def visits(self) -> int:
        """Timed visits settled."""
        return sum(len(run.visit_seconds) for run in self.windows)

    @property
    def mean_s(self) -> float:
        """Mean local time per visit over every window."""
        return statistics.fmean(r.mean_s for r in self.windows if r.visit_seconds)

    @property
    def mean_cpu_s(self) -> float:
        """Mean window-thread CPU per visit over every window."""
        return statistics.fmean(r.mean_cpu_s for r in self.windows if r.visit_cpu_seconds)

    @property
    def process_cpu_per_visit(self) -> float:
        """Process CPU (sandbox, sync loops, claims; not the lag poller) per timed visit."""
        return self.process_cpu_seconds / self.visits if self.visits else float("nan")


def merged(results: Sequence[RoundResult]) -> RoundResult:
    """Several rounds of the same kind as one (figures pooled, problems kept)."""
    totals = [r.platform_total for r in results if r.platform_total is not None]
    spent = [r.hospital_total for r in results if r.hospital_total is not None]
    return RoundResult(
        windows=[w for r in results for w in r.windows],
        wall_seconds=sum(r.wall_seconds for r in results),
        timed_settlements=sum(r.timed_settlements for r in results),
        hospital=results[0].hospital,
        process_cpu_seconds=sum(r.process_cpu_seconds for r in results),
        lags=[lag for r in results for lag in r.lags],
        problems=[p for r in results for p in r.problems],
        platform_count=sum(r.platform_count for r in results),
        hospital_count=sum(r.hospital_count for r in results),
        platform_total=_sum_money(totals) if totals else None,
        hospital_total=_sum_money(spent) if spent else None,
    )


def _sum_money(rows: Sequence[Money]) -> Money:
    return money_total(dict(enumerate(rows)))


# ---------------------------------------------------------------------------------------- windows


def _visits() -> list[ImportedVisit]:
    return [load_visit(next(DEMO_BILLS.glob(f"{prefix}*.json"))) for prefix in BILLS]


def _new_visit(visit: ImportedVisit, window: str, n: int) -> ImportedVisit:
    # Another HIS visit every time: a visit's charges are settled once (issue #11 item 1).
    return replace(visit, outpatient_no=f"MZ{window}{n:04d}{secrets.token_hex(4).upper()}")


# A stand-alone window of a round takes a msgid slot no window of the run has used yet: a slot
# belongs to one window's store, and two stores on one slot in the same second would issue the same
# msgid. A hospital-mode window claims its slot in PostgreSQL as it does in production.
_SLOTS = itertools.cycle(range(1, 100))


@dataclass
class Window:
    """One window of a round: its engine, its cashier and, in hospital mode, its sync worker."""

    engine: Engine
    cashier: Operator
    session: Any
    worker: Any = None

    def settled(self) -> None:
        """As the window does on ``group_settled``: run a sync round now."""
        if self.worker is not None:
            self.worker.wake()

    def close(self) -> None:
        """Stop the sync worker and release the window lock and pools, then close the engine."""
        for closer in reversed(self.session.closers):
            closer()
        self.engine.close()


def _open_window(
    server: SandboxServer, name: str, folder: Path, hospital_db: dict[str, Any] | None
) -> Window:
    config: dict[str, Any] = client_config(server)
    config["window"] = {"device_no": name}
    if hospital_db is not None:
        config["hospital_db"] = hospital_db
    engine = build_engine(
        settings_from_mapping(config),
        folder,
        password_hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
    )
    with engine.uow_factory() as uow:
        uow.operators.add("C001", "收费员", Role.CASHIER, "Bench-pass-2026")
        if hospital_db is None:
            uow.msgids.use_window_slot(next(_SLOTS))
        uow.commit()
    window = Window(engine, engine.operator("C001"), SimpleNamespace(closers=[]))
    if hospital_db is not None:
        window.worker = start_hospital_sync(window.session, engine)
    return window


def _settle(window: Window, visit: ImportedVisit, run: WindowRun) -> None:
    bill = window.engine.settle_visit(visit, window.cashier)
    window.settled()
    unsettled = [
        f"{g.group_key} {g.state.value} {g.failure}" for g in bill.groups if not g.settlement_id
    ]
    if unsettled:
        raise RuntimeError(f"groups not settled: {unsettled}")
    now = datetime.now(UTC)
    for group in bill.groups:
        if group.settlement_id:
            run.settlement_ids.append(group.settlement_id)
            run.returned_at[group.settlement_id] = now


def _window_body(window: Window, run: WindowRun, visits: int, start: threading.Barrier) -> None:
    bills = _visits()
    try:
        _settle(window, _new_visit(bills[0], run.name, 0), run)  # warm-up, 9001
        run.warm_up_settlements = len(run.settlement_ids)
    except Exception as exc:  # reported, and the round's figures say it
        run.error = f"warm-up: {exc!r}"
    start.wait()
    if run.error:
        return
    try:
        for n in range(visits):
            visit = _new_visit(bills[n % len(bills)], run.name, n + 1)
            started, cpu = time.perf_counter(), time.thread_time()
            _settle(window, visit, run)
            run.visit_seconds.append(time.perf_counter() - started)
            run.visit_cpu_seconds.append(time.thread_time() - cpu)
    except Exception as exc:
        run.error = repr(exc)


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
    """Notes when each settlement's row first appears in ``hospital_settlements``."""

    def __init__(self, database: SqlEngine) -> None:
        """Poll through ``database`` (its own pool)."""
        self._database = database
        self.first_seen: dict[str, datetime] = {}
        self.cpu_seconds = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lag-poller", daemon=True)

    def start(self) -> Poller:
        """Start polling."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop polling."""
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        s = schema.settlements
        while not self._stop.wait(POLL_S):
            with self._database.connect() as connection:
                rows = connection.execute(select(s.c.settlement_id)).scalars().all()
            now = datetime.now(UTC)
            for settlement_id in rows:
                self.first_seen.setdefault(settlement_id, now)
            self.cpu_seconds = time.thread_time()

    def lags(self, committed: dict[str, datetime]) -> list[float]:
        """Seconds from each settlement's local commit to its row being seen."""
        return [
            (self.first_seen[key] - at).total_seconds()
            for key, at in committed.items()
            if key in self.first_seen
        ]


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


def _into_the_next_second() -> None:
    """Wait into the next wall-clock second before a round opens its windows.

    Every round's windows have fresh stores, whose msgid counters start at the current second, and
    the same institution code and slot numbers come back in the next round (a fresh schema hands
    out slots from the start again). A round starting in a second the previous one still used would
    issue some of its msgids again, and the platform refuses those as duplicates (报文重复) —
    which the smoke test saw as a refused sign-in about one run in two.
    """
    time.sleep(1.0 - time.time() % 1.0 + 0.01)


def run_round(
    server: SandboxServer,
    folder: Path,
    count: int,
    visits: int,
    *,
    hospital: HospitalSchema | None = None,
    sync_interval: float = 2.0,
) -> RoundResult:
    """``count`` windows settle ``visits`` timed visits each, at once."""
    _into_the_next_second()
    before = {row["setl_id"] for row in server.ledger()}
    runs = [WindowRun(f"W{n:02d}") for n in range(1, count + 1)]
    hospital_db = None if hospital is None else hospital.settings(sync_interval)
    opened: list[Window] = []
    pool: SqlEngine | None = None
    poller: Poller | None = None
    try:
        for run in runs:
            opened.append(_open_window(server, run.name, folder / run.name, hospital_db))
        if hospital is not None:
            pool = hospital.engine()
            poller = Poller(pool).start()
        start = threading.Barrier(count + 1)
        threads = [
            threading.Thread(target=_window_body, args=(window, run, visits, start), name=run.name)
            for run, window in zip(runs, opened, strict=True)
        ]
        for thread in threads:
            thread.start()
        start.wait()
        started, cpu = time.perf_counter(), time.process_time()
        poller_cpu = poller.cpu_seconds if poller is not None else 0.0
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
        if poller is not None:  # the rows of this round's last visits are sent by now or soon
            _wait_for(poller, {key for run in runs for key in run.settlement_ids})
            poller.stop()
            poller_cpu = poller.cpu_seconds - poller_cpu
        process_cpu = time.process_time() - cpu - poller_cpu
        timed = sum(len(run.settlement_ids) - run.warm_up_settlements for run in runs)
        result = RoundResult(runs, wall, timed, hospital is not None, process_cpu)
        result.problems = [f"{run.name}: {run.error}" for run in runs if run.error]
        if poller is not None and pool is not None:
            local_ids = [key for run in runs for key in run.settlement_ids]
            result.lags = poller.lags({k: v for r in runs for k, v in r.returned_at.items()})
            platform = platform_money(server.ledger(), before)
            in_pg = hospital_money(pool)
            result.problems += consistency_problems(local_ids, platform, in_pg)
            result.platform_count, result.hospital_count = len(platform), len(in_pg)
            result.platform_total, result.hospital_total = (
                money_total(platform),
                money_total(in_pg),
            )
        return result
    finally:
        if poller is not None:
            poller.stop()
        for window in opened:
            window.close()
        if pool is not None:
            pool.dispose()


def _wait_for(poller: Poller, ids: set[str]) -> None:
    deadline = time.monotonic() + CATCH_UP_TIMEOUT_S
    while not ids <= set(poller.first_seen) and time.monotonic() < deadline:
        time.sleep(POLL_S)


# ---------------------------------------------------------------------------------------- report


def _verdict(ok: bool) -> str:
    return "ok" if ok else "ABOVE TARGET"


def _load() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def report(
    count: int, hospital: RoundResult, sqlite_peers: RoundResult | None, baseline: RoundResult
) -> None:
    """Print one block for ``count`` windows: against the N SQLite-only windows of the same run
    when there are any, else against the single-window SQLite round."""
    if not any(run.visit_seconds for run in hospital.windows):
        print(f"hospital_windows: {count} window(s): no visit settled — {hospital.problems}")
        return
    reference = sqlite_peers if sqlite_peers is not None else baseline
    what = "1 SQLite-only window" if sqlite_peers is None else f"{count} SQLite-only window(s)"
    print(
        f"hospital_windows: {count} window(s) in hospital mode — "
        f"{hospital.timed_settlements} settlements in {hospital.wall_seconds:.1f} s, "
        f"{hospital.per_minute:.0f} settlements/min"
        + (f" (SQLite only: {sqlite_peers.per_minute:.0f}/min)" if sqlite_peers else "")
    )
    ref_s, ref_cpu = reference.mean_s, reference.mean_cpu_s
    windows = [run for run in hospital.windows if run.visit_seconds]
    ratios = [run.mean_s / ref_s for run in windows]
    extra_ms = [(run.mean_s - ref_s) * 1000 for run in windows]
    worst = max(ratios)
    print(
        f"  time per visit vs {what} ({ref_s * 1000:.0f} ms): hospital mode "
        f"{hospital.mean_s * 1000:.0f} ms, extra {statistics.median(extra_ms):+.0f} ms "
        f"(median window), ratio median {statistics.median(ratios):.2f}×, worst {worst:.2f}× "
        f"(goal ≤ {TARGET_RATIO}) {_verdict(worst <= TARGET_RATIO)}"
    )
    print(
        "  per window and round (extra ms / ratio): "
        + " ".join(f"{e:+.0f}/{r:.2f}" for e, r in zip(extra_ms, ratios, strict=True))
    )
    cpu_ratio = hospital.mean_cpu_s / ref_cpu
    print(
        f"  CPU per visit, window thread: SQLite {ref_cpu * 1000:.0f} ms, hospital mode "
        f"{hospital.mean_cpu_s * 1000:.0f} ms ({cpu_ratio:.2f}×); whole process (sandbox, sync "
        f"loops): SQLite {reference.process_cpu_per_visit * 1000:.0f} ms, hospital mode "
        f"{hospital.process_cpu_per_visit * 1000:.0f} ms "
        f"({hospital.process_cpu_per_visit / reference.process_cpu_per_visit:.2f}×)"
    )
    print(
        f"  vs 1 SQLite-only window ({baseline.mean_s * 1000:.0f} ms/visit): "
        f"{hospital.mean_s / baseline.mean_s:.2f}× (the machine's contention of {count} window(s) "
        "included)"
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
) -> dict[int, RoundResult]:
    """Every round against one sandbox, each hospital round on its own schema; for each N,
    ``rounds`` SQLite-only rounds alternating with ``rounds`` hospital ones. Prints as it goes;
    returns each N's hospital rounds pooled (their problems include the SQLite rounds')."""
    results: dict[int, RoundResult] = {}
    with tempfile.TemporaryDirectory(prefix="sw-hbench-") as name:
        folder = Path(name)
        server = SandboxServer(state_path=folder / "sandbox.sqlite3", seed=1)
        server.start()
        try:
            server.set_latency(fixed=latency_ms / 1000)
            base_visits = max(visits, BASELINE_VISITS)
            base = run_round(server, folder / "base", 1, base_visits)
            if base.problems:
                raise RuntimeError(f"single-window SQLite round failed: {base.problems}")
            print(
                f"hospital_windows: 1 window, SQLite only — {base.mean_s * 1000:.0f} ms per visit "
                f"(mean of {base_visits}), {base.per_minute:.0f} settlements/min; load {_load()}"
            )
            for count in counts:
                plain: list[RoundResult] = []
                mode: list[RoundResult] = []
                for n in range(rounds):
                    if sqlite_peers:
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
                            )
                        )
                peers = merged(plain) if plain else None
                result = merged(mode)
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
        "--sync-interval", type=float, default=2.0, help="the window's sync_interval_seconds"
    )
    parser.add_argument("--latency-ms", type=int, default=0, help="platform latency per call")
    parser.add_argument(
        "--no-sqlite-peers", action="store_true", help="skip the N-window SQLite-only rounds"
    )
    parser.add_argument("--pg-url", default=os.environ.get("HOSPITAL_TEST_DB_URL", DEFAULT_PG_URL))
    args = parser.parse_args(argv)
    print(f"load average before: {_load()} (1/5/15 min)")
    results = run(
        args.windows,
        args.visits,
        url=args.pg_url,
        sync_interval=args.sync_interval,
        latency_ms=args.latency_ms,
        sqlite_peers=not args.no_sqlite_peers,
        rounds=args.rounds,
    )
    print(f"load average after: {_load()}")
    return 1 if any(result.problems for result in results.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
