"""``settlement-window backup create|restore|purge|check`` — data care for the IT admin.

Also holds the small helpers the admin commands share: loading the settings the global options
point at, and opening the store of the data folder.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from app.cli.logs import use_data_dir
from app.cli.output import EXIT_USAGE, Output
from app.cli.progress import terminal_progress
from app.config import (
    LOCK_FILE_NAME,
    Settings,
    data_dir_of,
    database_path,
    default_config_path,
    load_settings,
)
from app.domain.operator import Action, Operator
from app.errors import AppError, InputError, PermissionDenied, SecondFactorNeeded, StoreError
from app.messages import CHINESE, Message, render
from app.messages import console as words
from app.messages import console_errors as errors
from app.private_files import private_folder, secure_data_folder
from app.services.admin import purge_personal_data, run_backup
from app.services.auth import AuthService, authorize
from app.services.ports.clock import SystemClock
from app.store.backup import (
    StoreMaintenance,
    default_backup_name,
    inspect_database_file,
    installation_cipher,
    restore_database,
)
from app.store.crypto import FieldCipher
from app.store.db import environment_errors
from app.store.integrity import refuse_unusable_file
from app.store.leases import live_leases

if TYPE_CHECKING:
    from app.services.ports.store import UnitOfWorkFactory
    from app.store.db import Store

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]


def load_cli_settings(args: argparse.Namespace) -> Settings:
    """The settings named by ``--config`` (or the default location)."""
    path = Path(args.config) if getattr(args, "config", None) else default_config_path()
    return load_settings(path)


def cli_data_dir(args: argparse.Namespace, settings: Settings) -> Path:
    """``--data-dir``, else the configured data folder, else the default one; private (0700) and
    holding this command's log."""
    return use_data_dir(data_dir_of(settings, getattr(args, "data_dir", None)), settings.log)


def ensure_private_dir(folder: Path) -> None:
    """Create the data folder readable by the app's user only (it holds the key file and logs)."""
    try:
        secure_data_folder(folder)
    except OSError:
        raise StoreError(
            f"无法创建数据目录 {folder}，请检查权限或磁盘。", code="data_dir_create"
        ) from None


@contextmanager
def window_closed(data_dir: Path) -> Iterator[None]:
    """Hold the window's lock file for the block; refuse if a window is running on ``data_dir``.

    Restore replaces the database file and purge rewrites it (VACUUM): neither may happen under a
    running window.
    """
    from PySide6.QtCore import QLockFile  # noqa: PLC0415 - only these commands need it

    ensure_private_dir(data_dir)
    lock = QLockFile(str(data_dir / LOCK_FILE_NAME))
    lock.setStaleLockTime(0)  # a lock left by a crashed window is detected by its dead process id
    if not lock.tryLock(100):
        raise AppError(errors.WINDOW_RUNNING(), code="window_running")
    others = live_leases(data_dir)  # command-line programs and HIS scripts (docs/concurrency.md)
    if others:
        lock.unlock()
        raise AppError(
            errors.STORE_IN_USE(count=len(others)),
            code="store_in_use",
            detail={"leases": ",".join(others)},
        )
    try:
        yield
    finally:
        lock.unlock()


@contextmanager
def opened_store(args: argparse.Namespace, settings: Settings) -> Iterator[Store]:
    """Open the store of the data folder (migrating it if needed) and close it afterwards."""
    from app.wiring import open_local_store  # noqa: PLC0415 - the one composition, loaded when used

    store = open_local_store(cli_data_dir(args, settings), SystemClock())
    try:
        yield store
    finally:
        store.close()


def uow_factory_of(store: Store) -> UnitOfWorkFactory:
    """The store's unit-of-work factory as the services' port (see :func:`app.wiring.port_of`)."""
    from app.wiring import port_of  # noqa: PLC0415

    return port_of(store)


def auth_service(store: Store, settings: Settings) -> AuthService:
    """The auth service over ``store`` with the engine's login policy."""
    from app.wiring import auth_service as composed  # noqa: PLC0415

    return composed(store, settings, SystemClock())


def read_secret(args: argparse.Namespace, attribute: str, prompt: str) -> str:
    """A password from an explicit option, a line of stdin (``--password-stdin``) or a prompt."""
    explicit = getattr(args, attribute, None)
    if explicit:
        return str(explicit)
    if getattr(args, "password_stdin", False):
        line = sys.stdin.readline()
        if not line:
            raise AppError(errors.NO_PASSWORD_ON_STDIN(), code="no_password")
        return line.rstrip("\r\n")
    return _typed_at_terminal(prompt, errors.PASSWORD())


def read_code(args: argparse.Namespace, attribute: str, prompt: str) -> str:
    """A one-time code from an explicit option, the next line of stdin (``--password-stdin``) or a
    prompt (not echoed, like a password)."""
    explicit = getattr(args, attribute, None)
    if explicit:
        return str(explicit).strip()
    if getattr(args, "password_stdin", False):
        line = sys.stdin.readline()
        if not line:
            raise AppError(errors.NO_CODE_ON_STDIN(), code="no_code")
        return line.strip()
    return _typed_at_terminal(prompt, errors.ONE_TIME_CODE()).strip()


def _typed_at_terminal(prompt: str, what: Message) -> str:
    """A secret typed at a terminal (not echoed); without one, a usage error naming
    ``--password-stdin`` — never getpass's EOFError, which ended as an internal error."""
    if not sys.stdin.isatty():
        raise InputError(
            errors.NO_TERMINAL(what=what),
            code="usage",
        )
    return getpass.getpass(prompt)


def admin_login(
    args: argparse.Namespace,
    service: AuthService,
    action: Action = Action.MANAGE_USERS,
    *,
    enrolling_self: bool = False,
) -> Operator:
    """Log in the operator named by ``--as`` and check they may do ``action``.

    With an authenticator enrolled, their one-time code comes from ``--admin-otp``, else it is
    asked for (or read as the next line of stdin) once the password was found right.
    ``enrolling_self``: see :meth:`AuthService.login`.
    """
    code = getattr(args, "as_code", None)
    if not code:
        raise PermissionDenied(errors.NO_ACTOR(), code="no_actor")
    language = language_of(args)
    password = read_secret(
        args, "admin_password", errors.PROMPT_ADMIN_PASSWORD(code=code).render(language)
    )
    given = (getattr(args, "admin_otp", None) or "").strip()
    try:
        operator = service.login(code, password, given, enrolling_self=enrolling_self)
    except SecondFactorNeeded:
        if given:
            raise
        otp = read_code(args, "admin_otp", errors.PROMPT_ADMIN_OTP(code=code).render(language))
        operator = service.login(code, password, otp, enrolling_self=enrolling_self)
    authorize(operator, action)
    return operator


def add_actor_options(parser: argparse.ArgumentParser) -> None:
    """``--as``, ``--password-stdin`` and the scripted-test-only ``--admin-password``."""
    parser.add_argument("--as", dest="as_code", metavar="CODE", help="执行操作的管理员工号")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="从标准输入逐行读取密码（先管理员密码，需要时再管理员的动态验证码，再新密码），"
        "不在命令行中出现",
    )
    parser.add_argument(
        "--admin-password",
        metavar="PASSWORD",
        help="仅供自动化测试：直接给出管理员密码（会留在命令历史中，正式环境不要使用）",
    )
    parser.add_argument(
        "--admin-otp",
        metavar="CODE",
        help="执行者的动态验证码（已绑定验证器时需要；不给出则在密码之后询问）",
    )


def language_of(args: argparse.Namespace) -> str:
    """The console's language (``[ui] language``, set on ``args`` by :func:`app.cli.main.main`)."""
    return str(getattr(args, "ui_language", CHINESE))


def report(args: argparse.Namespace, text: str | Message, payload: dict[str, object]) -> None:
    """Print ``text`` for people (a message in the console's language) or ``payload`` as JSON with
    the global ``--json`` (with ``"ok": true``, like every other command's result document)."""
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps({"ok": True, **payload}, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render(text, language_of(args)) + "\n")


def run_safely(handler: Handler) -> Handler:
    """Turn expected errors into a Chinese message on stderr (or the JSON error document under
    ``--json``) and exit code 2."""

    def wrapped(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except AppError as exc:
            out = Output(json_mode=getattr(args, "json", False), language=language_of(args))
            return out.error(exc, exit_code=EXIT_USAGE)

    return wrapped


def _create(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    with opened_store(args, settings) as store:
        operator = admin_login(args, auth_service(store, settings), Action.BACKUP)
        clock = SystemClock()
        if args.output:
            destination = Path(args.output)
        else:
            backups = cli_data_dir(args, settings) / "backups"
            with environment_errors():
                private_folder(backups)  # also tightens one an older version left 0755
            destination = backups / default_backup_name(store.path, clock.now())
        with terminal_progress(json_mode=bool(getattr(args, "json", False))) as progress:
            result = run_backup(
                uow_factory_of(store),
                StoreMaintenance(store),
                clock,
                destination,
                operator.code,
                progress=progress,
            )
    report(
        args,
        words.BACKUP_DONE(path=result.path, size=result.size, sha256=result.sha256),
        {"path": str(result.path), "size": result.size, "sha256": result.sha256},
    )
    return 0


def _this_installation(args: argparse.Namespace) -> FieldCipher | None:
    """This installation's data key, when the configuration names a data folder that has one."""
    try:
        return installation_cipher(cli_data_dir(args, load_cli_settings(args)))
    except AppError:
        return None  # no configuration: the file is checked as a store of this program only


def _check(args: argparse.Namespace) -> int:
    result, version = inspect_database_file(Path(args.file), _this_installation(args))
    ok = result == "ok"
    report(
        args,
        words.BACKUP_CHECKED(
            verdict=words.CHECK_OK() if ok else words.CHECK_ERROR(),
            file=args.file,
            result=result.splitlines()[0],
            version=version,
        ),
        {"file": args.file, "integrity": result, "schema_version": version, "ok": ok},
    )
    return 0 if ok else 1


def _restore(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    data_dir = cli_data_dir(args, settings)
    database = database_path(data_dir)
    with window_closed(data_dir):
        if _holds_a_store(database):
            # Who may restore is checked against the current database, before it is replaced.
            with opened_store(args, settings) as store:
                admin_login(args, auth_service(store, settings), Action.BACKUP)
        with terminal_progress(json_mode=bool(getattr(args, "json", False))) as progress:
            result = restore_database(
                Path(args.file),
                database,
                SystemClock().now(),
                progress,
                cipher=installation_cipher(data_dir),
            )
        with opened_store(args, settings) as store, store.uow_factory()() as uow:
            uow.audit.append(
                SystemClock().now(),
                getattr(args, "as_code", None) or "cli",
                "restore",
                "ok",
                f"from {result.restored_from.name}",
            )
            uow.commit()
    previous = words.PREVIOUS_KEPT(path=result.previous) if result.previous else words.NO_PREVIOUS()
    report(
        args,
        words.RESTORED(database=result.database, version=result.schema_version, previous=previous),
        {
            "database": str(result.database),
            "previous": str(result.previous or ""),
            "schema_version": result.schema_version,
        },
    )
    return 0


def _holds_a_store(database: Path) -> bool:
    """Whether there is a database whose operators could be asked. An emptied (0-byte) or non-SQLite
    file has none: it is moved aside by the restore, never opened (that would recreate it)."""
    try:
        refuse_unusable_file(database)
    except StoreError:
        return False
    return database.exists()


def _purge(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    with window_closed(cli_data_dir(args, settings)), opened_store(args, settings) as store:
        operator = admin_login(args, auth_service(store, settings), Action.BACKUP)
        result = purge_personal_data(
            uow_factory_of(store),
            StoreMaintenance(store),
            SystemClock(),
            settings.retention_days,
            operator.code,
        )
    report(
        args,
        words.PURGED(count=result.purged, cutoff=result.cutoff.date().isoformat()),
        {"purged": result.purged, "cutoff": result.cutoff.isoformat()},
    )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``backup`` with ``create``, ``check``, ``restore`` and ``purge``."""
    parser = subparsers.add_parser("backup", help="备份、恢复、清除过期的个人信息缓存")
    actions = parser.add_subparsers(dest="backup_command", metavar="ACTION", required=True)
    create = actions.add_parser("create", help="在线备份本地数据库（程序运行时也可以）")
    create.add_argument("--output", metavar="FILE", help="备份文件（默认：数据目录/backups/…）")
    add_actor_options(create)
    create.set_defaults(handler=run_safely(_create))
    check = actions.add_parser("check", help="检查一个备份文件是否完好")
    check.add_argument("file", metavar="FILE")
    check.set_defaults(handler=run_safely(_check))
    restore = actions.add_parser("restore", help="从备份恢复（须先关闭收费窗口程序）")
    restore.add_argument("file", metavar="FILE")
    add_actor_options(restore)
    restore.set_defaults(handler=run_safely(_restore))
    purge = actions.add_parser(
        "purge", help="清除超过保留天数的参保人缓存信息（须先关闭收费窗口程序）"
    )
    add_actor_options(purge)
    purge.set_defaults(handler=run_safely(_purge))
