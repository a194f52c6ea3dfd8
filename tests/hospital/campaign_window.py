"""One window of the hospital campaign, as its own process (``hospital_campaign.py`` starts eight).

    python tests/hospital/campaign_window.py CONFIG DATA_DIR OUT_DIR --visits N [--first K] [--seed S]

It runs like a cashier's window without the screen: the engine of its configuration in hospital mode
(``[hospital_db]``), the window's lock and the adoption of rows resolved elsewhere, the hospital sync
thread (``app.hospital_window.start_hospital_sync``) and the start-up recovery. Then it settles visits
``K..N-1`` (a demo bill each, a new HIS outpatient number; every visit ``n % 10 == 7`` is the *same* HIS
visit at every window), retrying a visit like a cashier would after a failure, and between visits does
the tasks the campaign drops into ``OUT_DIR/tasks/`` (cancel a settlement of any window, or settle one
more visit). When the
visits are done it keeps serving tasks until ``OUT_DIR/quit`` exists, resolves what is left, drains its
outbox to the hospital record and exits 0.

Everything it does is one JSON line in ``OUT_DIR/events.jsonl`` (a ``SIGKILL`` may cut the last one).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import time
from dataclasses import replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from argon2 import PasswordHasher  # noqa: E402
from helpers.engine_fixtures import SUPERVISOR_PASSWORD, add_operators, demo_bill  # noqa: E402

from app.config import load_settings  # noqa: E402
from app.errors import AppError, ChargeAlreadySettled  # noqa: E402
from app.hospital_window import start_hospital_sync  # noqa: E402
from app.services.cancel import SupervisorApproval  # noqa: E402
from app.services.settlement import BillResult  # noqa: E402
from app.wiring import build_engine  # noqa: E402

BILLS = ("01", "02", "03", "08", "09", "10", "11", "12", "13", "14")
SHARED_EVERY = 10  # visit n with n % 10 == 7 is one HIS visit shared by every window
ATTEMPTS = 4
# A cancellation whose outcome is not known, or which could not be sent: resolved, then tried again.
RETRY_CANCEL = frozenset(
    {
        "outcome_unknown",
        "record_not_synced",  # the paying window's bill is still on its way to the record
        "platform_unavailable",
        "platform",
        "recovery_pending",
        "bill_locked",
        "platform_maintenance",
        "hospital_unreachable",
    }
)
UNREACHABLE_WAIT_S = 1.0
# How long a finishing window waits for another window to finish resolving one of its rows.
ADOPT_WAIT_S = 90.0
UNREACHABLE_TRIES = 90  # a window cut off from the hospital database waits this long for it


class Window:
    """The engine, its sync worker and the event log."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.name = args.name
        self.seed = args.seed
        self.out = Path(args.out)
        (self.out / "tasks").mkdir(parents=True, exist_ok=True)
        (self.out / "done").mkdir(parents=True, exist_ok=True)
        self._events = (self.out / "events.jsonl").open("a", encoding="utf-8")
        settings = load_settings(Path(args.config))
        self.engine = build_engine(
            settings,
            Path(args.data_dir),
            password_hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
            read_backoff_seconds=0.05,
        )
        self.cashier, _ = add_operators(self.engine)
        self.session = SimpleNamespace(closers=[])
        self.worker = start_hospital_sync(self.session, self.engine)
        if self.worker is None:
            raise SystemExit("hospital mode is not configured")
        summary = self.engine.start(wait=True)
        self.event("started", pid=os.getpid(), recovered=str(summary))

    def event(self, kind: str, **data: Any) -> None:
        line = {"event": kind, "window": self.name, "at": time.time(), **data}
        self._events.write(json.dumps(line, ensure_ascii=False, default=str) + "\n")
        self._events.flush()

    # ------------------------------------------------------------------ visits

    def visit(self, n: int, seed: int) -> None:
        shared = n % SHARED_EVERY == 7
        rng = random.Random(seed * 1000 + n if not shared else n)
        prefix = rng.choice(BILLS)
        outpatient = f"MZSHARED{n:04d}" if shared else f"MZ{self.name}{seed:04d}{n:04d}"
        visit = replace(demo_bill(prefix), outpatient_no=outpatient)
        unreachable = 0
        attempt = 0
        bill: BillResult | None = None
        while attempt < ATTEMPTS:
            attempt += 1
            try:
                if bill is None:
                    bill = self.engine.settle_visit(visit, self.cashier)
                else:  # the cashier settles the same bill again (its failed groups)
                    bill = self.engine.settle(bill.bill_id, self.cashier)
            except ChargeAlreadySettled as exc:
                self.event(
                    "refused_elsewhere",
                    visit=n,
                    outpatient_no=outpatient,
                    bill=prefix,
                    detail=exc.detail,
                )
                return
            except AppError as exc:
                if exc.code == "hospital_unreachable" and unreachable < UNREACHABLE_TRIES:
                    unreachable += 1
                    attempt -= 1  # nothing was sent: wait for the server like a cashier would
                    if unreachable == 1:
                        self.event("waiting_for_hospital_db", visit=n, outpatient_no=outpatient)
                    time.sleep(UNREACHABLE_WAIT_S)
                    self.tasks()
                    continue
                self.event(
                    "visit_error", visit=n, outpatient_no=outpatient, code=exc.code, attempt=attempt
                )
                self.recover()
                continue
            finally:
                self.worker.wake()
            groups = [
                {
                    "key": g.group_key,
                    "state": g.state.value,
                    "settlement_id": g.settlement_id,
                    "failure": g.failure[:80],
                }
                for g in bill.groups
            ]
            settled = [g for g in bill.groups if g.settlement_id]
            unsettled = [g for g in bill.groups if not g.settlement_id]
            self.event(
                "visit",
                visit=n,
                outpatient_no=outpatient,
                bill=prefix,
                bill_id=bill.bill_id,
                attempt=attempt,
                groups=groups,
                waited_for_db=unreachable,
            )
            if settled and not unsettled:
                return
            self.recover()
            if settled:
                return  # part of it settled: what is left needs the cashier, not a blind retry
        self.event("visit_gave_up", visit=n, outpatient_no=outpatient)

    def recover(self) -> None:
        try:
            self.engine.start(wait=True)
        except AppError as exc:
            self.event("recovery_error", code=exc.code)

    # ------------------------------------------------------------------ tasks

    def tasks(self) -> None:
        for path in sorted((self.out / "tasks").glob("*.json")):
            task = json.loads(path.read_text(encoding="utf-8"))
            outcome: dict[str, Any] = {"outcome": "unknown_op"}
            if task["op"] == "settle":
                path.unlink()  # one more visit; not done again if this process is killed in it
                self.visit(int(task["visit"]), self.seed)
                continue
            if task["op"] == "cancel":
                outcome = self.cancel(task["settlement_id"])
            self.worker.wake()
            self.event("task", task=path.stem, **task, **outcome)
            (self.out / "done" / path.name).write_text(json.dumps(outcome), encoding="utf-8")
            path.unlink()

    def cancel(self, settlement_id: str) -> dict[str, Any]:
        """Cancel like a supervisor at the window: after an unknown outcome, recovery settles it
        and the supervisor tries again (the cancel claim stays this window's meanwhile)."""
        approval = SupervisorApproval("S001", SUPERVISOR_PASSWORD)
        tried: list[str] = []
        for _ in range(ATTEMPTS):
            try:
                result = self.engine.cancel(settlement_id, self.cashier, approval)
            except AppError as exc:
                tried.append(exc.code)
                if exc.code in RETRY_CANCEL:
                    time.sleep(1.0)
                    self.recover()
                    continue
                return {"outcome": exc.code, "detail": exc.detail, "tried": tried}
            return {
                "outcome": "cancelled",
                "cancellation_id": result.cancellation_id,
                "tried": tried,
            }
        return {"outcome": tried[-1], "tried": tried}

    def _adopt_what_others_resolve(self) -> int:
        """Recover until this window has no unresolved row: a row another window is resolving
        (a dead window's 2207 resolved by a supervisor elsewhere, whose 2601 met a fault and is
        retried there) waits here until that window's outcome reaches the hospital record, then is
        adopted. Returns what is still unresolved after ``ADOPT_WAIT_S``."""
        deadline = time.monotonic() + ADOPT_WAIT_S
        while True:
            self.recover()
            with self.engine.uow_factory() as uow:
                unresolved = len(list(uow.journal.unresolved()))
            if unresolved == 0 or time.monotonic() > deadline:
                return unresolved
            time.sleep(1.0)

    def finish(self) -> None:
        while not (self.out / "quit").exists():
            self.tasks()
            time.sleep(0.2)
        self.tasks()
        self.recover()
        self.worker.stop()
        assert self.worker is not None
        from app.wiring import hospital_link  # noqa: PLC0415

        link = hospital_link(self.engine)
        assert link is not None
        try:
            unresolved = self._adopt_what_others_resolve()
            for _ in range(60):
                report = link.sync.drain()
                if report.drained:
                    break
                time.sleep(1.0)
            self.event(
                "finished", pending=report.pending, sync_error=report.error, unresolved=unresolved
            )
        finally:
            link.close()

    def close(self) -> None:
        for closer in reversed(self.session.closers):
            closer()
        self.engine.close()


def main(argv: list[str]) -> int:
    """Run the window (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("config")
    parser.add_argument("data_dir")
    parser.add_argument("out")
    parser.add_argument("--name", required=True)
    parser.add_argument("--visits", type=int, required=True)
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    window = Window(args)
    try:
        for n in range(args.first, args.visits):
            window.event("visit_start", visit=n)
            window.visit(n, args.seed)
            window.tasks()
        window.event("visits_done")
        window.finish()
    finally:
        window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
