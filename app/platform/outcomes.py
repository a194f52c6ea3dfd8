"""Turning what happened on the wire into the error taxonomy of :mod:`app.errors`, in plain Chinese.

The platform's ``err_msg`` is free text (interface.md B §3.12). We keep it, sanitised, in
``PlatformFailure.platform_text`` and say in our own words what it means and what to do.
"""

from __future__ import annotations

from datetime import datetime

from app.errors import (
    OutcomeUnknown,
    PlatformCategory,
    PlatformFailure,
    PlatformMaintenance,
    PlatformRejected,
    PlatformUnavailable,
)
from app.platform.codec import sanitise
from app.platform.refusals import JournalMeaning, refusal_for

MAINTENANCE_PREFIX = "系统停机维护"
SKEW_LIMIT_SECONDS = 300
# Above this the clock is named as the likely cause even when the platform does not say so.
SKEW_WARNING_SECONDS = 60

TRANSACTION_NAMES: dict[str, str] = {
    "9001": "签到",
    "9002": "签退",
    "1101": "人员信息查询",
    "5301": "慢特病资格查询",
    "2201": "门诊挂号",
    "2202": "门诊挂号撤销",
    "2203": "就诊信息上传",
    "2204": "费用明细上传",
    "2205": "费用明细撤销",
    "2206": "预结算",
    "2207": "结算",
    "2208": "结算撤销",
    "2601": "冲正",
    "5203": "结算信息查询",
    "3201": "对总账",
    "3202": "对明细账",
    "9101": "文件上传",
    "9102": "文件下载",
    "1312": "医保目录查询",
    "1301": "西药中成药目录下载",
    "1305": "医疗服务项目目录下载",
    "1306": "医用耗材目录下载",
    "ec.query": "电子凭证解码",
}

_CATEGORY_TEXT: dict[PlatformCategory, str] = {
    PlatformCategory.SIGNATURE: (
        "医保平台拒绝了本机的接口签名，本次操作未执行。请信息科检查本机时间是否准确、"
        "接入方编号（passid）和密钥是否正确。"
    ),
    PlatformCategory.PERSON: (
        "医保平台查不到该参保人或参保信息有误，本次操作未执行。请核对证件、医保卡或电子凭证后重试；"
        "仍不行请患者联系参保地医保经办机构。"
    ),
    PlatformCategory.REGISTRATION: (
        "该患者没有有效的跨省异地就医备案，不能直接结算。这部分费用请按全额自费收取；患者可回参保地报销，"
        "或办理备案后再来结算。"
    ),
    PlatformCategory.QUALIFICATION: (
        "参保地没有认定该患者的这项门诊慢特病资格（或资格不在有效期内），不能按门诊慢特病结算。"
        "请患者联系参保地医保经办机构确认。"
    ),
    PlatformCategory.CATALOGUE: (
        "费用明细中有项目不在医保目录内或编码对照有误，医保平台未接受。请信息科核对院内项目与"
        "国家医保编码的对照后重试。"
    ),
    PlatformCategory.AMOUNT: "医保平台认为金额不符，本次操作未执行。请核对费用明细和合计金额后重试。",
    PlatformCategory.DUPLICATE: (
        "医保平台表示这条报文已经处理过，本次没有再执行。请先查看结算记录确认结果，切勿重复收费。"
    ),
    PlatformCategory.NOT_FOUND: "医保平台查不到对应的原交易，本次操作未执行。请核对后重试，或联系信息科。",
    PlatformCategory.ALREADY_UNDONE: (
        "医保平台表示这笔结算已经撤销或冲正，本次无需再办理，未执行任何变更。请在结算记录中核对状态。"
    ),
    PlatformCategory.BUSY: "医保平台暂时繁忙，本次操作未执行。请稍后重试；持续出现时请联系信息科。",
    PlatformCategory.REQUEST: (
        "医保平台认为本次请求缺少必填信息，本次操作未执行。请核对患者的证件、医保卡或电子凭证是否已读取"
        "完整后重试；仍不行请联系信息科检查接口配置。"
    ),
    PlatformCategory.IN_HOSPITAL: (
        "医保平台显示该患者目前处于住院（在院）状态，不能办理门诊结算，本次操作未执行。请患者先办理"
        "出院结算，或联系参保地医保经办机构核实住院登记。"
    ),
    PlatformCategory.OTHER: (
        "医保平台拒绝了本次操作，未执行任何变更。请按下方平台提示处理；看不懂提示时请联系信息科。"
    ),
}


def transaction_name(infno: str) -> str:
    """Chinese name of a transaction, for messages."""
    return TRANSACTION_NAMES.get(infno, f"交易 {infno}")


def classify(err_msg: str) -> PlatformCategory:
    """Our category for a refusal text, by its meaning (the table in ``refusals.toml``)."""
    if err_msg.startswith(MAINTENANCE_PREFIX):
        return PlatformCategory.MAINTENANCE
    return refusal_for(err_msg).category


def reversal_meaning(err_msg: str, reversed_infno: str | None = None) -> JournalMeaning:
    """What a refused 2601 of ``reversed_infno`` means for the journal (A §7).

    Nothing to undo, retry, or escalate; a text that means "nothing to undo" only for some reversed
    transactions escalates when the reversed one is not known.
    """
    if err_msg.startswith(MAINTENANCE_PREFIX):
        return JournalMeaning.RETRY
    return refusal_for(err_msg).journal_for(reversed_infno)


def rejected(
    infno: str, msgid: str | None, err_msg: str, *, reversed_infno: str | None = None
) -> PlatformRejected:
    """``infcode`` ≠ 0: maintenance notice or a categorised refusal (for 2601: of ``reversed_infno``)."""
    platform_text = sanitise(err_msg)
    extra = (
        {"journal": reversal_meaning(platform_text, reversed_infno).value}
        if infno == "2601"
        else {}
    )
    failure = PlatformFailure(infno=infno, msgid=msgid, platform_text=platform_text, extra=extra)
    category = classify(platform_text)
    name = transaction_name(infno)
    if category is PlatformCategory.MAINTENANCE:
        return PlatformMaintenance(
            f"医保平台正在停机维护，暂时不能办理医保业务（{name}未执行）。平台通知：“{platform_text}”"
            "请在维护结束后再办理；急需就诊的可先按自费处理，回参保地报销。",
            failure,
        )
    return PlatformRejected(f"{name}：{_CATEGORY_TEXT[category]}", failure, category)


def signature_refused(
    infno: str, msgid: str | None, err_msg: str, server_date: datetime | None, local_now: datetime
) -> PlatformRejected:
    """HTTP 401 from the gateway: signature, replayed nonce or clock skew (Part A §1)."""
    platform_text = sanitise(err_msg) or "网关鉴权失败"
    failure = PlatformFailure(infno=infno, msgid=msgid, platform_text=platform_text)
    name = transaction_name(infno)
    skew = None if server_date is None else round((local_now - server_date).total_seconds())
    if skew is not None and abs(skew) > SKEW_WARNING_SECONDS:
        direction = "快" if skew > 0 else "慢"
        text = (
            f"{name}未执行：本机时间比医保平台{direction}约 {abs(skew)} 秒，平台拒绝了请求"
            f"（允许误差 {SKEW_LIMIT_SECONDS} 秒）。请信息科校准本机时间后重试。"
        )
    else:
        text = (
            f"{name}未执行：医保平台网关拒绝了本机的接入签名。请信息科检查本机时间、"
            "接入方编号（passid）和密钥（token）是否正确；如提示随机数重复，直接重试即可。"
        )
    return PlatformRejected(text, failure, PlatformCategory.SIGNATURE)


def unavailable(infno: str, msgid: str | None, reason: str) -> PlatformUnavailable:
    """Provably not sent."""
    failure = PlatformFailure(infno=infno, msgid=msgid, extra={"cause": reason})
    name = transaction_name(infno)
    if "SSL" in reason or "Certificate" in reason:
        return PlatformUnavailable(
            f"与医保平台建立安全连接时校验证书失败，{name}请求没有发出，不会产生任何费用变化。"
            "请联系信息科检查平台地址、CA 证书和证书指纹配置。",
            failure,
            code="platform_tls",
        )
    return PlatformUnavailable(
        f"无法连接医保平台，{name}请求没有发出，不会产生任何费用变化。请检查网络后重试；"
        "持续无法连接时请联系信息科。",
        failure,
    )


def unknown(infno: str, msgid: str | None, reason: str, *, state_changing: bool) -> OutcomeUnknown:
    """Sent, but no valid answer. For a state-changing call the effect on the platform is unknown."""
    failure = PlatformFailure(infno=infno, msgid=msgid, extra={"cause": reason})
    name = transaction_name(infno)
    if state_changing:
        return OutcomeUnknown(
            f"{name}请求已发出，但没有收到医保平台的有效答复，结果未知。系统会自动核实并处理"
            "（必要时冲正），请勿重复收费，等待核实结果。",
            failure,
        )
    return OutcomeUnknown(
        f"医保平台没有返回有效的{name}结果，本次查询无结果，不影响任何费用。请稍后重试；"
        "反复出现时请联系信息科。",
        failure,
        code="platform_bad_answer",
    )


def voucher_refused(code: str, message: str) -> PlatformRejected:
    """The e-voucher centre refused: a stale or wrong QR code, or our own request (configuration)."""
    platform_text = sanitise(message)
    failure = PlatformFailure(infno="ec.query", platform_text=platform_text, extra={"code": code})
    if "二维码" in platform_text or "凭证" in platform_text:
        return PlatformRejected(
            "医保电子凭证二维码无效或已过期。请患者在手机上刷新医保电子凭证后重新扫码；"
            "也可改用社保卡或身份证。",
            failure,
            PlatformCategory.PERSON,
        )
    return PlatformRejected(
        "电子凭证中心拒绝了本机的解码请求（多为机构编码或窗口配置问题）。请改用社保卡或身份证，"
        "并请信息科按下方提示检查配置。",
        failure,
        PlatformCategory.OTHER,
    )
