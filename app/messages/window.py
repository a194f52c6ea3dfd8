"""The window's backend between the Qt screens and the services (``app/workers``)."""

from __future__ import annotations

from app.messages import Template

NO_CARD_READER = Template(
    "window.no_card_reader",
    zh="未配置读卡器，请检查读卡器连接或改用电子凭证/身份证号。",
    en="No card reader is configured; check the reader's connection, or use the e-voucher or the "
    "ID number.",
)
STARTING = Template(
    "window.starting",
    zh="收费窗口正在启动，请稍候几秒再操作。",
    en="The window is still starting; wait a few seconds.",
)
DIAGNOSIS_NEEDED = Template(
    "window.diagnosis_needed",
    zh="第 {lines} 行是普通门诊费用，普通门诊结算需要本次就诊的诊断：请在费用明细下方的“诊断”栏"
    "（Alt+D）填写诊断编码（医保版 ICD-10，如 J06.900）和诊断名称，或从 HIS 调入本次就诊；"
    "也可把这些行改为病种（1–9）或删除。未发送任何交易。",
    en="Lines {lines} are general-outpatient charges; settling them needs this visit's diagnosis: "
    "enter its code (ICD-10 as the insurance uses it, e.g. J06.900) and name in the Diagnosis "
    "field below the fee lines (Alt+D), or load the visit from the HIS; or tag these lines with a "
    "disease (1–9) or remove them. Nothing was sent.",
)
DIAGNOSIS_CODE_FORM = Template(
    "window.diagnosis_code_form",
    zh="诊断编码“{code}”不是医保版 ICD-10 编码的格式（如 J06.900、I10.x00）：请在“诊断”栏"
    "（Alt+D）改正。未发送任何交易。",
    en="The diagnosis code “{code}” is not in the form of an ICD-10 code as the insurance uses it "
    "(e.g. J06.900, I10.x00): correct it in the Diagnosis field (Alt+D). Nothing was sent.",
)
DIAGNOSIS_NAME_NEEDED = Template(
    "window.diagnosis_name_needed",
    zh="诊断编码 {code} 缺少诊断名称（最多 {max} 字）：请在“诊断”栏（Alt+D）填写。未发送任何交易。",
    en="The diagnosis code {code} has no name (at most {max} characters): enter it in the "
    "Diagnosis field (Alt+D). Nothing was sent.",
)
