"""``settlement-window users …`` — operator accounts for the IT admin.

Passwords are never taken from the command line in normal use: they are prompted for (``getpass``)
or read line by line from standard input with ``--password-stdin`` (first the acting admin's
password, then the new password). ``--password``/``--admin-password`` exist for scripted tests only.
"""

from __future__ import annotations

import argparse

from app.cli.backup import (
    add_actor_options,
    admin_login,
    auth_service,
    load_cli_settings,
    opened_store,
    read_secret,
    report,
    run_safely,
)
from app.domain.operator import Role
from app.errors import InputError


def _role(text: str) -> Role:
    try:
        return Role(text)
    except ValueError:
        choices = "、".join(f"{r.value}（{r.label}）" for r in Role)
        raise InputError(f"角色“{text}”无效，可选：{choices}。") from None


def _new_password(args: argparse.Namespace) -> str:
    first = read_secret(args, "password", "新密码：")
    if not getattr(args, "password", None) and not args.password_stdin:
        again = read_secret(args, "password", "再输入一次新密码：")
        if again != first:
            raise InputError("两次输入的密码不一致，请重新执行。")
    return first


def _init_admin(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    with opened_store(args, settings) as store:
        auth_service(store, settings).init_admin(args.code, args.name, _new_password(args))
    report(args, f"已创建管理员 {args.code}。", {"code": args.code, "role": "admin"})
    return 0


def _add(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    role = _role(args.role)
    with opened_store(args, settings) as store:
        service = auth_service(store, settings)
        actor = admin_login(args, service)
        service.add_user(actor, args.code, args.name, role, _new_password(args))
    report(args, f"已添加 {role.label} {args.code}。", {"code": args.code, "role": role.value})
    return 0


def _set_role(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    role = _role(args.role)
    with opened_store(args, settings) as store:
        service = auth_service(store, settings)
        service.set_role(admin_login(args, service), args.code, role)
    report(
        args, f"{args.code} 的角色已改为 {role.label}。", {"code": args.code, "role": role.value}
    )
    return 0


def _set_active(args: argparse.Namespace, *, active: bool) -> int:
    settings = load_cli_settings(args)
    with opened_store(args, settings) as store:
        service = auth_service(store, settings)
        service.set_active(admin_login(args, service), args.code, active=active)
    text = f"{args.code} 已{'启用' if active else '停用'}。"
    report(args, text, {"code": args.code, "active": active})
    return 0


def _reset_password(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    with opened_store(args, settings) as store:
        service = auth_service(store, settings)
        actor = admin_login(args, service)
        service.reset_password(actor, args.code, _new_password(args))
    report(args, f"{args.code} 的密码已重置，锁定已解除。", {"code": args.code})
    return 0


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
        }
        for a in accounts
    ]
    lines = [
        f"{r['code']}\t{r['name']}\t{Role(str(r['role'])).label}\t"
        f"{'启用' if r['active'] else '停用'}\t{'锁定至 ' + str(r['locked_until']) if r['locked_until'] else ''}"
        for r in rows
    ]
    report(args, "\n".join(lines) or "（没有账号）", {"users": rows})
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
    """Add ``users`` with init-admin, add, disable, enable, reset-password, set-role and list."""
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
