"""The HIS misbehaves while 100 visits are settled, some cancelled and some partly refunded.

The reference HIS is switched between down, slow (answers after the adapter's timeout), answering
errors and losing answers (applied, then the answer garbled) for the whole run, while the window's
outbox worker delivers in the background. When the HIS is well again: every result is reported
exactly once (applied once per key, though some keys arrived more than once), in order per charge
line, and none is lost (every HIS line of every stored settlement and cancellation has its result).
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from helpers.engine_fixtures import SUPERVISOR_PASSWORD, add_operators, make_engine

from app.config import Settings
from app.domain.his import ChargeStatus, PatientKey, PatientKeyKind, ResultKind
from app.errors import AppError
from app.his.http import HttpHis
from app.sandbox.his import ReferenceHis
from app.sandbox.his.demo import demo_his
from app.sandbox.his.http import HisHttpServer
from app.services.cancel import SupervisorApproval
from app.services.engine import Engine
from app.services.his_outbox import HisOutbox, OutboxWorker
from app.services.ports.his import OutboxState

VISITS = 100
FAULTS = ("none", "down", "slow", "errors", "lose", "none")


class Chaos:
    """Flips the reference HIS's fault switches every few tens of milliseconds."""

    def __init__(self, his: ReferenceHis, seed: int = 15) -> None:
        self._his = his
        self._rng = random.Random(seed)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._calm = threading.Event()
        self._lock = threading.Lock()
        self.seen: set[str] = set()

    @contextmanager
    def paused(self) -> Iterator[None]:
        """No faults inside the block."""
        with self._lock:
            self._calm.set()
            self._his.faults.set()
        try:
            yield
        finally:
            self._calm.clear()

    def _run(self) -> None:
        while not self._stop.wait(self._rng.uniform(0.02, 0.12)):
            with self._lock:
                if self._calm.is_set():
                    continue
                fault = self._rng.choice(FAULTS)
                self.seen.add(fault)
                self._his.faults.set(
                    down=fault == "down",
                    delay_s=0.4 if fault == "slow" else 0.0,
                    errors=3 if fault == "errors" else 0,
                    lose=2 if fault == "lose" else 0,
                )

    def __enter__(self) -> Chaos:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._his.faults.set()


@pytest.fixture
def many_visits_his() -> Iterator[HisHttpServer]:
    with HisHttpServer(demo_his(copies=8)) as server:
        yield server


def _retrying(work, attempts: int = 200):  # type: ignore[no-untyped-def]
    """What a cashier does when the HIS is down: try again a moment later."""
    for _ in range(attempts):
        try:
            return work()
        except AppError as exc:
            if exc.code not in ("his_unverified", "his_unreachable", "his_timeout",
                                "his_bad_answer"):  # fmt: skip
                raise
            time.sleep(0.03)
    raise AssertionError("the HIS never answered")


def _settle_all(engine: Engine, his: ReferenceHis, chaos: Chaos) -> tuple[set[str], int, int]:
    """Settle VISITS visits through the faults; cancel every 7th, partly refund some others."""
    cashier, supervisor = add_operators(engine)
    approval = SupervisorApproval(supervisor.code, SUPERVISOR_PASSWORD)
    assert engine.his is not None
    his_service = engine.his
    bills: set[str] = set()
    cancelled = refunded = 0
    for index, visit_no in enumerate(sorted(his.visit_numbers())[:VISITS]):
        key = PatientKey(PatientKeyKind.OUTPATIENT_NO, visit_no)
        visits = _retrying(lambda key=key: his_service.unpaid_visits(key))
        loaded = his_service.load(visits)
        view = engine.identify(loaded.identity, cashier)
        bill = engine.open_bill(loaded, view, cashier)
        bills.add(bill.bill_id)
        result = _retrying(lambda bill=bill: engine.settle(bill.bill_id, cashier))
        direct = [g for g in result.groups if g.settlement_id and not g.is_self_pay]
        if not direct:
            continue
        group = direct[0]
        if index % 7 == 3:
            engine.cancel(group.settlement_id, cashier, approval)
            cancelled += 1
        elif index % 5 == 1 and len(group.line_nos) > 1:
            with chaos.paused():  # the re-settlement's HIS check is not retried by this script
                refund = engine.partial_refund(
                    group.settlement_id, [group.line_nos[-1]], cashier, approval
                )
            assert refund.resettled is not None
            bills.add(refund.resettled.bill_id)
            refunded += 1
    return bills, cancelled, refunded


@pytest.mark.slow
def test_every_result_reaches_the_his_exactly_once_in_order_through_faults(
    engine_settings: Settings, tmp_path: Path, many_visits_his: HisHttpServer
) -> None:
    his = many_visits_his.his
    gateway = HttpHis(many_visits_his.url, connect_timeout=0.3, read_timeout=0.25)
    engine = make_engine(engine_settings, tmp_path / "data", his_gateway=gateway)
    outbox = HisOutbox(gateway, engine.uow_factory, engine.clock, base_delay=0.02, max_delay=0.2)
    worker = OutboxWorker(outbox, interval=0.05).start()
    try:
        with Chaos(his) as chaos:
            bills, cancelled, refunded = _settle_all(engine, his, chaos)
        deadline = time.monotonic() + 120
        while outbox.pending_count() and time.monotonic() < deadline:
            outbox.retry_now()
            time.sleep(0.1)
    finally:
        worker.stop()
    try:
        with engine.uow_factory() as uow:
            items = list(uow.his.items())
        assert {"down", "slow", "errors", "lose"} <= chaos.seen
        assert cancelled >= 10, cancelled
        assert refunded >= 3, refunded
        assert all(item.state is OutboxState.DELIVERED for item in items)
        # exactly once: every local result applied once by the HIS, nothing else applied
        applied = his.applied()
        assert sorted(a.result.key for a in applied) == sorted(i.result.key for i in items)
        received = his.received()
        assert any(count > 1 for count in received.values()), "faults caused retries"
        # in order per charge line: the HIS saw each line's results in the window's order
        for charge in {i.result.charge_id for i in items}:
            ours = [i.result.key for i in items if i.result.charge_id == charge]
            theirs = [a.result.key for a in his.applied(charge)]
            assert theirs == ours
            last = his.applied(charge)[-1].result.kind
            expected = ChargeStatus.UNPAID if last is ResultKind.CANCELLED else ChargeStatus.PAID
            assert his.status(charge) is expected
        # none lost: every line of every settlement and cancellation of these bills has its result
        with engine.uow_factory() as uow:
            stored = [s for bill_id in bills for s in uow.settlements.for_bill(bill_id)]
            originals = {s.record.settlement_id: s for s in stored}
        assert len(stored) >= VISITS
        for settlement in stored:
            source = originals.get(settlement.original_settlement_id, settlement)
            lines = {split.line_no for split in source.record.splits}
            reported = {
                i.result.charge_id
                for i in items
                if i.result.setl_id == settlement.record.settlement_id
            }
            assert reported == lines, settlement.record.settlement_id
        kinds = {a.result.kind for a in applied}
        assert {ResultKind.SETTLED, ResultKind.CANCELLED, ResultKind.PARTLY_REFUNDED} <= kinds
    finally:
        engine.close()
