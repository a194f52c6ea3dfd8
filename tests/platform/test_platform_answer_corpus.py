"""Issue #17: real provincial answer shapes are read as the platform meant them.

A 2207/2208 answered with infcode 0 has been done: the client records it whenever ``setl_id`` is
there and the totals balance, and flags what it could not read; it refuses (→ unknown → 2601) only
an answer that cannot say what was settled. Every parser runs over every case of the corpus.
"""

from __future__ import annotations

from typing import Any

import pytest
from answer_corpus import ANSWERED_AT, CASES, MSGID, ORIGINAL_SETTLEMENT, PERSON, VISIT, Case
from golden_cases import GOLDEN_NAMES, check_result, pipeline

from app.platform.answer_profile import national_profile, profile_for
from app.platform.codec import ProtocolError, parse_reply
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
