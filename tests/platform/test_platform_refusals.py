"""Issue #17 items 4 and 5: the table of known refusal texts, row by row, and categories by meaning.

Each row of ``app/platform/refusals.toml`` carries an example of the platform's wording. The row
must be the one that example finds (so no earlier, more general row shadows it), and its category and
journal meaning must be what the client reports — through the outcome taxonomy and, for 2601,
through the client against the sandbox.
"""

from __future__ import annotations

import pytest
from helpers.engine_fixtures import demo_bill

from app.domain.journal import JournalState
from app.domain.operator import Operator
from app.errors import PlatformCategory, PlatformRejected
from app.platform import outcomes
from app.platform.client import PlatformClient
from app.platform.refusals import JournalMeaning, Refusal, known_refusals, refusal_for
from app.sandbox import SandboxServer
from app.services.engine import Engine
from app.services.ports.platform import CallContext, ReversalOutcome

ROWS = known_refusals()
PERSON = "63000000000000000001"


@pytest.mark.parametrize("row", ROWS, ids=[row.example for row in ROWS])
def test_each_row_is_found_by_its_own_example(row: Refusal) -> None:
    assert row.example
    assert refusal_for(row.example) is row
    assert outcomes.classify(row.example) is row.category
    assert outcomes.reversal_meaning(row.example, "2207") is row.journal
    expected_for_2208 = row.journal if row.only_reversing is None else JournalMeaning.ESCALATE
    assert outcomes.reversal_meaning(row.example, "2208") is expected_for_2208


@pytest.mark.parametrize("row", ROWS, ids=[row.example for row in ROWS])
def test_each_row_reaches_the_journal_through_a_refused_2601(row: Refusal) -> None:
    error = outcomes.rejected("2601", "M", row.example, reversed_infno="2207")
    assert error.category is row.category
    assert error.failure.extra["journal"] == row.journal.value
    assert error.failure.platform_text == row.example  # shown beside our words, never mixed in
    assert row.example not in error.text


@pytest.mark.parametrize(
    ("err_msg", "meaning"),
    [
        ("退费结算标志不为未退费，不能办理冲正交易", JournalMeaning.NOTHING_TO_UNDO),
        ("原交易不存在", JournalMeaning.NOTHING_TO_UNDO),
        ("原结算 400000000001 已被撤销（撤销结算ID 400000000002），请先冲正该撤销交易（2208）",
         JournalMeaning.NOTHING_TO_UNDO),
        ("系统繁忙，请稍后再试", JournalMeaning.RETRY),
        ("系统停机维护：维护时间 22:00 至 02:00", JournalMeaning.RETRY),
        ("一段从未见过的话", JournalMeaning.RETRY),
        ("就诊凭证编号不能为空", JournalMeaning.ESCALATE),
    ],
)  # fmt: skip
def test_reversal_refusals_from_the_issue_mean_what_they_say(
    err_msg: str, meaning: JournalMeaning
) -> None:
    assert outcomes.reversal_meaning(err_msg, "2207") is meaning


@pytest.mark.parametrize(
    ("err_msg", "category"),
    [
        ("该人员是在院状态，不能办理门诊结算", PlatformCategory.IN_HOSPITAL),
        ("就诊凭证编号不能为空", PlatformCategory.REQUEST),
        ("社会保障卡卡号 X 未查询到参保信息", PlatformCategory.PERSON),
    ],
)
def test_refusals_are_categorised_by_meaning_not_by_a_shared_word(
    err_msg: str, category: PlatformCategory
) -> None:
    """Both of the first two hold a person word (人员, 凭证); neither is "person not found"."""
    error = outcomes.rejected("1101", "M", err_msg)
    assert error.category is category
    person_not_found = outcomes.rejected("1101", "M", "社会保障卡卡号 X 未查询到参保信息").text
    assert (error.text == person_not_found) is (category is PlatformCategory.PERSON)


def test_every_category_has_words_of_its_own() -> None:
    texts = {
        outcomes.rejected("2201", "M", row.example).text
        for row in ROWS
        if row.category is not PlatformCategory.OTHER
    }
    assert len(texts) == len({row.category for row in ROWS} - {PlatformCategory.OTHER})


@pytest.mark.parametrize("row", ROWS, ids=[row.example for row in ROWS])
def test_each_row_through_the_client_against_the_sandbox(
    row: Refusal, client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids
) -> None:
    """The sandbox refuses the 2601 in the row's words; the client answers with the row's meaning."""
    sandbox.set_faults([{"infno": "2601", "kind": "reject", "params": {"err_msg": row.example}}])
    ctx = CallContext(cashier, "630102")
    if row.journal is JournalMeaning.NOTHING_TO_UNDO:
        assert client.reverse(ctx, msgids(), PERSON, msgids(), "2207") is (
            ReversalOutcome.NOTHING_TO_UNDO
        )
        return
    with pytest.raises(PlatformRejected) as refused:
        client.reverse(ctx, msgids(), PERSON, msgids(), "2207")
    assert refused.value.category is row.category
    assert refused.value.failure.extra["journal"] == row.journal.value
    assert refused.value.failure.platform_text == row.example


def test_a_reversal_refused_for_a_person_to_see_is_escalated_at_once(
    engine: Engine, cashier: Operator, sandbox: SandboxServer
) -> None:
    """ "escalate" rows are not retried five more times: the supervisor sees them now."""
    sandbox.set_faults(
        [
            {"infno": "2207", "kind": "drop_after", "nth": [1]},
            {"infno": "2601", "kind": "reject", "params": {"err_msg": "就诊凭证编号不能为空"}},
        ]
    )
    engine.settle_visit(demo_bill("01"), cashier)

    summary = engine.start()

    (row,) = summary.escalated
    assert (row.state, row.infno, row.attempts) == (JournalState.ESCALATED, "2207", 1)
    assert sandbox.request_count("2601") == 1


def test_already_cancelled_empties_a_settlement_but_a_refused_cancel_reversal_needs_a_person(
    client: PlatformClient, sandbox: SandboxServer, cashier: Operator, msgids
) -> None:
    """Reversing a 2207 that was cancelled: nothing to undo. Reversing a 2208 refused because the
    settlement is refunded: the cancellation stands, so the row goes to a person, never to void."""
    text = "退费结算标志不为未退费，不能办理冲正交易"
    sandbox.set_faults([{"infno": "2601", "kind": "reject", "params": {"err_msg": text}}])
    ctx = CallContext(cashier, "630102")
    assert (
        client.reverse(ctx, msgids(), PERSON, msgids(), "2207") is ReversalOutcome.NOTHING_TO_UNDO
    )
    with pytest.raises(PlatformRejected) as refused:
        client.reverse(ctx, msgids(), PERSON, msgids(), "2208")
    assert refused.value.failure.extra["journal"] == JournalMeaning.ESCALATE.value
    assert refused.value.failure.platform_text == text


@pytest.mark.parametrize(
    "err_msg",
    [
        "该人员本年度门诊慢特病支付额度已用完",
        "该参保人 高血压 病种年度限额已用完",
        "本年度统筹基金支付已达封顶线",
    ],
)
def test_a_used_up_allowance_is_told_as_such_not_as_an_unknown_person(err_msg: str) -> None:
    # The texts hold 人员 / 参保 / 病种: before the limit row they were worded as "cannot find this
    # person" or "no qualification", which sends the cashier to re-read the card.
    error = outcomes.rejected("2207", "M", err_msg)
    assert error.category is PlatformCategory.LIMIT
    assert "额度已用完" in error.text
    assert error.failure.platform_text == err_msg
