"""Settlement: 2206 preview, 2207 settle, 2208 cancel, 2601 reversal, 5203 query (B §2.9–2.12).

A 2207/2208 answered with infcode 0 has been done (interface.md A §10): only what says what was
settled — ``setl_id`` and totals that balance to the fen — is required; the rest is read when it
can be and otherwise noted in ``SettlementTotals.unread`` for the day close. Where the hospital's
share is and which ``setldetail`` codes are funds comes from the insured place's answer profile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.domain.money import ZERO
from app.domain.settlement import (
    FundPayment,
    SettlementRecord,
    SettlementTotals,
    check_balance,
    check_details,
)
from app.errors import PlatformMaintenance, PlatformRejected
from app.platform import outcomes
from app.platform.answer_profile import AnswerProfile, national_profile, profile_for
from app.platform.codec import ProtocolError
from app.platform.fields import (
    absent,
    expect,
    moment,
    money,
    node,
    optional_money,
    ratio,
    required_money,
    text,
    tolerant,
)
from app.platform.refusals import JournalMeaning
from app.platform.session import PlatformSession
from app.services.ports.platform import (
    CallContext,
    CancellationRecord,
    CancelRequest,
    ReversalOutcome,
    SettleRequest,
)

log = logging.getLogger(__name__)


def pre_settle(
    session: PlatformSession, ctx: CallContext, request: SettleRequest
) -> SettlementTotals:
    """2206 preview; nothing changes on the platform."""
    data = _settle_input(request, final=False)
    return session.read(
        ctx.operator,
        ctx.insured_admdvs,
        "2206",
        lambda: {"data": data},
        lambda r: parse_preview(
            r.output,
            request.person_no,
            request.visit_id,
            request.total,
            profile=profile_for(ctx.insured_admdvs),
        ),
    )


def settle(
    session: PlatformSession, ctx: CallContext, msgid: str, request: SettleRequest
) -> SettlementRecord:
    """2207. Identities of B §5.1 are checked; a broken answer is an OutcomeUnknown."""
    expected = SettleExpectation(
        msgid=msgid,
        person_no=request.person_no,
        visit_id=request.visit_id,
        total=request.total,
        med_type=request.med_type,
        disease_code=request.disease_code,
        insurance_type=request.insurance_type,
    )
    data = _settle_input(request, final=True)
    return session.write(
        ctx,
        "2207",
        msgid,
        {"data": data},
        lambda r: parse_settlement(
            r.output,
            expected,
            answered_at=session.clock.now(),
            profile=profile_for(ctx.insured_admdvs),
        ),
    )


def cancel_settlement(
    session: PlatformSession, ctx: CallContext, msgid: str, request: CancelRequest
) -> CancellationRecord:
    """2208."""
    data = {
        "setl_id": request.settlement_id,
        "mdtrt_id": request.visit_id,
        "psn_no": request.person_no,
    }
    return session.write(
        ctx,
        "2208",
        msgid,
        {"data": data},
        lambda r: parse_cancellation(
            r.output,
            msgid,
            request.settlement_id,
            request.person_no,
            request.visit_id,
            answered_at=session.clock.now(),
            profile=profile_for(ctx.insured_admdvs),
        ),
    )


def reverse(
    session: PlatformSession,
    ctx: CallContext,
    msgid: str,
    *,
    person_no: str,
    original_msgid: str,
    original_infno: str,
) -> ReversalOutcome:
    """2601: undo a 2207/2208 whose outcome is unknown (A §7).

    A refusal the table of known texts reads as "nothing to undo" (原交易不存在, 退费结算标志不为
    未退费…) is a definite answer; other refusals raise, carrying the table's journal meaning
    (retry / escalate) in ``failure.extra["journal"]``.
    """
    data = {"psn_no": person_no, "omsgid": original_msgid, "oinfno": original_infno}
    try:
        return session.write(ctx, "2601", msgid, {"data": data}, lambda r: ReversalOutcome.REVERSED)
    except PlatformMaintenance:
        raise
    except PlatformRejected as exc:
        text = exc.failure.platform_text
        if outcomes.reversal_meaning(text, original_infno) is JournalMeaning.NOTHING_TO_UNDO:
            return ReversalOutcome.NOTHING_TO_UNDO
        if "journal" not in exc.failure.extra:
            raise  # not a table refusal (e.g. the gateway's signature check): keep its words
        # The same refusal, its journal meaning decided with the reversed transaction known.
        raise outcomes.rejected("2601", msgid, text, reversed_infno=original_infno) from None


def query_settlement(
    session: PlatformSession, ctx: CallContext, person_no: str, settlement_id: str, visit_id: str
) -> SettlementTotals:
    """5203."""
    data = {"psn_no": person_no, "setl_id": settlement_id, "mdtrt_id": visit_id}
    return session.read(
        ctx.operator,
        ctx.insured_admdvs,
        "5203",
        lambda: {"data": data},
        lambda r: parse_queried_settlement(
            r.output, person_no, settlement_id, profile=profile_for(ctx.insured_admdvs)
        ),
    )


def _settle_input(request: SettleRequest, *, final: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "psn_no": request.person_no,
        "mdtrt_cert_type": request.credential.kind.value,
        "mdtrt_cert_no": request.credential.number,
        "med_type": request.med_type,
        "medfee_sumamt": request.total,
        "psn_setlway": "01",
        "mdtrt_id": request.visit_id,
        "chrg_bchno": request.batch_no,
        "acct_used_flag": "1" if request.use_account else "0",
        "insutype": request.insurance_type,
    }
    if final:
        data["invono"] = request.invoice_no
    split = request.split_totals
    if split is not None:
        data.update(
            {
                "fulamt_ownpay_amt": split.full_self_pay,
                "overlmt_selfpay": split.over_limit,
                "preselfpay_amt": split.first_self_pay,
                "inscp_scp_amt": split.in_scope,
            }
        )
    return data


FUND_COLUMNS = (
    "hifp_pay",
    "cvlserv_pay",
    "hifes_pay",
    "hifmi_pay",
    "hifob_pay",
    "maf_pay",
    "oth_pay",
)


def parse_totals(
    output: Mapping[str, Any],
    *,
    cancellation: bool = False,
    profile: AnswerProfile | None = None,
) -> SettlementTotals:
    """``setlinfo`` + ``setldetail[]`` → totals; the balance is required, the details tolerated.

    What says what was settled must be there and balance to the fen: ``medfee_sumamt`` =
    ``fund_pay_sumamt`` (without the personal account) + ``acct_pay`` + cash (``psn_cash_pay`` or
    ``pdn_cash_pay``) + the hospital's share (where the insured place's ``profile`` says it is).
    Everything else — split totals, fund columns, ``setldetail`` rows, ratios — is read when it can
    be; what cannot is listed in ``unread`` for the day close (interface.md A §10).
    """
    chosen = profile or national_profile()
    info = node(output, "setlinfo")
    total = required_money(info, "medfee_sumamt")
    fund = required_money(info, "fund_pay_sumamt")
    account = optional_money(info, "acct_pay")
    if chosen.fund_includes_account:
        fund -= account
    cash = money(info, "psn_cash_pay", required=False)
    if cash is None:
        cash = required_money(info, "pdn_cash_pay")
    hospital = _hospital_share(info, chosen, total - fund - account - cash)
    unread: list[str] = []
    detail = _detail_reader(info, unread)
    totals = SettlementTotals(
        total=total,
        full_self_pay=detail("fulamt_ownpay_amt"),
        over_limit=detail("overlmt_selfpay"),
        first_self_pay=detail("preselfpay_amt"),
        in_scope=detail("inscp_scp_amt"),
        deductible=detail("act_pay_dedc"),
        fund=fund,
        account=account,
        cash=cash,
        hospital=hospital,
        pool_ratio=tolerant(unread, lambda: ratio(info, "pool_prop_selfpay", required=False), None),
        funds=_fund_rows(output, unread),
        balance_after=tolerant(unread, lambda: money(info, "balc", required=False), None),
    )
    expect(check_balance(totals, cancellation=cancellation))
    unread.extend(
        check_details(totals, cancellation=cancellation, non_fund_types=chosen.non_fund_types)
    )
    unread.extend(_column_problems(info, totals, unread))
    if not unread:
        return totals
    log.warning("settlement answer balances; details not read: %s", "; ".join(unread)[:300])
    return replace(totals, unread=tuple(unread))


def _optional_amount(info: Mapping[str, Any], key: str, unread: list[str]) -> Decimal | None:
    return tolerant(unread, lambda: money(info, key, required=False), None)


def _detail_reader(info: Mapping[str, Any], unread: list[str]) -> Callable[[str], Decimal]:
    def read(key: str) -> Decimal:
        return tolerant(unread, lambda: optional_money(info, key), ZERO)

    return read


def _hospital_share(info: Mapping[str, Any], profile: AnswerProfile, wanted: Decimal) -> Decimal:
    """The first of the profile's formulas that makes the answer balance, else the first one's sum.

    ``wanted`` is what the hospital's share must be for the totals to balance.
    """
    first: Decimal | None = None
    first_error: ProtocolError | None = None
    for formula in profile.hospital_share:
        try:
            share = sum((money(info, key, required=False) or ZERO for key in formula), start=ZERO)
        except ProtocolError as exc:
            first_error = first_error or exc
            continue
        if share == wanted:
            return share
        first = share if first is None else first
    if first is None and first_error is not None:
        raise first_error
    return first or ZERO


def _fund_rows(output: Mapping[str, Any], unread: list[str]) -> tuple[FundPayment, ...]:
    """``setldetail[]``: rows without a readable fund type or amount are skipped and noted."""
    value = output.get("setldetail")
    if absent(value):
        return ()
    if not isinstance(value, list):
        unread.append("setldetail is not a list")
        return ()
    found = [_fund_row(row, number, unread) for number, row in enumerate(value, start=1)]
    return tuple(payment for payment in found if payment is not None)


def _fund_row(row: object, number: int, unread: list[str]) -> FundPayment | None:
    if not isinstance(row, dict):
        unread.append(f"setldetail row {number} is not an object")
        return None
    row_unread: list[str] = []
    fund_type = tolerant(row_unread, lambda: text(row, "fund_pay_type", 10, required=False), "")
    amount = tolerant(row_unread, lambda: money(row, "fund_payamt", required=False), None)
    if not fund_type or amount is None:
        unread.append(f"setldetail row {number} skipped: no readable fund type or amount")
        return None
    name = tolerant(row_unread, lambda: text(row, "fund_pay_type_name", 100, required=False), "")
    unread.extend(row_unread)
    return FundPayment(fund_type=fund_type, amount=amount, name=name)


def _column_problems(
    info: Mapping[str, Any], totals: SettlementTotals, unread: list[str]
) -> list[str]:
    problems: list[str] = []
    columns = [_optional_amount(info, name, unread) for name in FUND_COLUMNS]
    given = [amount for amount in columns if amount is not None]
    if given and sum(given, ZERO) != totals.fund:
        problems.append("fund columns do not add up to fund_pay_sumamt")
    patient = _optional_amount(info, "psn_part_amt", unread)
    if patient is not None and patient != totals.account + totals.cash:
        problems.append("psn_part_amt is not account + cash")
    return problems


@dataclass(frozen=True)
class SettleExpectation:
    """What a 2207 answer must echo back."""

    msgid: str
    person_no: str
    visit_id: str
    total: Decimal
    med_type: str
    disease_code: str | None
    insurance_type: str


def parse_settlement(
    output: Mapping[str, Any],
    expected: SettleExpectation,
    *,
    answered_at: datetime,
    profile: AnswerProfile | None = None,
) -> SettlementRecord:
    """2207 → a checked record; the echoes (msgid, person, visit, total) must match our request.

    A 2207 answered with infcode 0 has been done: only a missing ``setl_id`` or totals that do not
    balance make it unknown (interface.md A §10). A missing or unreadable ``setl_time`` is taken as
    ``answered_at`` and noted.
    """
    info = node(output, "setlinfo")
    totals = parse_totals(output, profile=profile)
    _check_echo(info, expected.msgid, expected.person_no, expected.visit_id)
    if totals.total != expected.total:
        raise ProtocolError("settled total differs from the requested total")
    unread = list(totals.unread)
    settled_at = _answer_time(info, answered_at, unread)

    def optional(key: str, max_len: int) -> str:
        return tolerant(unread, lambda: text(info, key, max_len, required=False), "")

    settlement_id = text(info, "setl_id", 30)
    insurance_type = optional("insutype", 6) or expected.insurance_type
    clearing = (optional("clr_optins", 6), optional("clr_way", 6), optional("clr_type", 6))
    if len(unread) > len(totals.unread):
        totals = replace(totals, unread=tuple(unread))
    return SettlementRecord(
        settlement_id=settlement_id,
        visit_id=expected.visit_id,
        msgid=expected.msgid,
        med_type=expected.med_type,
        disease_code=expected.disease_code,
        insurance_type=insurance_type,
        settled_at=settled_at,
        totals=totals,
        splits=(),
        clearing_agency=clearing[0],
        clearing_way=clearing[1],
        clearing_type=clearing[2],
    )


def _answer_time(info: Mapping[str, Any], answered_at: datetime, unread: list[str]) -> datetime:
    """``setl_time``, or the time the answer arrived when it is missing or unreadable (B §2.11)."""
    if absent(info.get("setl_time")):
        unread.append("setl_time is missing; the answer's arrival time is used")
        return answered_at
    return tolerant(unread, lambda: moment(info, "setl_time"), answered_at)


def _check_echo(info: Mapping[str, Any], msgid: str, person_no: str, visit_id: str) -> None:
    if text(info, "medins_setl_id", 30, required=False) not in ("", msgid):
        raise ProtocolError("medins_setl_id does not echo our msgid")
    if text(info, "psn_no", 30, required=False) not in ("", person_no):
        raise ProtocolError("answer is for another person")
    if text(info, "mdtrt_id", 30, required=False) not in ("", visit_id):
        raise ProtocolError("answer is for another visit")


def parse_preview(
    output: Mapping[str, Any],
    person_no: str,
    visit_id: str,
    total: Decimal,
    *,
    profile: AnswerProfile | None = None,
) -> SettlementTotals:
    """2206 → totals; the preview must be for our person, visit and total."""
    info = node(output, "setlinfo")
    totals = parse_totals(output, profile=profile)
    if text(info, "psn_no", 30, required=False) not in ("", person_no):
        raise ProtocolError("answer is for another person")
    if text(info, "mdtrt_id", 30, required=False) not in ("", visit_id):
        raise ProtocolError("answer is for another visit")
    if totals.total != total:
        raise ProtocolError("previewed total differs from the requested total")
    return totals


def parse_cancellation(
    output: Mapping[str, Any],
    msgid: str,
    original_settlement_id: str,
    person_no: str,
    visit_id: str,
    *,
    answered_at: datetime,
    profile: AnswerProfile | None = None,
) -> CancellationRecord:
    """2208 → the negative mirror with the cancellation's own ``setl_id``.

    Without ``setl_time`` the platform has still cancelled: the answer's arrival time is used
    (interface.md B §2.11).
    """
    info = node(output, "setlinfo")
    totals = parse_totals(output, cancellation=True, profile=profile)
    _check_echo(info, msgid, person_no, visit_id)
    settlement_id = text(info, "setl_id", 30)
    if settlement_id == original_settlement_id:
        raise ProtocolError("cancellation carries the original settlement id")
    unread = list(totals.unread)
    cancelled_at = _answer_time(info, answered_at, unread)
    return CancellationRecord(
        settlement_id=settlement_id,
        original_settlement_id=original_settlement_id,
        msgid=msgid,
        cancelled_at=cancelled_at,
        totals=replace(totals, unread=tuple(unread)),
    )


def parse_queried_settlement(
    output: Mapping[str, Any],
    person_no: str,
    settlement_id: str,
    *,
    profile: AnswerProfile | None = None,
) -> SettlementTotals:
    """5203 → the totals of that settlement (negative for a cancellation row)."""
    info = node(output, "setlinfo")
    if text(info, "setl_id", 30, required=False) not in ("", settlement_id):
        raise ProtocolError("answer is for another settlement")
    if text(info, "psn_no", 30, required=False) not in ("", person_no):
        raise ProtocolError("answer is for another person")
    total = required_money(info, "medfee_sumamt")
    return parse_totals(output, cancellation=total < 0, profile=profile)
