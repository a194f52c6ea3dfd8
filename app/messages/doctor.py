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
