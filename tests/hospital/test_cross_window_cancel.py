"""Hospital mode, across windows: a settlement made at one window is cancelled or refunded at another,
and of two windows cancelling the same settlement at once exactly one sends the 2208 (issue 13 item 4)."""

from __future__ import annotations

import threading

import pytest
from helpers.engine_fixtures import demo_bill, fresh_visit
from helpers.hospital_windows import APPROVAL, Window, sync_all
from helpers.pg_fixtures import HOSPITAL_KEY
from sqlalchemy import create_engine

from app.errors import AppError, InputError, StateConflict
from app.sandbox import SandboxServer
from app.services.hospital_cancel import HospitalCancelService
from app.services.ports.clock import SystemClock
from app.store.hospital.record import PgHospitalRecord


def settle_at(window: Window, prefix: str = "01") -> str:
    bill = window.engine.settle_visit(fresh_visit(demo_bill(prefix)), window.cashier)
    settlement_id = next(g.settlement_id for g in bill.groups if g.settlement_id)
    assert settlement_id is not None
    return settlement_id


def test_paid_at_w01_refunded_at_w02_one_2208_and_both_histories_agree(
    two_windows: tuple[Window, Window], sandbox: SandboxServer
) -> None:
    w1, w2 = two_windows
    settlement_id = settle_at(w1)
    sync_all([w1, w2])
    before = sandbox.request_count("2208")

    result = w2.cancels().cancel(settlement_id, w2.cashier, APPROVAL)

    assert sandbox.request_count("2208") == before + 1
    assert result.original_settlement_id == settlement_id
    sync_all([w1, w2])
    found = w1.record.find_settlement(settlement_id)
    assert found is not None
    assert found.window == "W01"
    assert found.cancelled_by == result.cancellation_id
    cancellation = w1.record.find_settlement(result.cancellation_id)
    assert cancellation is not None
    assert cancellation.is_cancellation
    assert cancellation.total == -found.total
    assert cancellation.window == "W02", "the cancellation is the acting window's record"
    with w2.engine.uow_factory() as uow:
        local = uow.settlements.get(settlement_id)
        assert local is not None
        assert local.cancelled_by == result.cancellation_id


def test_a_settlement_not_yet_synced_from_its_window_is_refused_saying_so(
    two_windows: tuple[Window, Window], sandbox: SandboxServer
) -> None:
    """Field test: paid at W01 (driven from the command line, never synced), refund asked at W02:
    it said only "找不到结算记录 …" although the settlement exists at W01."""
    w1, w2 = two_windows
    sync_all([w1, w2])
    settlement_id = settle_at(w1)  # not synced
    before = sandbox.request_count("2208")

    with pytest.raises(InputError) as refused:
        w2.cancels().cancel(settlement_id, w2.cashier, APPROVAL)

    assert refused.value.code == "settlement_not_found"
    assert "医院数据库" in refused.value.text
    assert "hospital sync" in refused.value.text
    assert sandbox.request_count("2208") == before


def test_w01_cannot_cancel_again_what_w02_cancelled_and_is_told_who(
    two_windows: tuple[Window, Window], sandbox: SandboxServer
) -> None:
    w1, w2 = two_windows
    settlement_id = settle_at(w1)
    sync_all([w1, w2])
    w2.cancels().cancel(settlement_id, w2.cashier, APPROVAL)
    before = sandbox.request_count("2208")

    with pytest.raises(StateConflict) as refused:
        w1.cancels().cancel(settlement_id, w1.cashier, APPROVAL)

    assert refused.value.code == "cancel_claimed_elsewhere"
    assert "W02" in refused.value.text
    assert sandbox.request_count("2208") == before


def test_a_partial_refund_at_another_window_resettles_the_kept_lines_there(
    two_windows: tuple[Window, Window], sandbox: SandboxServer
) -> None:
    w1, w2 = two_windows
    bill = w1.engine.settle_visit(fresh_visit(demo_bill("01")), w1.cashier)
    group = next(g for g in bill.groups if g.settlement_id)
    assert group.settlement_id is not None
    assert len(group.line_nos) > 1
    sync_all([w1, w2])

    refund = w2.cancels().partial_refund(
        group.settlement_id, [group.line_nos[0]], w2.cashier, APPROVAL
    )

    assert refund.resettled is not None
    assert refund.cancellation.original_settlement_id == group.settlement_id
    sync_all([w1, w2])
    found = w1.record.find_settlement(group.settlement_id)
    assert found is not None
    assert found.cancelled_by == refund.cancellation.cancellation_id


def test_two_windows_cancelling_one_settlement_at_once_send_one_2208(
    two_windows: tuple[Window, Window], sandbox: SandboxServer
) -> None:
    w1, w2 = two_windows
    settlement_id = settle_at(w1)
    sync_all([w1, w2])
    before = sandbox.request_count("2208")
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def cancel(window: Window) -> None:
        service = window.cancels()
        barrier.wait()
        try:
            outcomes[window.name] = service.cancel(settlement_id, window.cashier, APPROVAL)
        except AppError as exc:
            outcomes[window.name] = exc

    threads = [threading.Thread(target=cancel, args=(w,)) for w in (w1, w2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sandbox.request_count("2208") == before + 1
    refused = [o for o in outcomes.values() if isinstance(o, StateConflict)]
    done = [name for name, o in outcomes.items() if not isinstance(o, AppError)]
    assert len(refused) == 1
    assert len(done) == 1
    assert refused[0].code == "cancel_claimed_elsewhere"
    assert done[0] in refused[0].text


def test_with_the_hospital_database_unreachable_nothing_is_cancelled(
    two_windows: tuple[Window, Window], sandbox: SandboxServer
) -> None:
    w1, _ = two_windows
    settlement_id = settle_at(w1)
    away = PgHospitalRecord(
        create_engine("postgresql+psycopg://postgres@127.0.0.1:1/test"), HOSPITAL_KEY
    )
    service = HospitalCancelService(
        cancellation=w1.engine.cancellation,
        uow_factory=w1.engine.uow_factory,
        record=away,
        clock=SystemClock(),
        window="W01",
    )
    before = sandbox.request_count("2208")

    with pytest.raises(InputError) as refused:
        service.cancel(settlement_id, w1.cashier, APPROVAL)

    assert refused.value.code == "hospital_unreachable"
    assert "医院数据库" in refused.value.text
    assert sandbox.request_count("2208") == before


def test_a_refused_cancellation_gives_the_claim_back(
    two_windows: tuple[Window, Window], sandbox: SandboxServer
) -> None:
    w1, w2 = two_windows
    settlement_id = settle_at(w1)
    sync_all([w1, w2])
    wrong = type(APPROVAL)("S001", "not-the-password")

    with pytest.raises(AppError):
        w2.cancels().cancel(settlement_id, w2.cashier, wrong)

    assert w1.record.claim_cancel(settlement_id, "W01", "C001", SystemClock().now()) == "W01"
