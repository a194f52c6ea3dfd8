"""Settlement identities (interface.md B §2.7, §5.1) and the journal state machine."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.journal import IllegalTransition, JournalState, can_move, move
from app.domain.money import ZERO, from_fen, round_money
from app.domain.settlement import (
    FundPayment,
    LineSplit,
    SettlementTotals,
    check_split,
    check_totals,
    full_self_pay_split,
    full_self_pay_totals,
    preview_differences,
)

D = Decimal


def totals(**changes: Decimal) -> SettlementTotals:
    base = {
        "total": D("179.63"), "full_self_pay": ZERO, "over_limit": ZERO, "first_self_pay": ZERO,
        "in_scope": D("179.63"), "deductible": D("50.00"), "fund": D("129.63"), "account": ZERO,
        "cash": D("50.00"),
    }  # fmt: skip
    base.update(changes)
    return SettlementTotals(**base, funds=(FundPayment("390100", D("129.63")),))


def test_recorded_hebei_split_sample_holds() -> None:
    # interface.md B §2.7: 4.52 of a 乙 drug at 5 % → preselfpay 0.23, inscp 4.29.
    split = LineSplit("1", D("4.52"), ZERO, ZERO, D("0.23"), D("4.29"), D("0.05"))
    assert check_split(split) == []


def test_split_that_does_not_add_up_is_reported() -> None:
    split = LineSplit("1", D("4.52"), ZERO, ZERO, D("0.23"), D("4.30"), D("0.05"))
    assert check_split(split)


@given(
    st.integers(min_value=1, max_value=10**8),
    st.integers(min_value=0, max_value=100),
    st.integers(min_value=0, max_value=100),
    st.decimals(min_value=0, max_value=1, places=4),
)
def test_split_computed_by_the_rule_always_satisfies_the_identity(
    amount_fen: int, ful_pct: int, over_pct: int, ratio: Decimal
) -> None:
    amount = from_fen(amount_fen)
    ful = round_money(amount * ful_pct / 200)
    over = round_money((amount - ful) * over_pct / 200)
    pre = round_money((amount - ful - over) * ratio)
    split = LineSplit("1", amount, ful, over, pre, amount - ful - over - pre, ratio)
    assert check_split(split) == []


def test_qinghai_seed_totals_balance() -> None:
    assert check_totals(totals()) == []


@pytest.mark.parametrize(
    "broken",
    [
        {"cash": D("50.01")},
        {"fund": D("-1.00"), "cash": D("180.63")},
        {"in_scope": D("179.62")},
    ],
)
def test_broken_totals_are_reported(broken: dict[str, Decimal]) -> None:
    assert check_totals(totals(**broken))


def test_cancellation_mirror_balances_with_negative_sign() -> None:
    mirrored = totals().negated()
    assert check_totals(mirrored, cancellation=True) == []
    assert check_totals(mirrored)  # not a valid settlement


def test_preview_difference_is_named() -> None:
    assert preview_differences(totals(), totals()) == []
    assert preview_differences(totals(), totals(fund=D("120.00"), cash=D("59.63"))) == [
        "fund",
        "cash",
    ]


def test_journal_happy_path_and_reversal_path() -> None:
    state = JournalState.PREPARED
    for nxt in (JournalState.SENT, JournalState.UNKNOWN, JournalState.REVERSING,
                JournalState.REVERSED):  # fmt: skip
        state = move(state, nxt)
    assert state.is_resolved


def test_resolved_rows_never_go_back_to_unresolved() -> None:
    for state in JournalState:
        if state.is_resolved and state is not JournalState.OK:
            assert not any(can_move(state, target) for target in JournalState)
    with pytest.raises(IllegalTransition):
        move(JournalState.REVERSED, JournalState.UNKNOWN)


@given(st.integers(min_value=0, max_value=10**10))
def test_full_self_pay_split_and_totals_balance(amount_fen: int) -> None:
    amount = from_fen(amount_fen)
    assert check_split(full_self_pay_split("1", amount)) == []
    totals_ = full_self_pay_totals(amount)
    assert check_totals(totals_) == []
    assert (totals_.cash, totals_.fund, totals_.account) == (amount, ZERO, ZERO)
