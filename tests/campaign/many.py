"""Many processes on one store (issue #16 item 4): real CLI ``settle`` / ``journal resolve`` processes and
headless engines (``child.py mixed``) settling, cancelling and resolving at once, some ``SIGKILL``ed.

:func:`run_many` drives them; :func:`live_interference` reads the sandbox's request log and the journal
to find any reversal (2601) or clean-up (2202/2205) one process sent for a call of another process that
was still alive at that moment. A lease id is ``p<pid>-<random>``, so every journal row names the
process that wrote it (``writer``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from campaign.harness import EVER, SETTLEABLE_BILLS, child_command, child_env
from helpers.engine_fixtures import demo_bill_path

from app.domain.journal import JournalEntry
from app.sandbox import SandboxServer
from app.services.engine import Engine

CLI = Path(sys.executable).with_name("settlement-window")
CHILD_TIMEOUT = 120.0
# Exit codes of a process that ended on its own without a bug: done, refused, outcome pending.
EXPECTED_EXITS = frozenset({0, 3, 5})
CRASH_WORDS = ("Traceback", "内部错误", "journal_transition", "journal_ownership_lost")
KINDS = ("cli_settle", "engine", "cli_resolve")
KIND_WEIGHTS = (4, 4, 1)
# kind → (share of them killed, earliest and latest kill in seconds after launch): a kill should land
# in the middle of the work, and start-up alone takes a few seconds on a busy 2-core machine.
KILLS = {"engine": (0.6, 4.0, 16.0), "cli_settle": (0.35, 3.0, 9.0), "cli_resolve": (0.1, 2.0, 6.0)}


@dataclass
class Child:
    """One process of the run."""

    kind: str
    popen: subprocess.Popen[bytes]
    output: Path
    kill_at: float | None = None
    killed_at: datetime | None = None
    ended_at: datetime | None = None
    deadline: float = 0.0
    launched: float = field(default_factory=time.monotonic)
    lived: float = 0.0

    @property
    def pid(self) -> int:
        """The process id (the lease id starts with ``p<pid>-``)."""
        return self.popen.pid

    def text(self) -> str:
        """Everything it wrote (stdout and stderr)."""
        return self.output.read_text(encoding="utf-8", errors="replace")


@dataclass
class ManyStats:
    """Counts printed by the run."""

    seed: int
    processes: int
    launched: Counter[str] = field(default_factory=Counter)
    killed: int = 0
    exits: Counter[str] = field(default_factory=Counter)
    crashes: list[str] = field(default_factory=list)
    hung: int = 0
    lifetimes: dict[str, list[float]] = field(default_factory=dict)

    def line(self) -> str:
        """The printed summary."""
        return (
            f"seed={self.seed} processes_at_once={self.processes} "
            f"launched={dict(sorted(self.launched.items()))} killed={self.killed} "
            f"exits={dict(sorted(self.exits.items()))} crashes={len(self.crashes)} hung={self.hung} "
            f"seconds_alive={dict(sorted(self.lifetimes.items()))}"
        )


def _command(
    kind: str, config: Path, data_dir: Path, rng: random.Random, folder: Path
) -> list[str]:
    if kind == "engine":
        return child_command(config, data_dir, "mixed", str(rng.randrange(10**6)), "6")
    common = [str(CLI), "--config", str(config), "--data-dir", str(data_dir), "--json"]
    if kind == "cli_resolve":
        return [*common, "journal", "resolve"]
    bill = _fresh_visit(demo_bill_path(rng.choice(SETTLEABLE_BILLS)), rng, folder)
    return [*common, "settle", "--bill", str(bill), "--yes", "--operator", "C001"]


def _fresh_visit(path: Path, rng: random.Random, folder: Path) -> Path:
    """A copy of a demo bill as a new HIS visit (its own outpatient number), so that the charge
    claims of issue #11 item 1 let it be settled; one in four repeats an earlier number instead."""
    data = json.loads(path.read_text(encoding="utf-8"))
    number = rng.randrange(10**6) if rng.random() < 0.75 else rng.randrange(4)
    data["outpatient_no"] = f"MP{number:06d}"
    copy = folder / f"bill-{len(list(folder.iterdir())):04d}.json"
    copy.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return copy


def _launch(kind: str, config: Path, data_dir: Path, rng: random.Random, folder: Path) -> Child:
    output = folder / f"child-{len(list(folder.iterdir())):04d}-{kind}.log"
    with output.open("wb") as sink:
        popen = subprocess.Popen(
            _command(kind, config, data_dir, rng, folder),
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=child_env({"SW_OPERATOR": "C001"}),
        )
    return Child(kind, popen, output, deadline=time.monotonic() + CHILD_TIMEOUT)


def run_many(
    config: Path,
    data_dir: Path,
    folder: Path,
    *,
    processes: int,
    rounds: int,
    seed: int,
    kill_share: float = 0.35,
) -> tuple[ManyStats, list[Child]]:
    """Launch ``rounds`` processes, ``processes`` at a time; kill about ``kill_share`` of them at a
    random instant while they work. Returns the counts and every child (for the checks)."""
    rng = random.Random(seed)
    stats = ManyStats(seed=seed, processes=processes)
    folder.mkdir(parents=True, exist_ok=True)
    running: list[Child] = []
    finished: list[Child] = []
    while len(finished) + len(running) < rounds or running:
        while len(running) < processes and len(finished) + len(running) < rounds:
            kind = rng.choices(KINDS, KIND_WEIGHTS)[0]
            child = _launch(kind, config, data_dir, rng, folder)
            share, earliest, latest = KILLS[kind]
            if rng.random() < share * kill_share / 0.35:
                child.kill_at = time.monotonic() + rng.uniform(earliest, latest)
            stats.launched[kind] += 1
            running.append(child)
        for child in list(running):
            _tend(child, stats)
            if child.ended_at is not None:
                running.remove(child)
                finished.append(child)
        time.sleep(0.02)
    for child in finished:
        _judge(child, stats)
    return stats, finished


def _tend(child: Child, stats: ManyStats) -> None:
    now = time.monotonic()
    alive = child.popen.poll() is None and child.killed_at is None
    if alive and child.kill_at is not None and now >= child.kill_at:
        child.killed_at = datetime.now(UTC)  # before the signal: the process dies after this
        child.popen.send_signal(signal.SIGKILL)
        stats.killed += 1
    elif alive and now >= child.deadline:
        child.killed_at = datetime.now(UTC)
        child.popen.kill()
        stats.hung += 1
    if child.popen.poll() is not None:
        child.popen.wait()
        child.ended_at = datetime.now(UTC)
        child.lived = time.monotonic() - child.launched


def _judge(child: Child, stats: ManyStats) -> None:
    label = f"{child.kind}{':killed' if child.killed_at else ''}"
    stats.lifetimes.setdefault(label, []).append(round(child.lived, 1))
    if child.killed_at is not None:
        stats.exits["killed"] += 1
        return
    code = child.popen.returncode
    stats.exits[f"{child.kind}:{code}"] += 1
    text = child.text()
    if code not in EXPECTED_EXITS or any(word in text for word in CRASH_WORDS):
        stats.crashes.append(f"{child.kind} pid {child.pid} exit {code}: {text[-800:]}")


# ---------------------------------------------------------------------------------------- checks


def pid_of(lease_id: str) -> int:
    """The process id in a lease id ``p<pid>-<hex>`` (0 when the row predates leases)."""
    head = lease_id.split("-", 1)[0]
    return int(head[1:]) if head.startswith("p") and head[1:].isdigit() else 0


def live_interference(
    engine: Engine, server: SandboxServer, children: list[Child]
) -> tuple[int, list[str]]:
    """(checked, findings): each 2601/2202/2205 that reached the platform, sent by one process for a
    call of another process not yet dead when the row of that request was written."""
    died = {c.pid: c.killed_at or c.ended_at for c in children}
    with engine.uow_factory() as uow:
        rows = {e.msgid: e for e in uow.journal.between(*EVER)}
    registrations = {e.visit_id: e for e in rows.values() if e.infno == "2201" and e.visit_id}
    cancelled_by = {(e.visit_id, pid_of(e.writer)) for e in rows.values() if e.infno == "2208"}
    findings: list[str] = []
    checked = 0
    for message in server.messages():
        if message["infno"] not in ("2601", "2202", "2205"):
            continue
        request = rows.get(message["msgid"])
        if request is None:
            findings.append(f"{message['infno']} {message['msgid']} not in the journal")
            continue
        target = _target(request, rows, registrations)
        if target is None:
            continue
        checked += 1
        sender, owner = pid_of(request.writer), pid_of(target.writer)
        if sender == owner or (
            request.infno != "2601" and (request.visit_id, sender) in cancelled_by
        ):
            continue  # its own call, or the clean-up after its own cancellation
        death = died.get(owner)
        if death is None or death > request.created_at:
            findings.append(
                f"{request.infno} {request.msgid} by pid {sender} at {request.created_at} touched "
                f"{target.infno} {target.msgid} of pid {owner} (dead at {death})"
            )
    return checked, findings


def _target(
    request: JournalEntry, rows: dict[str, JournalEntry], registrations: dict[str, JournalEntry]
) -> JournalEntry | None:
    if request.infno == "2601":
        return rows.get(request.original_msgid)
    return registrations.get(request.visit_id)


def killed_with_rows(engine: Engine, children: list[Child]) -> tuple[int, int]:
    """(killed processes that had written journal rows, how many of those had rows claimed by a
    later process — an unresolved call or an open visit it left behind)."""
    killed = {c.pid for c in children if c.killed_at is not None}
    with engine.uow_factory() as uow:
        rows = list(uow.journal.between(*EVER))
    wrote = {pid_of(e.writer) for e in rows} & killed
    claimed = {pid_of(e.writer) for e in rows if e.owner != e.writer} & killed
    return len(wrote), len(claimed)


def summary(stats: ManyStats, checked: int, findings: list[str], extra: dict[str, Any]) -> str:
    """One JSON line for logs."""
    return json.dumps(
        {"run": stats.line(), "reversals_and_cleanups_checked": checked,
         "of_live_calls": len(findings), **extra},
        ensure_ascii=False,
    )  # fmt: skip


def env_size(name: str, default: int) -> int:
    """A size from the environment (nightly runs set them)."""
    return int(os.environ.get(name, str(default)))
