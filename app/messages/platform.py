"""What the national platform's answers mean, in our words (``platform/outcomes.py``).

The platform's own ``err_msg`` is never part of a template: it is a ``{platform_text}`` placeholder
or, usually, kept apart as the failure's quoted detail (interface.md B §3.12).
"""

from __future__ import annotations

from app.messages import Template

# Transaction names, keyed by infno.
TRANSACTIONS = {
    "9001": Template("platform.tx.9001", zh="签到", en="sign-in"),
    "9002": Template("platform.tx.9002", zh="签退", en="sign-out"),
    "1101": Template("platform.tx.1101", zh="人员信息查询", en="person query"),
    "5301": Template("platform.tx.5301", zh="慢特病资格查询", en="chronic-disease query"),
    "2201": Template("platform.tx.2201", zh="门诊挂号", en="outpatient registration"),
    "2202": Template("platform.tx.2202", zh="门诊挂号撤销", en="withdrawal of the registration"),
    "2203": Template("platform.tx.2203", zh="就诊信息上传", en="visit upload"),
    "2204": Template("platform.tx.2204", zh="费用明细上传", en="fee-line upload"),
    "2205": Template("platform.tx.2205", zh="费用明细撤销", en="fee-line withdrawal"),
    "2206": Template("platform.tx.2206", zh="预结算", en="pre-settlement"),
    "2207": Template("platform.tx.2207", zh="结算", en="settlement"),
    "2208": Template("platform.tx.2208", zh="结算撤销", en="cancellation"),
    "2601": Template("platform.tx.2601", zh="冲正", en="reversal"),
    "5203": Template("platform.tx.5203", zh="结算信息查询", en="settlement query"),
    "3201": Template("platform.tx.3201", zh="对总账", en="totals reconciliation"),
    "3202": Template("platform.tx.3202", zh="对明细账", en="detail reconciliation"),
    "9101": Template("platform.tx.9101", zh="文件上传", en="file upload"),
    "9102": Template("platform.tx.9102", zh="文件下载", en="file download"),
    "1312": Template("platform.tx.1312", zh="医保目录查询", en="catalogue query"),
    "1301": Template(
        "platform.tx.1301", zh="西药中成药目录下载", en="medicines catalogue download"
    ),
    "1305": Template(
        "platform.tx.1305", zh="医疗服务项目目录下载", en="medical services catalogue download"
    ),
    "1306": Template(
        "platform.tx.1306", zh="医用耗材目录下载", en="medical supplies catalogue download"
    ),
    "ec.query": Template("platform.tx.ec_query", zh="电子凭证解码", en="e-voucher decoding"),
}
TRANSACTION = Template("platform.tx.other", zh="交易 {infno}", en="transaction {infno}")

# Our words for a refusal, keyed by PlatformCategory value.
CATEGORIES = {
    "signature": Template(
        "platform.category.signature",
        zh="医保平台拒绝了本机的接口签名，本次操作未执行。请信息科检查本机时间是否准确、"
        "接入方编号（passid）和密钥是否正确。",
        en="The platform refused this computer's signature; nothing was done. The IT staff checks "
        "the clock, the access id (passid) and the key.",
    ),
    "person": Template(
        "platform.category.person",
        zh="医保平台查不到该参保人或参保信息有误，本次操作未执行。请核对证件、医保卡或电子凭证后重试；"
        "仍不行请患者联系参保地医保经办机构。",
        en="The platform cannot find this person or the insurance data is wrong; nothing was done. "
        "Check the ID, card or e-voucher and try again; otherwise the patient contacts the "
        "insurance office at home.",
    ),
    "registration": Template(
        "platform.category.registration",
        zh="该患者没有有效的跨省异地就医备案，不能直接结算。这部分费用请按全额自费收取；患者可回参保地报销，"
        "或办理备案后再来结算。",
        en="This patient has no valid cross-province registration and cannot be settled directly. "
        "Collect these fees as full self-pay; the patient may claim them at home, or register "
        "and come back.",
    ),
    "qualification": Template(
        "platform.category.qualification",
        zh="参保地没有认定该患者的这项门诊慢特病资格（或资格不在有效期内），不能按门诊慢特病结算。"
        "请患者联系参保地医保经办机构确认。",
        en="The insured place has not recognised this chronic-disease qualification (or it is not "
        "valid now), so it cannot be settled as one. The patient checks with the insurance office "
        "at home.",
    ),
    "catalogue": Template(
        "platform.category.catalogue",
        zh="费用明细中有项目不在医保目录内或编码对照有误，医保平台未接受。请信息科核对院内项目与"
        "国家医保编码的对照后重试。",
        en="A fee line is not in the insurance catalogue or its code mapping is wrong; the platform "
        "did not accept it. The IT staff checks the mapping of hospital items to national codes.",
    ),
    "amount": Template(
        "platform.category.amount",
        zh="医保平台认为金额不符，本次操作未执行。请核对费用明细和合计金额后重试。",
        en="The platform says the amounts do not match; nothing was done. Check the lines and the "
        "total and try again.",
    ),
    "duplicate": Template(
        "platform.category.duplicate",
        zh="医保平台表示这条报文已经处理过，本次没有再执行。请先查看结算记录确认结果，切勿重复收费。",
        en="The platform says this message was already processed and did not do it again. Check "
        "the settlement history first; never charge twice.",
    ),
    "not_found": Template(
        "platform.category.not_found",
        zh="医保平台查不到对应的原交易，本次操作未执行。请核对后重试，或联系信息科。",
        en="The platform cannot find the original call; nothing was done. Check and try again, or "
        "call the IT staff.",
    ),
    "already_undone": Template(
        "platform.category.already_undone",
        zh="医保平台表示这笔结算已经撤销或冲正，本次无需再办理，未执行任何变更。请在结算记录中核对状态。",
        en="The platform says this settlement was already cancelled or reversed; nothing needed "
        "doing and nothing changed. Check its state in the history.",
    ),
    "busy": Template(
        "platform.category.busy",
        zh="医保平台暂时繁忙，本次操作未执行。请稍后重试；持续出现时请联系信息科。",
        en="The platform is busy; nothing was done. Try again later; call the IT staff if it "
        "persists.",
    ),
    "request": Template(
        "platform.category.request",
        zh="医保平台认为本次请求缺少必填信息，本次操作未执行。请核对患者的证件、医保卡或电子凭证是否已读取"
        "完整后重试；仍不行请联系信息科检查接口配置。",
        en="The platform says the request lacks required data; nothing was done. Check that the "
        "ID, card or e-voucher was read completely and try again; otherwise the IT staff checks "
        "the interface configuration.",
    ),
    "in_hospital": Template(
        "platform.category.in_hospital",
        zh="医保平台显示该患者目前处于住院（在院）状态，不能办理门诊结算，本次操作未执行。请患者先办理"
        "出院结算，或联系参保地医保经办机构核实住院登记。",
        en="The platform shows this patient as an in-patient, so outpatient settlement is not "
        "possible; nothing was done. The patient settles the discharge first, or checks the "
        "admission with the insurance office at home.",
    ),
    "limit": Template(
        "platform.category.limit",
        zh="参保地医保表示该患者的门诊慢特病支付额度已用完（已达年度限额或封顶线），本次未按医保结算，"
        "未执行任何变更。请向患者说明，这部分费用可按全额自费收取；有疑问请患者联系参保地医保经办机构。",
        en="The insured place says this patient's chronic-disease allowance is used up (the annual "
        "limit or cap is reached); nothing was settled and nothing changed. Tell the patient these "
        "fees can be collected as self-pay; questions go to the insurance office at home.",
    ),
    "other": Template(
        "platform.category.other",
        zh="医保平台拒绝了本次操作，未执行任何变更。请按下方平台提示处理；看不懂提示时请联系信息科。",
        en="The platform refused; nothing changed. Follow the platform's note below; call the IT "
        "staff if it is unclear.",
    ),
}

REFUSED = Template("platform.refused", zh="{name}：{reason}", en="{name}: {reason}")
MAINTENANCE = Template(
    "platform.maintenance",
    zh="医保平台正在停机维护，暂时不能办理医保业务（{name}未执行）。平台通知：“{platform_text}”"
    "请在维护结束后再办理；急需就诊的可先按自费处理，回参保地报销。",
    en="The platform is down for maintenance; insurance business is not possible now ({name} "
    "not done). Its notice: “{platform_text}” Try again after the maintenance; an urgent patient "
    "may pay in full and claim it at home.",
)
GATEWAY_REFUSED = Template("platform.gateway_refused", zh="网关鉴权失败", en="gateway refused")
AHEAD = Template("platform.clock_ahead", zh="快", en="ahead of")
BEHIND = Template("platform.clock_behind", zh="慢", en="behind")
CLOCK_SKEW = Template(
    "platform.clock_skew",
    zh="{name}未执行：本机时间比医保平台{direction}约 {seconds} 秒，平台拒绝了请求"
    "（允许误差 {limit} 秒）。请信息科校准本机时间后重试。",
    en="{name} not done: this computer's clock is about {seconds} s {direction} the platform's, "
    "which refused the request (±{limit} s allowed). The IT staff corrects the clock; then try "
    "again.",
)
SIGNATURE = Template(
    "platform.signature",
    zh="{name}未执行：医保平台网关拒绝了本机的接入签名。请信息科检查本机时间、"
    "接入方编号（passid）和密钥（token）是否正确；如提示随机数重复，直接重试即可。",
    en="{name} not done: the platform gateway refused this computer's signature. The IT staff "
    "checks the clock, the access id (passid) and the key (token); if the note says the nonce "
    "repeated, just try again.",
)
TLS = Template(
    "platform.tls",
    zh="与医保平台建立安全连接时校验证书失败，{name}请求没有发出，不会产生任何费用变化。"
    "请联系信息科检查平台地址、CA 证书和证书指纹配置。",
    en="The platform's certificate did not verify; the {name} request was not sent and nothing "
    "was charged. The IT staff checks the platform address, the CA certificate and the "
    "fingerprint.",
)
UNREACHABLE = Template(
    "platform.unreachable",
    zh="无法连接医保平台，{name}请求没有发出，不会产生任何费用变化。请检查网络后重试；"
    "持续无法连接时请联系信息科。",
    en="The platform cannot be reached; the {name} request was not sent and nothing was charged. "
    "Check the network and try again; call the IT staff if it persists.",
)
UNKNOWN_STATE_CHANGING = Template(
    "platform.unknown_state_changing",
    zh="{name}请求已发出，但没有收到医保平台的有效答复，结果未知。系统会自动核实并处理"
    "（必要时冲正），请勿重复收费，等待核实结果。",
    en="The {name} request was sent but no valid answer came back: the outcome is unknown. It is "
    "checked and resolved automatically (reversed if needed); do not charge again, wait for the "
    "result.",
)
UNKNOWN_QUERY = Template(
    "platform.unknown_query",
    zh="医保平台没有返回有效的{name}结果，本次查询无结果，不影响任何费用。请稍后重试；"
    "反复出现时请联系信息科。",
    en="The platform returned no valid {name} result; the query has no answer and no money "
    "moved. Try again later; call the IT staff if it repeats.",
)
VOUCHER_INVALID = Template(
    "platform.voucher_invalid",
    zh="医保电子凭证二维码无效或已过期。请患者在手机上刷新医保电子凭证后重新扫码；也可改用社保卡或身份证。",
    en="The e-voucher QR code is invalid or expired. The patient refreshes the e-voucher on the "
    "phone and you scan again; or use the card or the ID card.",
)
VOUCHER_REFUSED = Template(
    "platform.voucher_refused",
    zh="电子凭证中心拒绝了本机的解码请求（多为机构编码或窗口配置问题）。请改用社保卡或身份证，"
    "并请信息科按下方提示检查配置。",
    en="The e-voucher centre refused this computer's decoding request (usually the institution "
    "code or the window's configuration). Use the card or the ID card, and have the IT staff "
    "check the configuration against the note below.",
)
UNSENDABLE = Template(
    "platform.unsendable",
    zh="{name}未发出：数据中含有无法发送的字符。请检查患者信息和费用明细（如读卡内容）后重试。",
    en="{name} not sent: the data has characters that cannot be sent. Check the patient's data "
    "and the fee lines (e.g. what the card gave) and try again.",
)
