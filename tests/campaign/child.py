"""A child process of the campaign: one scenario on a data folder, possibly dying at a crash point.

``python child.py CONFIG DATA_DIR SCENARIO [ARGS…]`` with scenarios:

* ``settle BILL`` — settle a demo visit;
* ``cancel BILL`` — settle it, then cancel the first settled group;
* ``day_close BILL`` — settle it, then close the day;
* ``loop SEED`` — settle random demo visits until killed;
* ``mixed SEED ACTIONS`` — a headless engine like the window's: ACTIONS random steps of settling, cancelling
  its own settlements and resolving the journal, each failure handled like the window does (shown, go
  on); prints one JSON line of outcome counts; exit 1 if an internal error occurred;
* ``disk LIMIT BILL`` — like ``settle`` with ``RLIMIT_FSIZE`` = LIMIT bytes (SIGXFSZ ignored, so
  writes fail with EFBIG instead of killing the process).

Exit codes: 0 done, 3 an expected failure (printed), 86 a crash point fired (``SW_CRASH_AT``).
"""

from __future__ import annotations

import json
import logging
import random
import resource
import signal
import sys
from dataclasses import replace
from pathlib import Path

from helpers.engine_fixtures import SUPERVISOR_PASSWORD, demo_bill, fresh_visit, make_engine

from app.config import load_settings
from app.errors import AppError
from app.services.cancel import SupervisorApproval

SETTLEABLE = ("01", "02", "03", "08", "09", "10", "11", "12", "13", "14")


def main(argv: list[str]) -> int:
    """Run one scenario."""
    config, data_dir, scenario, *args = argv
    if scenario == "disk":
        limit = int(args.pop(0))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    try:
        engine = make_engine(load_settings(Path(config)), Path(data_dir))
    except AppError as exc:
        sys.stdout.write(f"open failed: {exc.code}\n")
        return 3
    try:
        return _run(engine, scenario, args)
    except AppError as exc:
        sys.stdout.write(f"failed: {exc.code}\n")
        return 3
    finally:
        engine.close()


# Codes that mean a bug, never an expected refusal (issue #16: two processes on one store).
INTERNAL = frozenset({"journal_transition", "journal_ownership_lost", "app_error"})


def _mixed(engine, seed: int, actions: int) -> int:  # type: ignore[no-untyped-def]
    rng = random.Random(seed)
    cashier = engine.operator("C001")
    approval = SupervisorApproval("S001", SUPERVISOR_PASSWORD)
    outcomes: dict[str, int] = {}
    mine: list[str] = []
    engine.start(wait=False)
    for _ in range(actions):
        step = rng.random()
        try:
            if step < 0.15:
                engine.start(wait=True)
                outcome = "resolved"
            elif step < 0.3 and mine:
                engine.cancel(mine.pop(), cashier, approval)
                outcome = "cancelled"
            else:
                # A new HIS visit each time (one in four repeats an earlier number: refused).
                number = rng.randrange(10**6) if rng.random() < 0.75 else rng.randrange(4)
                visit = replace(demo_bill(rng.choice(SETTLEABLE)), outpatient_no=f"MP{number:06d}")
                bill = engine.settle_visit(visit, cashier)
                mine.extend(g.settlement_id for g in bill.groups if g.settlement_id and g.med_type)
                outcome = "settled"
        except AppError as exc:
            outcome = exc.code
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    sys.stdout.write(json.dumps(outcomes) + "\n")
    return 1 if INTERNAL & set(outcomes) else 0


def _run(engine, scenario: str, args: list[str]) -> int:  # type: ignore[no-untyped-def]
    cashier, supervisor = engine.operator("C001"), engine.operator("S001")
    if scenario == "mixed":
        return _mixed(engine, int(args[0]), int(args[1]))
    if scenario == "loop":
        rng = random.Random(int(args[0]))
        while True:
            try:
                engine.settle_visit(fresh_visit(demo_bill(rng.choice(SETTLEABLE))), cashier)
            except AppError:
                engine.start(wait=False)
    bill = engine.settle_visit(fresh_visit(demo_bill(args[0])), cashier)
    if scenario == "cancel":
        settled = next(g for g in bill.groups if g.settlement_id and not g.is_self_pay)
        engine.cancel(
            settled.settlement_id, cashier, SupervisorApproval("S001", SUPERVISOR_PASSWORD)
        )
    elif scenario == "day_close":
        engine.close_day(engine.day_close.today(), supervisor)
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    sys.exit(main(sys.argv[1:]))
