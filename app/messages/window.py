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
    zh="第 {lines} 行是普通门诊费用，普通门诊结算需要本次就诊的诊断，诊断来自 HIS 的就诊记录："
    "请从 HIS 调入本次就诊，或把这些行改为病种（1–9）或删除。未发送任何交易。",
    en="Lines {lines} are general-outpatient charges; settling them needs this visit's diagnosis, "
    "which comes from the HIS visit: load the visit from the HIS, or tag these lines with a "
    "disease (1–9) or remove them. Nothing was sent.",
)
