"""Hospital mode at the window (issue 13 items 4, 6, 7; issue 18): every window's history, another
window's settlement handled here, the hospital day close and the hospital-wide shift report."""

from __future__ import annotations

from app.messages import Template

# The hospital day close (app/services/hospital_day_close.py). The summary is stored with the day
# close; the hospital-wide shift report recognises the hospital's own by HOSPITAL_SCOPE in it.
HOSPITAL_SCOPE = "全院"
DAY_CLOSE_BALANCED = Template(
    "hospital_window.day_close_balanced",
    zh="{day} 全院 {windows} 个窗口日结对账平衡，共 {groups} 个对账组。",
    en="{day}: the day close of {windows} window(s) of the hospital balances ({groups} group(s)).",
)
DAY_CLOSE_UNBALANCED = Template(
    "hospital_window.day_close_unbalanced",
    zh="{day} 全院 {windows} 个窗口日结对账不平：{unbalanced} 个对账组不平，明细差异 {rows} 笔，"
    "请收费主管核对。",
    en="{day}: the day close of {windows} window(s) of the hospital does not balance: {unbalanced} "
    "group(s) differ, {rows} detail row(s); a supervisor must check them.",
)
WINDOW_UNRESOLVED = Template(
    "hospital_window.window_unresolved",
    zh="{count} 笔交易结果未确认",
    en="{count} call(s) with an unknown outcome",
)
WINDOW_NOT_SYNCED = Template(
    "hospital_window.window_not_synced",
    zh="还有记录未上传到医院数据库",
    en="records not yet sent to the hospital database",
)
WINDOW_REASON = Template(
    "hospital_window.window_reason", zh="窗口 {window}：{reason}", en="window {window}: {reason}"
)
LOCAL_UNRESOLVED = Template(
    "hospital_window.local_unresolved",
    zh="本窗口还有 {count} 笔医保交易结果未确认，不能日结。请先完成恢复处理后再日结。",
    en="This window has {count} platform call(s) with an unknown outcome; the day cannot be "
    "closed. Finish recovery first, then close the day.",
)
DAY_CLOSE_UNREACHABLE = Template(
    "hospital_window.day_close_unreachable",
    zh="暂时无法连接医院数据库，不能做全院日结（需要各窗口的完整记录）。请待连接恢复后重试。",
    en="The hospital database cannot be reached; the hospital's day close needs every window's "
    "records. Try again when the connection is back.",
)
WINDOWS_NOT_READY = Template(
    "hospital_window.windows_not_ready",
    zh="以下窗口尚未就绪，暂不能做全院日结：{windows}。请在这些窗口完成恢复处理并等待上传完成"
    "（窗口已无法开机时，由收费主管在其他窗口处理其未确认交易）后再日结。",
    en="These windows are not ready for the hospital's day close: {windows}. Finish recovery at "
    "those windows and wait until their records are sent (for a window that no longer starts, a "
    "supervisor resolves its calls from another window), then close the day.",
)
DETAIL_AT_WINDOW = Template(
    "hospital_window.detail_at_window", zh="窗口 {window}", en="window {window}"
)
DETAIL_NOT_IN_RECORD = Template(
    "hospital_window.detail_not_in_record",
    zh="医院记录中无此流水",
    en="not in the hospital record",
)
# Progress steps of the hospital day close (issue 18 item 2), in the order they arrive.
STEP_DELIVER = Template(
    "hospital_window.step_deliver",
    zh="上传本窗口的记录到医院数据库",
    en="Delivering this window's records to the hospital database",
)
STEP_WINDOWS = Template(
    "hospital_window.step_windows",
    zh="检查各窗口是否已上传完毕",
    en="Checking that every window has delivered its records",
)
STEP_TOTAL = Template(
    "hospital_window.step_total",
    zh="全院总额对账（3201）险种 {insutype} 清算类别 {clr_type}",
    en="Hospital totals check (3201), insurance {insutype}, clearing type {clr_type}",
)
STEP_DETAIL = Template(
    "hospital_window.step_detail",
    zh="全院明细对账（9101 上传、3202）险种 {insutype} 清算类别 {clr_type}",
    en="Hospital detail check (9101 upload, 3202), insurance {insutype}, clearing type {clr_type}",
)
STEP_SAVE = Template(
    "hospital_window.step_save", zh="保存全院日结结果", en="Saving the hospital day close"
)

# The history of every window (app/services/hospital_history.py).
HISTORY_LOCAL_ONLY = Template(
    "hospital_window.history_local_only",
    zh="医院数据库暂时连接不上，只显示本窗口的记录；恢复连接后可查看全院记录。",
    en="The hospital database cannot be reached: only this window's records are shown; every "
    "window's appear again when the connection is back.",
)

# Another window's settlement handled here (app/services/hospital_import.py).
IMPORT_UNREACHABLE = Template(
    "hospital_window.import_unreachable",
    zh="暂时无法连接医院数据库，不能办理其他窗口的结算 {settlement_id}。"
    "请待连接恢复后重试，或到原收费窗口办理。",
    en="The hospital database cannot be reached: settlement {settlement_id} of another window "
    "cannot be handled here. Try again when the connection is back, or go to that window.",
)
IMPORT_NOT_SYNCED = Template(
    "hospital_window.import_not_synced",
    zh="结算 {settlement_id} 的完整记录尚未从窗口 {window} 传到医院数据库，请稍后重试，或到该窗口办理。",
    en="The records of settlement {settlement_id} have not yet reached the hospital database from "
    "window {window}; try again shortly, or go to that window.",
)

# The hospital-wide shift report (app/services/hospital_shift_report.py).
REPORT_UNREACHABLE = Template(
    "hospital_window.report_unreachable",
    zh="暂时无法连接医院数据库，不能生成全院交班表（需要各窗口的记录）。请待连接恢复后重试。",
    en="The hospital database cannot be reached; the hospital-wide shift report needs every "
    "window's records. Try again when the connection is back.",
)
CLOSED_AT_WINDOW = Template(
    "hospital_window.closed_at_window",
    zh="{operator}（窗口 {window}）",
    en="{operator} (window {window})",
)
