"""The engine's use cases for the window (``services/engine.py``): receipts and the day close."""

from __future__ import annotations

from app.messages import Template

RECEIPTS_NOT_CONFIGURED = Template(
    "engine.receipts_not_configured",
    zh="收据打印尚未配置，请联系信息科。结算已完成，可稍后补打。",
    en="Receipt printing is not configured; contact IT. The settlement is done; print it later.",
)
COPY_NO_RECEIPT = Template(
    "engine.copy_no_receipt",
    zh="结算 {settlement_id} 还没有打印过票据，没有可补打的票据。请先打印票据。",
    en="Settlement {settlement_id} has no printed receipt to copy yet; print the receipt first.",
)
REISSUE_NO_RECEIPT = Template(
    "engine.reissue_no_receipt",
    zh="结算 {settlement_id} 还没有打印过票据，没有可作废的票据号。请先打印票据。",
    en="Settlement {settlement_id} has no printed receipt to void yet; print the receipt first.",
)
DAY_CLOSE_SELF = Template(
    "engine.day_close_self",
    zh="日结须由收费主管输入自己的工号和密码。",
    en="The day close needs the supervisor's own operator code and password.",
)
NOT_HOSPITAL_MODE = Template(
    "engine.not_hospital_mode",
    zh="本窗口未启用医院模式：请在配置文件的 [hospital_db] 中设置（见 docs/hospital-mode.md）。",
    en="This window is not in hospital mode: set [hospital_db] in the configuration file "
    "(see docs/hospital-mode.md).",
)
HIS_NOT_CONFIGURED = Template(
    "engine.his_not_configured",
    zh="未配置 HIS（[his] kind = none），没有需要回传的结果。",
    en="No HIS is configured ([his] kind = none); there are no results to send back.",
)
