"""The hospital campaign (issue 13, "How it is proven"): N window processes × M visits against one
sandbox platform and one PostgreSQL, with faults, and at the end nothing lost, nothing twice.

    .venv/bin/python tests/hospital/hospital_campaign.py --windows 8 --visits 40 [--seed 1]
        [--rate 0.02] [--cut-seconds 20] [--same-cancels 3] [--cross-refunds 8] [--keep DIR]

The suite runs a CI-sized campaign (``tests/hospital/test_multi_window_campaign.py``). What it does:

* starts a **throwaway PostgreSQL** of its own (``initdb`` + ``pg_ctl`` on a free port, see
  ``tests/helpers/throwaway_pg.py``; never the shared server) and upgrades the hospital schema;
* starts the sandbox platform with a seeded **fault plan** (refused connections, lost answers, HTTP
  errors, truncated and hostile answers, maintenance, latency) on every transaction;
* starts N **window processes** (``campaign_window.py``), each a real engine in hospital mode with its
  sync thread and window lock, settling M visits; every tenth visit is the same HIS visit at every
  window (hospital-wide charge claims: exactly one window may settle it). Window 3 reaches PostgreSQL
  through a small TCP proxy;
* while they work, in order: **cuts** window 3 off from PostgreSQL (the proxy closes every connection
  and refuses new ones) for ``--cut-seconds``; **restarts PostgreSQL** (an immediate stop, i.e. a crash,
  then a start); holds the platform's answer to the next 2207 and **SIGKILLs** the window that sent it
  once its journal row is in the hospital record, has a supervisor **resolve** that row from another
  window (``settlement-window hospital resolve``), then starts the killed window again; has three
  windows **cancel the same settlement at once** (``--same-cancels`` times); and has patients
  **refunded at another window** than the one where they paid (``--cross-refunds``);
* when every window is done and drained: the **hospital day close** (``hospital day-close``) with the
  faults off, and the checks below.

Checks (each a number that must be 0, or true): lost (a platform settlement or cancellation the
hospital record lacks), phantom (the reverse), double charges (one HIS visit's charges with two live
settlements, across all windows), amount mismatches (fund / account / cash / total per settlement, to
the fen, and the totals), unresolved journal rows (hospital-wide and per window), concurrent cancels
that sent more than one 2208, cross-window refunds that failed, the day close balanced, and every
window process ending cleanly. The figures print as one JSON document; the exit code is 0 when clean.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "tests") not in sys.path:
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import tomli_w  # noqa: E402
from helpers.engine_fixtures import SUPERVISOR_PASSWORD  # noqa: E402
from helpers.tcp_proxy import TcpProxy  # noqa: E402
from helpers.throwaway_pg import ThrowawayPg, start_throwaway_pg  # noqa: E402
from sqlalchemy import Engine as SqlEngine  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402

from app.sandbox import SandboxServer, client_config  # noqa: E402
from app.sandbox.state import SettlementRow, VisitRow  # noqa: E402
from app.store.hospital import schema  # noqa: E402
from app.store.hospital.connect import open_hospital_engine, upgrade  # noqa: E402
from app.store.hospital.key import create_hospital_key  # noqa: E402
from app.store.hospital.presence import WindowPresence  # noqa: E402

WINDOW_SCRIPT = Path(__file__).with_name("campaign_window.py")
READ_TIMEOUT_S = 6.0  # the platform read timeout of every window
HOLD_S = 25.0  # the platform holds the answer to the 2207 of the window to be killed this long
RESOLVED = ("ok", "failed", "reversed", "void", "cleaned")
CUT_WINDOW = 2  # index of the window behind the proxy (W03)


@dataclass(frozen=True)
class CampaignSize:
    """How big a campaign is."""

    windows: int = 8
    visits: int = 40
    seed: int = 1
    rate: float = 0.02
    cut_seconds: float = 20.0
    same_cancels: int = 3
    cross_refunds: int = 8


@dataclass
class CampaignReport:
    """The figures and every problem found (clean: no problem)."""

    figures: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Nothing wrong."""
        return not self.problems

    def text(self) -> str:
        """One JSON document."""
        return json.dumps(
            {"clean": self.clean, "figures": self.figures, "problems": self.problems},
            ensure_ascii=False,
            indent=1,
            default=str,
        )


def fault_plan(rate: float) -> list[dict[str, Any]]:
    """Platform faults on every transaction, about ``rate`` of requests (the first rule that fires)."""
    rules: list[tuple[str, str, dict[str, Any]]] = [
        ("2207", "delay_after", {"seconds": READ_TIMEOUT_S + 0.5}),
        ("*", "refuse", {}),
        ("2207", "drop_before", {}),
        ("2207", "drop_after", {}),
        ("2207", "http_error_after", {}),
        ("*", "http_error_before", {}),
        ("2201", "maintenance", {}),
        ("2204", "drop_after", {}),
        ("2203", "truncated", {}),
        ("2207", "hostile", {}),
        ("2208", "drop_after", {}),
        ("2601", "http_error_before", {}),
        ("*", "latency", {"seconds": 0.02}),
    ]
    return [
        {
            "infno": infno,
            "kind": kind,
            "probability": rate if infno == "*" else min(1.0, 2 * rate),
            "params": params,
        }
        for infno, kind, params in rules
    ]


# ------------------------------------------------------------------------------------- windows


@dataclass
class WindowProc:
    """One window: its files and its current process."""

    name: str
    config: Path
    data_dir: Path
    out: Path
    visits: int
    seed: int
    popen: subprocess.Popen[bytes] | None = None
    launches: int = 0
    killed: bool = False
    exits: list[int] = field(default_factory=list)

    def launch(self, first: int = 0) -> None:
        """Start the window's process at visit ``first``."""
        log = (self.out / f"process-{self.launches}.log").open("wb")
        self.popen = subprocess.Popen(
            [
                sys.executable,
                str(WINDOW_SCRIPT),
                str(self.config),
                str(self.data_dir),
                str(self.out),
                "--name",
                self.name,
                "--visits",
                str(self.visits),
                "--first",
                str(first),
                "--seed",
                str(self.seed),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        log.close()
        self.launches += 1

    def events(self) -> list[dict[str, Any]]:
        """Every event line written so far (a half-written last line is skipped)."""
        path = self.out / "events.jsonl"
        if not path.exists():
            return []
        found = []
        for line in path.read_text(encoding="utf-8").splitlines():
            try:
                found.append(json.loads(line))
            except json.JSONDecodeError:
                continue
        return found

    def running(self) -> bool:
        """The process runs."""
        return self.popen is not None and self.popen.poll() is None

    def task(self, name: str, task: dict[str, Any]) -> None:
        """Drop a task for the window (written whole, then renamed into place)."""
        temp = self.out / f".{name}.tmp"
        temp.write_text(json.dumps(task), encoding="utf-8")
        temp.rename(self.out / "tasks" / f"{name}.json")

    def result(self, name: str) -> dict[str, Any] | None:
        """A task's outcome once done."""
        path = self.out / "done" / f"{name}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _window_config(sandbox: SandboxServer, name: str, url: str, key: Path, folder: Path) -> Path:
    config = client_config(sandbox)
    config["platform"]["read_timeout"] = READ_TIMEOUT_S
    config["platform"]["connect_timeout"] = 2.0
    config["window"] = {**config.get("window", {}), "device_no": name}
    config["hospital_db"] = {
        "url": url,
        "hospital_key_file": str(key),
        "sync_interval_seconds": 0.5,
    }
    path = folder / f"{name}.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    return path


def _finished_visits(events: list[dict[str, Any]]) -> int:
    return sum(1 for e in events if e["event"] in ("visit", "refused_elsewhere", "visit_gave_up"))


def cli(window: WindowProc, *args: str, timeout: float = 180.0) -> tuple[int, dict[str, Any], str]:
    """``python -m app --json …`` at ``window`` (as its supervisor S001)."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "app",
            "--json",
            "--config",
            str(window.config),
            "--data-dir",
            str(window.data_dir),
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "SW_OPERATOR": "S001",
            "SW_OPERATOR_PASSWORD": SUPERVISOR_PASSWORD,
        },
        check=False,
    )
    try:
        document = json.loads(done.stdout) if done.stdout.strip() else {}
    except json.JSONDecodeError:
        document = {"stdout": done.stdout[-2000:]}
    return done.returncode, document, done.stderr[-2000:]


# ------------------------------------------------------------------------------------ campaign


class Campaign:
    """One run (see the module docstring)."""

    def __init__(self, size: CampaignSize, folder: Path, say: Callable[[str], None]) -> None:
        self.size = size
        self.folder = folder
        self.say = say
        self.report = CampaignReport()
        self.fig = self.report.figures
        self.rng = random.Random(size.seed)
        self.pg: ThrowawayPg | None = None
        self.proxy: TcpProxy | None = None
        self.sandbox: SandboxServer | None = None
        self.db: SqlEngine | None = None
        self.windows: list[WindowProc] = []
        self.plan = fault_plan(size.rate)

    def problem(self, text: str) -> None:
        """Record a problem (and say it)."""
        self.report.problems.append(text)
        self.say(f"PROBLEM: {text}")

    # ------------------------------------------------------------------ set-up

    def set_up(self) -> None:
        """PostgreSQL, the proxy, the sandbox, the key and the windows' configurations."""
        started = time.monotonic()
        self.pg = start_throwaway_pg()
        admin = create_engine(self.pg.url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("CREATE DATABASE hospital"))
        admin.dispose()
        url = self.pg.url("hospital")
        self.db = open_hospital_engine(url)
        upgrade(self.db)
        self.fig["postgres"] = {
            "port": self.pg.port,
            "start_seconds": round(time.monotonic() - started, 1),
        }
        self.proxy = TcpProxy(("127.0.0.1", self.pg.port)).start()
        self.sandbox = SandboxServer(seed=self.size.seed).start()
        self.sandbox.set_faults(self.plan, seed=self.size.seed)
        key = self.folder / "hospital.key"
        create_hospital_key(key)
        proxied = url.replace(f":{self.pg.port}/", f":{self.proxy.port}/")
        for n in range(self.size.windows):
            name = f"W{n + 1:02d}"
            out = self.folder / name
            (out / "tasks").mkdir(parents=True)
            (out / "done").mkdir()
            config = _window_config(
                self.sandbox, name, proxied if n == CUT_WINDOW else url, key, self.folder
            )
            self.windows.append(
                WindowProc(
                    name,
                    config,
                    self.folder / f"{name}-data",
                    out,
                    self.size.visits,
                    self.size.seed,
                )
            )

    # ------------------------------------------------------------------ the run

    def progress(self) -> float:
        """Share of all visits finished."""
        done = sum(_finished_visits(w.events()) for w in self.windows)
        return done / (self.size.windows * self.size.visits)

    def tend(self) -> None:
        """Note windows that ended on their own (before being told to quit, that is a problem)."""
        for window in self.windows:
            if window.popen is not None and window.popen.poll() is not None and not window.killed:
                code = window.popen.returncode
                window.exits.append(code)
                window.popen = None
                if code != 0:
                    self.problem(f"{window.name} exited {code}: {self._tail(window)}")

    def _tail(self, window: WindowProc) -> str:
        logs = sorted(window.out.glob("process-*.log"))
        return logs[-1].read_text(errors="replace")[-1500:] if logs else ""

    def wait_progress(self, share: float, timeout: float = 900.0) -> None:
        """Until ``share`` of the visits are finished (or every window is done)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.tend()
            if self.progress() >= share or not any(w.running() for w in self.windows):
                return
            time.sleep(0.3)
        self.problem(f"progress stuck below {share:.0%}")

    def run(self) -> CampaignReport:
        """Everything, then the checks."""
        started = time.monotonic()
        for window in self.windows:
            window.launch()
        self.wait_progress(0.15)
        self.cut_one_window()
        self.wait_progress(0.30)
        self.restart_postgres()
        self.wait_progress(0.45)
        self.kill_mid_settlement()
        self.wait_progress(0.60)
        self.concurrent_cancels()
        self.wait_progress(0.70)
        self.cross_window_refunds()
        self.wind_down()
        self.fig["run_seconds"] = round(time.monotonic() - started, 1)
        self.day_close()
        self.check()
        self.fig["total_seconds"] = round(time.monotonic() - started, 1)
        return self.report

    def cut_one_window(self) -> None:
        """Window 3 loses PostgreSQL (its proxy drops everything) for a while."""
        assert self.proxy is not None
        name = self.windows[CUT_WINDOW].name
        self.say(f"cutting {name} off from PostgreSQL for {self.size.cut_seconds} s")
        self.proxy.cut()
        deadline = time.monotonic() + self.size.cut_seconds
        while time.monotonic() < deadline:
            self.tend()
            time.sleep(0.2)
        self.proxy.restore()
        self.fig["cut"] = {
            "window": name,
            "seconds": self.size.cut_seconds,
            "alive_again_after_seconds": self._await_alive("cut"),
        }

    def restart_postgres(self) -> None:
        """A crash of the server (immediate stop) and a start, while every window works."""
        assert self.pg is not None
        self.say("restarting PostgreSQL (immediate stop = crash, then start)")
        began = time.monotonic()
        self.pg.restart("immediate", down_seconds=2.0)
        self.fig["postgres_restart"] = {"down_seconds": round(time.monotonic() - began, 1)}
        self.fig["postgres_restart"]["all_alive_after_seconds"] = self._await_alive("restart")

    def _await_alive(self, after: str, timeout: float = 60.0) -> float:
        """Every running window holds its lock again (its sync thread reconnected): otherwise a
        supervisor could resolve a running window's calls from another window."""
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            self.tend()
            alive = self._alive()
            if all(alive.values()):
                return round(time.monotonic() - began, 1)
            time.sleep(0.5)
        self.problem(f"after the {after}, windows taken for dead while running: {alive}")
        return -1.0

    def _alive(self) -> dict[str, bool]:
        assert self.db is not None
        presence = WindowPresence(self.db)
        return {w.name: presence.is_alive(w.name) for w in self.windows if w.running()}

    def kill_mid_settlement(self) -> None:
        """Hold the next 2207's answer, SIGKILL its window once the hospital record shows the row,
        resolve it from another window, start the killed window again."""
        assert self.sandbox is not None
        for attempt in range(1, 6):
            victim = self._hold_and_kill(attempt)
            if victim is not None:
                break
        else:
            self.problem("no window could be killed mid-settlement")
            return
        window, msgid = victim
        self._resolve_from_another(window, msgid)
        started = [e["visit"] for e in window.events() if e["event"] == "visit_start"]
        window.killed = False
        window.launch(first=max(started) + 1 if started else 0)

    def _hold_and_kill(self, attempt: int) -> tuple[WindowProc, str] | None:
        assert self.sandbox is not None
        assert self.db is not None
        seen = len(self.sandbox.fault_log())
        hold = {"infno": "2207", "kind": "delay_after", "params": {"seconds": HOLD_S}, "times": 1}
        self.sandbox.set_faults([hold, *self.plan], seed=self.size.seed + attempt)
        # One more visit at a window that reaches PostgreSQL directly, so that a 2207 comes even
        # when the windows have finished their own visits (whichever 2207 comes first is held).
        direct = [w for i, w in enumerate(self.windows) if i != CUT_WINDOW and w.running()]
        if direct:
            self.rng.choice(direct).task(
                f"extra-{attempt}", {"op": "settle", "visit": 900 + attempt}
            )
        try:
            deadline = time.monotonic() + 60
            msgid = ""
            while time.monotonic() < deadline and not msgid:
                held = [
                    e
                    for e in self.sandbox.fault_log()[seen:]
                    if e["infno"] == "2207" and e["kind"] == "delay_after"
                ]
                msgid = held[0]["msgid"] if held else ""
                time.sleep(0.05)
            if not msgid:
                return None
            fired = time.monotonic()
            j = schema.journal
            while time.monotonic() - fired < READ_TIMEOUT_S - 1.0:
                with self.db.connect() as connection:
                    row = connection.execute(
                        select(j.c.window, j.c.state).where(j.c.msgid == msgid)
                    ).first()
                if row is not None and row.state not in RESOLVED:
                    window = next(w for w in self.windows if w.name == row.window)
                    if window.popen is None or window.name == self.windows[CUT_WINDOW].name:
                        return None
                    window.killed = True
                    window.popen.send_signal(signal.SIGKILL)
                    window.popen.wait()
                    window.popen = None
                    self.fig["kill"] = {
                        "window": window.name,
                        "msgid": msgid,
                        "attempt": attempt,
                        "seconds_after_send": round(time.monotonic() - fired, 2),
                    }
                    self.say(f"SIGKILLed {window.name} waiting for the answer to 2207 {msgid}")
                    return window, msgid
                time.sleep(0.05)
            return None
        finally:
            self.sandbox.set_faults(self.plan, seed=self.size.seed + 100 + attempt)

    def _resolve_from_another(self, dead: WindowProc, msgid: str) -> None:
        assert self.db is not None
        presence = WindowPresence(self.db)
        deadline = time.monotonic() + 30
        while presence.is_alive(dead.name) and time.monotonic() < deadline:
            time.sleep(0.2)
        acting = next(
            w
            for w in self.windows
            if w is not dead and w.running() and w.name != self.windows[CUT_WINDOW].name
        )
        code, document, err = cli(acting, "hospital", "resolve", msgid, "--operator", "S001")
        self.fig["kill"].update(
            {
                "resolved_at": acting.name,
                "resolve_exit": code,
                "resolved_state": document.get("state", document),
            }
        )
        # Exit 5 (not resolved yet): the 2601 sent at the acting window met a platform fault; that
        # window retries it by itself (before its next settlement, at its finish), and the books
        # at the end show whether it did (0 unresolved, the ledger equal to the record).
        pending = (
            code == 5
            and document.get("error") == "resolution_pending"
            and document.get("retried_by") == acting.name
        )
        if code != 0 and not pending:
            self.problem(
                f"hospital resolve {msgid} at {acting.name} exited {code}: {document} {err}"
            )
        self.say(f"{acting.name} resolved {msgid}: {document.get('state')}")

    def _candidates(self, exclude: set[str]) -> list[Any]:
        assert self.db is not None
        s = schema.settlements
        with self.db.connect() as connection:
            rows = connection.execute(
                select(s)
                .where(~s.c.is_cancellation, s.c.cancelled_by == "", s.c.med_type != "")
                .order_by(s.c.settlement_id)
            ).all()
        return [r for r in rows if r.settlement_id not in exclude]

    def _await(self, pending: list[tuple[WindowProc, str]], timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.tend()
            if all(w.result(name) is not None for w, name in pending):
                return
            time.sleep(0.2)
        self.problem(
            f"tasks not done in {timeout} s: {[n for w, n in pending if w.result(n) is None]}"
        )

    def concurrent_cancels(self) -> None:
        """Three windows cancel one settlement at once: exactly one 2208."""
        self.cancelled: set[str] = set()
        candidates = self._candidates(set())
        targets = self.rng.sample(candidates, min(self.size.same_cancels, len(candidates)))
        outcome: list[dict[str, Any]] = []
        for number, target in enumerate(targets):
            others = [w for w in self.windows if w.name != target.window and w.running()]
            chosen = self.rng.sample(others, min(3, len(others)))
            name = f"same-{number}"
            for window in chosen:
                window.task(name, {"op": "cancel", "settlement_id": target.settlement_id})
            self._await([(w, name) for w in chosen])
            results = {w.name: (w.result(name) or {}).get("outcome") for w in chosen}
            outcome.append(
                {
                    "settlement_id": target.settlement_id,
                    "paid_at": target.window,
                    "results": results,
                }
            )
            self.cancelled.add(target.settlement_id)
            claimed = sum(1 for r in results.values() if r == "cancel_claimed_elsewhere")
            if claimed != len(chosen) - 1:
                self.problem(f"concurrent cancels of {target.settlement_id}: {results}")
        self.fig["concurrent_cancels"] = outcome

    def cross_window_refunds(self) -> None:
        """Patients refunded at another window than the one where they paid."""
        candidates = self._candidates(self.cancelled)
        targets = self.rng.sample(candidates, min(self.size.cross_refunds, len(candidates)))
        pending = []
        outcome = []
        for number, target in enumerate(targets):
            others = [w for w in self.windows if w.name != target.window and w.running()]
            window = self.rng.choice(others)
            name = f"refund-{number}"
            window.task(name, {"op": "cancel", "settlement_id": target.settlement_id})
            pending.append((window, name, target))
        self._await([(w, n) for w, n, _ in pending])
        for window, name, target in pending:
            result = (window.result(name) or {}).get("outcome")
            outcome.append(
                {
                    "settlement_id": target.settlement_id,
                    "paid_at": target.window,
                    "refunded_at": window.name,
                    "outcome": result,
                }
            )
            self.cancelled.add(target.settlement_id)
            if result != "cancelled":
                self.problem(f"refund of {target.settlement_id} at {window.name}: {result}")
        self.fig["cross_window_refunds"] = outcome

    def wind_down(self) -> None:
        """Let every window finish its visits, then tell them to quit and drain."""
        deadline = time.monotonic() + 1800
        while time.monotonic() < deadline:
            self.tend()
            done = [any(e["event"] == "visits_done" for e in w.events()) for w in self.windows]
            if all(done) or not any(w.running() for w in self.windows):
                break
            time.sleep(0.5)
        for window in self.windows:
            (window.out / "quit").touch()
        deadline = time.monotonic() + 300
        while any(w.running() for w in self.windows) and time.monotonic() < deadline:
            time.sleep(0.3)
        self.tend()
        for window in self.windows:
            if window.running():
                self.problem(f"{window.name} did not finish")
            finished = [e for e in window.events() if e["event"] == "finished"]
            if not finished:
                self.problem(f"{window.name} has no finished event")
            elif finished[-1]["pending"] or finished[-1]["unresolved"]:
                self.problem(f"{window.name} finished with {finished[-1]}")

    def day_close(self) -> None:
        """The whole hospital's day close, faults off (the platform is calm at night)."""
        assert self.sandbox is not None
        self.sandbox.set_faults([])
        code, document, err = cli(self.windows[0], "hospital", "day-close", "--operator", "S001")
        report = document.get("report", {})
        self.fig["day_close"] = {
            "exit": code,
            "balanced": report.get("balanced"),
            "groups": report.get("groups"),
            "total": report.get("total"),
            "discrepancies": report.get("discrepancies"),
        }
        if code != 0 or report.get("balanced") is not True:
            self.problem(f"hospital day close: exit {code} {document} {err}")

    # ------------------------------------------------------------------ checks

    def check(self) -> None:
        """Ledger against the hospital record; double charges; unresolved rows."""
        assert self.sandbox is not None
        assert self.db is not None
        ledger = [
            r
            for r in self.sandbox.ledger()
            if r["infno"] in ("2207", "2208") and r["status"] != "reversed"
        ]
        platform = {r["setl_id"]: r for r in ledger}
        if len(platform) != len(ledger):
            self.problem("a settlement id twice in the platform ledger")
        s = schema.settlements
        with self.db.connect() as connection:
            hospital = {r.settlement_id: r for r in connection.execute(select(s)).all()}
            unresolved = connection.execute(
                select(schema.journal.c.msgid, schema.journal.c.window).where(
                    schema.journal.c.state.not_in(RESOLVED)
                )
            ).all()
        self_pay = {k for k, r in hospital.items() if not r.med_type and not r.is_cancellation}
        on_platform = {k: r for k, r in hospital.items() if k not in self_pay}
        lost = sorted(set(platform) - set(on_platform))
        phantom = sorted(set(on_platform) - set(platform))
        mismatches = []
        for setl_id in set(platform) & set(on_platform):
            mine, theirs = on_platform[setl_id], platform[setl_id]
            ours = (mine.total, mine.fund, mine.account, mine.cash)
            platform_money = (
                theirs["medfee_sumamt"],
                theirs["fund_pay_sumamt"],
                theirs["acct_pay"],
                theirs["psn_cash_pay"],
            )
            if tuple(Decimal(str(x)) for x in ours) != tuple(
                Decimal(str(x)) for x in platform_money
            ):
                mismatches.append(setl_id)
        hospital_total = sum((Decimal(str(r.total)) for r in on_platform.values()), Decimal(0))
        platform_total = sum((Decimal(str(r["medfee_sumamt"])) for r in ledger), Decimal(0))
        doubles = self._double_charges()
        for name, found in (
            ("lost", lost),
            ("phantom", phantom),
            ("amount mismatches", mismatches),
            ("double charges", doubles),
            ("unresolved", unresolved),
        ):
            if found:
                self.problem(f"{name}: {found[:10]}")
        if hospital_total != platform_total:
            self.problem(f"totals differ: hospital {hospital_total} platform {platform_total}")
        events = [e for w in self.windows for e in w.events()]
        kinds = Counter(e["event"] for e in events)
        self.fig.update(
            {
                "windows": self.size.windows,
                "visits_per_window": self.size.visits,
                "seed": self.size.seed,
                "platform_settlements": sum(1 for r in ledger if r["infno"] == "2207"),
                "platform_cancellations": sum(1 for r in ledger if r["infno"] == "2208"),
                "reversed_2207": sum(
                    1
                    for r in self.sandbox.ledger()
                    if r["infno"] == "2207" and r["status"] == "reversed"
                ),
                "hospital_self_pay_collections": len(self_pay),
                "platform_total": str(platform_total),
                "hospital_total": str(hospital_total),
                "lost": len(lost),
                "phantom": len(phantom),
                "double_charges": len(doubles),
                "amount_mismatches": len(mismatches),
                "unresolved": len(unresolved),
                "faults_fired": Counter(e["kind"] for e in self.sandbox.fault_log()),
                "requests": self.sandbox.request_counts(),
                "window_events": dict(kinds),
                "visit_errors": dict(
                    Counter(e["code"] for e in events if e["event"] == "visit_error")
                ),
                "shared_visit_refusals": sum(
                    1
                    for e in events
                    if e["event"] == "refused_elsewhere"
                    and e["outpatient_no"].startswith("MZSHARED")
                ),
                "open_platform_visits": len(self.sandbox.open_visits()),
            }
        )

    def _double_charges(self) -> list[str]:
        """One HIS visit's charges in two live settlements of the same kind, whichever windows."""
        assert self.sandbox is not None
        with self.sandbox.state.session() as session:
            outpatient = {v.mdtrt_id: v.ipt_otp_no for v in session.scalars(select(VisitRow))}
            live = list(
                session.scalars(
                    select(SettlementRow).where(
                        SettlementRow.infno == "2207", SettlementRow.status == "settled"
                    )
                )
            )
        per_charge = Counter(
            (outpatient.get(r.mdtrt_id, "?"), r.med_type, r.dise_codg or "") for r in live
        )
        return [f"{k} ×{n}" for k, n in per_charge.items() if n > 1]

    def tear_down(self) -> None:
        """Stop every process and server (the throwaway PostgreSQL is removed)."""
        for window in self.windows:
            if window.running():
                assert window.popen is not None
                window.popen.kill()
                window.popen.wait()
        if self.sandbox is not None:
            self.sandbox.stop()
        if self.proxy is not None:
            self.proxy.stop()
        if self.db is not None:
            self.db.dispose()
        if self.pg is not None:
            self.pg.destroy()


def run_campaign(
    size: CampaignSize, folder: Path, say: Callable[[str], None] = print
) -> CampaignReport:
    """Set up, run, check, tear down; returns the report."""
    campaign = Campaign(size, folder, say)
    try:
        campaign.set_up()
        return campaign.run()
    finally:
        campaign.tear_down()


def main(argv: list[str] | None = None) -> int:
    """The command (see the module docstring)."""
    parser = argparse.ArgumentParser(description="hospital-mode campaign (issue 13)")
    defaults = CampaignSize()
    parser.add_argument("--windows", type=int, default=defaults.windows)
    parser.add_argument("--visits", type=int, default=defaults.visits)
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--rate", type=float, default=defaults.rate)
    parser.add_argument("--cut-seconds", type=float, default=defaults.cut_seconds)
    parser.add_argument("--same-cancels", type=int, default=defaults.same_cancels)
    parser.add_argument("--cross-refunds", type=int, default=defaults.cross_refunds)
    parser.add_argument("--keep", type=Path, help="keep the windows' folders here")
    args = parser.parse_args(argv)
    size = CampaignSize(
        args.windows,
        args.visits,
        args.seed,
        args.rate,
        args.cut_seconds,
        args.same_cancels,
        args.cross_refunds,
    )
    folder = args.keep or Path(tempfile.mkdtemp(prefix="sw-campaign-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        report = run_campaign(size, folder, lambda line: print(f"[campaign] {line}", flush=True))  # noqa: T201
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(report.text())  # noqa: T201
    return 0 if report.clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
