"""The journal: state moves through the domain state machine, each recorded as an event row."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError

from app.domain.journal import IllegalTransition, JournalState, OwnershipLost
from app.store import SqlUnitOfWorkFactory, Store

from .builders import INSTITUTION, T0, entry

M1 = f"{INSTITUTION}202611231000000001"
M2 = f"{INSTITUTION}202611231000000002"
M3 = f"{INSTITUTION}202611231000000003"


def test_a_row_moves_along_the_state_machine_with_its_history(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.journal.add(entry(M1))
        uow.commit()
    steps = [
        (JournalState.SENT, {}),
        (JournalState.UNKNOWN, {"error": "平台没有应答"}),
        (JournalState.REVERSING, {"count_attempt": True}),
        (JournalState.REVERSING, {"count_attempt": True, "error": "冲正超时"}),
        (JournalState.REVERSED, {}),
    ]
    for minutes, (state, extra) in enumerate(steps, start=1):
        with uow_factory() as uow:
            moved = uow.journal.move(M1, state, T0 + timedelta(minutes=minutes), **extra)  # type: ignore[arg-type]
            uow.commit()
        assert moved.state is state
    with uow_factory() as uow:
        final = uow.journal.get(M1)
        history = uow.journal.history(M1)
    assert final is not None
    assert final.state is JournalState.REVERSED
    assert final.attempts == 2
    assert final.last_error == "冲正超时"
    assert final.updated_at == T0 + timedelta(minutes=5)
    assert final.created_at == T0
    assert [(before, after) for _, before, after in history] == [
        (None, JournalState.PREPARED),
        (JournalState.PREPARED, JournalState.SENT),
        (JournalState.SENT, JournalState.UNKNOWN),
        (JournalState.UNKNOWN, JournalState.REVERSING),
        (JournalState.REVERSING, JournalState.REVERSING),
        (JournalState.REVERSING, JournalState.REVERSED),
    ]


def test_settlement_and_visit_ids_are_recorded_on_ok(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.journal.add(entry(M1))
        uow.journal.move(M1, JournalState.SENT, T0)
        uow.journal.move(M1, JournalState.OK, T0, visit_id="V9", settlement_id="S9")
        uow.commit()
    with uow_factory() as uow:
        row = uow.journal.get(M1)
    assert row is not None
    assert (row.visit_id, row.settlement_id) == ("V9", "S9")


def test_an_illegal_move_raises_and_changes_nothing(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.journal.add(entry(M1))
        uow.commit()
    with uow_factory() as uow, pytest.raises(IllegalTransition):
        uow.journal.move(M1, JournalState.REVERSED, T0)
    with uow_factory() as uow:
        row = uow.journal.get(M1)
        assert row is not None
        assert row.state is JournalState.PREPARED
        assert len(uow.journal.history(M1)) == 1


def test_advance_records_a_call_and_its_answer_in_one_write(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.journal.add(entry(M1))
        uow.journal.add(entry(M2))
        uow.commit()
    with uow_factory() as uow:
        uow.journal.advance(
            M1,
            [(JournalState.SENT, T0), (JournalState.OK, T0 + timedelta(seconds=2))],
            visit_id="V1",
        )
        uow.journal.advance(
            M2, [(JournalState.SENT, T0), (JournalState.UNKNOWN, T0)], error="平台没有应答"
        )
        uow.commit()
    with uow_factory() as uow:
        ok, unknown = uow.journal.get(M1), uow.journal.get(M2)
        assert ok is not None
        assert unknown is not None
        assert (ok.state, ok.visit_id, ok.updated_at) == (
            JournalState.OK,
            "V1",
            T0 + timedelta(seconds=2),
        )
        assert (unknown.state, unknown.last_error) == (JournalState.UNKNOWN, "平台没有应答")
        assert [(before, after) for _, before, after in uow.journal.history(M1)] == [
            (None, JournalState.PREPARED),
            (JournalState.PREPARED, JournalState.SENT),
            (JournalState.SENT, JournalState.OK),
        ]


def test_advance_checks_every_move_and_writes_nothing_on_an_illegal_one(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.journal.add(entry(M1))
        uow.commit()
    with uow_factory() as uow, pytest.raises(IllegalTransition):
        uow.journal.advance(M1, [(JournalState.SENT, T0), (JournalState.REVERSED, T0)])
    with uow_factory() as uow, pytest.raises(LookupError):
        uow.journal.advance(M3, [(JournalState.SENT, T0)])
    with uow_factory() as uow:
        row = uow.journal.get(M1)
        assert row is not None
        assert row.state is JournalState.PREPARED
        assert len(uow.journal.history(M1)) == 1


def test_advance_after_move_in_the_same_unit_of_work_sees_the_moved_state(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.journal.add(entry(M1))
        uow.journal.move(M1, JournalState.SENT, T0)
        uow.journal.advance(M1, [(JournalState.OK, T0)])
        uow.commit()
    with uow_factory() as uow:
        row = uow.journal.get(M1)
    assert row is not None
    assert row.state is JournalState.OK


def test_a_msgid_can_be_journaled_only_once(uow_factory: SqlUnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        uow.journal.add(entry(M1))
        uow.commit()
    with uow_factory() as uow, pytest.raises(IntegrityError):
        uow.journal.add(entry(M1, bill_id="B2"))


def test_unresolved_rows_oldest_first_and_queries_by_bill_and_time(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.journal.add(entry(M2, at=T0 + timedelta(minutes=2), bill_id="B2"))
        uow.journal.add(entry(M1, at=T0 + timedelta(minutes=1)))
        uow.journal.add(entry(M3, at=T0 + timedelta(minutes=3)))
        uow.journal.move(M3, JournalState.SENT, T0)
        uow.journal.move(M3, JournalState.FAILED, T0, error="参保人未备案")
        uow.commit()
    with uow_factory() as uow:
        assert [e.msgid for e in uow.journal.unresolved()] == [M1, M2]
        assert [e.msgid for e in uow.journal.for_bill("B1")] == [M1, M3]
        window = uow.journal.between(T0 + timedelta(minutes=2), T0 + timedelta(minutes=3))
        assert [e.msgid for e in window] == [M2]


def test_journal_survives_a_restart(store: Store, reopen_store: Callable[[], Store]) -> None:
    with store.uow_factory()() as uow:
        uow.journal.add(entry(M1))
        uow.commit()
    store.close()
    with reopen_store().uow_factory()() as uow:
        assert uow.journal.get(M1) == entry(M1)


def _statements_of(store: Store, work: Callable[[], None]) -> list[str]:
    seen: list[str] = []

    def note(*args: object) -> None:
        seen.append(" ".join(str(args[2]).split()[:3]))

    event.listen(store.engine, "before_cursor_execute", note)
    try:
        work()
    finally:
        event.remove(store.engine, "before_cursor_execute", note)
    return seen


def test_a_call_and_its_answer_are_recorded_with_one_update_and_one_insert_of_events(
    store: Store, uow_factory: SqlUnitOfWorkFactory
) -> None:
    with uow_factory() as uow:
        uow.journal.add(replace(entry(M1), owner="p1", writer="p1"))
        uow.commit()

    with uow_factory() as uow:
        seen = _statements_of(
            store,
            lambda: uow.journal.advance(
                M1,
                [(JournalState.SENT, T0), (JournalState.OK, T0 + timedelta(seconds=1))],
                settlement_id="S1",
                owner="p1",
            ),
        )
        uow.commit()

    assert seen == ["UPDATE journal SET", "INSERT INTO journal_events"]
    with uow_factory() as uow:
        row = uow.journal.get(M1)
        history = uow.journal.history(M1)
    assert row is not None
    assert (row.state, row.settlement_id, row.attempts) == (JournalState.OK, "S1", 0)
    assert [(before, after) for _, before, after in history] == [
        (None, JournalState.PREPARED),
        (JournalState.PREPARED, JournalState.SENT),
        (JournalState.SENT, JournalState.OK),
    ]


def test_the_one_statement_move_still_refuses_a_row_in_another_state_or_owned_by_another(
    uow_factory: SqlUnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        uow.journal.add(replace(entry(M1), owner="p1", writer="p1"))
        uow.journal.add(replace(entry(M2), owner="p1", writer="p1"))
        uow.journal.move(M2, JournalState.SENT, T0)
        uow.commit()

    answered = [(JournalState.SENT, T0), (JournalState.OK, T0)]
    with uow_factory() as uow, pytest.raises(OwnershipLost):
        uow.journal.advance(M1, answered, owner="p2")
    with uow_factory() as uow, pytest.raises(IllegalTransition):
        uow.journal.advance(M2, answered, owner="p1")
    with uow_factory() as uow, pytest.raises(LookupError):
        uow.journal.advance(M3, answered, owner="p1")

    with uow_factory() as uow:
        untouched = uow.journal.get(M1), uow.journal.get(M2)
        assert [len(uow.journal.history(m)) for m in (M1, M2)] == [1, 2]
    assert [row.state if row else None for row in untouched] == [
        JournalState.PREPARED,
        JournalState.SENT,
    ]
