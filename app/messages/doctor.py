"""The ``doctor`` report's judgements (``services/doctor.py``)."""

from __future__ import annotations

from app.messages import Template

STATUS_OK = Template("doctor.status_ok", zh="正常", en="OK")
STATUS_WARNING = Template("doctor.status_warning", zh="警告", en="WARNING")
STATUS_ERROR = Template("doctor.status_error", zh="错误", en="ERROR")

LINE = Template("doctor.line", zh="[{status}] {title}：{text}", en="[{status}] {title}: {text}")
SUMMARY = Template(
    "doctor.summary",
    zh="共 {checks} 项检查：{errors} 项错误，{warnings} 项警告。",
    en="{checks} checks: {errors} errors, {warnings} warnings.",
)
CHECK_CRASHED = Template(
    "doctor.check_crashed",
    zh="检查时出现意外错误（{kind}），详情见日志。",
    en="The check failed unexpectedly ({kind}); see the log for details.",
)

FREE_SPACE_ERROR = Template(
    "doctor.free_space_error",
    zh="剩余空间只有 {mib} MB，请立即清理磁盘。",
    en="Only {mib} MB free; clean up the disk now.",
)
FREE_SPACE_WARNING = Template(
    "doctor.free_space_warning",
    zh="剩余空间 {mib} MB，偏少，请尽快清理。",
    en="{mib} MB free, which is low; clean up soon.",
)
FREE_SPACE_OK = Template("doctor.free_space_ok", zh="剩余空间 {mib} MB。", en="{mib} MB free.")

FAST = Template("doctor.clock_fast", zh="快", en="ahead of")
SLOW = Template("doctor.clock_slow", zh="慢", en="behind")
CLOCK_ERROR = Template(
    "doctor.clock_error",
    zh="本机时间比医保平台{direction} {seconds} 秒，平台会拒绝请求。请校准本机时间（开启自动对时）。",
    en="This computer's clock is {seconds} s {direction} the platform's; the platform will refuse "
    "requests. Correct the clock (turn on automatic time).",
)
CLOCK_WARNING = Template(
    "doctor.clock_warning",
    zh="本机时间比医保平台{direction} {seconds} 秒，请开启自动对时。",
    en="This computer's clock is {seconds} s {direction} the platform's; turn on automatic time.",
)
CLOCK_OK = Template(
    "doctor.clock_ok",
    zh="与医保平台时间相差 {seconds} 秒。",
    en="{seconds} s apart from the platform's clock.",
)

SQLITE_AFFECTED = Template(
    "doctor.sqlite_affected",
    zh="SQLite {version} 在 WAL 重置缺陷的影响范围内（3.7.0–3.51.2），"
    "程序已自动改为单连接运行以避免该缺陷；升级到包含 3.51.3 或更高版本的安装包可消除此警告。",
    en="SQLite {version} has the WAL-reset bug (3.7.0–3.51.2); the program runs on a single "
    "connection to avoid it. An installer with 3.51.3 or later removes this warning.",
)
SQLITE_OK = Template(
    "doctor.sqlite_ok",
    zh="SQLite {version}，不受 WAL 重置缺陷影响。",
    en="SQLite {version}, not affected by the WAL-reset bug.",
)

JOURNAL_OK = Template(
    "doctor.journal_ok", zh="没有未完成的交易。", en="No unfinished transactions."
)
JOURNAL_AGE = Template(
    "doctor.journal_age",
    zh="，最早的已过去 {minutes} 分钟",
    en="; the oldest is {minutes} minutes old",
)
JOURNAL_PENDING = Template(
    "doctor.journal_pending",
    zh="有 {count} 笔交易结果未明{age}。请在收费程序的“交易日志”中处理，处理前不要日结。",
    en="{count} transactions have an unknown outcome{age}. Resolve them in the window's journal "
    "tab; do not close the day before.",
)

AUDIT_OK = Template(
    "doctor.audit_ok",
    zh="审计记录链完整（共 {count} 条）。",
    en="The audit chain is intact ({count} records).",
)
AUDIT_BROKEN = Template(
    "doctor.audit_broken",
    zh="审计记录被改动或删除（{count} 处）：{shown}请保留数据库文件不要改动，立即报告信息科和审计人员。",
    en="Audit records were changed or deleted ({count} places): {shown} Keep the database file "
    "as it is and report to the IT staff and the auditors at once.",
)

HIS_REFUSED = Template(
    "doctor.his_refused",
    zh="{refused} 条结算结果被 HIS 拒收，HIS 中这些费用的缴费状态与本窗口不一致，请主管核对处理。",
    en="The HIS refused {refused} settlement results: their payment state in the HIS differs from "
    "this window's; a supervisor must check them.",
)
HIS_ALL_SENT = Template(
    "doctor.his_all_sent",
    zh="结算结果已全部回传 HIS。",
    en="Every settlement result has been sent to the HIS.",
)
HIS_AGE = Template(
    "doctor.his_age",
    zh="，最早的已等待 {minutes} 分钟",
    en="; the oldest has waited {minutes} minutes",
)
HIS_PENDING = Template(
    "doctor.his_pending",
    zh="{pending} 条结算结果等待回传 HIS{age}；HIS 恢复后会自动补传。",
    en="{pending} settlement results wait to be sent to the HIS{age}; they are sent when the HIS "
    "is back.",
)

NEVER = Template("doctor.never", zh="尚无", en="never")
SYNC_FIGURES = Template(
    "doctor.sync_figures",
    zh="待同步 {pending} 条，未同步时长 {lag} 秒，上次同步 {last}",
    en="{pending} records to sync, waiting {lag} s, last sync {last}",
)
SYNC_UNREACHABLE = Template(
    "doctor.sync_unreachable", zh="{reason}（{figures}）", en="{reason} ({figures})"
)
SYNC_BEHIND = Template(
    "doctor.sync_behind",
    zh="已连接，但同步落后：{figures}。收费窗口运行时会自动补传；也可运行 hospital sync 立即同步。",
    en="Connected, but behind: {figures}. The window sends them while it runs; or run hospital "
    "sync now.",
)
SYNC_OK = Template("doctor.sync_ok", zh="已连接；{figures}。", en="Connected; {figures}.")

SECOND_FACTOR_MISSING = Template(
    "doctor.second_factor_missing",
    zh="以下账号必须使用动态验证码，但还没有绑定验证器，暂时不能登录：{who}。"
    "请用 users totp-enroll 为他们绑定。",
    en="These accounts must use a one-time code but have no authenticator, so they cannot log "
    "in: {who}. Enrol them with users totp-enroll.",
)
SECOND_FACTOR_NONE_REQUIRED = Template(
    "doctor.second_factor_none_required",
    zh="没有角色必须使用动态验证码（login.second_factor_roles 为空），{enrolled} 个账号"
    "已绑定验证器。正式环境建议至少要求收费主管和系统管理员使用。",
    en="No role must use a one-time code (login.second_factor_roles is empty); {enrolled} "
    "accounts have an authenticator. In production require it at least of supervisors and "
    "administrators.",
)
SECOND_FACTOR_OK = Template(
    "doctor.second_factor_ok",
    zh="{roles}必须使用动态验证码；{enrolled} 个账号已绑定验证器。",
    en="{roles} must use a one-time code; {enrolled} accounts have an authenticator.",
)
ACCOUNT = Template("doctor.account", zh="{code}（{name}）", en="{code} ({name})")

HIS_LOCK_NOT_USED = Template(
    "doctor.his_lock_not_used",
    zh="未使用 HIS 锁定：{why}",
    en="The HIS lock is not used: {why}",
)
HIS_LOCK_NO_HIS = Template(
    "doctor.his_lock_no_his",
    zh="未对接 HIS（his.kind = none）。",
    en="No HIS is connected (his.kind = none).",
)
HIS_LOCK_STANDALONE = Template(
    "doctor.his_lock_standalone",
    zh="只在医院模式（[hospital_db]）下使用，本窗口未启用。",
    en="it is used only in hospital mode ([hospital_db]), which this window does not use.",
)
HIS_LOCK_ADAPTER = Template(
    "doctor.his_lock_adapter",
    zh="HIS 对接方式 {kind} 不支持锁定。",
    en="the HIS connection kind {kind} has no lock.",
)
HIS_LOCK_OFF = Template(
    "doctor.his_lock_off",
    zh="本窗口未启用 HIS 锁定（[his] lock = false）：医院数据库断开时本窗口不能结算 HIS 就诊；"
    "若其他窗口启用了锁定，它们断开期间凭 HIS 锁定结算的费用本窗口看不到，可能被重复结算。"
    "全院各窗口的 [his] lock 应设为相同的值。",
    en="This window does not use the HIS lock ([his] lock = false): it cannot settle HIS visits "
    "while the hospital database is away, and if other windows use the lock, what they settle "
    "under it meanwhile is invisible here and may be settled twice. Give [his] lock the same "
    "value at every window of the hospital.",
)
HIS_LOCK_OK = Template(
    "doctor.his_lock_ok",
    zh="HIS（{kind}）的锁定和解锁可以使用（用测试明细 {probe} 试锁、试解锁成功）。",
    en="The HIS ({kind}) lock and unlock work (a test line {probe} was locked and unlocked).",
)
HIS_LOCK_ANSWERED = Template(
    "doctor.his_lock_answered",
    zh="HIS（{kind}）的锁定和解锁接口有应答（HIS 拒绝锁定测试明细 {probe}：{reason}——它核对明细，"
    "这是正常的）。",
    en="The HIS ({kind}) lock and unlock calls answer (the HIS refused to lock the test line "
    "{probe}: {reason} — it checks its lines, which is expected).",
)
HIS_LOCK_MISSING = Template(
    "doctor.his_lock_missing",
    zh="配置了 [his] lock = true，但 HIS（{kind}）没有提供锁定：{reason}。医院数据库断开时本窗口将不能"
    "结算 HIS 就诊。请让 HIS 厂商提供锁定（{what}），或把 [his] lock 设为 false。",
    en="[his] lock = true is set, but the HIS ({kind}) does not offer the lock: {reason}. While the "
    "hospital database is away this window cannot settle HIS visits. Ask the HIS vendor for the "
    "lock ({what}), or set [his] lock = false.",
)
HIS_LOCK_BROKEN = Template(
    "doctor.his_lock_broken",
    zh="HIS（{kind}）的锁定不起作用：{reason}。两个窗口可能同时结算同一笔费用。请让 HIS 厂商修正"
    "锁定（{what}），修好之前把 [his] lock 设为 false。",
    en="The HIS ({kind}) lock does not work: {reason}. Two windows could settle the same charges. "
    "Ask the HIS vendor to fix the lock ({what}); until then set [his] lock = false.",
)
HIS_LOCK_NOT_HELD = Template(
    "doctor.his_lock_not_held",
    zh="另一个锁定请求也得到了同一条测试明细",
    en="a second lock request was granted the same test line",
)
HIS_LOCK_NOT_RELEASED = Template(
    "doctor.his_lock_not_released",
    zh="解锁后测试明细仍被锁定",
    en="the test line stayed locked after the unlock",
)
HIS_LOCK_HELD_ELSEWHERE = Template(
    "doctor.his_lock_held_elsewhere",
    zh="HIS（{kind}）的测试明细 {probe} 被 {holder} 锁定，无法试用锁定；请让 HIS 清除该锁定后再检查。",
    en="The HIS ({kind}) test line {probe} is locked by {holder}, so the lock could not be tried; "
    "have the HIS clear that lock and check again.",
)
HIS_LOCK_WHAT_HTTP = Template(
    "doctor.his_lock_what_http",
    zh="POST charges/lock 和 charges/unlock，见 docs/his-integration.md",
    en="POST charges/lock and charges/unlock, see docs/his-integration.md",
)
HIS_LOCK_WHAT_MIDDLE = Template(
    "doctor.his_lock_what_middle",
    zh="中间库的 his_charge_locks 表，及本窗口账号对它的 INSERT、SELECT、DELETE 权限，"
    "见 resources/his/middle-tables.sql",
    en="the middle database's his_charge_locks table with INSERT, SELECT and DELETE for this "
    "window's account, see resources/his/middle-tables.sql",
)
HIS_LOCK_WHAT_FOLDER = Template(
    "doctor.his_lock_what_folder",
    zh="交换目录下本窗口可写的 lock 文件夹",
    en="a lock folder in the exchange folder that this window can write",
)
CONFLICTS_NONE = Template(
    "doctor.conflicts_none",
    zh="没有待处理的重复收费冲突。",
    en="No charge conflict between windows waits to be handled.",
)
CONFLICTS_OPEN = Template(
    "doctor.conflicts_open",
    zh="{count} 个收费冲突待主管处理（患者可能被重复收费）：{shown}。"
    "请运行 hospital conflicts 查看两笔结算和处理办法，或在“全院窗口”页查看。",
    en="{count} charge conflicts wait for a supervisor (patients may have been charged twice): "
    "{shown}. Run hospital conflicts to see both settlements and what to do, or open the All "
    "windows tab.",
)
CONFLICT_SHORT = Template(
    "doctor.conflict_short",
    zh="冲突 {conflict_id}（窗口 {window} 与 {other_window}，门诊号 {outpatient_no}）",
    en="conflict {conflict_id} (windows {window} and {other_window}, outpatient number "
    "{outpatient_no})",
)
CONFLICTS_UNCHECKED = Template(
    "doctor.conflicts_unchecked",
    zh="医院数据库无法连接，未能检查重复收费冲突（见“医院数据库”一行）。",
    en="The hospital database cannot be reached, so charge conflicts were not checked (see the "
    "hospital database line).",
)
CONFLICTS_STANDALONE = Template(
    "doctor.conflicts_standalone",
    zh="未启用医院模式，不涉及窗口间的收费冲突。",
    en="Not in hospital mode: no charge conflicts between windows.",
)

JOURNAL_OK_BUT_AWAITING = Template(
    "doctor.journal_ok_but_awaiting",
    zh="除下一行“等待医院服务器”所列的交易外，没有未完成的交易。",
    en="No unfinished transactions besides those on the next line (awaiting the hospital server).",
)
AWAITING_NONE = Template(
    "doctor.awaiting_none",
    zh="没有等待医院服务器的交易。",
    en="No transaction awaits the hospital server.",
)
AWAITING_STANDALONE = Template(
    "doctor.awaiting_standalone",
    zh="未启用医院模式，没有等待医院服务器的交易。",
    en="Not in hospital mode: no transaction awaits the hospital server.",
)
AWAITING_SERVER = Template(
    "doctor.awaiting_server",
    zh="{count} 笔结果未明的交易（{msgids}）已送达医院服务器，可能已由其他窗口处理；现在连不上医院服务器，"
    "为免重复冲正，本窗口暂不处理。请联系信息科恢复医院数据库的连接（见“医院数据库”一行）；恢复后本窗口"
    "会自动处理或采纳其他窗口的结果，无需其他操作。在此之前照常收费，但不能日结。",
    en="{count} transactions with an unknown outcome ({msgids}) had reached the hospital server "
    "and may have been resolved at another window; the server cannot be reached now, so this "
    "window leaves them, to reverse nothing twice. Ask the IT staff to restore the connection to "
    "the hospital database (see the hospital database line); then this window resolves them or "
    "takes the other window's outcome by itself. Settling goes on meanwhile; the day close waits.",
)
AWAITING_WINDOW = Template(
    "doctor.awaiting_window",
    zh="{count} 笔结果未明的交易正由其他窗口处理：{shown}。本窗口等待其结果并自动采纳，无需操作；"
    "在此之前不能日结。",
    en="{count} transactions with an unknown outcome are being resolved at another window: "
    "{shown}. This window waits for that outcome and takes it by itself: nothing to do; the day "
    "close waits meanwhile.",
)
AWAITING_HOLDER = Template(
    "doctor.awaiting_holder",
    zh="{msgid} 由窗口 {window} 的 {operator} 处理（自 {since} 起）",
    en="{msgid} by {operator} at window {window} (since {since})",
)
AWAITING_BOTH = Template(
    "doctor.awaiting_both",
    zh="{server}{elsewhere}",
    en="{server} {elsewhere}",
)
