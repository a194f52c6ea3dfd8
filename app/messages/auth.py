"""Logging in, roles and accounts (``services/auth.py``)."""

from __future__ import annotations

from app.messages import Template

BAD_CREDENTIALS = Template(
    "auth.bad_credentials",
    zh="工号或密码不正确。请重新输入；连续输错多次账号会被锁定。",
    en="Wrong operator code or password. Enter them again; repeated failures lock the account.",
)
NO_ACCOUNTS = Template(
    "auth.no_accounts",
    zh="本机还没有任何操作员账号，无法登录。请信息科先创建第一个管理员"
    "（settlement-window users init-admin 工号 --name 姓名），再用 users add 添加收费员等账号"
    "（docs/deployment.md 第 3 节）。",
    en="This installation has no operator account yet, so nobody can log in. IT first creates the "
    "first administrator (settlement-window users init-admin CODE --name NAME), then the staff with "
    "users add (docs/deployment.md section 3).",
)
NO_ACCOUNTS_HOSPITAL = Template(
    "auth.no_accounts_hospital",
    zh="本窗口还没有任何操作员账号：医院模式下账号来自医院数据库，本窗口尚未从医院数据库取得该账号。"
    "请确认本窗口能连接医院数据库后重试；全院还没有账号时，请信息科在一个窗口运行 "
    "settlement-window users init-admin（docs/hospital-mode.md 第 3 节）。",
    en="This window has no operator account yet: in hospital mode the accounts come from the "
    "hospital database and this window has not got this one from it. Check that the window can "
    "reach the hospital database and try again; if the hospital has no account at all yet, IT runs "
    "settlement-window users init-admin at one window (docs/hospital-mode.md section 3).",
)
CODE_NEEDED = Template(
    "auth.code_needed",
    zh="此账号已启用动态验证码。请输入验证器（手机验证器应用）上当前显示的 6 位数字。",
    en="This account uses a one-time code. Enter the 6 digits the authenticator app shows now.",
)
BAD_CODE = Template(
    "auth.bad_code",
    zh="动态验证码不正确。请核对验证器上当前显示的 6 位数字后重新输入；连续输错多次账号会被锁定。",
    en="Wrong one-time code. Check the 6 digits the authenticator shows now and enter them again; "
    "repeated failures lock the account.",
)
REPLAYED_CODE = Template(
    "auth.replayed_code",
    zh="这个动态验证码已经用过。请等验证器显示新的验证码（每 30 秒更新一次）后再输入。",
    en="This one-time code was already used. Wait for the authenticator's next code (every 30 s) "
    "and enter it.",
)

# What each role is called in refusals and on the console, keyed by ``Role.value`` (the Chinese as
# ``Role.label`` gives it).
ROLES = {
    "cashier": Template("auth.role.cashier", zh="收费员", en="cashier"),
    "registration": Template("auth.role.registration", zh="挂号/导诊", en="registration desk"),
    "supervisor": Template("auth.role.supervisor", zh="收费主管", en="supervisor"),
    "admin": Template("auth.role.admin", zh="系统管理员", en="administrator"),
    "auditor": Template("auth.role.auditor", zh="审计员", en="auditor"),
}

# What each action is called in refusals, keyed by ``Action.value``.
ACTIONS = {
    "identify": Template("auth.action.identify", zh="读卡识别", en="identify a patient"),
    "check_eligibility": Template(
        "auth.action.check_eligibility", zh="查询参保和待遇资格", en="check eligibility"
    ),
    "print_eligibility_slip": Template(
        "auth.action.print_eligibility_slip", zh="打印资格凭条", en="print the eligibility slip"
    ),
    "edit_bill": Template("auth.action.edit_bill", zh="修改费用明细", en="edit the fee lines"),
    "pre_settle": Template("auth.action.pre_settle", zh="预结算", en="pre-settle"),
    "settle": Template("auth.action.settle", zh="结算", en="settle"),
    "collect_self_pay": Template(
        "auth.action.collect_self_pay", zh="收取自费", en="collect self-pay"
    ),
    "print_receipt": Template("auth.action.print_receipt", zh="打印票据", en="print receipts"),
    "copy_receipt": Template("auth.action.copy_receipt", zh="补打票据", en="copy receipts"),
    "reissue_receipt": Template(
        "auth.action.reissue_receipt", zh="重打票据（换号）", en="reissue receipts (new number)"
    ),
    "cancel_settlement": Template(
        "auth.action.cancel_settlement", zh="撤销结算", en="cancel settlements"
    ),
    "partial_refund": Template("auth.action.partial_refund", zh="部分退费", en="partial refunds"),
    "request_cancellation": Template(
        "auth.action.request_cancellation", zh="申请撤销结算", en="request a cancellation"
    ),
    "request_partial_refund": Template(
        "auth.action.request_partial_refund", zh="申请部分退费", en="request a partial refund"
    ),
    "request_reissue": Template(
        "auth.action.request_reissue", zh="申请重打票据", en="request a reissue"
    ),
    "view_history": Template("auth.action.view_history", zh="查看结算记录", en="see the history"),
    "view_journal": Template("auth.action.view_journal", zh="查看交易日志", en="see the journal"),
    "resolve_journal": Template(
        "auth.action.resolve_journal", zh="处理未明交易", en="resolve unconfirmed calls"
    ),
    "handle_charge_conflict": Template(
        "auth.action.handle_charge_conflict",
        zh="处理重复收费冲突",
        en="handle charge conflicts between windows",
    ),
    "day_close": Template("auth.action.day_close", zh="日结对账", en="close the day"),
    "sync_catalogue": Template(
        "auth.action.sync_catalogue", zh="同步目录", en="sync the catalogue"
    ),
    "manage_users": Template("auth.action.manage_users", zh="管理操作员", en="manage operators"),
    "configure": Template("auth.action.configure", zh="修改配置", en="change the configuration"),
    "backup": Template("auth.action.backup", zh="备份和恢复", en="back up and restore"),
    "view_audit": Template("auth.action.view_audit", zh="查看审计日志", en="see the audit log"),
    "export": Template("auth.action.export", zh="导出数据", en="export data"),
}

PASSWORD_TOO_SHORT = Template(
    "auth.password_too_short",
    zh="密码至少需要 {length} 位。请换一个更长的密码。",
    en="A password needs at least {length} characters. Choose a longer one.",
)
PASSWORD_LETTERS_AND_DIGITS = Template(
    "auth.password_letters_and_digits",
    zh="密码必须同时包含字母和数字。请换一个密码。",
    en="A password needs both letters and digits. Choose another one.",
)
PASSWORD_HAS_CODE = Template(
    "auth.password_has_code",
    zh="密码不能包含工号。请换一个密码。",
    en="A password must not contain the operator code. Choose another one.",
)
NOT_ALLOWED = Template(
    "auth.not_allowed",
    zh="{role}没有“{action}”的权限。请由有权限的人员操作。",
    en="A {role} may not “{action}”. Someone who may must do it.",
)
NOT_ENROLLED = Template(
    "auth.not_enrolled",
    zh="工号 {code} 必须使用动态验证码登录，但还没有绑定验证器，暂时不能登录或授权。"
    "请联系信息科为您绑定验证器。",
    en="Operator {code} must log in with a one-time code but has no authenticator yet, so cannot "
    "log in or approve. Ask the IT staff to enrol one.",
)
NO_APPROVAL_NEEDED = Template(
    "auth.no_approval_needed",
    zh="“{action}”不需要主管授权。",
    en="“{action}” needs no supervisor's approval.",
)
APPROVE_OWN = Template(
    "auth.approve_own",
    zh="授权必须由另一位收费主管输入自己的工号和密码。",
    en="Another supervisor must approve, with their own code and password.",
)
CANNOT_APPROVE = Template(
    "auth.cannot_approve",
    zh="{name}（{role}）不能授权“{action}”，请由收费主管授权。",
    en="{name} ({role}) may not approve “{action}”; a supervisor must approve.",
)
DISABLED = Template(
    "auth.disabled",
    zh="该账号已停用。请联系系统管理员。",
    en="This account is disabled. Contact the administrator.",
)
LOCKED = Template(
    "auth.locked",
    zh="连续输错密码或动态验证码次数过多，账号已锁定到 {until}。请稍后再试，或请系统管理员重置密码。",
    en="Too many wrong passwords or codes: the account is locked until {until}. Try again later, "
    "or ask the administrator to reset the password.",
)
ADMIN_EXISTS = Template(
    "auth.admin_exists",
    zh="系统中已有管理员账号，不能再次初始化。请用已有管理员账号添加用户。",
    en="An administrator account exists, so the set-up cannot run again. Add users with it.",
)
CODE_AND_NAME_NEEDED = Template(
    "auth.code_and_name_needed",
    zh="工号和姓名都不能为空。",
    en="Both the operator code and the name are needed.",
)
CODE_EXISTS = Template(
    "auth.code_exists",
    zh="工号 {code} 已存在。请换一个工号，或修改已有账号。",
    en="Operator code {code} exists. Choose another code, or change the existing account.",
)
OWN_ADMIN_ROLE = Template(
    "auth.own_admin_role",
    zh="不能修改自己的管理员角色。请由另一位管理员操作。",
    en="You cannot change your own administrator role. Another administrator must do it.",
)
OWN_ACCOUNT_DISABLE = Template(
    "auth.own_account_disable", zh="不能停用自己的账号。", en="You cannot disable your own account."
)
NOTHING_PENDING = Template(
    "auth.nothing_pending",
    zh="工号 {code} 没有待确认的验证器绑定。请先执行 users totp-enroll {code}。",
    en="Operator {code} has no authenticator enrolment to confirm. Run users totp-enroll {code} "
    "first.",
)
CONFIRM_FAILED = Template(
    "auth.confirm_failed",
    zh="验证码不正确，绑定尚未生效。请确认手机时间准确、验证器中添加的是刚才显示的密钥，"
    "然后用验证器上当前的 6 位数字重新执行 users totp-confirm {code}。",
    en="Wrong code: the enrolment has not taken effect. Check the phone's clock and that the "
    "authenticator holds the key just shown, then run users totp-confirm {code} again with the "
    "6 digits it shows now.",
)
NO_SUCH_CODE = Template(
    "auth.no_such_code",
    zh="没有工号为 {code} 的账号。请检查工号。",
    en="There is no account with operator code {code}. Check the code.",
)
