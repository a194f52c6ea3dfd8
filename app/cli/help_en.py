"""The console's own help texts in English (``[ui] language = "en"``), keyed by the Chinese text.

``tests/cli/test_cli_logging_and_help.py`` checks that every command's ``--help`` is free of Chinese in
English mode, so a new option's help needs its line here.
"""

from __future__ import annotations

EN: dict[str, str] = {
    # the program, its global options and the command list
    "门诊慢特病跨省直接结算收费窗口：命令行工具（不带命令时打开收费窗口）": (
        "Cross-province outpatient chronic-disease settlement window: console commands "
        "(without a command the cashier window opens)"
    ),
    "演示/培训模式：使用内置沙箱平台": "demo/training mode: use the built-in sandbox platform",
    "配置文件（TOML）": "configuration file (TOML)",
    "数据目录（默认：用户数据目录）": "data folder (default: the per-user data folder)",
    "以 JSON 输出（供程序读取）": "print one JSON document (for programs)",
    "运行沙箱医保平台（虚构数据，仅供培训测试）": "run the sandbox platform (fictional data, training and tests only)",
    "查询参保人身份与门慢资格（1101 + 5301）": "identify a patient and their chronic-disease qualifications (1101 + 5301)",
    "按 HIS 账单文件结算（见 docs/bill-format.md）": "settle a visit from a HIS bill file (docs/bill-format.md)",
    "撤销结算（2208）或部分退费（须收费主管授权）": "cancel a settlement (2208) or refund part of it (supervisor's approval)",
    "交易流水：未确认交易列表、恢复处理": "journal: unresolved platform calls, recovery",
    "日结对账（3201，不平时 3202）与交班汇总": "day close (3201, 3202 when unbalanced) and shift totals",
    "报表：交班表（收费员日结单）": "reports: the shift report",
    "项目目录：同步、导入、查询": "item catalogue: sync, import, search",
    "检查本窗口的配置、数据库、平台连接和设备": "check this window's configuration, database, platform and devices",
    "安装/打包自检：离屏界面、内置沙箱、签到和票据 PDF（无需配置）": (
        "installation self-check: offscreen UI, built-in sandbox, sign-in, receipt PDF "
        "(no configuration needed)"
    ),
    "管理操作员账号和角色": "manage operator accounts and roles",
    "备份、恢复、清除过期的个人信息缓存": "back up, restore, purge expired personal data",
    "导出结算记录或审计日志（CSV/JSON）供财务系统使用": "export settlements or the audit log (CSV/JSON)",
    # eligibility, settle, cancel
    "查询参保信息": "Identify a patient and show what may be settled.",
    "读卡库返回的 | 分隔字符串": "the card library's |-separated string",
    "扫描到的医保电子凭证码": "the scanned e-voucher code",
    "18 位身份证号": "an 18-character ID number",
    "操作员工号（或环境变量 SW_OPERATOR）": "operator code (or the SW_OPERATOR variable)",
    "读取账单文件，查询资格，分组预结算并结算。": (
        "Read a bill file, check eligibility, preview and settle each group."
    ),
    "账单 JSON 文件": "the bill's JSON file",
    "不逐组确认预结算结果，直接结算": "settle without confirming each group's preview",
    "患者不使用个人账户支付（acct_used_flag=0），个人负担部分全部付现金；默认有个人账户的险种使用个人账户": (
        "the patient does not pay from the personal account (acct_used_flag=0): their share is "
        "cash; by default the account pays when the insurance has one"
    ),
    "撤销一笔结算；给出 --refund-lines 时为部分退费：撤销后按剩余项目重新结算。": (
        "Cancel a settlement; with --refund-lines a partial refund: cancel, then settle the "
        "remaining lines again."
    ),
    "结算号（setl_id）": "settlement number (setl_id)",
    "授权的收费主管工号（密码和动态验证码见文档）": (
        "the approving supervisor's code (password and one-time code: see the documentation)"
    ),
    "部分退费：退回项目的费用流水号，逗号分隔": "partial refund: the returned lines' numbers, comma-separated",
    # journal, day close, reports
    "交易流水（冲正与恢复）": "Platform-call journal (reversals and recovery)",
    "列出未确认（含待主管处理）的交易": "list unresolved calls (including those escalated to a supervisor)",
    "运行恢复处理；给出 MSGID 时由收费主管重试该笔转人工的冲正": (
        "run recovery; with MSGID a supervisor retries that escalated reversal"
    ),
    "转人工处理的交易报文号": "the escalated call's message id",
    "收费主管工号（重试转人工交易时）": "supervisor's code (when retrying an escalated call)",
    "日结对账": "Day close and reconciliation",
    "对账日期（默认今天）": "day to reconcile (default: today)",
    "收费主管工号（或环境变量 SW_OPERATOR）": "supervisor's code (or the SW_OPERATOR variable)",
    "日结后生成全天交班表 PDF（全部收费员，分人小计）": (
        "after the day close, file the whole day's shift report as PDF (every cashier, subtotals)"
    ),
    "交班表版式：a4 或 thermal80": "shift report layout: a4 or thermal80",
    "交班表 PDF 保存位置": "where to save the shift report PDF",
    "报表": "Reports",
    "交班表（收费员日结单）：本班收费、退费、票据号与对账结果": (
        "the shift report: the shift's charges, refunds, receipt numbers and reconciliation"
    ),
    "交班表：收费员看本人的班次，收费主管可看任一收费员或本窗口全部。": (
        "Shift report: a cashier sees their own shift, a supervisor any cashier's or the whole window's."
    ),
    "登录工号（或环境变量 SW_OPERATOR）": "login code (or the SW_OPERATOR variable)",
    "查看哪位收费员（仅收费主管；默认本人，主管默认全部）": (
        "which cashier (supervisors only; default: yourself, for a supervisor everyone)"
    ),
    "日期（默认今天）": "day (default: today)",
    "班次开始（默认 00:00）": "shift start (default 00:00)",
    "班次结束（默认 24:00）": "shift end (default 24:00)",
    "text（屏幕）、a4 或 thermal80（PDF）": "text (screen), a4 or thermal80 (PDF)",
    "PDF 保存位置（默认数据目录 reports/）": "where to save the PDF (default: reports/ in the data folder)",
    # catalogue
    "目录": "Item catalogue",
    "从平台下载目录更新（1301/1305/1306，增量）": "download catalogue updates from the platform (1301/1305/1306)",
    "工号（或环境变量 SW_OPERATOR）": "operator code (or the SW_OPERATOR variable)",
    "从文件导入院内目录（JSON 或 CSV）": "import the hospital catalogue from a file (JSON or CSV)",
    "按编码、拼音首字母或名称查询": "search by code, pinyin initials or name",
    "最多显示 N 条（1～1000）": "show at most N items (1-1000)",
    # doctor, users, backup, export
    "以 JSON 输出（供监控）": "print JSON (for monitoring)",
    "安装时创建第一个管理员账号": "create the first administrator at installation",
    "工号": "operator code",
    "姓名": "name",
    "从标准输入读取新密码": "read the new password from standard input",
    "仅供自动化测试：直接给出新密码（会留在命令历史中，正式环境不要使用）": (
        "automated tests only: the new password itself (stays in the shell history; never in "
        "production)"
    ),
    "添加操作员": "add an operator",
    "角色：cashier、registration、supervisor、admin、auditor": (
        "role: cashier, registration, supervisor, admin, auditor"
    ),
    "修改角色": "change the role",
    "停用账号": "disable the account",
    "启用账号": "enable the account",
    "重置密码（同时解除锁定）": "reset the password (also unlocks the account)",
    "列出所有账号": "list every account",
    "为账号生成动态验证码（TOTP）验证器密钥，确认后生效": (
        "create an authenticator (TOTP) secret for the account; active once confirmed"
    ),
    "输入验证器上的 6 位数字，使刚生成的验证器密钥生效": (
        "confirm the new authenticator with its current 6 digits"
    ),
    "该账号验证器上当前显示的 6 位数字（不给出则询问，或取标准输入的下一行）": (
        "the 6 digits the account's authenticator shows now (asked for, or the next line of "
        "standard input, when not given)"
    ),
    "解除账号的验证器绑定（如手机丢失）": "remove the account's authenticator (e.g. a lost phone)",
    "执行操作的管理员工号": "the acting administrator's code",
    "从标准输入逐行读取密码（先管理员密码，需要时再管理员的动态验证码，再新密码），不在命令行中出现": (
        "read passwords from standard input, one per line (the administrator's, their one-time "
        "code when needed, then the new one), never on the command line"
    ),
    "仅供自动化测试：直接给出管理员密码（会留在命令历史中，正式环境不要使用）": (
        "automated tests only: the administrator's password itself (stays in the shell history; "
        "never in production)"
    ),
    "执行者的动态验证码（已绑定验证器时需要；不给出则在密码之后询问）": (
        "the actor's one-time code (needed with an authenticator; asked for after the password "
        "when not given)"
    ),
    "在线备份本地数据库（程序运行时也可以）": "back up the local database online (also while the window runs)",
    "备份文件（默认：数据目录/backups/…）": "backup file (default: backups/… in the data folder)",
    "检查一个备份文件是否完好": "check that a backup file is sound",
    "从备份恢复（须先关闭收费窗口程序）": "restore from a backup (close the window first)",
    "清除超过保留天数的参保人缓存信息（须先关闭收费窗口程序）": (
        "purge cached patient data older than the retention period (close the window first)"
    ),
    "导出内容": "what to export",
    "开始日期（含）": "first day (included)",
    "结束日期（含；默认同开始日期）": "last day (included; default: the first day)",
    # HIS hand-back
    "HIS 结果回传：待回传列表、立即回传": "results back to the HIS: pending list, deliver now",
    "HIS 结果回传（docs/his-integration.md）": "Results back to the HIS (docs/his-integration.md)",
    "列出尚未被 HIS 确认的结算结果": "list settlement results the HIS has not acknowledged",
    "立即回传等待中的结果": "deliver the waiting results now",
    "连同被 HIS 拒收的结果一起重传": "also deliver again the results the HIS refused",
    # hospital mode
    "医院模式：初始化医院数据库、立即同步、各窗口状态、生成医院密钥": (
        "hospital mode: set up the hospital database, sync now, every window's state, new key"
    ),
    "医院模式：全院各窗口共用一个 PostgreSQL（docs/hospital-mode.md）": (
        "Hospital mode: every window of the hospital on one PostgreSQL (docs/hospital-mode.md)"
    ),
    "建立或升级医院数据库的表结构（由信息科用数据库属主账号运行）": (
        "create or upgrade the hospital database's schema (IT, with the owner role)"
    ),
    "数据库属主账号的地址（不写则用配置中的 hospital_db.url）": (
        "the owner role's URL (default: hospital_db.url from the configuration)"
    ),
    "立即把本窗口待上传的记录同步到医院数据库": (
        "send this window's pending records to the hospital database now"
    ),
    "各窗口的同步延迟、未确认交易和今日合计": (
        "every window's sync lag, unresolved transactions and today's totals"
    ),
    "生成新的医院密钥文件（权限 600），由信息科分发到各窗口": (
        "write a new hospital key file (mode 600) for IT to copy to every window"
    ),
    "与 --url 一起使用：存放该账号密码的文件（权限 600），不需要密码时不写": (
        "with --url: a file holding that role's password (mode 600); omit when none is needed"
    ),
    "新密钥文件的路径（不会覆盖已有文件）": "the new key file's path (an existing file is never overwritten)",
    "全院各窗口尚未确认结果的交易（及窗口是否在运行）": (
        "every window's calls without a definite outcome (and whether the window runs)"
    ),
    "由收费主管在本窗口处理已停止运行的窗口留下的未确认交易": (
        "a supervisor resolves, at this window, a call left unresolved by a window that stopped"
    ),
    "把医院数据库中的个人信息改用新医院密钥加密（可中断后重新运行，由信息科用属主账号运行）": (
        "re-encrypt the personal data in the hospital database under a new hospital key "
        "(resumable; IT, with the owner role)"
    ),
    "旧医院密钥文件": "the old hospital key file",
    "新医院密钥文件": "the new hospital key file",
    "要处理的交易流水号（见 hospital unresolved）": "the call's msgid (see hospital unresolved)",
    "收费主管工号": "the supervisor's operator code",
    "全院日结对账（各窗口合计，3201/3202）": "the whole hospital's day close (every window, 3201/3202)",
    "全院报表：全院交班表（分窗口、分收费员）": (
        "hospital reports: the hospital-wide shift report (per window, per operator)"
    ),
    "全院交班表：各窗口、各收费员的收费、退费、票据号与全院对账结果（收费主管）": (
        "the hospital-wide shift report: every window's and every cashier's settlements, refunds, "
        "receipt numbers and the hospital's reconciliation (supervisor)"
    ),
    "全院交班表：从医院数据库读取各窗口的记录，分窗口、分收费员小计（收费主管）。": (
        "The hospital-wide shift report from every window's records in the hospital database, "
        "with subtotals per window and per operator (supervisor)."
    ),
    "只看这个窗口（默认全院）": "only this window (default: every window)",
    "只看这位收费员（默认全部）": "only this cashier (default: every cashier)",
    "全院各窗口当日的结算记录": "the day's settlements of every window",
    "只看这个窗口": "only this window",
    "医院数据库断开期间两个窗口重复结算同一笔 HIS 费用的冲突（待主管处理）": (
        "charges settled at two windows while the hospital database was away (for a supervisor)"
    ),
    "也列出已处理的冲突": "also list the conflicts already handled",
    "收费主管在与患者核实并撤销其中一笔结算后，将收费冲突标记为已处理（不会自动退费）": (
        "mark a charge conflict handled, once a supervisor has checked with the patient and "
        "cancelled one of the settlements (nothing is refunded automatically)"
    ),
    "冲突编号（见 hospital conflicts）": "the conflict's number (see hospital conflicts)",
    "处理情况，例如撤销了哪一笔结算、是否已向患者退款": (
        "what was done, e.g. which settlement was cancelled and whether the patient was refunded"
    ),
    # sandbox
    "运行沙箱医保平台：按 interface.md Part A 应答，数据均为虚构，仅供培训测试。": (
        "Run the sandbox platform: answers per interface.md Part A; all data fictional, for "
        "training and tests only."
    ),
    "监听地址（默认 127.0.0.1）": "address to listen on (default 127.0.0.1)",
    "监听端口（默认 8080，0 = 任意空闲端口）": "port (default 8080; 0 = any free port)",
    "沙箱状态库（SQLite）文件；默认临时文件": "the sandbox's state database (SQLite); default: a temporary file",
    "故障注入随机种子": "random seed of the fault plan",
    "写出客户端配置文件（TOML）": "write the client configuration (TOML)",
    "允许监听非本机回环地址（默认拒绝）": "allow listening on a non-loopback address (refused by default)",
    "生成 N 条目录（基准测试用）代替内置目录": "generate N catalogue items (benchmarks) instead of the shipped ones",
    "按其他省份平台的写法应答（含义不变，见 docs/sandbox.md 的 variant 故障），如 province": (
        "answer in another province's dialect (same meaning; see the variant fault in "
        "docs/sandbox.md), e.g. province"
    ),
}
