"""The console's own result lines (``app/cli``): what a command prints on stdout when it succeeds.

The Chinese text is what the commands printed before they came here, word for word (scripts and the
documentation quote it); the English is shown with ``[ui] language = "en"``. Data inside them — a
patient's or an item's name, a disease, an insurance type, a province, a fund — is a placeholder and
stays as the platform or the catalogue spells it.
"""

from __future__ import annotations

from app.messages import Template

# ------------------------------------------------------------------ money and bills

SPLIT = Template(
    "console.split",
    zh="总额 {total} = 统筹基金 {fund} + 个人账户 {account} + 现金 {cash}",
    en="total {total} = fund {fund} + account {account} + cash {cash}",
)
SPLIT_HOSPITAL = Template(
    "console.split_hospital", zh=" + 医院负担 {hospital}", en=" + hospital {hospital}"
)
BILL_HEAD = Template(
    "console.bill_head",
    zh="账单 {bill_id}，合计 {total} 元",
    en="Bill {bill_id}, total {total} yuan",
)
GROUP_HEAD = Template(
    "console.group_head",
    zh="[{label}] {count} 项，金额 {total}：{state}",
    en="[{label}] {count} lines, amount {total}: {state}",
)
GROUP_SETTLEMENT_ID = Template(
    "console.group_settlement_id",
    zh="    结算号 {settlement_id}",
    en="    settlement {settlement_id}",
)
GROUP_PREVIEW = Template(
    "console.group_preview", zh="    预结算：{split}", en="    preview: {split}"
)
GROUP_PREVIEW_DIFFERS = Template(
    "console.group_preview_differs",
    zh="    注意：正式结算与预结算不一致（{fields}），以正式结算为准。",
    en="    Note: the settlement differs from the preview ({fields}); the settlement counts.",
)
GROUP_REASON = Template("console.group_reason", zh="    原因：{reason}", en="    reason: {reason}")
GROUP_FAILURE = Template(
    "console.group_failure", zh="    说明：{failure}", en="    note: {failure}"
)
SETTLED_SUMMARY = Template("console.settled_summary", zh="已结算：{split}", en="Settled: {split}")
LEFT_UNSETTLED = Template(
    "console.left_unsettled", zh="；另有 {amount} 元未结算", en="; {amount} yuan not settled"
)
CASH_DUE = Template(
    "console.cash_due",
    zh="。\n应向患者收取现金 {amount} 元。",
    en=".\nCollect {amount} yuan in cash from the patient.",
)
STATE_PLANNED = Template("console.state_planned", zh="待结算", en="to settle")
STATE_REGISTERED = Template("console.state_registered", zh="已登记", en="registered")
STATE_VISIT_UPLOADED = Template(
    "console.state_visit_uploaded", zh="已上传就诊信息", en="visit uploaded"
)
STATE_FEES_UPLOADED = Template("console.state_fees_uploaded", zh="已上传明细", en="fees uploaded")
STATE_PREVIEWED = Template("console.state_previewed", zh="已预结算", en="previewed")
STATE_SETTLED = Template("console.state_settled", zh="已结算", en="settled")
STATE_FAILED = Template("console.state_failed", zh="未结算（失败）", en="not settled (failed)")
STATE_UNKNOWN = Template(
    "console.state_unknown",
    zh="结果未知（自动处理中，请勿重复收费）",
    en="outcome unknown (being resolved automatically; do not charge again)",
)
STATE_SELF_PAY_COLLECTED = Template(
    "console.state_self_pay_collected",
    zh="全额自费（应收现金，未经医保）",
    en="full self-pay (cash due, not through the insurance)",
)
STATE_CANCELLED = Template("console.state_cancelled", zh="已撤销", en="cancelled")
KIND_GENERAL = Template("console.kind_general", zh="普通门诊", en="General outpatient")
KIND_CHRONIC = Template("console.kind_chronic", zh="门诊慢特病", en="Chronic disease")
KIND_SELF_PAY = Template("console.kind_self_pay", zh="全额自费", en="Full self-pay")
CANCELLED = Template(
    "console.cancelled",
    zh="已撤销结算 {settlement_id}（撤销流水 {cancellation_id}）：{split}",
    en="Settlement {settlement_id} cancelled (cancellation {cancellation_id}): {split}",
)
RESETTLED = Template(
    "console.resettled", zh="剩余项目已重新结算：", en="The kept lines were settled again:"
)

# ------------------------------------------------------------------ eligibility

PERSON = Template(
    "console.person",
    zh="姓名：{name}    证件号：{id_number}    人员编号：{person_no}",
    en="Name: {name}    ID number: {id_number}    person no.: {person_no}",
)
FROM_CACHE = Template(
    "console.from_cache", zh="【离线缓存】{notice}", en="[offline cache] {notice}"
)
NO_INSURANCE = Template(
    "console.no_insurance",
    zh="参保：无正常参保的基本医疗保险，不能直接结算。",
    en="Insurance: no basic medical insurance in normal standing; cannot be settled directly.",
)
INSURANCE = Template(
    "console.insurance",
    zh="参保：{type_name}，参保地 {province}（{scope}）",
    en="Insurance: {type_name}, insured in {province} ({scope})",
)
SCOPE_CROSS = Template("console.scope_cross", zh="跨省异地", en="another province")
SCOPE_LOCAL = Template(
    "console.scope_local",
    zh="本省（不属跨省直接结算）",
    en="this province (not a cross-province settlement)",
)
PILOT = Template("console.pilot", zh="试点病种", en="pilot disease")
NOT_PILOT = Template(
    "console.not_pilot", zh="非跨省试点病种", en="not a cross-province pilot disease"
)
OPENED = Template("console.opened", zh="本院已开通", en="opened at this hospital")
NOT_OPENED = Template("console.not_opened", zh="本院未开通", en="not opened at this hospital")
OPEN_ENDED = Template("console.open_ended", zh="长期", en="open-ended")
QUALIFICATION = Template(
    "console.qualification",
    zh="  门慢资格 {code} {name}：{valid_from}～{until}，{marks}",
    en="  Qualification {code} {name}: {valid_from} to {until}, {marks}",
)
SETTLEABLE = Template("console.settleable", zh="  → 可直接结算", en="  → can be settled directly")
NO_QUALIFICATIONS = Template(
    "console.no_qualifications",
    zh="  无门诊慢特病资格记录。",
    en="  No chronic-disease qualification on record.",
)

# ------------------------------------------------------------------ journal and day close

JOURNAL_EMPTY = Template(
    "console.journal_empty", zh="没有未确认的医保交易。", en="No unconfirmed platform calls."
)
JOURNAL_HEAD = Template(
    "console.journal_head",
    zh="未确认的医保交易 {count} 笔：",
    en="{count} unconfirmed platform calls:",
)
JOURNAL_ROW = Template(
    "console.journal_row",
    zh="  {msgid}  {infno}  {state}  金额 {amount}  人员 {person}  {when}  尝试 {attempts} 次  {error}",
    en="  {msgid}  {infno}  {state}  amount {amount}  person {person}  {when}  {attempts} "
    "attempts  {error}",
)
JOURNAL_AT_WINDOW = Template(
    "console.journal_at_window", zh="正由窗口 {window} 处理", en="being resolved at window {window}"
)
JOURNAL_AWAITING = Template(
    "console.journal_awaiting", zh="等待医院服务器", en="waiting for the hospital server"
)
JOURNAL_RESOLVED = Template(
    "console.journal_resolved", zh="交易 {msgid} 现为 {state}。", en="Call {msgid} is now {state}."
)
RECONCILIATION_GROUP = Template(
    "console.reconciliation_group",
    zh="  险种 {insurance_type} 清算类别 {clearing_type} 经办机构 {agency}：{count} 笔，总额 {total}，"
    "基金 {fund}，{verdict}",
    en="  insurance {insurance_type} clearing type {clearing_type} agency {agency}: {count} "
    "settlements, total {total}, fund {fund}, {verdict}",
)
BALANCED = Template("console.balanced", zh="平", en="balanced")
UNBALANCED = Template("console.unbalanced", zh="不平", en="not balanced")
DISCREPANCY = Template(
    "console.discrepancy",
    zh="  差异：{kind}  结算号 {settlement_id}  报文 {msgid}  总额 {total}  本地流水 {journal_state}",
    en="  difference: {kind}  settlement {settlement_id}  message {msgid}  total {total}  local "
    "journal {journal_state}",
)
SHIFT_HEAD = Template(
    "console.shift_head",
    zh="交班汇总（含撤销、部分退费、自费收退款，金额带符号）：",
    en="Shift summary (cancellations, partial refunds and self-pay refunds included, signed):",
)
SHIFT_LINE = Template(
    "console.shift_line",
    zh="  {operator}  {kind}  {count} 笔  {split}",
    en="  {operator}  {kind}  {count}  {split}",
)
SHIFT_TOTAL = Template(
    "console.shift_total",
    zh="  合计：{split}；已冲正 {reversals} 笔（未扣款）",
    en="  Total: {split}; {reversals} reversed (nothing charged)",
)

# ------------------------------------------------------------------ catalogue and HIS

NO_ITEMS = Template("console.no_items", zh="未找到匹配的项目。", en="No matching item.")
CATALOGUE_SYNCED = Template(
    "console.catalogue_synced",
    zh="下载 {downloaded} 条，更新本地 {updated} 条，目录版本 {version}。",
    en="{downloaded} downloaded, {updated} local items updated, catalogue version {version}.",
)
CATALOGUE_IMPORTED = Template(
    "console.catalogue_imported",
    zh="已导入 {count} 条目录。",
    en="{count} catalogue items imported.",
)
HIS_ALL_DELIVERED = Template(
    "console.his_all_delivered",
    zh="结算结果已全部回传 HIS。",
    en="Every settlement result has reached the HIS.",
)
HIS_WAITING_HEAD = Template(
    "console.his_waiting_head",
    zh="{count} 条结果尚未被 HIS 确认：",
    en="{count} results not yet acknowledged by the HIS:",
)
HIS_REFUSED = Template("console.his_refused", zh="HIS 拒收", en="refused by the HIS")
HIS_WAITING = Template("console.his_waiting", zh="等待回传", en="waiting")
HIS_ROW = Template(
    "console.his_row",
    zh="  {key}  {kind}  {state}（已尝试 {attempts} 次）{error}",
    en="  {key}  {kind}  {state} ({attempts} attempts) {error}",
)
HIS_DELIVERED = Template(
    "console.his_delivered", zh="本次回传 {count} 条。", en="{count} delivered now."
)

# ------------------------------------------------------------------ accounts

ADMIN_CREATED = Template(
    "console.admin_created", zh="已创建管理员 {code}。", en="Administrator {code} created."
)
USER_ADDED = Template("console.user_added", zh="已添加 {role} {code}。", en="Added {role} {code}.")
ROLE_CHANGED = Template(
    "console.role_changed", zh="{code} 的角色已改为 {role}。", en="{code} is now {role}."
)
USER_ENABLED = Template("console.user_enabled", zh="{code} 已启用。", en="{code} enabled.")
USER_DISABLED = Template("console.user_disabled", zh="{code} 已停用。", en="{code} disabled.")
PASSWORD_RESET = Template(
    "console.password_reset",
    zh="{code} 的密码已重置，锁定已解除。",
    en="{code}'s password was reset and the lock-out lifted.",
)
ACTIVE = Template("console.active", zh="启用", en="active")
INACTIVE = Template("console.inactive", zh="停用", en="disabled")
FACTOR_ENROLLED = Template(
    "console.factor_enrolled", zh="验证器已绑定", en="authenticator enrolled"
)
FACTOR_PENDING = Template(
    "console.factor_pending", zh="验证器待确认", en="authenticator to confirm"
)
FACTOR_NONE = Template("console.factor_none", zh="未绑定验证器", en="no authenticator")
FACTOR_REQUIRED = Template(
    "console.factor_required",
    zh="（必须绑定，否则不能登录）",
    en=" (required: cannot log in without it)",
)
LOCKED_UNTIL = Template("console.locked_until", zh="锁定至 {until}", en="locked until {until}")
NO_ACCOUNTS = Template("console.no_accounts", zh="（没有账号）", en="(no accounts)")
ENROLMENT = Template(
    "console.enrolment",
    zh="已为 {code} 生成验证器密钥（尚未生效）。\n密钥：{secret}\n链接：{uri}\n"
    "请在 {code} 本人的手机验证器应用（如 FreeOTP、Microsoft Authenticator、"
    "Google 身份验证器）中选择“添加账户 → 输入设置密钥”，输入上面的密钥，类型选“基于时间”。\n"
    "密钥只显示这一次，请不要拍照、截图或记在纸上。",
    en="An authenticator key was made for {code} (not in effect yet).\nKey: {secret}\nLink: {uri}\n"
    "In {code}'s own authenticator app (such as FreeOTP, Microsoft Authenticator or Google "
    'Authenticator) choose "Add account → Enter a setup key", type the key above and choose '
    '"Time based".\nThe key is shown this once only: do not photograph, screenshot or write it '
    "down.",
)
CONFIRM_HINT = Template(
    "console.confirm_hint",
    zh="然后执行 {command}，输入验证器上显示的 6 位数字，绑定才会生效（在此之前原有设置不变）。",
    en="Then run {command} and type the 6 digits the authenticator shows; only then does it take "
    "effect (until then nothing changes).",
)
FACTOR_CONFIRMED = Template(
    "console.factor_confirmed",
    zh="{code} 的验证器已绑定并生效。",
    en="{code}'s authenticator is enrolled and in effect.",
)
FACTOR_RESET = Template(
    "console.factor_reset",
    zh="{code} 的验证器已解除绑定。{note}",
    en="{code}'s authenticator was removed.{note}",
)
FACTOR_RESET_REQUIRED = Template(
    "console.factor_reset_required",
    zh="该账号的角色必须使用动态验证码，重新绑定（totp-enroll）之前不能登录。",
    en=" This account's role must use one-time codes: it cannot log in until enrolled again "
    "(totp-enroll).",
)

# ------------------------------------------------------------------ backups and exports

BACKUP_DONE = Template(
    "console.backup_done",
    zh="备份完成：{path}（{size} 字节，SHA-256 {sha256}）",
    en="Backup done: {path} ({size} bytes, SHA-256 {sha256})",
)
BACKUP_CHECKED = Template(
    "console.backup_checked",
    zh="{verdict}：{file} 完整性检查 {result}，数据库版本 {version}",
    en="{verdict}: {file} integrity check {result}, schema version {version}",
)
CHECK_OK = Template("console.check_ok", zh="正常", en="OK")
CHECK_ERROR = Template("console.check_error", zh="错误", en="Error")
RESTORED = Template(
    "console.restored",
    zh="恢复完成：{database}（数据库版本 {version}）；{previous}",
    en="Restored: {database} (schema version {version}); {previous}",
)
PREVIOUS_KEPT = Template(
    "console.previous_kept",
    zh="原数据库已保留为 {path}",
    en="the previous database was kept as {path}",
)
NO_PREVIOUS = Template(
    "console.no_previous", zh="原来没有数据库", en="there was no database before"
)
PURGED = Template(
    "console.purged",
    zh="已清除 {count} 位参保人的缓存信息（{cutoff} 之前获取的）。",
    en="Cached information of {count} insured persons removed (fetched before {cutoff}).",
)
EXPORTED = Template(
    "console.exported", zh="已导出 {count} 条记录到 {path}", en="{count} records exported to {path}"
)

# ------------------------------------------------------------------ shift report

SHIFT_REPORT_TITLE = Template(
    "console.shift_report_title", zh="交班表 {number}", en="Shift report {number}"
)
HOSPITAL_SHIFT_REPORT_TITLE = Template(
    "console.hospital_shift_report_title",
    zh="全院交班表 {number}",
    en="Hospital shift report {number}",
)
SHIFT_SPAN = Template(
    "console.shift_span", zh="班次：{start} 至 {end}", en="Shift: {start} to {end}"
)
BY_KIND = Template(
    "console.by_kind",
    zh="按业务类型（撤销、退费为负数）：",
    en="By kind (cancellations and refunds negative):",
)
BY_CATEGORY = Template("console.by_category", zh="按费用类别：", en="By fee category:")
TALLY = Template(
    "console.tally",
    zh="  {label}  {count} 笔  总额 {total}  基金 {fund}  个人账户 {account}  现金 {cash}",
    en="  {label}  {count}  total {total}  fund {fund}  account {account}  cash {cash}",
)
TOTAL = Template("console.total", zh="合计", en="Total")
CASH_TO_HAND_IN = Template(
    "console.cash_to_hand_in", zh="应缴现金：{amount}", en="Cash to hand in: {amount}"
)
REVERSALS = Template(
    "console.reversals",
    zh="冲正（未发生资金往来，不计入合计）：{count} 笔，涉及 {amount}",
    en="Reversals (no money moved, not in the total): {count}, {amount} involved",
)
RECEIPTS = Template(
    "console.receipts",
    zh="票据：开具 {issued} 张，补打 {copies} 次",
    en="Receipts: {issued} issued, {copies} copies",
)
RECEIPT_VOIDED = Template(
    "console.receipt_voided",
    zh="  作废 {old}（重打为 {new}）",
    en="  voided {old} (reprinted as {new})",
)
RECONCILIATION = Template(
    "console.reconciliation", zh="对账：{state}", en="Reconciliation: {state}"
)
SECTIONS = Template("console.sections", zh="分窗口、分收费员：", en="By window and cashier:")
PRINTED = Template(
    "console.printed",
    zh="交班表 {report_no} 已保存到 {path}{again}。{changed}",
    en="Shift report {report_no} saved to {path}{again}.{changed}",
)
PRINTED_AGAIN = Template(
    "console.printed_again", zh="（补打，第 {print_no} 次打印）", en=" (copy, print {print_no})"
)
PRINTED_CHANGED = Template(
    "console.printed_changed",
    zh="注意：数字与首次打印不同，以本次为准。",
    en=" Note: the figures differ from the first print; this one counts.",
)
BY_WINDOW = Template("console.by_window", zh="分窗口合计：", en="By window:")
WINDOW = Template("console.window", zh="窗口 {window}", en="window {window}")
HOSPITAL_PRINTED = Template(
    "console.hospital_printed",
    zh="全院交班表 {report_no} 已保存到 {path}{again}。",
    en="Hospital shift report {report_no} saved to {path}{again}.",
)

# ------------------------------------------------------------------ sandbox

SANDBOX_NOT_LOOPBACK = Template(
    "console.sandbox_not_loopback",
    zh="错误：拒绝监听 {host}：不是本机回环地址。沙箱只供本机培训测试；"
    "确需其他电脑访问请加 --allow-non-loopback。",
    en="Error: refusing to listen on {host}: not a loopback address. The sandbox is for training "
    "on this machine; add --allow-non-loopback if other computers really must reach it.",
)
SANDBOX_CANNOT_LISTEN = Template(
    "console.sandbox_cannot_listen",
    zh="错误：无法在 {host}:{port} 监听（{reason}）。请用 --port 换一个端口（0 = 任意空闲端口）。",
    en="Error: cannot listen on {host}:{port} ({reason}). Choose another port with --port (0 = any "
    "free port).",
)
SANDBOX_LISTENING = Template(
    "console.sandbox_listening",
    zh="沙箱医保平台（虚构数据，仅供培训测试）已在 {url} 监听；按 Ctrl+C 停止。",
    en="The sandbox platform (fictional data, for training and tests only) listens at {url}; "
    "Ctrl+C stops it.",
)
SANDBOX_CONFIG_WRITTEN = Template(
    "console.sandbox_config_written",
    zh="客户端配置已写入 {path}（仅本账号可读）。",
    en="Client configuration written to {path} (readable by this account only).",
)
