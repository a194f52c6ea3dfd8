"""Sign-in (9001/9002), person (1101), qualifications (5301) and the e-voucher decode (Part A §11)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_DOWN, Decimal
from typing import Any

from app.domain.masking import mask_number
from app.sandbox import fields
from app.sandbox.core import Context, Output, Platform
from app.sandbox.data import Person
from app.sandbox.fields import Rejected
from app.sandbox.state import SignInRow, next_number
from app.validation.id_number import IdNumberError, parse_id_number

CERT_TYPES = {"01": "医保电子凭证", "02": "居民身份证", "03": "社会保障卡"}
INSURANCE_STATUS_NAMES = {"1": "正常参保", "2": "暂停参保", "3": "终止参保", "4": "终止参保"}


def sign_in(ctx: Context) -> Output:
    """9001: issue a ``sign_no`` for the operator."""
    d = fields.node(ctx.input, "signIn", "签到信息")
    opter_no = fields.text(d, "opter_no", "操作员编号", 20)
    fields.text(d, "mac", "签到MAC地址", 20, required=False)
    fields.text(d, "ip", "签到IP地址", 20)
    number = next_number(ctx.session, "sign")
    sign_no = ctx.now.strftime("%Y%m%d%H%M%S") + f"{number:016d}"
    sign_time = ctx.now.strftime("%Y-%m-%d %H:%M:%S")
    ctx.session.add(SignInRow(sign_no=sign_no, opter_no=opter_no, sign_time=sign_time))
    return {"signinoutb": {"sign_time": sign_time, "sign_no": sign_no}}


def sign_out(ctx: Context) -> Output:
    """9002: close a sign-in."""
    d = ctx.input.get("signOut") or ctx.input.get("data")
    if not isinstance(d, Mapping):
        raise Rejected("输入参数缺少节点 signOut（签退信息）")
    sign_no = fields.text(d, "sign_no", "签到流水号", 30)
    fields.text(d, "opter_no", "操作员编号", 20)
    row = ctx.session.get(SignInRow, sign_no)
    if row is None:
        raise Rejected(f"签到流水号 {sign_no} 不存在，无需签退")
    row.signed_out = ctx.now.strftime("%Y-%m-%d %H:%M:%S")
    return {"signoutoutb": {"sign_time": row.signed_out}}


def person_info(ctx: Context) -> Output:
    """1101: the person behind an e-voucher token, an ID number or a card."""
    d = ctx.data()
    cert_type = fields.code(d, "mdtrt_cert_type", "就诊凭证类型", CERT_TYPES)
    cert_no = fields.text(d, "mdtrt_cert_no", "就诊凭证编号", 50)
    card_sn = fields.text(d, "card_sn", "卡识别码", 32, required=False)
    fields.text(d, "psn_cert_type", "人员证件类型", 6, required=False)
    certno = fields.text(d, "certno", "证件号码", 50, required=False)
    fields.text(d, "psn_name", "人员姓名", 50, required=False)
    person = find_person(ctx.platform, cert_type, cert_no, card_sn)
    if certno and certno.upper() != person.id_number:
        raise Rejected("证件号码（certno）与就诊凭证对应人员的证件号码不一致")
    return {
        "baseinfo": base_info(person, ctx.today),
        "insuinfo": [insurance_info(row) for row in person.insurances],
        "idetinfo": [],
    }


def find_person(platform: Platform, cert_type: str, cert_no: str, card_sn: str) -> Person:
    """Resolve a credential (Part A §11/§12) to a demo person, or refuse precisely."""
    if cert_type == "01":
        person = platform.people_by_token.get(cert_no)
        if person is None:
            raise Rejected(
                "医保电子凭证令牌（ecToken）无效或已过期，请让参保人重新出示医保电子凭证"
            )
        return person
    if cert_type == "02":
        try:
            number = parse_id_number(cert_no).value
        except IdNumberError as exc:
            raise Rejected(f"就诊凭证编号不是有效的身份证号码：{exc.text}") from None
        person = platform.people_by_id.get(number)
        if person is None:
            raise Rejected("未查询到该身份证号码的参保信息，请核对号码或改用医保电子凭证/社保卡")
        return person
    if not card_sn:
        raise Rejected("卡识别码（card_sn）不能为空：使用社会保障卡跨省就医必须上传卡识别码")
    person = platform.people_by_card.get(cert_no)
    if person is None:
        raise Rejected(f"社会保障卡卡号 {cert_no} 未查询到参保信息")
    if person.card_sn != card_sn:
        raise Rejected("社会保障卡卡识别码（card_sn）与卡号不匹配，请重新读卡")
    return person


def check_credential(person: Person, cert_type: str, cert_no: str) -> None:
    """The credential on 2201/2206/2207 must belong to the person."""
    expected = {"01": person.ec_token, "02": person.id_number, "03": person.card_no}[cert_type]
    if cert_no.upper() != expected.upper():
        raise Rejected("就诊凭证编号（mdtrt_cert_no）与人员编号（psn_no）不属于同一参保人")


def base_info(person: Person, today: date) -> dict[str, Any]:
    """``baseinfo`` of 1101."""
    born = date.fromisoformat(person.birthday)
    age = (Decimal((today - born).days) / Decimal("365.25")).quantize(Decimal("0.1"), ROUND_DOWN)
    return {
        "psn_no": person.psn_no,
        "psn_cert_type": "01",
        "certno": person.id_number,
        "psn_name": person.name,
        "gend": person.gender,
        "naty": person.nationality,
        "brdy": person.birthday,
        "age": age,
        "exp_content": None,
    }


def insurance_info(row: Any) -> dict[str, Any]:
    """One ``insuinfo`` row of 1101."""
    return {
        "balc": row.balance,
        "insutype": row.insutype,
        "psn_type": row.psn_type,
        "psn_insu_stas": row.status,
        "psn_insu_date": row.insured_since,
        "paus_insu_date": row.paused_since,
        "cvlserv_flag": "0",
        "insuplc_admdvs": row.insured_admdvs,
        "emp_name": row.employer,
    }


def qualifications(ctx: Context) -> Output:
    """5301: every chronic-disease qualification the insured place holds for the person."""
    psn_no = fields.text(ctx.data(), "psn_no", "人员编号", 30)
    person = ctx.person(psn_no)
    return {
        "feedetail": [
            {
                "opsp_dise_code": q.code,
                "opsp_dise_name": q.name,
                "begndate": q.begin.isoformat(),
                "enddate": q.end.isoformat() if q.end else None,
                "exp_content": None,
            }
            for q in person.qualifications
        ]
    }


def decode_voucher(platform: Platform, body: Mapping[str, Any]) -> dict[str, Any]:
    """The e-voucher centre's ``localQrCodeQuery`` (Part A §11, B §7.2)."""
    if body.get("transType") != "ec.query":
        return _voucher_error(500101, "transType 必须为 ec.query")
    data = body.get("data")
    if not isinstance(data, Mapping):
        return _voucher_error(500102, "缺少 data 节点")
    if body.get("orgId") != platform.hospital.code or data.get("orgId") != platform.hospital.code:
        return _voucher_error(500103, "机构编码（orgId）不存在或未开通电子凭证")
    for name in ("businessType", "operatorId", "operatorName", "officeId", "officeName"):
        if not data.get(name):
            return _voucher_error(500104, f"{name} 不能为空")
    code = str(data.get("ecQrCode") or "")
    if not code:
        return _voucher_error(500159, "请使用医保电子凭证二维码")
    person = platform.people_by_voucher.get(code)
    if person is None:
        return _voucher_error(500160, "医保电子凭证二维码无效或已过期，请刷新后重新出示")
    insured = person.insurances[0].insured_admdvs
    return {
        "code": 0,
        "type": "success",
        "message": "成功",
        "data": {
            "ecToken": person.ec_token,
            "idNo": mask_number(person.id_number),
            "userName": person.name,
            "idType": "01",
            "insuOrg": insured,
            "ecIndexNo": f"EC{person.psn_no}",
            "gender": person.gender,
            "birthday": person.birthday.replace("-", ""),
            "nationality": "CHN",
            "email": None,
            "chnlId": "SANDBOX",
            "ecQrCode": code,
            "authNo": None,
        },
    }


def _voucher_error(code: int, message: str) -> dict[str, Any]:
    return {"code": code, "success": False, "type": "error", "message": message, "data": None}
