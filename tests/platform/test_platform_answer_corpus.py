"""Issue #17: real provincial answer shapes are read as the platform meant them.

A 2207/2208 answered with infcode 0 has been done: the client records it whenever ``setl_id`` is
there and the totals balance, and flags what it could not read; it refuses (→ unknown → 2601) only
an answer that cannot say what was settled. Every parser runs over every case of the corpus.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from answer_corpus import (
    ANSWERED_AT,
    CASES,
    MSGID,
    ORIGINAL_SETTLEMENT,
    PERSON,
    VISIT,
    Case,
    envelope,
    hebei_settlement,
)
from golden_cases import GOLDEN_NAMES, check_result, pipeline
from hypothesis import given, settings
from hypothesis import strategies as st

from app.platform.answer_profile import national_profile, profile_for
from app.platform.codec import ProtocolError, parse_reply
from app.platform.envelope import CHINA_TIME
from app.platform.fields import parse_day, parse_moment
from app.platform.person import parse_person, parse_qualifications
from app.platform.settle import SettleExpectation, parse_cancellation, parse_settlement

OTHER_PARSERS = {name: pipeline(name) for name in GOLDEN_NAMES}


def parse(case: Case) -> Any:
    """The client's parsing for the case's transaction, with its place's profile."""
    output = parse_reply(case.raw).output
    if case.infno == "1101":
        return parse_person(output)
    if case.infno == "5301":
        return parse_qualifications(output)
    if case.infno == "2207":
        expected = SettleExpectation(MSGID, PERSON, VISIT, case.total, "11", None, "310")
        return parse_settlement(output, expected, answered_at=ANSWERED_AT, profile=case.profile)
    if case.infno == "2208":
        return parse_cancellation(
            output, MSGID, ORIGINAL_SETTLEMENT, PERSON, VISIT,
            answered_at=ANSWERED_AT, profile=case.profile,
        )  # fmt: skip
    raise KeyError(case.infno)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_answer_variant_is_read_as_meant(case: Case) -> None:
    if case.expect == "refused":
        with pytest.raises(ProtocolError) as refused:
            parse(case)
        assert refused.value.reason
        return
    result = parse(case)
    if case.check is not None:
        case.check(result)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_every_parser_over_every_variant_returns_valid_or_refuses(case: Case) -> None:
    refusals: list[str] = []
    for name, run in OTHER_PARSERS.items():
        try:
            result = run(case.raw)
        except ProtocolError as exc:
            refusals.append(exc.reason)
            continue
        if name in {"9001", "1312", "voucher", "2204", "5301", "1101"}:
            check_result(name, result)
    assert all(refusals)


def test_the_corpus_holds_both_outcomes_for_every_transaction() -> None:
    seen = {(case.infno, case.expect) for case in CASES}
    for infno in ("2207", "2208", "1101", "5301"):
        assert {(infno, "ok"), (infno, "refused")} <= seen


def test_an_unknown_place_gets_the_national_profile() -> None:
    assert profile_for("110105") == national_profile()
    assert profile_for("") == national_profile()
    assert national_profile().non_fund_types == {"310200", "310201", "999996"}


def test_a_place_section_overrides_only_what_it_names() -> None:
    place = national_profile().with_overrides({"not_fund_types": ["999997"]})
    assert place.hospital_share == national_profile().hospital_share
    assert "999997" in place.non_fund_types


ABSENT = object()
ZERO_FORMS: tuple[object, ...] = (Decimal("0.00"), Decimal(0), 0, "", None, ABSENT)
OPTIONAL_ZEROS = ("cvlserv_pay", "hifes_pay", "hifmi_pay", "hifob_pay", "maf_pay", "oth_pay",
                  "act_pay_dedc", "acct_mulaid_pay", "overlmt_selfpay", "fulamt_ownpay_amt")  # fmt: skip
fen = st.integers(min_value=0, max_value=10**8)


@given(
    fund=fen, account=fen, cash=fen, hospital=fen,
    zero_forms=st.lists(st.sampled_from(ZERO_FORMS), min_size=len(OPTIONAL_ZEROS),
                        max_size=len(OPTIONAL_ZEROS)),
    hospital_field=st.sampled_from(("hosp_part_amt", "ownpay_hosp_part")),
    blank_rows=st.integers(0, 3),
    cancellation=st.booleans(),
)  # fmt: skip
@settings(max_examples=300, deadline=None)
def test_any_balanced_answer_in_any_dialect_keeps_its_money(
    *,
    fund: int, account: int, cash: int, hospital: int, zero_forms: list[object],
    hospital_field: str, blank_rows: int, cancellation: bool,
) -> None:  # fmt: skip
    """Whatever the province writes for empty amounts and wherever it puts the hospital's share,
    a balanced answer is read with exactly its money — or, if a 2207/2208, never refused."""
    sign = -1 if cancellation else 1
    amounts = {name: sign * Decimal(value) / 100 for name, value in
               {"fund": fund, "account": account, "cash": cash, "hospital": hospital}.items()}  # fmt: skip
    total = sum(amounts.values(), Decimal(0))
    answer = hebei_settlement()
    info = answer["setlinfo"]
    info.update({
        "setl_id": "400125300" if cancellation else "400125241",
        "medfee_sumamt": total, "inscp_scp_amt": total, "preselfpay_amt": Decimal("0.00"),
        "hifp_pay": amounts["fund"], "fund_pay_sumamt": amounts["fund"],
        "acct_pay": amounts["account"], "psn_cash_pay": amounts["cash"],
        "psn_part_amt": amounts["account"] + amounts["cash"], "hosp_part_amt": None,
        hospital_field: amounts["hospital"],
    })  # fmt: skip
    for name, form in zip(OPTIONAL_ZEROS, zero_forms, strict=True):
        if form is ABSENT:
            info.pop(name, None)
        else:
            info[name] = form
    answer["setldetail"] = [{"fund_pay_type": "310100", "fund_payamt": amounts["fund"]}] + [
        {"fund_pay_type": "", "fund_payamt": ""} for _ in range(blank_rows)
    ]
    case = Case("generated", "2208" if cancellation else "2207", envelope(answer), "ok")

    result = parse(case)

    totals = result.totals
    assert (totals.total, totals.fund, totals.account, totals.cash, totals.hospital) == (
        total, amounts["fund"], amounts["account"], amounts["cash"], amounts["hospital"],
    )  # fmt: skip
    assert sum(note.startswith("setldetail row") for note in totals.unread) == blank_rows


@pytest.mark.parametrize(
    "written",
    ["1983-02-27", "19830227", "1983/02/27", "1983.02.27", "1983-02-27 00:00:00",
     "1983-02-27 00:00:00.0", "19830227000000", "1983-02-27T00:00:00", "Sun Feb 27 00:00:00 CST 1983"],
)  # fmt: skip
def test_dates_in_the_platforms_usual_forms(written: str) -> None:
    assert parse_day(written) == date(1983, 2, 27)


@pytest.mark.parametrize(
    "written",
    ["2021-11-29 18:09:53", "20211129180953", "2021-11-29 18:09:53.0", "2021-11-29 18:09:53.123",
     "2021-11-29T18:09:53", "2021/11/29 18:09:53"],
)  # fmt: skip
def test_times_in_the_platforms_usual_forms(written: str) -> None:
    assert parse_moment(written) == datetime(2021, 11, 29, 18, 9, 53, tzinfo=CHINA_TIME)


@pytest.mark.parametrize("written", ["", "1983-02-30", "27/02/1983", "昨天", "2021-11-29 25:00:00"])
def test_what_is_not_a_date_is_none(written: str) -> None:
    assert parse_day(written) is None
    assert parse_moment(written) is None
