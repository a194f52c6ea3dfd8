"""The visit: 2201 registration, 2202 its cancel, 2203 visit upload, 2204 fee lines, 2205 their cancel."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.domain.bill import FeeLine
from app.domain.settlement import LineSplit, check_split
from app.platform.codec import ProtocolError, sanitise
from app.platform.envelope import wire_time
from app.platform.fields import (
    MAX_TEXT,
    expect,
    node,
    optional_money,
    ratio,
    required_money,
    rows,
    text,
)
from app.platform.session import PlatformSession, no_output
from app.services.ports.platform import CallContext, FeeUpload, RegisterRequest, VisitUpload


def register(
    session: PlatformSession, ctx: CallContext, msgid: str, request: RegisterRequest
) -> str:
    """2201 → ``mdtrt_id``. Rejected with 未备案 when there is no cross-province registration."""
    credential = request.credential
    data = {
        "psn_no": request.person_no,
        "insutype": request.insurance_type,
        "begntime": wire_time(request.begin_time),
        "mdtrt_cert_type": credential.kind.value,
        "mdtrt_cert_no": credential.number,
        "card_sn": credential.card_sn,
        "ipt_otp_no": request.outpatient_no,
        "atddr_no": request.doctor_code,
        "dr_name": request.doctor_name,
        "dept_code": request.dept_code,
        "dept_name": request.dept_name,
        "caty": request.caty or request.dept_code,
    }
    return session.write(
        ctx,
        "2201",
        msgid,
        {"data": data},
        lambda r: parse_visit_id(r.output, request.person_no),
    )


def parse_visit_id(output: Mapping[str, Any], person_no: str) -> str:
    """2201 → ``mdtrt_id``; the echoed ``psn_no`` must be ours when given."""
    data = node(output, "data")
    echoed = text(data, "psn_no", 30, required=False)
    if echoed and echoed != person_no:
        raise ProtocolError("2201 answer is for another person")
    return text(data, "mdtrt_id", 30)


def cancel_registration(
    session: PlatformSession,
    ctx: CallContext,
    msgid: str,
    *,
    person_no: str,
    visit_id: str,
    outpatient_no: str,
) -> None:
    """2202."""
    data = {"psn_no": person_no, "mdtrt_id": visit_id, "ipt_otp_no": outpatient_no}
    session.write(ctx, "2202", msgid, {"data": data}, no_output)


def upload_visit(
    session: PlatformSession, ctx: CallContext, msgid: str, upload: VisitUpload
) -> None:
    """2203."""
    begin = wire_time(upload.begin_time)
    input_ = {
        "mdtrtinfo": {
            "mdtrt_id": upload.visit_id,
            "psn_no": upload.person_no,
            "med_type": upload.med_type,
            "begntime": begin,
            "main_cond_dscr": "",
            "dise_codg": upload.disease_code or "",
            "dise_name": upload.disease_name,
        },
        "diseinfo": [
            {
                "diag_type": "1",
                "diag_srt_no": "1",
                "diag_code": upload.diagnosis_code,
                "diag_name": upload.diagnosis_name,
                "diag_dept": upload.dept_name,
                "dise_dor_no": upload.doctor_code,
                "dise_dor_name": upload.doctor_name,
                "diag_time": begin,
                "vali_flag": "1",
            }
        ],
    }
    session.write(ctx, "2203", msgid, input_, no_output)


def upload_fees(
    session: PlatformSession, ctx: CallContext, msgid: str, upload: FeeUpload
) -> tuple[LineSplit, ...]:
    """2204 → the visiting place's per-line split, identities checked."""
    now = wire_time(session.clock.now())  # formatted once: most lines carry no time of their own
    lines = [
        {
            "feedetl_sn": line.line_no,
            "mdtrt_id": upload.visit_id,
            "psn_no": upload.person_no,
            "chrg_bchno": upload.batch_no,
            "dise_codg": upload.disease_code or "",
            "rxno": "",
            "rx_circ_flag": "0",
            "fee_ocur_time": wire_time(line.time) if line.time else now,
            "med_list_codg": line.national_code,
            "medins_list_codg": line.hospital_code,
            "det_item_fee_sumamt": line.amount,
            "cnt": line.quantity,
            "pric": line.unit_price,
            "bilg_dept_codg": upload.dept_code,
            "bilg_dept_name": upload.dept_name,
            "bilg_dr_codg": upload.doctor_code,
            "bilg_dr_name": upload.doctor_name,
            "hosp_appr_flag": "1",
        }
        for line in upload.lines
    ]
    return session.write(
        ctx,
        "2204",
        msgid,
        {"feedetail": lines},
        lambda r: parse_splits(r.output, upload.lines),
    )


def parse_splits(output: Mapping[str, Any], lines: Sequence[FeeLine]) -> tuple[LineSplit, ...]:
    """2204 ``result[]`` → one checked split per uploaded line, in upload order."""
    by_line: dict[str, LineSplit] = {}
    for row in rows(output, "result"):
        split = _split(row)
        if split.line_no in by_line:
            raise ProtocolError("a fee line is split twice")
        expect(check_split(split))
        by_line[split.line_no] = split
    wanted = {line.line_no: line for line in lines}
    if set(by_line) != set(wanted):
        raise ProtocolError("split lines differ from the uploaded lines")
    for line_no, line in wanted.items():
        if by_line[line_no].amount != line.amount:
            raise ProtocolError("a split amount differs from the uploaded amount")
    return tuple(by_line[line.line_no] for line in lines)


def _split(row: Mapping[str, Any]) -> LineSplit:
    self_pay_ratio = ratio(row, "selfpay_prop")
    assert self_pay_ratio is not None
    return LineSplit(
        line_no=text(row, "feedetl_sn", 30),
        amount=required_money(row, "det_item_fee_sumamt"),
        full_self_pay=optional_money(row, "fulamt_ownpay_amt"),
        over_limit=optional_money(row, "overlmt_amt"),
        first_self_pay=optional_money(row, "preselfpay_amt"),
        in_scope=optional_money(row, "inscp_scp_amt"),
        self_pay_ratio=self_pay_ratio,
        item_class=text(row, "chrgitm_lv", 3, required=False),
        restricted=text(row, "lmt_used_flag", 3, required=False) == "1",
        note=sanitise(text(row, "memo", MAX_TEXT, required=False), 200),
    )


def cancel_fees(
    session: PlatformSession,
    ctx: CallContext,
    msgid: str,
    *,
    person_no: str,
    visit_id: str,
    batch_no: str,
) -> None:
    """2205 (``0000`` removes every unsettled line of the visit)."""
    data = {"mdtrt_id": visit_id, "chrg_bchno": batch_no, "psn_no": person_no}
    session.write(ctx, "2205", msgid, {"data": data}, no_output)
