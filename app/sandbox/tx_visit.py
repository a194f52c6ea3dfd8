"""Registration (2201/2202), visit information (2203) and fee lines (2204/2205)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.domain.disease import PILOT_DISEASES
from app.domain.money import from_fen, line_amount, to_fen
from app.domain.region import is_cross_province
from app.sandbox import fields
from app.sandbox.calc import split_line
from app.sandbox.core import Context, Output
from app.sandbox.data import Person
from app.sandbox.fields import Rejected
from app.sandbox.state import FeeLineRow, SettlementRow, VisitRow, next_number
from app.sandbox.tx_person import CERT_TYPES, INSURANCE_STATUS_NAMES, check_credential

MED_TYPES = {"11": "普通门诊", "13": "急诊", "14": "门诊慢特病"}
ALL_UNSETTLED = "0000"


def check_insurance(ctx: Context, person: Person, insutype: str) -> None:
    """The insurance row exists, is active, matches the envelope, and cross-province care is registered."""
    row = person.insurance(insutype)
    if row is None:
        raise Rejected(f"该参保人未参加险种 {insutype}，请按 1101 返回的参保信息选择险种")
    if row.insured_admdvs != ctx.insured_admdvs:
        raise Rejected(
            f"险种 {insutype} 的参保地医保区划为 {row.insured_admdvs}，与报文参保地区划 {ctx.insured_admdvs} 不一致"
        )
    if not row.is_active:
        since = f"（自 {row.paused_since} 起）" if row.paused_since else ""
        status = INSURANCE_STATUS_NAMES.get(row.status, "非正常参保")
        raise Rejected(f"该参保人险种 {insutype} 的参保状态为{status}{since}，不能享受医保待遇")
    if (
        is_cross_province(row.insured_admdvs, ctx.platform.hospital.admdvs)
        and not person.registered
    ):
        raise Rejected(
            "该参保人未办理异地就医备案（未备案），不能跨省直接结算；请参保人先在参保地办理备案，本次可全额自费后回参保地报销"
        )


def check_chronic(ctx: Context, person: Person, code: str, day: date) -> None:
    """med_type 14: a pilot disease this hospital opened, with a qualification valid on ``day``."""
    if not code:
        raise Rejected("医疗类别为门诊慢特病（14）时病种编码（dise_codg）不能为空")
    disease = PILOT_DISEASES.get(code)
    if disease is None:
        raise Rejected(
            f"病种编码 {code} 不是跨省门诊慢特病直接结算病种（试点病种：{'、'.join(PILOT_DISEASES)}），不能跨省直接结算"
        )
    if code not in ctx.platform.hospital.opened_diseases:
        raise Rejected(f"本定点医疗机构未开通 {disease.label} 的跨省门诊慢特病直接结算")
    held = [q for q in person.qualifications if q.code == code]
    if not held:
        raise Rejected(f"该参保人无 {disease.label} 的门诊慢特病资格认定，不能按门诊慢特病结算")
    if not any(q.valid_on(day) for q in held):
        latest = max(held, key=lambda q: q.begin)
        end = latest.end.isoformat() if latest.end else "长期"
        raise Rejected(
            f"该参保人 {disease.label} 的门诊慢特病资格不在有效期内（{latest.begin.isoformat()} 至 {end}），不能按门诊慢特病结算"
        )


def open_visit(ctx: Context, mdtrt_id: str, psn_no: str) -> VisitRow:
    """The registered visit ``mdtrt_id`` of ``psn_no``."""
    visit = ctx.session.get(VisitRow, mdtrt_id)
    if visit is None:
        raise Rejected(f"就诊ID（mdtrt_id）{mdtrt_id} 不存在")
    if visit.psn_no != psn_no:
        raise Rejected(f"就诊ID {mdtrt_id} 不属于人员编号 {psn_no}")
    if visit.status != "registered":
        raise Rejected(f"就诊ID {mdtrt_id} 的挂号已撤销")
    return visit


def register(ctx: Context) -> Output:
    """2201: outpatient registration → ``mdtrt_id``."""
    d = ctx.data()
    psn_no = fields.text(d, "psn_no", "人员编号", 30)
    insutype = fields.text(d, "insutype", "险种类型", 6)
    begntime = fields.timestamp(d, "begntime", "开始时间")
    cert_type = fields.code(d, "mdtrt_cert_type", "就诊凭证类型", CERT_TYPES)
    cert_no = fields.text(d, "mdtrt_cert_no", "就诊凭证编号", 50)
    ipt_otp_no = fields.text(d, "ipt_otp_no", "住院/门诊号", 30)
    for name, label, size in (
        ("atddr_no", "医师编码", 30), ("dr_name", "医师姓名", 50), ("dept_code", "科室编码", 30),
        ("dept_name", "科室名称", 100), ("caty", "科别", 30),
    ):  # fmt: skip
        fields.text(d, name, label, size)
    person = ctx.person(psn_no)
    check_insurance(ctx, person, insutype)
    check_credential(person, cert_type, cert_no)
    mdtrt_id = f"3{next_number(ctx.session, 'visit'):011d}"
    assert begntime is not None
    ctx.session.add(
        VisitRow(
            mdtrt_id=mdtrt_id,
            psn_no=psn_no,
            insutype=insutype,
            insured_admdvs=ctx.insured_admdvs,
            ipt_otp_no=ipt_otp_no,
            begntime=begntime.strftime("%Y-%m-%d %H:%M:%S"),
            cert_type=cert_type,
            cert_no=cert_no,
            msgid=ctx.msgid,
        )
    )
    return {
        "data": {
            "mdtrt_id": mdtrt_id,
            "psn_no": psn_no,
            "ipt_otp_no": ipt_otp_no,
            "exp_content": None,
        }
    }


def unregister(ctx: Context) -> Output:
    """2202: cancel a registration that has no settlement in force."""
    d = ctx.data()
    psn_no = fields.text(d, "psn_no", "人员编号", 30)
    mdtrt_id = fields.text(d, "mdtrt_id", "就诊ID", 30)
    ipt_otp_no = fields.text(d, "ipt_otp_no", "住院/门诊号", 30)
    ctx.person(psn_no)
    visit = open_visit(ctx, mdtrt_id, psn_no)
    if visit.ipt_otp_no != ipt_otp_no:
        raise Rejected(f"门诊号 {ipt_otp_no} 与就诊ID {mdtrt_id} 登记的门诊号不一致")
    settled = ctx.session.scalars(
        select(SettlementRow.setl_id).where(
            SettlementRow.mdtrt_id == mdtrt_id, SettlementRow.status == "settled"
        )
    ).first()
    if settled is not None:
        raise Rejected(
            f"该就诊存在未撤销的结算（结算ID {settled}），请先撤销结算（2208）再撤销挂号"
        )
    visit.status = "cancelled"
    for line in _active_lines(ctx, mdtrt_id):
        line.status = "cancelled"
    return None


def upload_visit(ctx: Context) -> Output:
    """2203: visit information and diagnoses; med_type 14 must name a qualified, opened pilot disease."""
    info = fields.node(ctx.input, "mdtrtinfo", "就诊信息")
    mdtrt_id = fields.text(info, "mdtrt_id", "就诊ID", 30)
    psn_no = fields.text(info, "psn_no", "人员编号", 30)
    med_type = fields.text(info, "med_type", "医疗类别", 6)
    if med_type not in MED_TYPES:
        raise Rejected(
            f"医疗类别（med_type）{med_type} 不支持：跨省门诊只接受 11 普通门诊、13 急诊、14 门诊慢特病"
        )
    begntime = fields.timestamp(info, "begntime", "开始时间")
    fields.text(info, "main_cond_dscr", "主要病情描述", 1000, required=False)
    dise_codg = fields.text(info, "dise_codg", "病种编码", 30, required=med_type == "14")
    dise_name = fields.text(info, "dise_name", "病种名称", 500, required=False)
    _check_diagnoses(fields.node_list(ctx.input, "diseinfo", "诊断信息"))
    person = ctx.person(psn_no)
    visit = open_visit(ctx, mdtrt_id, psn_no)
    assert begntime is not None
    if med_type == "14":
        check_chronic(ctx, person, dise_codg, begntime.date())
    elif dise_codg in PILOT_DISEASES:
        raise Rejected(
            f"医疗类别为{MED_TYPES[med_type]}（{med_type}）时不能填写门诊慢特病病种编码 {dise_codg}"
        )
    if _has_settlement(ctx, mdtrt_id):
        raise Rejected("该就诊已有结算，不能修改就诊信息；请先撤销结算（2208）")
    visit.med_type = med_type
    visit.dise_codg = dise_codg or None
    visit.dise_name = dise_name or None
    return None


def _check_diagnoses(rows: Sequence[Mapping[str, Any]]) -> None:
    for row in rows:
        fields.code(row, "diag_type", "诊断类别", {"1", "2", "3"})
        fields.text(row, "diag_srt_no", "诊断排序号", 3)
        fields.text(row, "diag_code", "诊断代码", 20)
        fields.text(row, "diag_name", "诊断名称", 100)
        fields.text(row, "diag_dept", "诊断科室", 50)
        fields.text(row, "dise_dor_no", "诊断医生编码", 30)
        fields.text(row, "dise_dor_name", "诊断医生姓名", 50)
        fields.timestamp(row, "diag_time", "诊断时间")
        fields.flag(row, "vali_flag", "有效标志")


def _has_settlement(ctx: Context, mdtrt_id: str) -> bool:
    query = select(SettlementRow.setl_id).where(
        SettlementRow.mdtrt_id == mdtrt_id, SettlementRow.status == "settled"
    )
    return ctx.session.scalars(query).first() is not None


def _active_lines(ctx: Context, mdtrt_id: str, batch: str | None = None) -> list[FeeLineRow]:
    query = select(FeeLineRow).where(FeeLineRow.mdtrt_id == mdtrt_id, FeeLineRow.status == "active")
    if batch is not None:
        query = query.where(FeeLineRow.chrg_bchno == batch)
    return list(ctx.session.scalars(query.order_by(FeeLineRow.id)))


def batch_lines(ctx: Context, mdtrt_id: str, batch: str) -> list[FeeLineRow]:
    """The active lines of one charge batch."""
    return _active_lines(ctx, mdtrt_id, batch)


def upload_fees(ctx: Context) -> Output:
    """2204: fee lines, split by the visiting place's catalogue; all or nothing."""
    raw_lines = fields.node_list(ctx.input, "feedetail", "费用明细")
    lines = [_FeeLine.parse(raw) for raw in raw_lines]
    first = lines[0]
    if any(line.mdtrt_id != first.mdtrt_id or line.psn_no != first.psn_no for line in lines):
        raise Rejected("同一次上传的费用明细必须属于同一就诊ID和同一人员编号")
    ctx.person(first.psn_no)
    visit = open_visit(ctx, first.mdtrt_id, first.psn_no)
    if visit.med_type is None:
        raise Rejected("请先上传就诊信息（2203）再上传费用明细（2204）")
    existing = _active_lines(ctx, visit.mdtrt_id)
    _check_batches(visit, lines, existing)
    results = []
    for line in lines:
        results.append(_store_line(ctx, line))
    return {"result": results}


class _FeeLine:
    """One 2204 input line, checked field by field."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.feedetl_sn = fields.text(raw, "feedetl_sn", "费用明细流水号", 30)
        where = f"明细 {self.feedetl_sn}："
        try:
            self.mdtrt_id = fields.text(raw, "mdtrt_id", "就诊ID", 30)
            self.psn_no = fields.text(raw, "psn_no", "人员编号", 30)
            self.chrg_bchno = fields.text(raw, "chrg_bchno", "收费批次号", 30)
            self.dise_codg = fields.text(raw, "dise_codg", "病种编码", 30, required=False)
            fields.text(raw, "rxno", "处方号", 30, required=False)
            fields.flag(raw, "rx_circ_flag", "外购处方标志")
            occurred = fields.timestamp(raw, "fee_ocur_time", "费用发生时间")
            assert occurred is not None
            self.fee_ocur_time = occurred.strftime("%Y-%m-%d %H:%M:%S")
            self.med_list_codg = fields.text(raw, "med_list_codg", "医疗目录编码", 50)
            self.medins_list_codg = fields.text(raw, "medins_list_codg", "医药机构目录编码", 150)
            amount = fields.money(raw, "det_item_fee_sumamt", "明细项目费用总额")
            assert amount is not None
            self.amount = amount
            self.cnt = fields.decimal(raw, "cnt", "数量", places=4)
            self.pric = fields.decimal(raw, "pric", "单价", places=6)
            for name, label, size in (
                ("bilg_dept_codg", "开单科室编码", 30), ("bilg_dept_name", "开单科室名称", 100),
                ("bilg_dr_codg", "开单医生编码", 30), ("bilg_dr_name", "开单医师姓名", 50),
            ):  # fmt: skip
                fields.text(raw, name, label, size)
            self.hosp_appr_flag = fields.code(
                raw, "hosp_appr_flag", "医院审批标志", {"0", "1", "2"}
            )
        except Rejected as exc:
            raise Rejected(where + exc.err_msg) from None

    @classmethod
    def parse(cls, raw: Mapping[str, Any]) -> _FeeLine:
        """Check and wrap one raw line."""
        return cls(raw)


def _check_batches(visit: VisitRow, lines: list[_FeeLine], existing: list[FeeLineRow]) -> None:
    seen = {row.feedetl_sn for row in existing}
    codes: dict[str, set[str]] = {}
    for row in existing:
        codes.setdefault(row.chrg_bchno, set()).add(row.dise_codg)
    settled_batches = {row.chrg_bchno for row in existing if row.setl_id}
    for line in lines:
        if line.feedetl_sn in seen:
            raise Rejected(f"费用明细流水号（feedetl_sn）{line.feedetl_sn} 在本次就诊中重复")
        seen.add(line.feedetl_sn)
        if line.chrg_bchno in settled_batches:
            raise Rejected(f"收费批次 {line.chrg_bchno} 已结算，不能再上传明细")
        codes.setdefault(line.chrg_bchno, set()).add(line.dise_codg)
        _check_line_disease(visit, line)
    for batch, batch_codes in codes.items():
        if len(batch_codes) > 1:
            shown = "、".join(sorted(code or "空" for code in batch_codes))
            raise Rejected(
                f"收费批次 {batch} 中的明细病种编码不一致（{shown}）：同一收费批次的所有明细必须是同一病种"
            )


def _check_line_disease(visit: VisitRow, line: _FeeLine) -> None:
    if visit.med_type == "14" and line.dise_codg != visit.dise_codg:
        raise Rejected(
            f"明细 {line.feedetl_sn} 的病种编码 {line.dise_codg or '（空）'} 与就诊信息（2203）的病种 {visit.dise_codg} 不一致"
        )
    if visit.med_type != "14" and line.dise_codg in PILOT_DISEASES:
        raise Rejected(
            f"明细 {line.feedetl_sn}：普通门诊不能上传门诊慢特病病种 {line.dise_codg} 的费用（不得转为普通门诊结算）"
        )


def _store_line(ctx: Context, line: _FeeLine) -> dict[str, Any]:
    catalogue = ctx.platform.catalogue
    where = f"明细 {line.feedetl_sn}："
    if line.med_list_codg not in catalogue.by_national_code:
        raise Rejected(f"{where}医疗目录编码 {line.med_list_codg} 不在就医地医保目录中")
    item = catalogue.items.get(line.medins_list_codg)
    if item is None:
        raise Rejected(
            f"{where}医药机构目录编码 {line.medins_list_codg} 未做目录对照（3301），不能结算"
        )
    if item.med_list_codg != line.med_list_codg:
        raise Rejected(
            f"{where}医药机构目录编码 {line.medins_list_codg} 对照的医疗目录编码为 {item.med_list_codg}，与上传的 {line.med_list_codg} 不一致"
        )
    expected = line_amount(line.pric, line.cnt)
    if expected != line.amount:
        raise Rejected(
            f"{where}明细金额 {line.amount} 与 单价 {line.pric} × 数量 {line.cnt} = {expected}（四舍五入到分）不一致"
        )
    split = split_line(
        line.feedetl_sn, item, line.amount, line.pric, line.cnt, hosp_appr_flag=line.hosp_appr_flag
    )
    ctx.session.add(
        FeeLineRow(
            mdtrt_id=line.mdtrt_id,
            feedetl_sn=line.feedetl_sn,
            chrg_bchno=line.chrg_bchno,
            dise_codg=line.dise_codg,
            med_list_codg=line.med_list_codg,
            medins_list_codg=line.medins_list_codg,
            fee_ocur_time=line.fee_ocur_time,
            pric=str(line.pric),
            cnt=str(line.cnt),
            amount_fen=to_fen(split.amount),
            full_fen=to_fen(split.full_self_pay),
            over_fen=to_fen(split.over_limit),
            pre_fen=to_fen(split.first_self_pay),
            inscp_fen=to_fen(split.in_scope),
            selfpay_prop=str(split.self_pay_ratio),
            chrgitm_lv=item.chrgitm_lv,
            med_chrgitm_type=item.med_chrgitm_type,
            lmt_used_flag="1" if item.restricted else "0",
            msgid=ctx.msgid,
        )
    )
    return {
        "feedetl_sn": line.feedetl_sn,
        "det_item_fee_sumamt": split.amount,
        "cnt": line.cnt,
        "pric": line.pric,
        "pric_uplmt_amt": item.price_ceiling
        if item.price_ceiling is not None
        else Decimal("999999"),
        "selfpay_prop": split.self_pay_ratio,
        "fulamt_ownpay_amt": split.full_self_pay,
        "overlmt_amt": split.over_limit,
        "preselfpay_amt": split.first_self_pay,
        "inscp_scp_amt": split.in_scope,
        "chrgitm_lv": item.chrgitm_lv,
        "med_chrgitm_type": item.med_chrgitm_type,
        "bas_medn_flag": "0",
        "hi_nego_drug_flag": "0",
        "chld_medc_flag": "0",
        "list_sp_item_flag": "0",
        "lmt_used_flag": "1" if item.restricted else "0",
        "drt_reim_flag": "0",
        "memo": split.note or None,
    }


def cancel_fees(ctx: Context) -> Output:
    """2205: remove unsettled lines of one batch, or of the whole visit with ``0000``."""
    d = ctx.data()
    mdtrt_id = fields.text(d, "mdtrt_id", "就诊ID", 30)
    batch = fields.text(d, "chrg_bchno", "收费批次号", 30)
    psn_no = fields.text(d, "psn_no", "人员编号", 30)
    ctx.person(psn_no)
    open_visit(ctx, mdtrt_id, psn_no)
    lines = _active_lines(ctx, mdtrt_id, None if batch == ALL_UNSETTLED else batch)
    if batch != ALL_UNSETTLED and any(line.setl_id for line in lines):
        raise Rejected(f"收费批次 {batch} 已结算，已结算的费用明细不能撤销，请先撤销结算（2208）")
    removable = [line for line in lines if not line.setl_id]
    if not removable:
        raise Rejected(f"就诊ID {mdtrt_id} 没有可撤销的未结算费用明细（收费批次 {batch}）")
    for line in removable:
        line.status = "cancelled"
    return None


def line_total(lines: Sequence[FeeLineRow]) -> Decimal:
    """Sum of the lines' amounts."""
    return from_fen(sum(line.amount_fen for line in lines))
