"""Settlement through the services against the sandbox over loopback, with a real SQLite store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from helpers.engine_fixtures import (
    DEMO_BILLS,
    add_operators,
    demo_bill,
    fresh_visit,
    ledger_by_msgid,
    make_engine,
)
from helpers.store_fixtures import counting_commits
from sqlalchemy import Engine as SqlEngine
from sqlalchemy import event

from app.config import Settings
from app.domain.journal import JournalState
from app.domain.operator import Operator, Role
from app.domain.plan import GroupKind, group_label
from app.domain.receipt import FeeCategory
from app.domain.settlement import check_split, check_totals
from app.domain.visit import BillStatus, GroupState
from app.errors import InputError, PermissionDenied
from app.sandbox import SandboxServer
from app.services.engine import Engine
from app.services.settlement import SELF_PAY_PREFIX, BillResult, GroupResult

ALL_BILLS = sorted(path.name[:2] for path in DEMO_BILLS.glob("*.json"))


def test_qinghai_seed_case_settles_to_129_63_fund_and_50_cash(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    bill = engine.settle_visit(demo_bill("01"), cashier)

    (group,) = bill.groups
    assert group.state is GroupState.SETTLED
    assert group.totals is not None
    assert (group.totals.total, group.totals.fund, group.totals.cash) == (
        Decimal("179.63"),
        Decimal("129.63"),
        Decimal("50.00"),
    )
    assert bill.status is BillStatus.SETTLED
    assert group.settlement_id in {row["setl_id"] for row in sandbox.ledger()}


@pytest.mark.parametrize("prefix", ALL_BILLS)
def test_every_demo_visit_settles_and_agrees_with_the_platform_ledger(
    engine: Engine, cashier: Operator, sandbox: SandboxServer, prefix: str
) -> None:
    visit = demo_bill(prefix)
    bill = engine.settle_visit(visit, cashier)

    assert bill.status is BillStatus.SETTLED
    assert sum((g.total for g in bill.groups), Decimal(0)) == sum(
        (line.amount for line in visit.lines), Decimal(0)
    )
    ledger = ledger_by_msgid(sandbox)
    with engine.uow_factory() as uow:
        stored = list(uow.settlements.for_bill(bill.bill_id))
        journal = list(uow.journal.for_bill(bill.bill_id))
    assert len(stored) == len(bill.groups)
    for settlement in stored:
        record = settlement.record
        assert check_totals(record.totals) == []
        if record.settlement_id.startswith(SELF_PAY_PREFIX):
            assert record.totals.cash == record.totals.total
            assert record.msgid not in ledger
            continue
        row = ledger[record.msgid]
        assert row["setl_id"] == record.settlement_id
        assert (
            row["medfee_sumamt"],
            row["fund_pay_sumamt"],
            row["acct_pay"],
            row["psn_cash_pay"],
        ) == (
            record.totals.total,
            record.totals.fund,
            record.totals.account,
            record.totals.cash,
        )
    assert all(entry.state.is_resolved for entry in journal)
    assert {e.infno for e in journal} <= {"2201", "2202", "2203", "2204", "2205", "2207"}


def test_self_pay_group_makes_no_platform_call(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    before = sandbox.request_count("2201")
    bill = engine.settle_visit(demo_bill("05"), cashier)  # disease not opened here

    (group,) = bill.groups
    assert group.state is GroupState.SELF_PAY_COLLECTED
    assert group.settlement_id.startswith(SELF_PAY_PREFIX)
    assert "本院尚未开通" in group.reason
    assert sandbox.request_count("2201") == before


def test_missing_registration_turns_the_group_into_self_pay_with_the_reason(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    bill = engine.settle_visit(demo_bill("07"), cashier)

    (group,) = bill.groups
    assert group.state is GroupState.SELF_PAY_COLLECTED
    assert "未办理跨省异地就医备案" in group.reason
    assert group.totals is not None
    assert group.totals.cash == group.total
    assert sandbox.request_count("2207") == 0


def test_groups_are_independent_when_one_is_refused(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    sandbox.set_faults([{"infno": "2207", "kind": "maintenance", "nth": [2]}])

    bill = engine.settle_visit(demo_bill("03"), cashier)  # three groups

    states = [g.state for g in bill.groups]
    assert states.count(GroupState.SETTLED) == 2
    assert states.count(GroupState.FAILED) == 1
    failed = next(g for g in bill.groups if g.state is GroupState.FAILED)
    assert "维护" in failed.failure
    assert bill.status is BillStatus.PARTLY_SETTLED
    assert len([r for r in sandbox.ledger() if r["status"] == "settled"]) == 2

    sandbox.set_faults([])
    again = engine.settle(bill.bill_id, cashier)
    assert {g.state for g in again.groups} == {GroupState.SETTLED}


def test_preview_difference_is_recorded_and_shown(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    view = engine.identify(demo_bill("01").identity, cashier)
    first = engine.open_bill(demo_bill("01"), view, cashier)
    key = first.groups[0].group_key
    previewed = engine.settlement.preview(first.bill_id, key, cashier)
    assert previewed.preview is not None
    # Another visit of the same person (another outpatient number) settles in between and uses up
    # the deductible.
    engine.settle_visit(replace(demo_bill("01"), outpatient_no="MZ-ANOTHER-VISIT"), cashier)

    confirmed = engine.settlement.confirm(first.bill_id, key, cashier)

    assert confirmed.state is GroupState.SETTLED
    assert confirmed.totals is not None
    assert confirmed.totals.fund != previewed.preview.fund
    assert "fund" in confirmed.preview_differences
    second = timedelta(seconds=1)
    with engine.uow_factory() as uow:
        events = [
            r.event
            for r in uow.audit.between(view.fetched_at - second, engine.clock.now() + second)
        ]
    assert "preview_difference" in events


def test_declined_preview_withdraws_the_registration(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    bill = engine.settle_visit(demo_bill("01"), cashier, confirm=lambda group: False)

    assert bill.groups[0].state is GroupState.PLANNED
    assert sandbox.request_count("2207") == 0
    assert sandbox.request_count("2202") == 1
    with engine.uow_factory() as uow:
        journal = list(uow.journal.for_bill(bill.bill_id))
    assert [e.infno for e in journal] == ["2201", "2203", "2204", "2205", "2202"]
    assert all(e.state is JournalState.OK for e in journal)


def test_registration_desk_cannot_settle(engine: Engine, sandbox: SandboxServer) -> None:
    with engine.uow_factory() as uow:
        uow.operators.add("R001", "导诊丙", Role.REGISTRATION, "Registration-pass-2026")
        uow.commit()
    desk = engine.operator("R001")
    view = engine.identify(demo_bill("01").identity, desk)

    with pytest.raises(PermissionDenied):
        engine.open_bill(demo_bill("01"), view, desk)


def test_a_line_unknown_to_the_catalogue_without_national_code_is_refused(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    visit = demo_bill("01")
    broken = replace(visit, lines=(replace(visit.lines[0], national_code="", name=""),))
    view = engine.identify(visit.identity, cashier)
    with pytest.raises(InputError, match="不在本地目录"):
        engine.open_bill(broken, view, cashier)


def test_engine_issues_the_receipt_of_a_settlement(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    bill = engine.settle_visit(demo_bill("01"), cashier)
    assert engine.receipts is not None

    printed = engine.receipts.issue(bill.groups[0].settlement_id, cashier)

    assert printed.pdf.startswith(b"%PDF")
    with engine.uow_factory() as uow:
        issued = list(uow.receipts.for_settlement(bill.groups[0].settlement_id))
    assert [r.receipt_no for r in issued] == [printed.receipt_no]


def test_a_group_turned_self_pay_by_missing_registration_prints_a_self_pay_receipt(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    """Its key stays the disease code; its stored kind makes the receipt 全额自费 with the reason."""
    bill = engine.settle_visit(demo_bill("07"), cashier)
    (group,) = bill.groups
    assert (group.group_key, group.kind) == ("M03900", GroupKind.SELF_PAY)
    assert engine.receipts is not None

    printed = engine.receipts.issue(group.settlement_id, cashier)

    with engine.uow_factory() as uow:
        (issued,) = uow.receipts.for_settlement(group.settlement_id)
    assert issued.kind == "self_pay"
    category = engine.receipts.receipt_data(printed.receipt_no).category
    assert category.category is FeeCategory.SELF_PAY
    assert category.self_pay_reason == group.reason


def test_a_restart_between_preview_and_confirm_keeps_the_visiting_place_split(
    engine_settings: Settings, tmp_path: Path, sandbox: SandboxServer
) -> None:
    data = tmp_path / "window"
    first = make_engine(engine_settings, data)
    cashier, _ = add_operators(first)
    view = first.identify(demo_bill("08").identity, cashier)  # dialysis above the price ceiling
    bill = first.open_bill(demo_bill("08"), view, cashier)
    key = next(g.group_key for g in bill.groups if g.med_type == "14")
    first.settlement.preview(bill.bill_id, key, cashier)
    first.close()  # the window is closed (or crashes) before the cashier confirms

    second = make_engine(engine_settings, data)
    try:
        confirmed = second.settlement.confirm(bill.bill_id, key, cashier)
        assert confirmed.state is GroupState.SETTLED
        with second.uow_factory() as uow:
            stored = uow.settlements.get(confirmed.settlement_id)
        assert stored is not None
        assert stored.window == engine_settings.window.device_no
        splits = stored.record.splits
    finally:
        second.close()
    assert {s.line_no for s in splits} == set(
        next(g for g in bill.groups if g.group_key == key).line_nos
    )
    assert all(check_split(s) == [] for s in splits)
    assert any(s.over_limit > 0 for s in splits)  # the visiting place's split, not "all self-pay"
    assert sum((s.amount for s in splits), Decimal(0)) == stored.record.totals.total


def test_the_visit_diagnosis_is_stored_with_the_bill_and_survives_a_restart(
    engine_settings: Settings, tmp_path: Path, sandbox: SandboxServer
) -> None:
    data = tmp_path / "window"
    first = make_engine(engine_settings, data)
    cashier, _ = add_operators(first)
    visit = demo_bill("02")  # hypertension and general lines; the HIS diagnosis is I10.x00
    view = first.identify(visit.identity, cashier)
    bill = first.open_bill(visit, view, cashier)
    first.close()  # closed (or crashed) before pre-settling: the diagnosis was only in memory

    second = make_engine(engine_settings, data)
    try:
        with second.uow_factory() as uow:
            stored = uow.bills.get(bill.bill_id)
        assert stored is not None
        assert (stored.diagnosis_code, stored.diagnosis_name) == (
            visit.diagnosis_code,
            visit.diagnosis_name,
        )
        assert visit.diagnosis_code
        settled = second.settle(bill.bill_id, cashier)
        assert {g.state for g in settled.groups} == {GroupState.SETTLED}
    finally:
        second.close()


def test_a_groups_kind_is_stored_and_survives_a_restart(
    engine_settings: Settings, tmp_path: Path, sandbox: SandboxServer
) -> None:
    """The kind the plan (or 未备案) gave a group is stored with it, not re-derived: after a restart
    the converted group still reads as full self-pay under its disease key, and goes last."""
    data = tmp_path / "window"
    first = make_engine(engine_settings, data)
    cashier, _ = add_operators(first)
    mixed = first.open_bill(
        demo_bill("02"), first.identify(demo_bill("02").identity, cashier), cashier
    )
    visit = demo_bill("07")  # hypertension, but not registered for cross-province care
    view = first.identify(visit.identity, cashier)
    refused = first.open_bill(visit, view, cashier)
    (planned,) = refused.groups
    assert planned.kind is GroupKind.CHRONIC
    first.settlement.preview(refused.bill_id, planned.group_key, cashier)  # 2201: 未备案
    first.close()

    second = make_engine(engine_settings, data)
    try:
        with second.uow_factory() as uow:
            stored = {g.group_key: g.kind for g in uow.bills.groups(refused.bill_id)}
            kinds = [(g.group_key, g.kind) for g in uow.bills.groups(mixed.bill_id)]
        assert stored == {"M03900": GroupKind.SELF_PAY}
        assert sorted(kinds) == [("M03900", GroupKind.CHRONIC), ("general", GroupKind.GENERAL)]
        (converted,) = second.bill(refused.bill_id).groups
        assert (converted.kind, converted.label, converted.is_self_pay) == (
            GroupKind.SELF_PAY,
            group_label(GroupKind.SELF_PAY),
            True,
        )
        assert [g.label for g in second.bill(mixed.bill_id).groups] == [
            group_label(GroupKind.CHRONIC, "M03900"),
            group_label(GroupKind.GENERAL),
        ]
    finally:
        second.close()


def test_going_straight_on_the_preview_is_stored_with_2207s_prepared_row(
    engine: Engine, cashier: Operator, tmp_path: Path
) -> None:
    visit = fresh_visit(demo_bill("01"))
    asked = engine.open_bill(visit, engine.identify(visit.identity, cashier), cashier)
    seen: list[GroupState] = []

    def confirm(_group: GroupResult) -> bool:
        with engine.uow_factory() as uow:  # the cashier is asked about a preview already stored
            seen.extend(g.state for g in uow.bills.groups(asked.bill_id))
        return True

    with counting_commits(tmp_path / "data") as commits_asked:
        confirmed = engine.settle(asked.bill_id, cashier, confirm=confirm)
    visit = fresh_visit(demo_bill("01"))
    straight = engine.open_bill(visit, engine.identify(visit.identity, cashier), cashier)
    with counting_commits(tmp_path / "data") as commits_straight:
        settled = engine.settle(straight.bill_id, cashier)

    assert seen == [GroupState.PREVIEWED]
    assert commits_straight[0] == commits_asked[0] - 1  # one group: the preview's own commit
    for bill in (confirmed, settled):
        assert [g.state for g in bill.groups] == [GroupState.SETTLED]


def test_the_settled_groups_are_not_read_back_to_set_the_bills_status(
    engine: Engine, cashier: Operator
) -> None:
    visit = fresh_visit(demo_bill("03"))  # three groups
    opened = engine.open_bill(visit, engine.identify(visit.identity, cashier), cashier)
    reads: list[str] = []

    def note(*args: object) -> None:
        if str(args[2]).startswith("SELECT bill_groups."):
            reads.append(str(args[2]))

    event.listen(SqlEngine, "before_cursor_execute", note)
    try:
        settled = engine.settle(opened.bill_id, cashier)
    finally:
        event.remove(SqlEngine, "before_cursor_execute", note)

    assert settled == engine.bill(opened.bill_id)  # what the store holds
    # claiming the charges, starting (with the guard); not again for the status, nor to release
    assert len(reads) == 2


def test_after_every_group_settled_nothing_is_read_to_release_idle_claims(
    engine: Engine, cashier: Operator
) -> None:
    visit = fresh_visit(demo_bill("03"))  # three groups
    opened = engine.open_bill(visit, engine.identify(visit.identity, cashier), cashier)
    reads: list[str] = []

    def note(*args: object) -> None:
        if str(args[2]).startswith("SELECT bill_groups."):
            reads.append(" ".join(str(args[2]).split()))

    event.listen(SqlEngine, "before_cursor_execute", note)
    try:
        settled = engine.settle(opened.bill_id, cashier)
    finally:
        event.remove(SqlEngine, "before_cursor_execute", note)

    assert {g.state for g in settled.groups} == {GroupState.SETTLED}
    # the groups as the settlements committed them say none is idle: not even their states are read
    assert not [r for r in reads if r.startswith("SELECT bill_groups.state FROM bill_groups")]
    assert len(reads) == 2  # claiming the charges, starting


def test_the_bills_status_is_committed_with_its_last_settlement(
    engine: Engine, cashier: Operator
) -> None:
    visit = fresh_visit(demo_bill("03"))  # three groups
    opened = engine.open_bill(visit, engine.identify(visit.identity, cashier), cashier)
    seen: list[str] = []

    def note(*args: object) -> None:
        seen.append(" ".join(str(args[2]).split()[:3]))

    def committed(*_args: object) -> None:
        seen.append("COMMIT")

    event.listen(SqlEngine, "before_cursor_execute", note)
    event.listen(SqlEngine, "commit", committed)
    try:
        settled = engine.settle(opened.bill_id, cashier)
    finally:
        event.remove(SqlEngine, "before_cursor_execute", note)
        event.remove(SqlEngine, "commit", committed)

    assert settled == engine.bill(opened.bill_id)  # the status the store holds
    assert settled.status is BillStatus.SETTLED
    last_settlement = max(i for i, s in enumerate(seen) if s == "INSERT INTO settlements")
    status = [i for i, s in enumerate(seen) if s == "UPDATE bills SET"]
    assert len(status) == 1  # no status of its own afterwards
    assert last_settlement < status[0] < seen.index("COMMIT", last_settlement)


def _trace(work: Callable[[], object]) -> list[str]:
    """``BEGIN``, the first three words of each SQL statement and ``COMMIT``, in order."""
    seen: list[str] = []

    def began(*_args: object) -> None:
        seen.append("BEGIN")

    def note(*args: object) -> None:
        seen.append(" ".join(str(args[2]).split()[:3]))

    def committed(*_args: object) -> None:
        seen.append("COMMIT")

    listeners = (("begin", began), ("before_cursor_execute", note), ("commit", committed))
    for name, listener in listeners:
        event.listen(SqlEngine, name, listener)
    try:
        work()
    finally:
        for name, listener in listeners:
            event.remove(SqlEngine, name, listener)
    return seen


UNRESOLVED_READ = "SELECT journal.id, journal.msgid,"
_EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
GROUPS_READ = "SELECT bill_groups.id, bill_groups.bill_id,"


def test_the_guard_and_the_groups_it_starts_from_are_read_in_one_unit_of_work(
    engine: Engine, cashier: Operator
) -> None:
    visit = fresh_visit(demo_bill("03"))  # three groups
    opened = engine.open_bill(visit, engine.identify(visit.identity, cashier), cashier)

    seen = _trace(lambda: engine.settle(opened.bill_id, cashier))

    guard = seen.index(UNRESOLVED_READ)
    first_call = seen.index("INSERT INTO journal")
    assert seen.index(GROUPS_READ, guard) < first_call
    assert "BEGIN" not in seen[guard : seen.index(GROUPS_READ, guard)]  # one unit of work
    assert seen[guard:first_call].count("BEGIN") == 1  # then the first PREPARED row's own


def test_settling_at_once_reads_the_guard_with_the_bill_and_not_the_groups_back(
    engine: Engine, cashier: Operator
) -> None:
    visit = fresh_visit(demo_bill("03"))  # three groups

    settled: list[BillResult] = []
    seen = _trace(lambda: settled.append(engine.settle_visit(visit, cashier)))

    stored = seen.index("INSERT INTO bills")
    guard = seen.index(UNRESOLVED_READ)
    assert stored < guard < seen.index("COMMIT", stored)  # in the bill's own transaction
    assert GROUPS_READ not in seen[: seen.index("INSERT INTO journal")]  # handed on as planned
    assert settled == [engine.bill(settled[0].bill_id)]  # as the store holds it
    assert {g.state for g in settled[0].groups} <= {
        GroupState.SETTLED,
        GroupState.SELF_PAY_COLLECTED,
    }


def test_the_next_groups_registration_is_journaled_with_the_settlement_before_it(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    visit = fresh_visit(demo_bill("03"))  # three groups settled on the platform
    opened = engine.open_bill(visit, engine.identify(visit.identity, cashier), cashier)
    sent_before = sandbox.request_count("2201")

    seen = _trace(lambda: engine.settle(opened.bill_id, cashier))

    first = seen.index("INSERT INTO settlements")
    assert "INSERT INTO journal" in seen[first : seen.index("COMMIT", first)]
    with engine.uow_factory() as uow:
        rows = list(uow.journal.for_bill(opened.bill_id))
    registrations = [r for r in rows if r.infno == "2201"]
    assert len(registrations) == sandbox.request_count("2201") - sent_before == 3
    assert {r.state for r in rows} == {JournalState.OK}  # each row journaled ahead was sent
    assert {g.state for g in engine.bill(opened.bill_id).groups} <= {
        GroupState.SETTLED,
        GroupState.SELF_PAY_COLLECTED,
    }


def test_a_registration_journaled_ahead_and_not_sent_is_closed_and_holds_nothing_up(
    engine: Engine, cashier: Operator, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    visit = fresh_visit(demo_bill("03"))
    opened = engine.open_bill(visit, engine.identify(visit.identity, cashier), cashier)
    sent_before = sandbox.request_count("2201")
    steps = engine.settlement._steps  # stop the run right after the first settlement
    previews = steps.preview
    settled_once: list[bool] = []

    def preview(*args: object, **kwargs: object) -> object:
        if settled_once:
            raise RuntimeError("stopped")
        return previews(*args, **kwargs)  # type: ignore[arg-type]

    real_settle = steps.settle

    def settle(*args: object, **kwargs: object) -> object:
        result = real_settle(*args, **kwargs)  # type: ignore[arg-type]
        settled_once.append(True)
        return result

    monkeypatch.setattr(steps, "preview", preview)
    monkeypatch.setattr(steps, "settle", settle)
    with pytest.raises(RuntimeError):
        engine.settle(opened.bill_id, cashier)
    monkeypatch.undo()

    with engine.uow_factory() as uow:
        rows = list(uow.journal.for_bill(opened.bill_id))
    ahead = [r for r in rows if r.infno == "2201" and r.state is JournalState.FAILED]
    assert len(ahead) == 1  # closed as never sent
    assert sandbox.request_count("2201") - sent_before == 1
    again = engine.settle(opened.bill_id, cashier)  # nothing left unresolved holds the bill up
    assert {g.state for g in again.groups} <= {GroupState.SETTLED, GroupState.SELF_PAY_COLLECTED}


def test_settling_at_once_journals_the_first_registration_with_the_bill(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    visit = fresh_visit(demo_bill("03"))

    seen = _trace(lambda: engine.settle_visit(visit, cashier))

    stored = seen.index("INSERT INTO bills")
    assert "INSERT INTO journal" in seen[stored : seen.index("COMMIT", stored)]
    assert seen.count("INSERT INTO journal") == 4 * 3  # 2201, 2203, 2204, 2207 per group, once each


def test_a_registration_journaled_with_the_bill_and_not_sent_is_closed_as_never_sent(
    engine: Engine, cashier: Operator, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    visit = fresh_visit(demo_bill("01"))
    sent_before = sandbox.request_count("2201")

    def stop(*_args: object, **_kwargs: object) -> object:
        raise RuntimeError("stopped before the first call")

    monkeypatch.setattr(engine.settlement, "_guarded", stop)
    with pytest.raises(RuntimeError):
        engine.settle_visit(visit, cashier)
    monkeypatch.undo()

    with engine.uow_factory() as uow:
        (bill_id,) = {e.bill_id for e in uow.journal.between(*_EVER)}
        rows = list(uow.journal.for_bill(bill_id))
    assert [(r.infno, r.state) for r in rows] == [("2201", JournalState.FAILED)]
    assert sandbox.request_count("2201") == sent_before
    again = engine.settle(bill_id, cashier)  # not held up, its claims not left behind
    assert {g.state for g in again.groups} == {GroupState.SETTLED}
