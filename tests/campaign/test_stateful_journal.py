"""R9: a stateful model of the journal — settlements, faults, restarts, recovery and cancellations in any
order, against the sandbox over loopback and a real SQLite file.

Invariants after every step: a resolved journal row never changes again; at most one settlement is in
force per bill group; every ``OK`` 2207 has its stored settlement. After a clean recovery the journal
and the sandbox ledger agree (nothing lost, nothing doubled, amounts equal).

CI runs ``SW_STATEFUL_RUNS`` (default 20) × ``SW_STATEFUL_STEPS`` (default 15); nightly 200 × 50.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from campaign.harness import EVER, check_ledger, settle_down
from helpers.engine_fixtures import (
    SUPERVISOR_PASSWORD,
    add_operators,
    demo_bill,
    fresh_visit,
    make_engine,
    sandbox_settings,
)
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from app.domain.journal import JournalState
from app.errors import AppError
from app.sandbox import SandboxServer
from app.services.cancel import SupervisorApproval

pytestmark = pytest.mark.slow

RUNS = int(os.environ.get("SW_STATEFUL_RUNS", "20"))
STEPS = int(os.environ.get("SW_STATEFUL_STEPS", "15"))
BILLS = ("01", "02", "03", "07", "08", "13")
FAULT_KINDS = (
    "drop_after",
    "drop_before",
    "http_error_after",
    "truncated",
    "maintenance",
    "refuse",
)
FAULT_TARGETS = ("2201", "2204", "2207", "2208", "2601", "*")


def test_journal_model_holds_under_faults_and_restarts(sandbox_server: SandboxServer) -> None:
    server = sandbox_server

    class JournalModel(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            server.reset()
            self.folder = Path(tempfile.mkdtemp(prefix="sw-stateful-"))
            self.settings = sandbox_settings(server, read_timeout=1.0)
            self.engine = make_engine(self.settings, self.folder / "data")
            self.cashier, self.supervisor = add_operators(self.engine)
            self.resolved: dict[str, JournalState] = {}

        @rule(prefix=st.sampled_from(BILLS))
        def settle(self, prefix: str) -> None:
            # Refused, offline or recovery pending: the invariants hold either way.
            with contextlib.suppress(AppError):
                self.engine.settle_visit(fresh_visit(demo_bill(prefix)), self.cashier)

        @rule(kind=st.sampled_from(FAULT_KINDS), infno=st.sampled_from(FAULT_TARGETS))
        def inject(self, kind: str, infno: str) -> None:
            server.set_faults([{"infno": infno, "kind": kind, "probability": 0.5}], seed=7)

        @rule()
        def clear_faults(self) -> None:
            server.set_faults([])

        @rule()
        def restart(self) -> None:
            self.engine.close()
            self.engine = make_engine(self.settings, self.folder / "data")

        @rule()
        def recover(self) -> None:
            self.engine.start(wait=True)

        @rule()
        def cancel_one(self) -> None:
            with self.engine.uow_factory() as uow:
                in_force = [
                    s.record.settlement_id
                    for s in uow.settlements.between(*EVER)
                    if not s.is_cancellation and not s.cancelled_by
                ]
            if not in_force:
                return
            with contextlib.suppress(AppError):
                self.engine.cancel(
                    in_force[0], self.cashier, SupervisorApproval("S001", SUPERVISOR_PASSWORD)
                )

        @rule()
        def recover_cleanly_and_compare(self) -> None:
            server.set_faults([])
            settle_down(self.engine, self.supervisor)
            result = check_ledger(self.engine, server)
            assert result.lost == result.double_charged == result.unresolved == 0, result.details
            assert result.amount_mismatches == result.phantom == 0, result.details

        @invariant()
        def resolved_rows_never_change(self) -> None:
            with self.engine.uow_factory() as uow:
                rows = list(uow.journal.between(*EVER))
            for row in rows:
                before = self.resolved.get(row.msgid)
                assert before is None or before == row.state, (row.msgid, before, row.state)
                if row.state.is_resolved:
                    self.resolved[row.msgid] = row.state

        @invariant()
        def one_settlement_in_force_per_group(self) -> None:
            with self.engine.uow_factory() as uow:
                stored = list(uow.settlements.between(*EVER))
                ok_2207 = [
                    e.msgid
                    for e in uow.journal.between(*EVER)
                    if e.infno == "2207" and e.state is JournalState.OK
                ]
            in_force = Counter(
                (s.bill_id, s.group_key)
                for s in stored
                if not s.is_cancellation and not s.cancelled_by
            )
            assert all(count == 1 for count in in_force.values()), in_force
            settled_msgids = {s.record.msgid for s in stored}
            assert set(ok_2207) <= settled_msgids

        def teardown(self) -> None:
            server.set_faults([])
            self.engine.close()
            shutil.rmtree(self.folder, ignore_errors=True)

    run_state_machine_as_test(
        JournalModel,
        settings=settings(
            max_examples=RUNS,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
