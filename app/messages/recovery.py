"""Recovery of unresolved platform calls (``services/recovery.py``, ``services/recovery_report.py``).

The notes written into the journal (``journal.error``) and onto a failed group are stored as their
Chinese rendering: they are records, read back in the journal tab and the audit.
"""

from __future__ import annotations

from app.messages import Template

STEP_RESOLVE = Template(
    "recovery.step_resolve", zh="处理未确认交易 {infno}", en="Resolving unconfirmed call {infno}"
)
STEP_WAIT = Template(
    "recovery.step_wait",
    zh="冲正第 {attempt} 次未成功，{seconds} 秒后重试",
    en="Reversal attempt {attempt} did not succeed; retrying in {seconds} s",
)
NOT_ESCALATED = Template(
    "recovery.not_escalated",
    zh="流水 {msgid} 不在待主管处理队列中。",
    en="Journal row {msgid} is not waiting for a supervisor.",
)
NOT_FOUND = Template(
    "recovery.not_found", zh="找不到流水 {msgid}。", en="Journal row {msgid} was not found."
)
NOTE_VOIDED = Template(
    "recovery.note_voided",
    zh="结果未知，已作废，可重新操作。",
    en="Outcome unknown; voided, and may be done again.",
)
NOTE_INTERRUPTED = Template(
    "recovery.note_interrupted",
    zh="程序中断，结果未知，自动处理。",
    en="The program stopped; outcome unknown; resolved automatically.",
)
NOTE_NOT_SENT = Template(
    "recovery.note_not_sent",
    zh="已登记但未发送（下一步未执行），无需处理。",
    en="Journaled but never sent (the step was not taken); nothing to resolve.",
)
NOTE_REVERSAL_FAILED = Template(
    "recovery.note_reversal_failed", zh="冲正失败。", en="The reversal failed."
)
REVERSAL_REFUSED = Template(
    "recovery.reversal_refused",
    zh="医保平台拒绝冲正，重试无用",
    en="The platform refused the reversal, so retrying is useless",
)
REVERSAL_FAILED_TIMES = Template(
    "recovery.reversal_failed_times",
    zh="冲正已连续失败 {attempts} 次",
    en="The reversal failed {attempts} times in a row",
)
NOTE_ESCALATED = Template(
    "recovery.note_escalated",
    zh="{reason}，请收费主管处理。最后一次：{last}",
    en="{reason}; a supervisor must handle it. Last attempt: {last}",
)
GROUP_REVERSED = Template(
    "recovery.group_reversed",
    zh="平台未返回明确结果，系统已自动冲正，本组未扣款，可重新结算。",
    en="The platform gave no definite answer; the call was reversed automatically, nothing was "
    "charged for this group, and it may be settled again.",
)
GROUP_NEVER_ARRIVED = Template(
    "recovery.group_never_arrived",
    zh="平台未收到结算请求，本组未扣款，可重新结算。",
    en="The platform never received the settlement; nothing was charged for this group, and it "
    "may be settled again.",
)
NOTE_SUPERSEDED = Template(
    "recovery.note_superseded",
    zh="后续冲正已得到明确结果。",
    en="A later reversal got a definite answer.",
)
NOTE_ORIGINAL_RESOLVED = Template(
    "recovery.note_original_resolved",
    zh="原交易已得到明确结果。",
    en="The original call has a definite outcome.",
)
NOTE_CLEANUP_REDONE = Template(
    "recovery.note_cleanup_redone",
    zh="撤销已重新执行并得到平台答复。",
    en="The withdrawal was sent again and the platform answered.",
)
NOTE_NO_VISIT = Template(
    "recovery.note_no_visit",
    zh="登记结果未知且无就诊号；未产生费用，留待对账核对。",
    en="The registration's outcome is unknown and there is no visit number; nothing was charged; "
    "left for the reconciliation.",
)
GROUP_CLEANED = Template(
    "recovery.group_cleaned",
    zh="平台未返回明确结果，已撤销本组登记和明细，可重新结算。",
    en="The platform gave no definite answer; this group's registration and lines were withdrawn, "
    "and it may be settled again.",
)
NOTE_WITHDRAWAL_UNKNOWN = Template(
    "recovery.note_withdrawal_unknown",
    zh="撤销结果未知，将重新执行。",
    en="The withdrawal's outcome is unknown; it will be sent again.",
)

# services/recovery_report.py: the summary sentence
NOTHING = Template(
    "recovery.nothing",
    zh="没有需要恢复的医保交易。",
    en="No platform calls need recovery.",
)
SUMMARY = Template("recovery.summary", zh="{parts}。", en="{parts}.")
EXAMINED = Template("recovery.examined", zh="检查 {count} 笔", en="{count} examined")
REVERSED = Template("recovery.reversed", zh="冲正 {count} 笔", en="{count} reversed")
VOID = Template("recovery.void", zh="无需冲正 {count} 笔", en="{count} needed no reversal")
CLEANED = Template(
    "recovery.cleaned", zh="撤销登记/明细 {count} 笔", en="{count} registrations/lines withdrawn"
)
VISITS_WITHDRAWN = Template(
    "recovery.visits_withdrawn",
    zh="撤销未完成就诊 {count} 个",
    en="{count} unfinished visits withdrawn",
)
ELSEWHERE = Template(
    "recovery.elsewhere",
    zh="{count} 笔正由运行中的其他收费程序办理，未触碰（其结束后再处理）",
    en="{count} are being handled by another running window and were left alone (handled after "
    "it finishes)",
)
VISITS_IN_USE = Template(
    "recovery.visits_in_use",
    zh="{count} 个就诊登记正在办理中，未撤销",
    en="{count} visit registrations are in use and were not withdrawn",
)
VISITS_FAILED = Template(
    "recovery.visits_failed",
    zh="{count} 个就诊登记暂未能撤销（平台不可用），稍后重试",
    en="{count} visit registrations could not be withdrawn yet (platform unavailable); retried "
    "later",
)
ESCALATED = Template(
    "recovery.escalated",
    zh="{count} 笔多次冲正失败，已转收费主管处理",
    en="{count} failed reversal several times and went to a supervisor",
)
PENDING = Template(
    "recovery.pending",
    zh="{count} 笔暂未能处理（平台不可用），稍后自动重试",
    en="{count} could not be handled yet (platform unavailable); retried automatically later",
)
AWAITING_SERVER = Template(
    "recovery.awaiting_server",
    zh="{count} 笔已送达医院服务器（其他窗口可能已处理），等待医院服务器恢复后再处理，不会重复冲正",
    en="{count} had already reached the hospital server (another window may have resolved them): "
    "awaiting the hospital server, nothing is sent twice",
)
AWAITING_WINDOW = Template(
    "recovery.awaiting_window",
    zh="{count} 笔正由其他窗口的收费主管处理，等待其结果",
    en="{count} are being resolved by a supervisor at another window: awaiting their outcome",
)
AWAITING_HOSPITAL_ROW = Template(
    "recovery.awaiting_hospital_row",
    zh="交易 {msgid} 已送达医院服务器，可能已由其他窗口处理（处理窗口：{holder}）。"
    "请待医院服务器恢复、该窗口处理完毕后再试，以免重复冲正。",
    en="Call {msgid} had already reached the hospital server and may have been resolved at "
    "another window (resolving window: {holder}). Try again once the hospital server is back and "
    "that window is done, so nothing is reversed twice.",
)
NOTE_ADOPTED = Template(
    "recovery.note_adopted",
    zh="已由其他窗口处理（医院记录），本窗口未重复发送。",
    en="Resolved at another window (hospital record); this window sent nothing again.",
)

# services/abandoned.py
GROUP_WITHDRAWN = Template(
    "recovery.group_withdrawn",
    zh="未完成的结算已撤销登记和费用明细（程序中断或放弃），本组未扣款，可重新结算。",
    en="The unfinished settlement's registration and lines were withdrawn (the program stopped or "
    "it was abandoned); nothing was charged for this group, and it may be settled again.",
)
