"""Issue #16 and #11 item 2: a journal row belongs to its live writer; abandoned visits are withdrawn.

Two engines on one data folder stand for two processes: each holds its own lease (an ``flock`` on its
own open file), so one engine sees the other alive until it is closed, exactly as across processes.
The cross-process case with ``SIGKILL`` is at the top and in ``tests/campaign/test_many_processes.py``.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.engine_fixtures import demo_bill, make_engine, sandbox_settings

from app.config import Settings, database_path
from app.domain.journal import JournalState, OwnershipLost
from app.domain.operator import Operator
from app.domain.visit import GroupState
from app.errors import AppError, RecoveryPending
from app.sandbox import SandboxServer
from app.services.engine import Engine
from app.services.journaling import CallIntent, JournaledCaller
from app.services.settlement import GroupResult
from app.store.leases import LEASE_FOLDER, FileLeases

ROOT = Path(__file__).resolve().parents[2]
HOLDER = (
    "import sys; from pathlib import Path; from app.store.leases import FileLeases; "
    "lease = FileLeases(Path(sys.argv[1])); print(lease.owner_id, flush=True); sys.stdin.read()"
)


def test_a_lease_is_alive_while_its_process_lives_and_claimable_once_it_is_killed(
    tmp_path: Path,
) -> None:
    mine = FileLeases(tmp_path)
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as holder:
        try:
            assert holder.stdout is not None
            other = holder.stdout.readline().strip()
            assert mine.is_alive(other)
            with mine.claim(other) as dead:
                assert not dead
            assert mine.is_alive(other)  # probing and failing to claim did not hurt the holder

            holder.send_signal(signal.SIGKILL)
            holder.wait(timeout=10)

            assert not mine.is_alive(other)
            with mine.claim(other) as dead:
                assert dead
            assert not (tmp_path / LEASE_FOLDER / f"{other}.lease").exists()
            assert mine.is_alive(mine.owner_id)
            assert (tmp_path / LEASE_FOLDER).stat().st_mode & 0o777 == 0o700
        finally:
            mine.close()
            if holder.poll() is None:
                holder.kill()
    assert not mine.is_alive(mine.owner_id)


@pytest.fixture
def engine_settings(sandbox: SandboxServer) -> Settings:
    """A long read timeout: the calls held in flight below must not time out on a busy machine."""
    return sandbox_settings(sandbox, read_timeout=10.0)


def _preview(engine: Engine, cashier: Operator, prefix: str = "01") -> tuple[str, str]:
    visit = demo_bill(prefix)
    view = engine.identify(visit.identity, cashier)
    bill = engine.open_bill(visit, view, cashier)
    key = next(g.group_key for g in bill.groups if g.med_type is not None)
    assert engine.settlement.preview(bill.bill_id, key, cashier).state is GroupState.PREVIEWED
    return bill.bill_id, key


def _in_flight(engine: Engine, infno: str) -> bool:
    with engine.uow_factory() as uow:
        return any(e.infno == infno for e in uow.journal.unresolved())


def _wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_recovery_in_a_second_process_never_reverses_a_settlement_in_flight(
    engine: Engine,
    cashier: Operator,
    sandbox: SandboxServer,
    engine_settings: Settings,
) -> None:
    bill_id, key = _preview(engine, cashier)
    sandbox.set_faults([{"infno": "2207", "kind": "latency", "params": {"seconds": 2.5}}])
    results: list[GroupResult] = []
    settling = threading.Thread(
        target=lambda: results.append(engine.settlement.confirm(bill_id, key, cashier))
    )
    settling.start()
    _wait_for(lambda: _in_flight(engine, "2207"))
    second = make_engine(engine_settings, engine.data_dir)
    try:
        summary = second.start(wait=True)  # what a second `settle` does before it settles
    finally:
        second.close()
    settling.join(timeout=10)

    assert len(summary.elsewhere) == 1
    assert summary.elsewhere[0].infno == "2207"
    assert summary.reversed == summary.void == summary.cleaned == 0
    assert "其他收费程序" in summary.text()
    assert sandbox.request_count("2601") == 0
    assert sandbox.request_count("2202") == sandbox.request_count("2205") == 0
    assert results[0].state is GroupState.SETTLED
    assert [r["status"] for r in sandbox.ledger() if r["infno"] == "2207"] == ["settled"]


def test_a_second_process_settles_beside_a_call_in_flight_on_another_bill(
    engine: Engine,
    cashier: Operator,
    sandbox: SandboxServer,
    engine_settings: Settings,
) -> None:
    first_bill, key = _preview(engine, cashier, "01")
    sandbox.set_faults(
        [{"infno": "2207", "kind": "latency", "params": {"seconds": 2.5}, "nth": [1]}]
    )
    settling = threading.Thread(target=lambda: engine.settlement.confirm(first_bill, key, cashier))
    settling.start()
    _wait_for(lambda: _in_flight(engine, "2207"))
    second = make_engine(engine_settings, engine.data_dir)
    try:
        bill = second.settle_visit(demo_bill("02"), second.operator("C001"))
    finally:
        second.close()
        settling.join(timeout=10)

    assert {g.state for g in bill.groups} <= {GroupState.SETTLED, GroupState.SELF_PAY_COLLECTED}
    assert sandbox.request_count("2601") == 0


def test_a_closed_process_rows_are_claimed_and_resolved_by_the_next(
    engine: Engine, cashier: Operator, sandbox: SandboxServer, engine_settings: Settings
) -> None:
    bill_id, key = _preview(engine, cashier)
    bill = engine.settlement.bill(bill_id)
    with engine.uow_factory() as uow:
        (register,) = [e for e in uow.journal.for_bill(bill_id) if e.infno == "2201"]
    # The 2207 is journaled, then the process is gone before sending (as if killed there).
    caller = JournaledCaller(engine.uow_factory, engine.clock, register.msgid[:12], register.owner)
    caller.prepare(
        CallIntent("2207", bill_id, key, bill.person_no, register.insured_admdvs, cashier.code,
                   visit_id=register.visit_id)
    )  # fmt: skip
    data_dir = engine.data_dir
    engine.close()
    second = make_engine(engine_settings, data_dir)
    try:
        summary = second.start(wait=True)
        with second.uow_factory() as uow:
            rows = list(uow.journal.for_bill(bill_id))
        group = second.bill(bill_id).group(key)
    finally:
        second.close()

    assert summary.void == 1
    assert summary.elsewhere == ()
    assert {e.owner for e in rows} == {rows[-1].owner} != {register.owner}
    assert {e.writer for e in rows} >= {register.owner}
    assert sandbox.open_visits() == []
    assert group.state is GroupState.FAILED


def test_a_visit_abandoned_after_preview_is_withdrawn_at_the_next_start(
    engine: Engine, cashier: Operator, sandbox: SandboxServer, engine_settings: Settings
) -> None:
    bill_id, key = _preview(engine, cashier, "03")
    assert len(sandbox.open_visits()) == 1
    assert sandbox.open_visits()[0]["active_fee_lines"] > 0
    data_dir = engine.data_dir
    engine.close()  # the window closed (or crashed) after the preview

    second = make_engine(engine_settings, data_dir)
    try:
        summary = second.start()
        withdrawals = (sandbox.request_count("2205"), sandbox.request_count("2202"))
        group = second.bill(bill_id).group(key)
        again = second.settle(bill_id, second.operator("C001"))
    finally:
        second.close()

    assert summary.visits.withdrawn == 1
    assert "撤销未完成就诊 1 个" in summary.text()
    assert withdrawals == (1, 1)
    assert group.state is GroupState.FAILED
    assert "撤销" in group.failure
    assert again.group(key).state is GroupState.SETTLED
    assert sandbox.open_visits() == []


def test_day_close_waits_for_a_live_process_visit_and_withdraws_a_walked_away_preview(
    engine: Engine,
    cashier: Operator,
    supervisor: Operator,
    sandbox: SandboxServer,
    engine_settings: Settings,
) -> None:
    other = make_engine(engine_settings, engine.data_dir)
    try:
        _preview(other, other.operator("C001"), "01")  # another window, mid-preview
        engine.start()
        assert len(sandbox.open_visits()) == 1  # not ours to withdraw
        with pytest.raises(RecoveryPending) as refused:
            engine.close_day(engine.day_close.today(), supervisor)
        assert "正在收费程序中办理" in refused.value.text
    finally:
        other.close()

    _preview(engine, cashier, "02")  # our own cashier walks away from this preview
    report = engine.close_day(engine.day_close.today(), supervisor)

    assert sandbox.open_visits() == []
    assert report.balanced
    assert sandbox.request_count("2202") == 2


def test_a_claimed_row_is_never_recorded_twice(engine: Engine, cashier: Operator) -> None:
    caller = JournaledCaller(engine.uow_factory, engine.clock, "H11010500001", "p1-aaaaaaaaaaaa")
    entry = caller.prepare(CallIntent("2202", "B1", "general", "P1", "110000", cashier.code))
    with engine.uow_factory() as uow:
        assert uow.journal.take_over("p1-aaaaaaaaaaaa", "p2-bbbbbbbbbbbb") == 1
        uow.commit()

    with pytest.raises(OwnershipLost) as lost:
        caller.send_prepared(entry, lambda _msgid: None)

    assert "已被另一个收费程序接管" in lost.value.text
    with engine.uow_factory() as uow:
        row = uow.journal.get(entry.msgid)
    assert row is not None
    assert row.state is JournalState.PREPARED


def test_restore_and_purge_are_refused_while_another_program_holds_a_lease(tmp_path: Path) -> None:
    from app.cli.backup import window_closed  # noqa: PLC0415 - the admin commands' guard

    other = FileLeases(tmp_path)  # a CLI `settle` or an HIS script working on the folder
    try:
        with pytest.raises(AppError) as refused, window_closed(tmp_path):
            pytest.fail("the guard let the restore run")
        assert refused.value.code == "store_in_use"
        assert "正在使用这个数据目录" in refused.value.text
    finally:
        other.close()
    with window_closed(tmp_path):
        pass  # free again once that program has ended


def test_a_running_window_resolves_what_an_ended_program_left_before_its_next_settlement(
    engine: Engine, cashier: Operator, sandbox: SandboxServer, engine_settings: Settings
) -> None:
    window = make_engine(engine_settings, engine.data_dir)  # long-running, started before
    try:
        window.start()
        bill_id, key = _preview(engine, cashier, "01")
        bill = engine.settlement.bill(bill_id)
        with engine.uow_factory() as uow:
            (register,) = [e for e in uow.journal.for_bill(bill_id) if e.infno == "2201"]
        caller = JournaledCaller(
            engine.uow_factory, engine.clock, register.msgid[:12], register.owner
        )
        caller.prepare(
            CallIntent("2207", bill_id, key, bill.person_no, register.insured_admdvs, cashier.code,
                       visit_id=register.visit_id)
        )  # fmt: skip
        engine.close()  # the CLI process that wrote it is gone

        settled = window.settle_visit(demo_bill("02"), window.operator("C001"))
        left = window.journal()
    finally:
        window.close()

    assert {g.state for g in settled.groups} <= {GroupState.SETTLED, GroupState.SELF_PAY_COLLECTED}
    assert left == ()
    assert sandbox.request_count("2601") == 1  # the orphan 2207, never sent: "nothing to undo"
    assert sandbox.open_visits() == []


def test_an_answer_this_process_failed_to_record_is_resolved_without_waiting_for_a_restart(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    bill_id, key = _preview(engine, cashier)
    sandbox.set_faults([{"infno": "2207", "kind": "latency", "params": {"seconds": 1.0}}])
    failures: list[BaseException] = []

    def confirm() -> None:
        try:
            engine.settlement.confirm(bill_id, key, cashier)
        except Exception as exc:
            failures.append(exc)

    settling = threading.Thread(target=confirm)
    settling.start()
    _wait_for(lambda: _in_flight(engine, "2207"))
    # Another writer holds the database while the answer comes back: recording it fails.
    blocker = sqlite3.connect(database_path(engine.data_dir), isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")
        settling.join(timeout=30)
        blocker.execute("ROLLBACK")
    finally:
        blocker.close()
    assert failures
    assert [r["status"] for r in sandbox.ledger() if r["infno"] == "2207"] == ["settled"]

    summary = engine.start()  # the same, still running process

    assert summary.reversed == 1
    assert summary.elsewhere == ()
    assert engine.journal() == ()
    assert [r["status"] for r in sandbox.ledger() if r["infno"] == "2207"] == ["reversed"]
    assert engine.bill(bill_id).group(key).state is GroupState.FAILED
