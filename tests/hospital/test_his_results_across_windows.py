"""Hospital mode: each HIS result is reported once, whichever window settled it (issue #15 item 7).

Two windows on one reference HIS (HTTP on loopback) and one hospital schema. W01 loads a HIS visit and
settles it: W01 reports the lines paid. The patient asks for the refund at W02: W02 imports W01's
settlement, adopts the HIS lines W01 loaded (kept with W01's hospital-wide charge claims) and reports
the cancellation. Every result key reaches the HIS exactly once, from the window that did the work.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.hospital_windows import APPROVAL, Window, open_window, sync_all
from helpers.pg_fixtures import HospitalDb

from app.domain.his import ChargeStatus, ResultKind, result_key
from app.his.http import HttpHis
from app.sandbox import SandboxServer
from app.sandbox.his import ReferenceHis
from app.sandbox.his.demo import demo_his
from app.sandbox.his.http import HisHttpServer

QINGHAI_ID = "630120197003151227"  # 马秀兰, demo bill 01 (M00500, 179.63)


@pytest.fixture
def reference_his() -> ReferenceHis:
    return demo_his()


@pytest.fixture
def windows(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path, reference_his: ReferenceHis
) -> Iterator[tuple[Window, Window]]:
    with HisHttpServer(reference_his) as server:
        opened = [
            open_window(
                name,
                sandbox,
                hospital_db,
                tmp_path / name.lower(),
                configured=True,
                his_gateway=HttpHis(server.url, connect_timeout=1.0, read_timeout=1.0),
            )
            for name in ("W01", "W02")
        ]
        try:
            yield opened[0], opened[1]
        finally:
            for window in opened:
                window.engine.close()


def deliver(window: Window) -> int:
    assert window.engine.his_outbox is not None
    window.engine.his_outbox.deliver_due()
    return window.engine.his_outbox.pending_count()


def test_paid_at_w01_refunded_at_w02_every_result_reported_once(
    windows: tuple[Window, Window], reference_his: ReferenceHis
) -> None:
    w1, w2 = windows
    assert w1.engine.his is not None
    visit = w1.engine.his.load(w1.engine.his.unpaid_for_person(QINGHAI_ID))
    bill = w1.engine.settle_visit(visit, w1.cashier)
    (settlement_id,) = [g.settlement_id for g in bill.groups if g.settlement_id]
    assert deliver(w1) == 0
    charges = [line.line_no for line in visit.lines]
    assert all(reference_his.status(c) is ChargeStatus.PAID for c in charges)
    sync_all([w1, w2])

    w2.cancels().cancel(settlement_id, w2.cashier, APPROVAL)
    assert deliver(w2) == 0
    assert deliver(w1) == 0

    received = reference_his.received()
    for charge in charges:
        assert reference_his.status(charge) is ChargeStatus.UNPAID, "the HIS knows of the refund"
        applied = reference_his.applied(charge)
        assert [(a.result.kind, a.result.window) for a in applied] == [
            (ResultKind.SETTLED, "W01"),
            (ResultKind.CANCELLED, "W02"),
        ]
        assert received[result_key(settlement_id, charge, ResultKind.SETTLED)] == 1
        assert received[result_key(settlement_id, charge, ResultKind.CANCELLED)] == 1
    assert sum(received.values()) == 2 * len(charges), "no result reported twice or by both"


def test_partly_refunded_at_w02_the_his_hears_it_once_from_w02(
    windows: tuple[Window, Window], reference_his: ReferenceHis
) -> None:
    w1, w2 = windows
    assert w1.engine.his is not None
    visit = w1.engine.his.load(w1.engine.his.unpaid_for_person(QINGHAI_ID))
    charges = [line.line_no for line in visit.lines]
    assert len(charges) >= 2, "a visit with more than one line"
    bill = w1.engine.settle_visit(visit, w1.cashier)
    (settlement_id,) = [g.settlement_id for g in bill.groups if g.settlement_id]
    assert deliver(w1) == 0
    sync_all([w1, w2])

    refund = w2.cancels().partial_refund(settlement_id, [charges[0]], w2.cashier, APPROVAL)
    assert deliver(w2) == 0
    assert deliver(w1) == 0

    assert refund.resettled is not None
    (kept_by,) = [g.settlement_id for g in refund.resettled.groups if g.settlement_id]
    assert reference_his.status(charges[0]) is ChargeStatus.UNPAID
    for charge in charges[1:]:
        assert reference_his.status(charge) is ChargeStatus.PAID
        assert [(a.result.kind, a.result.window) for a in reference_his.applied(charge)] == [
            (ResultKind.SETTLED, "W01"),
            (ResultKind.CANCELLED, "W02"),
            (ResultKind.PARTLY_REFUNDED, "W02"),
        ]
        assert reference_his.applied(charge)[-1].result.setl_id == kept_by
    assert set(reference_his.received().values()) == {1}, "every key reported once"
