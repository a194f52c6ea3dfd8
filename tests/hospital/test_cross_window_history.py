"""Hospital mode: the history lists every window's settlements (filter by window), with this window's
records not yet synced merged in (issue 13 item 4)."""

from __future__ import annotations

from helpers.engine_fixtures import demo_bill, fresh_visit
from helpers.hospital_windows import APPROVAL, Window, sync_all, today
from helpers.pg_fixtures import HOSPITAL_KEY
from sqlalchemy import create_engine

from app.services.hospital_history import HospitalHistory, HospitalHistoryService
from app.store.hospital.record import PgHospitalRecord


def settle_at(window: Window) -> str:
    bill = window.engine.settle_visit(fresh_visit(demo_bill("01")), window.cashier)
    settlement_id = next(g.settlement_id for g in bill.groups if g.settlement_id)
    assert settlement_id is not None
    return settlement_id


def history(window: Window, only: str | None = None) -> HospitalHistory:
    return HospitalHistoryService(window.engine.uow_factory, window.record).day(today(), only)


def test_every_window_is_listed_and_unsynced_local_rows_are_merged_in(
    two_windows: tuple[Window, Window],
) -> None:
    w1, w2 = two_windows
    first, second = settle_at(w1), settle_at(w1)
    sync_all([w1])
    mine = settle_at(w2)  # not synced yet

    seen = history(w2)

    assert seen.complete
    by_id = {e.settlement.settlement_id: e for e in seen.entries}
    assert set(by_id) == {first, second, mine}
    assert by_id[first].synced
    assert by_id[first].settlement.window == "W01"
    assert not by_id[mine].synced
    assert by_id[mine].settlement.window == "W02"
    assert seen.windows() == ("W01", "W02")
    assert [e.settlement.settlement_id for e in history(w2, "W02").entries] == [mine]
    assert {e.settlement.settlement_id for e in history(w2, "W01").entries} == {first, second}


def test_after_a_cross_window_refund_both_histories_agree(
    two_windows: tuple[Window, Window],
) -> None:
    w1, w2 = two_windows
    paid = settle_at(w1)
    sync_all([w1, w2])
    cancelled = w2.cancels().cancel(paid, w2.cashier, APPROVAL)
    sync_all([w1, w2])

    at_w1, at_w2 = history(w1), history(w2)

    def shown(h: HospitalHistory) -> list[tuple[str, str, bool, str]]:
        return [
            (
                e.settlement.settlement_id,
                str(e.settlement.total),
                e.synced,
                e.settlement.cancelled_by,
            )
            for e in h.entries
        ]

    assert shown(at_w1) == shown(at_w2)
    rows = {row[0]: row for row in shown(at_w1)}
    assert rows[paid][3] == cancelled.cancellation_id
    assert cancelled.cancellation_id in rows


def test_with_the_hospital_database_away_the_window_shows_its_own_and_says_so(
    two_windows: tuple[Window, Window],
) -> None:
    w1, _ = two_windows
    mine = settle_at(w1)
    away = PgHospitalRecord(
        create_engine("postgresql+psycopg://postgres@127.0.0.1:1/test"), HOSPITAL_KEY
    )

    seen = HospitalHistoryService(w1.engine.uow_factory, away).day(today())

    assert not seen.complete
    assert "医院数据库" in seen.notice
    assert [e.settlement.settlement_id for e in seen.entries] == [mine]
