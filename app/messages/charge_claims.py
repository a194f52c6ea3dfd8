"""One charge is settled once: claims on the visit's charges (``services/charge_claims.py``)."""

from __future__ import annotations

from app.messages import Template

HOSPITAL_UNREACHABLE = Template(
    "charge_claims.hospital_unreachable",
    zh="暂时无法连接医院数据库，不能确认门诊号 {outpatient_no} 的费用没有在其他窗口"
    "结算，为避免重复收费，本次未向医保平台发送任何请求。请待连接恢复后重试，"
    "或联系信息科检查数据库服务器和网络。",
    en="The hospital database cannot be reached, so it is not certain the charges of outpatient "
    "number {outpatient_no} were not settled at another window; to avoid charging twice nothing "
    "was sent to the platform. Try again when it is back, or ask the IT staff to check the "
    "database server and the network.",
)
SETTLED_AT_WINDOW = Template(
    "charge_claims.settled_at_window",
    zh="门诊号 {outpatient_no} 的这些费用已在窗口 {windows} 结算（结算号 {settlements}），"
    "同一笔费用不能重复结算，请勿向患者重复收费。如确需重新结算，"
    "请先由收费主管撤销原结算（cancel）后再办理。",
    en="These charges of outpatient number {outpatient_no} were settled at window {windows} "
    "(settlement {settlements}); a charge cannot be settled twice: do not charge the patient "
    "again. To settle again, a supervisor first cancels the settlement (cancel).",
)
IN_FLIGHT_AT_WINDOW = Template(
    "charge_claims.in_flight_at_window",
    zh="门诊号 {outpatient_no} 的这些费用正在窗口 {windows} 结算（账单 {bills}），"
    "不能在本窗口同时结算，请勿向患者重复收费。请等该窗口办完后在历史记录中查询结果。",
    en="These charges of outpatient number {outpatient_no} are being settled at window {windows} "
    "(bill {bills}) and cannot be settled here at the same time: do not charge the patient "
    "again. When that window is done, look the result up in the history.",
)
SETTLED = Template(
    "charge_claims.settled",
    zh="门诊号 {outpatient_no} 的这些费用已经结算过（结算号 {settlements}），"
    "同一笔费用不能重复结算，请勿向患者重复收费。如确需重新结算，"
    "请先由收费主管撤销原结算（cancel）后再办理。",
    en="These charges of outpatient number {outpatient_no} were already settled (settlement "
    "{settlements}); a charge cannot be settled twice: do not charge the patient again. To "
    "settle again, a supervisor first cancels the settlement (cancel).",
)
IN_FLIGHT = Template(
    "charge_claims.in_flight",
    zh="门诊号 {outpatient_no} 的这些费用正在另一笔结算中办理（账单 {bills}），"
    "不能同时再次结算，请勿向患者重复收费。请等待该结算完成后查询结果，"
    "或在原窗口继续处理该账单。",
    en="These charges of outpatient number {outpatient_no} are in another settlement (bill "
    "{bills}) and cannot be settled again at the same time: do not charge the patient again. "
    "Wait for it to finish and look up the result, or carry on with that bill where it was "
    "started.",
)
HIS_LOCKED_AT_WINDOW = Template(
    "charge_claims.his_locked_at_window",
    zh="门诊号 {outpatient_no} 的这些费用已被窗口 {windows} 在 HIS 锁定，正在该窗口结算或已结算"
    "（账单 {bills}），不能在本窗口同时结算，请勿向患者重复收费。请等该窗口办完后在历史记录中查询结果。",
    en="These charges of outpatient number {outpatient_no} are locked in the HIS by window "
    "{windows} (bill {bills}), which is settling or has settled them; they cannot be settled here "
    "at the same time: do not charge the patient again. When that window is done, look the result "
    "up in the history.",
)
HIS_LOCK_FAILED = Template(
    "charge_claims.his_lock_failed",
    zh="暂时无法连接医院数据库，HIS 也未能锁定门诊号 {outpatient_no} 的费用（{reason}），"
    "不能确认这些费用没有在其他窗口结算，为避免重复收费，本次未向医保平台发送任何请求。"
    "请稍后重试，或联系信息科检查数据库服务器、HIS 和网络。",
    en="The hospital database cannot be reached and the HIS did not lock the charges of "
    "outpatient number {outpatient_no} ({reason}), so it is not certain they were not settled at "
    "another window; to avoid charging twice nothing was sent to the platform. Try again later, "
    "or ask the IT staff to check the database server, the HIS and the network.",
)
NO_HIS_LINES = Template(
    "charge_claims.no_his_lines",
    zh="账单中没有从 HIS 调入的收费明细",
    en="the bill has no charge lines loaded from the HIS",
)
