"""Hospital mode across windows: another window's journal rows and settlements
(``services/hospital_resolve.py``, ``services/hospital_cancel.py``)."""

from __future__ import annotations

from app.messages import Template

RESOLUTION_CLAIMED = Template(
    "hospital.resolution_claimed",
    zh="流水 {msgid} 正由窗口 {holder} 处理，本窗口不再处理。",
    en="Journal row {msgid} is being handled by window {holder}; this window leaves it.",
)
RESOLVE_UNREACHABLE = Template(
    "hospital.resolve_unreachable",
    zh="暂时无法连接医院数据库，不能处理其他窗口的流水。请待连接恢复后重试。",
    en="The hospital database cannot be reached, so other windows' journal rows cannot be "
    "handled. Try again when it is back.",
)
JOURNAL_NO_RECORD = Template(
    "hospital.journal_no_record",
    zh="医院数据库中没有流水 {msgid} 的完整记录。",
    en="The hospital database has no complete record of journal row {msgid}.",
)
JOURNAL_NOT_FOUND = Template(
    "hospital.journal_not_found",
    zh="医院数据库中找不到流水 {msgid}。",
    en="Journal row {msgid} is not in the hospital database.",
)
OWN_WINDOW_ROW = Template(
    "hospital.own_window_row",
    zh="流水 {msgid} 是本窗口的，请在“交易流水”中处理。",
    en="Journal row {msgid} is this window's; handle it in the journal tab.",
)
ALREADY_RESOLVED = Template(
    "hospital.already_resolved",
    zh="流水 {msgid} 已有确定结果（{state}），无需处理。",
    en="Journal row {msgid} already has a definite outcome ({state}); nothing to do.",
)
RESOLVED_HERE = Template(
    "hospital.resolved_here",
    zh="流水 {msgid} 已在本窗口（{window}）处理，结果：{state}。原窗口恢复运行后不会重复处理。",
    en="Journal row {msgid} was handled at this window ({window}): {state}. Its own window will "
    "not handle it again when it runs again.",
)
RESOLVE_PENDING = Template(
    "hospital.resolve_pending",
    zh="流水 {msgid} 尚未处理完：本窗口（{window}）已接手并向医保平台发出处理请求，但还没有得到"
    "确定结果（当前状态：{state}，例如平台故障）。窗口 {window} 会自动重试，直到有确定结果："
    "在其下一笔结算前或收费程序下次启动时（也可在窗口 {window} 运行 journal resolve 立即重试）。"
    "无需再次运行 hospital resolve；在有确定结果之前请勿向患者重复收费。",
    en="Journal row {msgid} is not resolved yet: this window ({window}) took it over and sent "
    "its request to the platform, but has no definite outcome yet (state: {state}, e.g. the "
    "platform faulted). Window {window} retries it by itself until the outcome is definite: "
    "before its next settlement or when its program next starts (or run journal resolve at "
    "window {window} to retry now). Do not run hospital resolve again, and do not charge the "
    "patient again until the outcome is definite.",
)
RESOLVE_ESCALATED = Template(
    "hospital.resolve_escalated",
    zh="流水 {msgid} 尚未处理完：本窗口（{window}）的处理请求多次失败，已转人工。请收费主管核实后在"
    "窗口 {window} 运行 journal resolve {msgid} --operator 工号 重试；在有确定结果之前请勿向患者"
    "重复收费。",
    en="Journal row {msgid} is not resolved yet: this window's ({window}) requests failed "
    "repeatedly and it was escalated. A supervisor checks it and runs journal resolve {msgid} "
    "--operator CODE at window {window} to retry; do not charge the patient again until the "
    "outcome is definite.",
)
WINDOW_ALIVE = Template(
    "hospital.window_alive",
    zh="窗口 {window} 的收费程序仍在运行，流水 {msgid} 由该窗口自行处理；"
    "只有窗口已停止运行时才能在其他窗口代为处理。",
    en="Window {window}'s program is still running and handles journal row {msgid} itself; "
    "another window may handle it only when that window has stopped.",
)
CANCEL_UNREACHABLE = Template(
    "hospital.cancel_unreachable",
    zh="暂时无法连接医院数据库，不能撤销结算 {settlement_id}：无法确认其他窗口是否已撤销"
    "该结算。未向医保平台发送任何请求。请待连接恢复后重试，或联系信息科。",
    en="The hospital database cannot be reached, so settlement {settlement_id} cannot be "
    "cancelled: it is not certain another window has not cancelled it. Nothing was sent to the "
    "platform. Try again when the database is back, or call the IT staff.",
)
CANCEL_CLAIMED_ELSEWHERE = Template(
    "hospital.cancel_claimed_elsewhere",
    zh="结算 {settlement_id} 已由窗口 {holder} 撤销或正在撤销，本窗口不能再撤销。"
    "请到窗口 {holder} 或在历史记录中查看撤销结果。",
    en="Settlement {settlement_id} was cancelled, or is being cancelled, by window {holder}; "
    "this window cannot cancel it. See the result at window {holder} or in the history.",
)
NOT_FOUND_ANYWHERE = Template(
    "hospital.not_found_anywhere",
    zh="本窗口和医院数据库中都找不到结算记录 {settlement_id}。如果是在其他窗口结算的，该窗口的记录"
    "可能还没有同步到医院数据库：请该窗口打开收费程序，或在该窗口运行 settlement-window hospital "
    "sync，然后再试。未向医保平台发送任何请求。",
    en="Neither this window nor the hospital database has settlement {settlement_id}. If it was "
    "made at another window, that window's records may not have reached the hospital database yet: "
    "open the program at that window, or run settlement-window hospital sync there, then try "
    "again. Nothing was sent to the platform.",
)
RECORD_NOT_SYNCED = Template(
    "hospital.record_not_synced",
    zh="结算 {settlement_id} 的完整记录尚未从窗口 {window} 传到医院数据库，请稍后重试，或到该窗口办理。",
    en="The complete record of settlement {settlement_id} has not yet come from window {window} "
    "to the hospital database; try again later, or do it at that window.",
)

# services/hospital_sync_loop.py
SYNC_LOCK_NOT_HELD = Template(
    "hospital.sync_lock_not_held",
    zh="本窗口尚未取得医院数据库中的窗口锁（服务器未连接，或窗口编号被另一程序占用），本轮不同步，稍后自动重试。",
    en="This window does not hold its window lock in the hospital database yet (server not "
    "reached, or the window number in use by another program); nothing is synced this round, "
    "it is retried automatically.",
)
SYNC_ROUND_FAILED = Template(
    "hospital.sync_round_failed",
    zh="同步医院数据库时出错，稍后自动重试（详情见日志）。",
    en="Syncing with the hospital database failed; it is retried automatically (see the log).",
)
