"""The console's own refusals (``app/cli``): a wrong command line, date or option, a missing operator
or password, a busy data folder. As in :mod:`app.messages.console`, the Chinese is what the commands
said before, word for word; the English is shown with ``[ui] language = "en"``.
"""

from __future__ import annotations

from app.messages import Template

USAGE = Template(
    "console_errors.usage", zh="命令行有误：{problem}", en="Command line error: {problem}"
)
INTERRUPTED = Template(
    "console_errors.interrupted",
    zh="命令已被中断（Ctrl+C）。若中断时正在结算或撤销，结果可能未知：请先运行 journal list "
    "查看并处理未确认的交易，切勿重复收费。",
    en="The command was interrupted (Ctrl+C). If a settlement or cancellation was under way its "
    "outcome may be unknown: run journal list first and resolve the unconfirmed calls; never "
    "charge again.",
)
INTERNAL = Template(
    "console_errors.internal",
    zh="内部错误：命令异常结束，详情已写入日志。请将日志发给信息科。",
    en="Internal error: the command ended unexpectedly; the details are in the log. Send the log "
    "to the IT staff.",
)
BAD_DATE = Template(
    "console_errors.bad_date",
    zh="日期格式不对：{text}，应为 YYYY-MM-DD。",
    en="The date {text} is not valid: it should be YYYY-MM-DD.",
)
BAD_EXPORT_DATE = Template(
    "console_errors.bad_export_date",
    zh="日期“{text}”格式不对，应为 YYYY-MM-DD，如 2026-11-23。",
    en="The date “{text}” is not valid: it should be YYYY-MM-DD, e.g. 2026-11-23.",
)
END_BEFORE_START = Template(
    "console_errors.end_before_start",
    zh="结束日期不能早于开始日期。",
    en="The end date cannot be before the start date.",
)
SHIFT_START = Template("console_errors.shift_start", zh="班次开始时间", en="The shift's start")
SHIFT_END = Template("console_errors.shift_end", zh="班次结束时间", en="The shift's end")
OUTPUT_NEEDS_PDF = Template(
    "console_errors.output_needs_pdf",
    zh="--output 只用于 PDF：请同时给出 --format a4 或 --format thermal80。",
    en="--output is for a PDF only: give --format a4 or --format thermal80 with it.",
)
NOT_AN_INTEGER = Template(
    "console_errors.not_an_integer", zh="“{text}”不是整数", en="“{text}” is not a whole number"
)
OUT_OF_RANGE = Template(
    "console_errors.out_of_range", zh="应在 1～{limit} 之间", en="must be between 1 and {limit}"
)
IMPORT_NOT_ALLOWED = Template(
    "console_errors.import_not_allowed",
    zh="只有收费主管或系统管理员可以导入目录。",
    en="Only a supervisor or an administrator may import the catalogue.",
)
NO_CONFIG_FILE = Template(
    "console_errors.no_config_file",
    zh="找不到配置文件 {path}。请用 --config 指定，或设置环境变量 SETTLEMENT_WINDOW_CONFIG。",
    en="The configuration file {path} was not found. Name one with --config or set "
    "SETTLEMENT_WINDOW_CONFIG.",
)
NO_OPERATOR = Template(
    "console_errors.no_operator",
    zh="请用 --operator 指定工号（或设置环境变量 {env}）。",
    en="Name the operator with --operator (or set {env}).",
)
OTP_NEEDED = Template(
    "console_errors.otp_needed",
    zh="此账号已启用动态验证码：请通过环境变量 {env} 提供验证器上当前的 6 位数字（非交互运行）。",
    en="This account uses one-time codes: give the 6 digits its authenticator shows now in {env} "
    "(no terminal to ask at).",
)
PASSWORD_NEEDED = Template(
    "console_errors.password_needed",
    zh="请通过环境变量 {env} 提供密码（非交互运行）。",
    en="Give the password in {env} (no terminal to ask at).",
)
NEEDS_YES = Template(
    "console_errors.needs_yes",
    zh="非交互运行时请加 --yes 确认结算。",
    en="Without a terminal, add --yes to confirm the settlement.",
)
NEEDS_DIAGNOSIS = Template(
    "console_errors.needs_diagnosis",
    zh="第 {lines} 行是普通门诊费用，普通门诊结算需要本次就诊的诊断："
    "请在账单文件的“diagnosis”中给出 code 和 name（医保版 ICD-10，见 docs/bill-format.md）。"
    "未发送任何交易。",
    en="Lines {lines} are general-outpatient fees, whose settlement needs the visit's diagnosis: "
    "give its code and name in the bill file's \"diagnosis\" (the insurance's ICD-10, see "
    "docs/bill-format.md). Nothing was sent.",
)
WINDOW_RUNNING = Template(
    "console_errors.window_running",
    zh="收费窗口程序正在使用这个数据目录。请先关闭收费窗口程序，再执行此操作。",
    en="The settlement window uses this data folder. Close it first, then run this again.",
)
STORE_IN_USE = Template(
    "console_errors.store_in_use",
    zh="另有 {count} 个收费程序（命令行或 HIS 脚本）正在使用这个数据目录。"
    "请等它们结束（或关闭它们）后再执行此操作。",
    en="{count} other settlement programs (commands or HIS scripts) use this data folder. Wait "
    "until they end (or close them), then run this again.",
)
NO_PASSWORD_ON_STDIN = Template(
    "console_errors.no_password_on_stdin",
    zh="标准输入中没有读到密码。",
    en="No password was read from standard input.",
)
NO_CODE_ON_STDIN = Template(
    "console_errors.no_code_on_stdin",
    zh="标准输入中没有读到动态验证码（应在密码之后的一行）。",
    en="No one-time code was read from standard input (it comes on the line after the password).",
)
PASSWORD = Template("console_errors.password", zh="密码", en="a password")
ONE_TIME_CODE = Template("console_errors.one_time_code", zh="动态验证码", en="a one-time code")
NO_TERMINAL = Template(
    "console_errors.no_terminal",
    zh="没有可以输入{what}的终端（非交互运行）：请加 --password-stdin，"
    "从标准输入逐行提供密码（需要时动态验证码在密码的下一行）。",
    en="There is no terminal to type {what} at: add --password-stdin and give the passwords on "
    "standard input, one a line (a one-time code on the line after its password).",
)
NO_ACTOR = Template(
    "console_errors.no_actor",
    zh="请用 --as 指定执行此操作的管理员工号。",
    en="Name the administrator doing this with --as.",
)
BAD_ROLE = Template(
    "console_errors.bad_role",
    zh="角色“{text}”无效，可选：{choices}。",
    en="“{text}” is not a role; choose one of: {choices}.",
)
PASSWORDS_DIFFER = Template(
    "console_errors.passwords_differ",
    zh="两次输入的密码不一致，请重新执行。",
    en="The two passwords differ; run the command again.",
)
ROLE_CHOICE = Template(
    "console_errors.role_choice", zh="{value}（{label}）", en="{value} ({label})"
)

# ------------------------------------------------------------------ prompts (stderr, at a terminal)

PROMPT_OPERATOR_PASSWORD = Template(
    "console_errors.prompt_operator_password", zh="工号 {code} 的密码：", en="Password of {code}: "
)
PROMPT_OPERATOR_OTP = Template(
    "console_errors.prompt_operator_otp",
    zh="工号 {code} 的动态验证码（验证器上的 6 位数字）：",
    en="One-time code of {code} (the 6 digits on the authenticator): ",
)
PROMPT_SUPERVISOR_PASSWORD = Template(
    "console_errors.prompt_supervisor_password",
    zh="收费主管 {code} 的密码：",
    en="Password of supervisor {code}: ",
)
PROMPT_SUPERVISOR_OTP = Template(
    "console_errors.prompt_supervisor_otp",
    zh="收费主管 {code} 的动态验证码（验证器上的 6 位数字）：",
    en="One-time code of supervisor {code} (the 6 digits on the authenticator): ",
)
PROMPT_ADMIN_PASSWORD = Template(
    "console_errors.prompt_admin_password", zh="{code} 的密码：", en="Password of {code}: "
)
PROMPT_ADMIN_OTP = Template(
    "console_errors.prompt_admin_otp",
    zh="{code} 的动态验证码（验证器上的 6 位数字）：",
    en="One-time code of {code} (the 6 digits on the authenticator): ",
)
PROMPT_NEW_PASSWORD = Template(
    "console_errors.prompt_new_password", zh="新密码：", en="New password: "
)
PROMPT_NEW_PASSWORD_AGAIN = Template(
    "console_errors.prompt_new_password_again",
    zh="再输入一次新密码：",
    en="The new password again: ",
)
PROMPT_CONFIRM_ENROLMENT = Template(
    "console_errors.prompt_confirm_enrolment",
    zh="添加好后，输入验证器上显示的 6 位数字以确认（直接回车则稍后确认）：",
    en="Once added, type the 6 digits the authenticator shows to confirm (Enter alone: later): ",
)
PROMPT_CURRENT_CODE = Template(
    "console_errors.prompt_current_code",
    zh="{code} 的验证器上当前显示的 6 位数字：",
    en="The 6 digits {code}'s authenticator shows now: ",
)
PROMPT_PREVIEW = Template(
    "console_errors.prompt_preview",
    zh="{label} 预结算：{preview}\n确认结算此组？[y/N] ",
    en="{label} preview: {preview}\nSettle this group? [y/N] ",
)
