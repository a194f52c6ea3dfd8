"""Offline charge-claim conflicts shown to a supervisor (``services/hospital_conflicts.py``)."""

from __future__ import annotations

from app.messages import Template

SUMMARY = Template(
    "claim_conflicts.summary",
    zh="冲突 {conflict_id}：门诊号 {outpatient_no} 的同一批费用（{lines} 条）在窗口 {window}"
    "（医院数据库断开期间，凭 HIS 锁定）和窗口 {other_window} 都已结算，发现于 {detected_at}。",
    en="Conflict {conflict_id}: the same charges of outpatient number {outpatient_no} ({lines} "
    "lines) were settled at window {window} (under the HIS lock, while the hospital database was "
    "away) and at window {other_window}; found at {detected_at}.",
)
SIDE = Template(
    "claim_conflicts.side",
    zh="窗口 {window} 账单 {bill_id}：{settlements}",
    en="Window {window}, bill {bill_id}: {settlements}",
)
SETTLEMENT = Template(
    "claim_conflicts.settlement",
    zh="结算号 {settlement_id}（操作员 {operator}，{settled_at}，合计 {total} 元 = 统筹 {fund} + "
    "个人账户 {account} + 现金 {cash}）{state}",
    en="settlement {settlement_id} (operator {operator}, {settled_at}, total {total} yuan = fund "
    "{fund} + account {account} + cash {cash}){state}",
)
CANCELLED = Template(
    "claim_conflicts.cancelled",
    zh="，已撤销（{cancelled_by}）",
    en=", cancelled ({cancelled_by})",
)
NOT_SYNCED = Template(
    "claim_conflicts.not_synced",
    zh="结算记录尚未同步到医院数据库",
    en="its settlements have not reached the hospital database yet",
)
ADVICE_CANCEL_ONE = Template(
    "claim_conflicts.advice_cancel_one",
    zh="两笔结算都有效，患者很可能被重复收费。请先与患者核实，再由收费主管撤销其中一笔（撤销结算，"
    "即 2208：窗口 {window} 的 {settlements} 或窗口 {other_window} 的 {other_settlements}），"
    "按撤销结果向患者退还现金，然后在此标记为已处理。程序不会自动退费。",
    en="Both settlements stand: the patient was most likely charged twice. Check with the patient "
    "first, then have a supervisor cancel one of them (cancel settlement, i.e. 2208: window "
    "{window}'s {settlements} or window {other_window}'s {other_settlements}), give the patient the "
    "cash back as the cancellation says, and mark the conflict handled here. Nothing is refunded "
    "automatically.",
)
ADVICE_ONE_LEFT = Template(
    "claim_conflicts.advice_one_left",
    zh="窗口 {window} 的结算已撤销，只剩窗口 {other_window} 的一笔有效。请与患者核实收费和退款无误后，"
    "在此标记为已处理。",
    en="Window {window}'s settlement was cancelled; only window {other_window}'s stands. Once the "
    "patient's charges and refund are checked, mark the conflict handled here.",
)
ADVICE_NONE_LEFT = Template(
    "claim_conflicts.advice_none_left",
    zh="两笔结算都已撤销，这些费用目前未结算。请与患者核实后，在此标记为已处理（需要时重新结算）。",
    en="Both settlements were cancelled; these charges are not settled now. Check with the "
    "patient, mark the conflict handled here, and settle again if needed.",
)
ADVICE_WAIT = Template(
    "claim_conflicts.advice_wait",
    zh="窗口 {window} 的结算记录尚未同步到医院数据库，暂时无法核对金额。请确认该窗口已连上医院数据库"
    "（或直接联系该窗口），待记录同步后再按本提示处理。",
    en="Window {window}'s settlements have not reached the hospital database yet, so the amounts "
    "cannot be compared. Make sure that window is connected (or ask it directly) and come back "
    "once its records are in.",
)
HANDLED = Template(
    "claim_conflicts.handled",
    zh="已由 {operator} 于 {handled_at} 在窗口 {window} 标记为已处理：{note}",
    en="Marked handled by {operator} at {handled_at} at window {window}: {note}",
)
NOTE_REQUIRED = Template(
    "claim_conflicts.note_required",
    zh="请写明处理情况（例如撤销了哪一笔结算、是否已向患者退款），再标记为已处理。",
    en="Say what was done (e.g. which settlement was cancelled, whether the patient was refunded) "
    "before marking the conflict handled.",
)
NOT_FOUND = Template(
    "claim_conflicts.not_found",
    zh="医院数据库中没有编号为 {conflict_id} 的收费冲突。",
    en="The hospital database has no charge conflict numbered {conflict_id}.",
)
ALREADY_HANDLED = Template(
    "claim_conflicts.already_handled",
    zh="收费冲突 {conflict_id} 已由 {operator} 于 {handled_at} 在窗口 {window} 标记为已处理，"
    "无需重复处理。",
    en="Charge conflict {conflict_id} was already marked handled by {operator} at {handled_at} at "
    "window {window}; nothing more to do.",
)
UNREACHABLE = Template(
    "claim_conflicts.unreachable",
    zh="暂时无法连接医院数据库，不能读取或标记收费冲突。本窗口继续正常收费；请稍后重试，"
    "或联系信息科检查数据库服务器和网络。",
    en="The hospital database cannot be reached, so charge conflicts cannot be read or marked now. "
    "This window keeps working; try again later or ask the IT staff to check the database server "
    "and the network.",
)
NONE_OPEN = Template(
    "claim_conflicts.none_open",
    zh="没有待处理的收费冲突。",
    en="No charge conflict waits to be handled.",
)
CANCELLED_AT = Template(
    "claim_conflicts.cancelled_at",
    zh="{settlement_id}（在窗口 {window} 撤销，撤销结算号 {cancelled_by}）",
    en="{settlement_id} (cancelled at window {window}, cancellation {cancelled_by})",
)
OBSOLETE_ONE_LEFT = Template(
    "claim_conflicts.obsolete_one_left",
    zh="冲突已不再成立，已自动结案：窗口 {window} 的结算 {cancelled} 已撤销，只剩窗口 {other_window} "
    "的一笔有效，不再重复收费（窗口 {closed_window} 于 {closed_at} 记录）。撤销时应已按撤销结果向患者"
    "退还现金，请核实；无需再标记为已处理。",
    en="The conflict no longer stands and was closed automatically: window {window}'s settlement "
    "{cancelled} was cancelled, only window {other_window}'s stands, so nothing is charged twice "
    "(recorded by window {closed_window} at {closed_at}). The patient should have had the cash "
    "back as the cancellation said: check it; there is nothing to mark.",
)
OBSOLETE_NONE_LEFT = Template(
    "claim_conflicts.obsolete_none_left",
    zh="冲突已不再成立，已自动结案：两笔结算都已撤销（{cancelled}），这些费用目前未结算，需要时重新结算"
    "（窗口 {closed_window} 于 {closed_at} 记录）。无需再标记为已处理。",
    en="The conflict no longer stands and was closed automatically: both settlements were "
    "cancelled ({cancelled}); these charges are not settled now, settle again if needed (recorded "
    "by window {closed_window} at {closed_at}). There is nothing to mark.",
)
