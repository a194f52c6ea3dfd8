"""``settlement-window users …`` — operator accounts for the IT admin.

Passwords are never taken from the command line in normal use: they are prompted for (``getpass``)
or read line by line from standard input with ``--password-stdin`` (first the acting admin's
password, then — if the admin has an authenticator — the admin's one-time code, then the new
password or the confirming code). ``--password``/``--admin-password`` exist for scripted tests only.

Second factor: ``totp-enroll CODE`` shows a new authenticator secret (base32 and ``otpauth://``
URI) that is not in force yet; ``totp-confirm CODE`` puts it in force once a current code from the
authenticator is typed (at a terminal ``totp-enroll`` asks for it straight away); ``totp-reset
CODE`` removes it. An admin whose role needs a second factor and who has none yet may enrol
themself with the password alone (``--as`` the same code).
"""

from __future__ import annotations

import argparse
import shlex
import sys

from app.cli.backup import (
    add_actor_options,
    admin_login,
    auth_service,
    language_of,
    load_cli_settings,
    opened_store,
    read_code,
    read_secret,
    report,
    run_safely,
)
from app.cli.formatting import role_label, role_message
from app.domain.operator import Operator, Role
from app.errors import InputError
from app.messages import Listing
from app.messages import console as words
from app.messages import console_errors as errors
from app.services.auth import AuthService, Enrolment
from app.services.ports.store import OperatorAccount


def _role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        choices = Listing(
            tuple(errors.ROLE_CHOICE(value=r.value, label=role_message(r.value)) for r in Role)
        )
        raise InputError(errors.BAD_ROLE(text=text, choices=choices)) from None


def _new_password(args: argparse.Namespace) -> str:
    language = language_of(args)
    first = read_secret(args, "password", errors.PROMPT_NEW_PASSWORD().render(language))
    if not getattr(args, "password", None) and not args.password_stdin:
        again = read_secret(args, "password", errors.PROMPT_NEW_PASSWORD_AGAIN().render(language))
        if again != first:
            raise InputError(errors.PASSWORDS_DIFFER())
    return first


def _init_admin(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    with opened_store(args, settings) as store:
        auth_service(store, settings).init_admin(args.code, args.name, _new_password(args))
    report(args, words.ADMIN_CREATED(code=args.code), {"code": args.code, "role": "admin"})
    return 0


def _add(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    role = _role(args.role)
    with opened_store(args, settings) as store:
        service = auth_service(store, settings)
        actor = admin_login(args, service)
        service.add_user(actor, args.code, args.name, role, _new_password(args))
    report(
        args,
        words.USER_ADDED(role=_role_text(args, role), code=args.code),
        {"code": args.code, "role": role.value},
    )
    return 0


def _set_role(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    role = _role(args.role)
    with opened_store(args, settings) as store:
        service = auth_service(store, settings)
        service.set_role(admin_login(args, service), args.code, role)
    report(
        args,
        words.ROLE_CHANGED(code=args.code, role=_role_text(args, role)),
        {"code": args.code, "role": role.value},
    )
    return 0


def _set_active(args: argparse.Namespace, *, active: bool) -> int:
    settings = load_cli_settings(args)
    with opened_store(args, settings) as store:
        service = auth_service(store, settings)
        service.set_active(admin_login(args, service), args.code, active=active)
    text = (words.USER_ENABLED if active else words.USER_DISABLED)(code=args.code)
    report(args, text, {"code": args.code, "active": active})
    return 0


def _reset_password(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    with opened_store(args, settings) as store:
        service = auth_service(store, settings)
        actor = admin_login(args, service)
        service.reset_password(actor, args.code, _new_password(args))
    report(args, words.PASSWORD_RESET(code=args.code), {"code": args.code})
    return 0


def _second_factor_state(account: OperatorAccount) -> str:
    if account.second_factor:
        return "enrolled"
    return "pending" if account.second_factor_pending else "none"


_SECOND_FACTOR_TEXT = {
    "enrolled": words.FACTOR_ENROLLED,
    "pending": words.FACTOR_PENDING,
    "none": words.FACTOR_NONE,
}


def _role_text(args: argparse.Namespace, role: Role) -> str:
    return role_label(role.value, role.label, language_of(args))


def _list(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    with opened_store(args, settings) as store:
        service = auth_service(store, settings)
        accounts = service.accounts(admin_login(args, service))
    rows = [
        {
            "code": a.operator.code,
            "name": a.operator.name,
            "role": a.operator.role.value,
            "active": a.active,
            "failed_attempts": a.failed_attempts,
            "locked_until": a.locked_until.isoformat() if a.locked_until else "",
            "second_factor": _second_factor_state(a),
            "second_factor_required": service.policy.requires_second_factor(a.operator.role),
        }
        for a in accounts
    ]
    language = language_of(args)
    lines = []
    for r in rows:
        factor = _SECOND_FACTOR_TEXT[str(r["second_factor"])]().render(language)
        if r["second_factor_required"] and r["second_factor"] != "enrolled":
            factor += words.FACTOR_REQUIRED().render(language)
        until = r["locked_until"]
        locked = words.LOCKED_UNTIL(until=until).render(language) if until else ""
        active = (words.ACTIVE if r["active"] else words.INACTIVE)().render(language)
        role = _role_text(args, Role(str(r["role"])))
        lines.append(f"{r['code']}\t{r['name']}\t{role}\t{active}\t{factor}\t{locked}".rstrip("\t"))
    report(args, "\n".join(lines) or words.NO_ACCOUNTS(), {"users": rows})
    return 0


def _totp_actor(args: argparse.Namespace, service: AuthService) -> Operator:
    """The acting admin; enrolling one's own account may start without a second factor."""
    return admin_login(args, service, enrolling_self=args.as_code == args.code)


def _enrolment_text(enrolment: Enrolment, args: argparse.Namespace) -> str:
    grouped = " ".join(enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4))
    return words.ENROLMENT(code=enrolment.code, secret=grouped, uri=enrolment.uri).render(
        language_of(args)
    )


def _confirm_hint(enrolment: Enrolment, args: argparse.Namespace) -> str:
    """The confirming command, with the same ``--config``/``--data-dir`` as this one (without
    them it would open another window's store, or none)."""
    command = ["settlement-window"]
    for option, value in (("--config", args.config), ("--data-dir", args.data_dir)):
        if value:
            command += [option, shlex.quote(str(value))]
    command += ["users", "totp-confirm", enrolment.code, "--as", str(args.as_code)]
    return words.CONFIRM_HINT(command=" ".join(command)).render(language_of(args))


def _totp_enroll(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    with opened_store(args, settings) as store:
        service = auth_service(store, settings)
        actor = _totp_actor(args, service)
        enrolment = service.begin_second_factor(
            actor, args.code, account=f"{args.code}@{settings.hospital.code}"
        )
        interactive = (
            sys.stdin.isatty() and not getattr(args, "json", False) and not args.password_stdin
        )
        text = _enrolment_text(enrolment, args)
        payload: dict[str, object] = {
            "code": enrolment.code,
            "secret": enrolment.secret,
            "uri": enrolment.uri,
        }
        if not interactive:
            report(args, text + "\n" + _confirm_hint(enrolment, args), payload)
            return 0
        sys.stdout.write(text + "\n")
        prompt = errors.PROMPT_CONFIRM_ENROLMENT().render(language_of(args))
        typed = read_code(args, "otp", prompt)
        if not typed:
            sys.stdout.write(_confirm_hint(enrolment, args) + "\n")
            return 0
        service.confirm_second_factor(actor, args.code, typed)
    report(args, words.FACTOR_CONFIRMED(code=args.code), {"code": args.code, "enrolled": True})
    return 0


def _totp_confirm(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    with opened_store(args, settings) as store:
        service = auth_service(store, settings)
        actor = _totp_actor(args, service)
        prompt = errors.PROMPT_CURRENT_CODE(code=args.code).render(language_of(args))
        typed = read_code(args, "otp", prompt)
        service.confirm_second_factor(actor, args.code, typed)
    report(args, words.FACTOR_CONFIRMED(code=args.code), {"code": args.code, "enrolled": True})
    return 0


def _totp_reset(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    with opened_store(args, settings) as store:
        service = auth_service(store, settings)
        actor = admin_login(args, service)
        service.reset_second_factor(actor, args.code)
        required = any(
            a.operator.code == args.code and service.policy.requires_second_factor(a.operator.role)
            for a in service.accounts(actor)
        )
    note = words.FACTOR_RESET_REQUIRED() if required else ""
    report(
        args,
        words.FACTOR_RESET(code=args.code, note=note),
        {"code": args.code, "enrolled": False, "required": required},
    )
    return 0


def _account_parser(
    actions: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse.ArgumentParser:
    parser = actions.add_parser(name, help=help_text)
    parser.add_argument("code", metavar="CODE", help="工号")
    add_actor_options(parser)
    return parser


def _add_new_password_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--password",
        metavar="PASSWORD",
        help="仅供自动化测试：直接给出新密码（会留在命令历史中，正式环境不要使用）",
    )


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``users`` with init-admin, add, disable, enable, reset-password, set-role, list and
    totp-enroll, totp-confirm, totp-reset."""
    parser = subparsers.add_parser("users", help="管理操作员账号和角色")
    actions = parser.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    roles = "、".join(r.value for r in Role)

    init = actions.add_parser("init-admin", help="安装时创建第一个管理员账号")
    init.add_argument("code", metavar="CODE", help="工号")
    init.add_argument("--name", required=True, help="姓名")
    init.add_argument("--password-stdin", action="store_true", help="从标准输入读取新密码")
    _add_new_password_option(init)
    init.set_defaults(handler=run_safely(_init_admin))

    add = _account_parser(actions, "add", "添加操作员")
    add.add_argument("--name", required=True, help="姓名")
    add.add_argument("--role", required=True, help=f"角色：{roles}")
    _add_new_password_option(add)
    add.set_defaults(handler=run_safely(_add))

    role = _account_parser(actions, "set-role", "修改角色")
    role.add_argument("--role", required=True, help=f"角色：{roles}")
    role.set_defaults(handler=run_safely(_set_role))

    disable = _account_parser(actions, "disable", "停用账号")
    disable.set_defaults(handler=run_safely(lambda a: _set_active(a, active=False)))
    enable = _account_parser(actions, "enable", "启用账号")
    enable.set_defaults(handler=run_safely(lambda a: _set_active(a, active=True)))

    reset = _account_parser(actions, "reset-password", "重置密码（同时解除锁定）")
    _add_new_password_option(reset)
    reset.set_defaults(handler=run_safely(_reset_password))

    listing = actions.add_parser("list", help="列出所有账号")
    add_actor_options(listing)
    listing.set_defaults(handler=run_safely(_list))

    enroll = _account_parser(
        actions, "totp-enroll", "为账号生成动态验证码（TOTP）验证器密钥，确认后生效"
    )
    enroll.set_defaults(handler=run_safely(_totp_enroll))
    confirm = _account_parser(
        actions, "totp-confirm", "输入验证器上的 6 位数字，使刚生成的验证器密钥生效"
    )
    _add_otp_option(confirm)
    confirm.set_defaults(handler=run_safely(_totp_confirm))
    totp_reset = _account_parser(actions, "totp-reset", "解除账号的验证器绑定（如手机丢失）")
    totp_reset.set_defaults(handler=run_safely(_totp_reset))


def _add_otp_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--otp",
        metavar="CODE",
        help="该账号验证器上当前显示的 6 位数字（不给出则询问，或取标准输入的下一行）",
    )
