"""Pre-settlement (2206), settlement (2207), cancellation (2208), reversal (2601), query (5203)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from app.domain.money import ZERO, from_fen, to_fen
from app.domain.region import is_cross_province
from app.domain.settlement import LineSplit
from app.sandbox import fields
from app.sandbox.calc import (
    ACCOUNT_FUND_TYPE,
    FUND_TYPE_NAMES,
    SettlementResult,
    YearToDate,
    settle,
)
from app.sandbox.core import Context, Output
from app.sandbox.data import Person
from app.sandbox.fields import Rejected
from app.sandbox.state import FeeLineRow, ReversalRow, SettlementRow, VisitRow, next_number
from app.sandbox.tx_person import CERT_TYPES, base_info, check_credential
from app.sandbox.tx_visit import (
    MED_TYPES,
    batch_lines,
    check_chronic,
    check_insurance,
    line_total,
    open_visit,
)

REVERSIBLE = {"2207": "门诊结算", "2208": "门诊结算撤销"}


@dataclass
class _Request:
    """A checked 2206/2207 request with the visit, the batch and the computed result."""

    person: Person
    visit: VisitRow
    lines: list[FeeLineRow]
    cert_type: str
    cert_no: str
    med_type: str
    insutype: str
    batch: str
    result: SettlementResult
    benefit_key: str
    fund_pay_type: str


def preview(ctx: Context) -> Output:
    """2206: the same computation as 2207, nothing stored."""
    request = _checked_request(ctx)
    row = _settlement_row(ctx, request, setl_id="")
    return _settlement_output(ctx, row, request.person, preview=True)


def settle_batch(ctx: Context) -> Output:
    """2207: settle one charge batch and update the year-to-date accumulators (derived from the ledger)."""
    request = _checked_request(ctx)
    d = ctx.data()
    fields.text(d, "invono", "发票号", 20, required=False)
    _check_declared_split(d, request.result)
    setl_id = f"4{next_number(ctx.session, 'settlement'):011d}"
    row = _settlement_row(ctx, request, setl_id=setl_id)
    ctx.session.add(row)
    for line in request.lines:
        line.setl_id = setl_id
        line.last_setl_id = setl_id
    return _settlement_output(ctx, row, request.person, preview=False)


def _check_declared_split(d: Mapping[str, Any], result: SettlementResult) -> None:
    totals = result.totals
    declared = (
        ("fulamt_ownpay_amt", "全自费金额", totals.full_self_pay),
        ("overlmt_selfpay", "超限价自费金额", totals.over_limit),
        ("preselfpay_amt", "先行自付金额", totals.first_self_pay),
        ("inscp_scp_amt", "符合政策范围金额", totals.in_scope),
    )
    for name, label, expected in declared:
        value = fields.money(d, name, label, required=False)
        if value is not None and value != expected:
            raise Rejected(f"{label}（{name}）{value} 与费用明细分割结果合计 {expected} 不一致")


def _checked_request(ctx: Context) -> _Request:
    d = ctx.data()
    psn_no = fields.text(d, "psn_no", "人员编号", 30)
    cert_type = fields.code(d, "mdtrt_cert_type", "就诊凭证类型", CERT_TYPES)
    cert_no = fields.text(d, "mdtrt_cert_no", "就诊凭证编号", 50)
    med_type = fields.code(d, "med_type", "医疗类别", MED_TYPES)
    medfee = fields.money(d, "medfee_sumamt", "医疗费总额")
    fields.code(d, "psn_setlway", "个人结算方式", {"01", "02"})
    mdtrt_id = fields.text(d, "mdtrt_id", "就诊ID", 30)
    batch = fields.text(d, "chrg_bchno", "收费批次号", 30)
    account_flag = fields.flag(d, "acct_used_flag", "个人账户使用标志")
    insutype = fields.text(d, "insutype", "险种类型", 6)
    person = ctx.person(psn_no)
    visit = open_visit(ctx, mdtrt_id, psn_no)
    _check_visit_matches(visit, med_type, insutype)
    check_insurance(ctx, person, insutype)
    check_credential(person, cert_type, cert_no)
    if med_type == "14":
        check_chronic(ctx, person, visit.dise_codg or "", ctx.today)
    lines = _unsettled_batch(ctx, mdtrt_id, batch)
    total = line_total(lines)
    if medfee != total:
        raise Rejected(
            f"医疗费总额（medfee_sumamt）{medfee} 与收费批次 {batch} 的明细合计 {total} 不一致"
        )
    benefit_key = (visit.dise_codg or "") if med_type == "14" else "general"
    fund_pay_type, result = _compute(
        ctx, person, visit, lines, benefit_key, account_requested=account_flag == "1"
    )
    return _Request(
        person, visit, lines, cert_type, cert_no, med_type, insutype, batch, result, benefit_key,
        fund_pay_type,
    )  # fmt: skip


def _check_visit_matches(visit: VisitRow, med_type: str, insutype: str) -> None:
    if visit.med_type is None:
        raise Rejected("请先上传就诊信息（2203）和费用明细（2204）再结算")
    if med_type != visit.med_type:
        raise Rejected(f"医疗类别 {med_type} 与就诊信息（2203）的医疗类别 {visit.med_type} 不一致")
    if insutype != visit.insutype:
        raise Rejected(f"险种类型 {insutype} 与挂号（2201）时的险种 {visit.insutype} 不一致")


def _unsettled_batch(ctx: Context, mdtrt_id: str, batch: str) -> list[FeeLineRow]:
    lines = batch_lines(ctx, mdtrt_id, batch)
    settled = {line.setl_id for line in lines if line.setl_id}
    if settled:
        raise Rejected(
            f"收费批次 {batch} 已结算（结算ID {'、'.join(sorted(settled))}），不能重复结算"
        )
    if not lines:
        raise Rejected(f"收费批次 {batch} 没有可结算的费用明细，请先上传费用明细（2204）")
    return lines


def _compute(
    ctx: Context,
    person: Person,
    visit: VisitRow,
    lines: list[FeeLineRow],
    benefit_key: str,
    *,
    account_requested: bool,
) -> tuple[str, SettlementResult]:
    region = ctx.platform.policies.for_region(visit.insured_admdvs)
    if region is None:
        raise Rejected(f"参保地 {visit.insured_admdvs} 的待遇政策未配置，暂不能结算")
    policy = region.insurance_types.get(visit.insutype)
    if policy is None:
        raise Rejected(f"参保地 {region.name} 未配置险种 {visit.insutype} 的门诊待遇，暂不能结算")
    rule = policy.rule_for(visit.med_type or "", visit.dise_codg)
    used = year_to_date(ctx, person.psn_no, visit.insutype, ctx.today.year, benefit_key)
    balance = account_balance(ctx, person, visit.insutype)
    cross = is_cross_province(visit.insured_admdvs, ctx.platform.hospital.admdvs)
    allowed = account_requested and (region.account_cross_province or not cross) and balance > 0
    splits = [
        LineSplit(
            line_no=line.feedetl_sn,
            amount=from_fen(line.amount_fen),
            full_self_pay=from_fen(line.full_fen),
            over_limit=from_fen(line.over_fen),
            first_self_pay=from_fen(line.pre_fen),
            in_scope=from_fen(line.inscp_fen),
            self_pay_ratio=Decimal(line.selfpay_prop),
        )
        for line in lines
    ]
    result = settle(
        splits, rule, used, fund_pay_type=policy.fund_pay_type, account_balance=balance,
        account_allowed=allowed,
    )  # fmt: skip
    return policy.fund_pay_type, result


def year_to_date(
    ctx: Context, psn_no: str, insutype: str, year: int, benefit_key: str
) -> YearToDate:
    """Deductible and fund used this year, summed over the ledger rows that are not reversed."""
    query = select(
        func.coalesce(func.sum(SettlementRow.deductible_fen), 0),
        func.coalesce(func.sum(SettlementRow.fund_fen), 0),
    ).where(
        SettlementRow.psn_no == psn_no,
        SettlementRow.insutype == insutype,
        SettlementRow.year == year,
        SettlementRow.benefit_key == benefit_key,
        SettlementRow.status != "reversed",
    )
    deductible, fund = ctx.session.execute(query).one()
    return YearToDate(deductible_used=from_fen(int(deductible)), fund_used=from_fen(int(fund)))


def account_balance(ctx: Context, person: Person, insutype: str) -> Decimal:
    """Initial balance minus the account payments in force."""
    row = person.insurance(insutype)
    initial = row.balance if row is not None else ZERO
    query = select(func.coalesce(func.sum(SettlementRow.account_fen), 0)).where(
        SettlementRow.psn_no == person.psn_no,
        SettlementRow.insutype == insutype,
        SettlementRow.status != "reversed",
    )
    spent = int(ctx.session.execute(query).scalar_one())
    return initial - from_fen(spent)


def _settlement_row(ctx: Context, request: _Request, *, setl_id: str) -> SettlementRow:
    totals = request.result.totals
    hospital = ctx.platform.hospital
    assert totals.balance_after is not None
    return SettlementRow(
        setl_id=setl_id,
        msgid=ctx.msgid,
        infno=ctx.infno,
        mdtrt_id=request.visit.mdtrt_id,
        chrg_bchno=request.batch,
        psn_no=request.person.psn_no,
        insutype=request.insutype,
        insured_admdvs=request.visit.insured_admdvs,
        med_type=request.med_type,
        dise_codg=request.visit.dise_codg or "",
        cert_type=request.cert_type,
        cert_no=request.cert_no,
        medfee_fen=to_fen(totals.total),
        fulamt_fen=to_fen(totals.full_self_pay),
        overlmt_fen=to_fen(totals.over_limit),
        preselfpay_fen=to_fen(totals.first_self_pay),
        inscp_fen=to_fen(totals.in_scope),
        deductible_fen=to_fen(totals.deductible),
        fund_fen=to_fen(totals.fund),
        account_fen=to_fen(totals.account),
        cash_fen=to_fen(totals.cash),
        hospital_fen=0,
        balance_after_fen=to_fen(totals.balance_after),
        payable_limit_fen=to_fen(request.result.payable_limit),
        pool_ratio=str(totals.pool_ratio),
        fund_pay_type=request.fund_pay_type,
        trace=request.result.trace,
        benefit_key=request.benefit_key,
        year=ctx.today.year,
        setl_time=ctx.now.strftime("%Y-%m-%d %H:%M:%S"),
        setl_date=ctx.today.isoformat(),
        clr_optins=hospital.clr_optins,
        clr_type="11",
        clr_way="1",
        status="settled",
    )


def _settlement_output(
    ctx: Context, row: SettlementRow, person: Person, *, preview: bool
) -> dict[str, Any]:
    insurance = person.insurance(row.insutype)
    y = from_fen
    setlinfo: dict[str, Any] = {
        "mdtrt_id": row.mdtrt_id,
        "setl_id": None if preview else row.setl_id,
        "psn_no": person.psn_no,
        **{
            k: v
            for k, v in base_info(person, date.fromisoformat(row.setl_date)).items()
            if k != "exp_content"
        },
        "insutype": row.insutype,
        "psn_type": insurance.psn_type if insurance else "",
        "cvlserv_flag": "0",
        "setl_time": row.setl_time,
        "mdtrt_cert_type": row.cert_type,
        "med_type": row.med_type,
        "medfee_sumamt": y(row.medfee_fen),
        "fulamt_ownpay_amt": y(row.fulamt_fen),
        "overlmt_selfpay": y(row.overlmt_fen),
        "preselfpay_amt": y(row.preselfpay_fen),
        "inscp_scp_amt": y(row.inscp_fen),
        "act_pay_dedc": y(row.deductible_fen),
        "hifp_pay": y(row.fund_fen),
        "pool_prop_selfpay": Decimal(row.pool_ratio),
        "cvlserv_pay": ZERO,
        "hifes_pay": ZERO,
        "hifmi_pay": ZERO,
        "hifob_pay": ZERO,
        "maf_pay": ZERO,
        "oth_pay": ZERO,
        "fund_pay_sumamt": y(row.fund_fen),
        "psn_part_amt": y(row.account_fen + row.cash_fen),
        "acct_pay": y(row.account_fen),
        "psn_cash_pay": y(row.cash_fen),
        "hosp_part_amt": y(row.hospital_fen),
        "balc": y(row.balance_after_fen),
        "acct_mulaid_pay": ZERO,
        "medins_setl_id": row.msgid,
        "clr_optins": row.clr_optins,
        "clr_way": None if preview else row.clr_way,
        "clr_type": row.clr_type,
        "exp_content": None,
    }
    setlinfo["certno"] = person.id_number
    details = [
        {
            "fund_pay_type": row.fund_pay_type,
            "inscp_scp_amt": y(row.inscp_fen),
            "crt_payb_lmt_amt": y(row.payable_limit_fen),
            "fund_payamt": y(row.fund_fen),
            "fund_pay_type_name": FUND_TYPE_NAMES.get(row.fund_pay_type, "基本医疗保险统筹基金"),
            "setl_proc_info": row.trace,
        }
    ]
    if row.account_fen:
        details.append(
            {
                "fund_pay_type": ACCOUNT_FUND_TYPE,
                "inscp_scp_amt": y(row.inscp_fen),
                "crt_payb_lmt_amt": None,
                "fund_payamt": y(row.account_fen),
                "fund_pay_type_name": FUND_TYPE_NAMES[ACCOUNT_FUND_TYPE],
                "setl_proc_info": "个人账户支付",
            }
        )
    return {"setlinfo": setlinfo, "setldetail": details}


def cancel_settlement(ctx: Context) -> Output:
    """2208: mirror a settlement with negative amounts under a new ``setl_id``."""
    d = ctx.data()
    setl_id = fields.text(d, "setl_id", "结算ID", 30)
    mdtrt_id = fields.text(d, "mdtrt_id", "就诊ID", 30)
    psn_no = fields.text(d, "psn_no", "人员编号", 30)
    person = ctx.person(psn_no)
    original = ctx.session.get(SettlementRow, setl_id)
    if original is None or original.infno != "2207":
        raise Rejected(f"结算ID {setl_id} 不存在")
    if original.psn_no != psn_no or original.mdtrt_id != mdtrt_id:
        raise Rejected(f"结算ID {setl_id} 不属于就诊ID {mdtrt_id} / 人员编号 {psn_no}")
    if original.status == "cancelled":
        raise Rejected(
            f"结算ID {setl_id} 已撤销（撤销结算ID {original.cancelled_by}），不能重复撤销"
        )
    if original.status == "reversed":
        raise Rejected(f"结算ID {setl_id} 已冲正，无需撤销")
    new_id = f"4{next_number(ctx.session, 'settlement'):011d}"
    balance = account_balance(ctx, person, original.insutype) + from_fen(original.account_fen)
    mirror = _mirror(ctx, original, new_id, balance)
    ctx.session.add(mirror)
    original.status = "cancelled"
    original.cancelled_by = new_id
    for line in ctx.session.scalars(select(FeeLineRow).where(FeeLineRow.setl_id == setl_id)):
        line.setl_id = None
    return _settlement_output(ctx, mirror, person, preview=False)


def _mirror(ctx: Context, original: SettlementRow, new_id: str, balance: Decimal) -> SettlementRow:
    negated = {
        name: -getattr(original, name)
        for name in (
            "medfee_fen", "fulamt_fen", "overlmt_fen", "preselfpay_fen", "inscp_fen",
            "deductible_fen", "fund_fen", "account_fen", "cash_fen", "hospital_fen",
        )
    }  # fmt: skip
    copied = {
        name: getattr(original, name)
        for name in (
            "mdtrt_id", "chrg_bchno", "psn_no", "insutype", "insured_admdvs", "med_type",
            "dise_codg", "cert_type", "cert_no", "pool_ratio", "fund_pay_type", "benefit_key",
            "year", "clr_optins", "clr_type", "clr_way", "payable_limit_fen",
        )
    }  # fmt: skip
    return SettlementRow(
        setl_id=new_id,
        msgid=ctx.msgid,
        infno="2208",
        balance_after_fen=to_fen(balance),
        trace=f"撤销结算ID {original.setl_id}",
        setl_time=ctx.now.strftime("%Y-%m-%d %H:%M:%S"),
        setl_date=ctx.today.isoformat(),
        status="valid",
        original_setl_id=original.setl_id,
        **negated,
        **copied,
    )


def reverse(ctx: Context) -> Output:
    """2601: undo a 2207 or 2208 by its msgid (Part A §7); idempotent."""
    d = ctx.data()
    psn_no = fields.text(d, "psn_no", "人员编号", 30)
    omsgid = fields.text(d, "omsgid", "原发送方报文ID", 30)
    oinfno = fields.text(d, "oinfno", "原交易编号", 6)
    if oinfno not in REVERSIBLE:
        raise Rejected(
            f"交易 {oinfno} 不支持冲正：门诊只能冲正 2207（门诊结算）和 2208（门诊结算撤销）"
        )
    ctx.person(psn_no)
    query = select(SettlementRow).where(
        SettlementRow.msgid == omsgid, SettlementRow.infno == oinfno
    )
    row = ctx.session.scalars(query).first()
    if row is None:
        raise Rejected(
            f"原交易不存在：平台没有发送方报文ID {omsgid} 的 {oinfno} 交易成功记录，无需冲正"
        )
    if row.psn_no != psn_no:
        raise Rejected(f"原交易 {omsgid} 不属于人员编号 {psn_no}")
    if row.status == "reversed":
        return None
    if oinfno == "2207":
        _reverse_settlement(ctx, row)
    else:
        _reverse_cancellation(ctx, row)
    row.status = "reversed"
    row.reversed_by = ctx.msgid
    ctx.session.add(
        ReversalRow(
            msgid=ctx.msgid, omsgid=omsgid, oinfno=oinfno, psn_no=psn_no, setl_id=row.setl_id,
            time=ctx.now.strftime("%Y-%m-%d %H:%M:%S"),
        )
    )  # fmt: skip
    return None


def _reverse_settlement(ctx: Context, row: SettlementRow) -> None:
    if row.status == "cancelled":
        raise Rejected(
            f"原结算 {row.setl_id} 已被撤销（撤销结算ID {row.cancelled_by}），请先冲正该撤销交易（2208）"
        )
    for line in ctx.session.scalars(select(FeeLineRow).where(FeeLineRow.setl_id == row.setl_id)):
        line.setl_id = None


def _reverse_cancellation(ctx: Context, row: SettlementRow) -> None:
    original = ctx.session.get(SettlementRow, row.original_setl_id or "")
    if original is None:
        raise Rejected("原交易不存在：找不到被撤销的结算")
    original.status = "settled"
    original.cancelled_by = None
    query = select(FeeLineRow).where(
        FeeLineRow.last_setl_id == original.setl_id, FeeLineRow.status == "active"
    )
    for line in ctx.session.scalars(query):
        line.setl_id = original.setl_id


def query_settlement(ctx: Context) -> Output:
    """5203: a settlement or cancellation by ``setl_id``."""
    d = ctx.data()
    psn_no = fields.text(d, "psn_no", "人员编号", 30)
    setl_id = fields.text(d, "setl_id", "结算ID", 30)
    mdtrt_id = fields.text(d, "mdtrt_id", "就诊ID", 30, required=False)
    person = ctx.person(psn_no)
    row = ctx.session.get(SettlementRow, setl_id)
    if row is None or row.psn_no != psn_no or (mdtrt_id and row.mdtrt_id != mdtrt_id):
        raise Rejected(f"未查询到结算ID {setl_id} 的结算信息")
    output = _settlement_output(ctx, row, person, preview=False)
    output["setlinfo"]["setl_stas"] = row.status
    return output
