"""The shift report's arithmetic (pure): sections add up to the whole, fund + account + cash = total,
receipt numbers become ranges, records outside the shift are left out, several windows at once."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.money import from_fen
from app.domain.receipt import FeeCategory
from app.domain.shift_report import (
    Amounts,
    CategoryKey,
    EntryKind,
    ReceiptRecord,
    Reconciliation,
    ReconciliationState,
    ReversalRecord,
    ShiftRecord,
    ShiftScope,
    build_shift_report,
    receipt_ranges,
    sum_amounts,
)

START = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)
SCOPE = ShiftScope(day=date(2026, 12, 7), start=START, end=START + timedelta(hours=8))
NOT_CLOSED = Reconciliation(SCOPE.day, ReconciliationState.NOT_CLOSED)
CATEGORIES = (
    CategoryKey(FeeCategory.CHRONIC, "M00500", "恶性肿瘤门诊治疗"),
    CategoryKey(FeeCategory.CHRONIC, "M03900", "高血压"),
    CategoryKey(FeeCategory.GENERAL),
    CategoryKey(FeeCategory.SELF_PAY),
)


@st.composite
def records(draw: st.DrawFn) -> ShiftRecord:
    """A record with a balanced split of a signed total (a cancellation is negative)."""
    fund, account, cash = (draw(st.integers(0, 10**7)) for _ in range(3))
    sign = draw(st.sampled_from((1, -1)))
    amounts = Amounts(
        total=from_fen(sign * (fund + account + cash)),
        fund=from_fen(sign * fund),
        account=from_fen(sign * account),
        cash=from_fen(sign * cash),
    )
    return ShiftRecord(
        settlement_id=draw(st.text("0123456789", min_size=6, max_size=6)),
        kind=draw(st.sampled_from(list(EntryKind))),
        category=draw(st.sampled_from(CATEGORIES)),
        operator_code=draw(st.sampled_from(("C001", "C002"))),
        window=draw(st.sampled_from(("W01", "W02"))),
        at=START + timedelta(minutes=draw(st.integers(-60, 9 * 60))),
        amounts=amounts,
        insurance_type=draw(st.sampled_from(("310", "390"))),
        clearing_type="11",
    )


@given(st.lists(records(), max_size=40))
def test_sections_kinds_and_categories_each_add_up_to_the_whole(items: list[ShiftRecord]) -> None:
    report = build_shift_report(SCOPE, items, (), (), NOT_CLOSED)

    inside = [r for r in items if SCOPE.start <= r.at < SCOPE.end]
    assert report.total.count == len(inside)
    assert report.total.amounts == sum_amounts(r.amounts for r in inside)
    assert report.total.amounts.balanced
    for tallies in (report.by_kind, report.by_category):
        assert sum(t.count for _, t in tallies) == report.total.count
        assert sum_amounts(t.amounts for _, t in tallies) == report.total.amounts
    assert sum_amounts(s.total.amounts for s in report.sections) == report.total.amounts
    assert len({(s.window, s.operator_code) for s in report.sections}) == len(report.sections)
    insured = [r for r in inside if r.kind.insured]
    assert report.insured_total.amounts == sum_amounts(r.amounts for r in insured)


def test_one_window_and_one_operator_of_several() -> None:
    def record(window: str, operator: str, cash: int) -> ShiftRecord:
        money = from_fen(cash)
        return ShiftRecord(
            "S" + window + operator, EntryKind.SELF_PAY, CATEGORIES[3], operator, window,
            START + timedelta(hours=1), Amounts(total=money, cash=money),
        )  # fmt: skip

    items = [record("W01", "C001", 100), record("W02", "C001", 200), record("W01", "C002", 400)]
    scope = ShiftScope(SCOPE.day, SCOPE.start, SCOPE.end, frozenset({"C001"}), frozenset({"W01"}))

    assert build_shift_report(scope, items, (), (), NOT_CLOSED).total.amounts.cash == from_fen(100)
    everyone = build_shift_report(SCOPE, items, (), (), NOT_CLOSED)
    assert [(s.window, s.operator_code) for s in everyone.sections] == [
        ("W01", "C001"), ("W01", "C002"), ("W02", "C001"),
    ]  # fmt: skip
    assert everyone.total.amounts.cash == from_fen(700)


def test_reversals_are_listed_and_add_nothing() -> None:
    lost = ReversalRecord("M1", "B1", "M00500", "C001", "W01", START, from_fen(17963))

    report = build_shift_report(SCOPE, (), (lost,), (), NOT_CLOSED)

    assert report.reversals == (lost,)
    assert report.reversed_amount == from_fen(17963)
    assert report.total.count == 0
    assert report.total.amounts == Amounts()
    assert [s.operator_code for s in report.sections] == ["C001"]


def test_receipt_numbers_become_ranges_with_voided_and_reissued_numbers_listed() -> None:
    def receipt(no: str, **kwargs: str) -> ReceiptRecord:
        return ReceiptRecord(no, "S", "original", "C001", "W01", START, **kwargs)

    numbers = ["W01-2026120700001", "W01-2026120700002", "W01-2026120700003", "W01-2026120700005"]
    issued = [receipt(n) for n in numbers[:2]]
    issued += [
        receipt(numbers[2], voided_by=numbers[3]),
        receipt(numbers[3], replaces=numbers[2]),
        receipt("HAND-WRITTEN"),
    ]

    use = build_shift_report(SCOPE, (), (), issued, NOT_CLOSED).receipts

    assert [r.text for r in use.ranges] == [
        "HAND-WRITTEN",
        "W01-2026120700001 至 W01-2026120700003（3 张）",
        "W01-2026120700005",
    ]
    assert use.voided == ((numbers[2], numbers[3]),)
    assert use.reissued == ((numbers[3], numbers[2]),)
    assert use.issued == 5


@given(st.sets(st.integers(1, 300), max_size=60))
def test_ranges_cover_exactly_the_numbers_used(sequence: set[int]) -> None:
    numbers = {f"2026120700{n:03d}" for n in sequence}

    ranges = receipt_ranges(numbers)

    assert sum(r.count for r in ranges) == len(numbers)
    covered = {
        f"2026120700{n:03d}" for r in ranges for n in range(int(r.first[-3:]), int(r.last[-3:]) + 1)
    }
    assert covered == numbers
    # Two ranges never touch: they would have been one.
    for before, after in itertools.pairwise(ranges):
        assert int(after.first[-5:]) > int(before.last[-5:]) + 1


def test_a_scope_needs_aware_times_in_order() -> None:
    with pytest.raises(ValueError, match="aware"):
        ShiftScope(SCOPE.day, START.replace(tzinfo=None), SCOPE.end)
    with pytest.raises(ValueError, match="ends after"):
        ShiftScope(SCOPE.day, SCOPE.end, SCOPE.start)
