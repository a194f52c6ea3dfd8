"""Argument parsing and dispatch of the ``settlement-window`` subcommands.

Each subcommand lives in its own module with ``register(subparsers)``, which adds a parser and sets
``handler``. Only the module of the command being run is imported (the others are listed from
:data:`COMMANDS` by name and summary), so ``--help`` and a quick ``eligibility`` do not pay for the
catalogue's pinyin tables, the PDF library or the sandbox (docs/performance.md).

A handler takes either ``(args, context)`` — ``context`` is a :class:`CliContext` with the settings,
the output and the lazily built engine — or, for self-contained commands such as ``sandbox``, just
``(args)``. Handlers return the exit code (docs/cli.md); expected failures (:class:`AppError`) become a
Chinese message or a JSON error document; anything else is logged (redacted, in the data folder's
log) and reported as an internal error — never a traceback on the console. Under ``--json`` exactly
one JSON document is printed on stdout, whatever happens.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import logging
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from app import __version__
from app.cli.output import EXIT_OK, EXIT_UNKNOWN, EXIT_USAGE, Output
from app.cli.parser import (
    CliParser,
    UsageProblem,
    add_global_options,
    argparse_language,
    command_word,
    configured_language,
    json_requested,
)
from app.errors import AppError, InputError
from app.messages import console_errors as errors

if TYPE_CHECKING:
    from typing import TypeAlias

    from app.cli.context import CliContext, EngineFactory

    Subparsers: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]

log = logging.getLogger(__name__)

# name → (module with ``register(subparsers)``, one-line summary for the command list).
COMMANDS: dict[str, tuple[str, str]] = {
    "sandbox": ("app.sandbox.cli", "运行沙箱医保平台（虚构数据，仅供培训测试）"),
    "eligibility": ("app.cli.eligibility", "查询参保人身份与门慢资格（1101 + 5301）"),
    "settle": ("app.cli.settle", "按 HIS 账单文件结算（见 docs/bill-format.md）"),
    "cancel": ("app.cli.cancel", "撤销结算（2208）或部分退费（须收费主管授权）"),
    "journal": ("app.cli.journal", "交易流水：未确认交易列表、恢复处理"),
    "day-close": ("app.cli.day_close", "日结对账（3201，不平时 3202）与交班汇总"),
    "report": ("app.cli.shift_report", "报表：交班表（收费员日结单）"),
    "catalog": ("app.cli.catalog", "项目目录：同步、导入、查询"),
    "his": ("app.cli.his", "HIS 结果回传：待回传列表、立即回传"),
    "hospital": (
        "app.cli.hospital",
        "医院模式：初始化医院数据库、立即同步、各窗口状态、生成医院密钥",
    ),
    "doctor": ("app.cli.doctor", "检查本窗口的配置、数据库、平台连接和设备"),
    "selfcheck": (
        "app.cli.doctor",
        "安装/打包自检：离屏界面、内置沙箱、签到和票据 PDF（无需配置）",
    ),
    "users": ("app.cli.users", "管理操作员账号和角色"),
    "backup": ("app.cli.backup", "备份、恢复、清除过期的个人信息缓存"),
    "export": ("app.cli.export", "导出结算记录或审计日志（CSV/JSON）供财务系统使用"),
}
# Every module, for callers that want all real parsers (tests, documentation checks).
SUBCOMMAND_MODULES: tuple[str, ...] = tuple(dict.fromkeys(m for m, _ in COMMANDS.values()))

ContextHandler = Callable[[argparse.Namespace, "CliContext"], int]
ArgsHandler = Callable[[argparse.Namespace], int]


def build_parser(command: str | None = None, *, every_command: bool = False) -> CliParser:
    """The top-level parser. ``command``'s module registers its real parser; every other command
    is listed by name and summary only (``every_command``: all of them real, e.g. for checks of
    the documentation)."""
    parser = CliParser(
        prog="settlement-window",
        description="门诊慢特病跨省直接结算收费窗口：命令行工具（不带命令时打开收费窗口）",
    )
    add_global_options(parser, __version__)
    subparsers = cast("Subparsers", parser.add_subparsers(dest="command", metavar="COMMAND"))
    modules = SUBCOMMAND_MODULES if every_command else _module_of(command)
    for module_name in modules:
        register = cast(
            "Callable[[Subparsers], None]", importlib.import_module(module_name).register
        )
        register(subparsers)
    for name, (_module, summary) in COMMANDS.items():
        if name not in subparsers.choices:
            subparsers.add_parser(name, help=summary, add_help=False)
    return parser


def _module_of(command: str | None) -> tuple[str, ...]:
    entry = COMMANDS.get(command or "")
    return (entry[0],) if entry else ()


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse ``argv`` (exits with code 2 on usage errors, as argparse does)."""
    parser = build_parser(command_word(argv))
    try:
        return parser.parse_args(argv)
    except UsageProblem as problem:
        problem.parser.print_usage(sys.stderr)
        sys.stderr.write(f"错误：{problem.message}\n")
        raise SystemExit(EXIT_USAGE) from None


def _takes_context(handler: Callable[..., int]) -> bool:
    parameters = [
        p
        for p in inspect.signature(handler).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return len(parameters) >= 2


def _parse(argv: list[str], out: Output) -> argparse.Namespace | int:
    """The parsed arguments, or the exit code when parsing ended the run (help, version, misuse)."""
    with argparse_language(configured_language(argv)):
        parser = build_parser(command_word(argv))
        try:
            args = parser.parse_args(argv)
        except UsageProblem as problem:
            if not out.json_mode:
                problem.parser.print_usage(sys.stderr)
            return out.error(InputError(errors.USAGE(problem=problem.message), code="usage"))
        except SystemExit as done:  # --help and --version print and exit 0
            return done.code if isinstance(done.code, int) else EXIT_OK
        if getattr(args, "handler", None) is None:
            parser.print_help()
            return EXIT_OK
    return args


def main(argv: list[str], engine_factory: EngineFactory | None = None) -> int:
    """Parse ``argv`` and run the chosen command. Returns the process exit code.

    Args:
        argv: the arguments without the program name.
        engine_factory: builds the engine from settings and data folder (``app.main`` passes
            ``app.wiring.build_engine``); commands that need no engine work without it.
    """
    out = Output(json_mode=json_requested(argv), language=configured_language(argv))
    parsed = _parse(argv, out)
    if isinstance(parsed, int):
        return parsed
    args = parsed
    args.ui_language = out.language  # for the handlers that take only ``args`` (users, backup …)
    from app.cli import logs  # noqa: PLC0415  (after parsing: --help stays light)

    logs.start_console()
    try:
        return _run(args, engine_factory, out)
    finally:
        logs.stop()


def _run(args: argparse.Namespace, engine_factory: EngineFactory | None, out: Output) -> int:
    handler = args.handler
    context: CliContext | None = None
    try:
        if not _takes_context(handler):
            return cast(ArgsHandler, handler)(args)
        from app.cli.context import CliContext  # noqa: PLC0415

        context = CliContext(args, engine_factory, out)
        return cast(ContextHandler, handler)(args, context)
    except AppError as exc:
        log.info("command %s ended with %s", args.command, exc.code)
        return out.error(exc)
    except KeyboardInterrupt:
        # Ctrl+C: a platform call may have been under way, so say what to check, never guess.
        log.warning("command %s interrupted", args.command)
        interrupted = AppError(errors.INTERRUPTED(), code="interrupted")
        return out.error(interrupted, exit_code=EXIT_UNKNOWN)
    except Exception:
        log.exception("command %s failed", args.command)
        return out.internal_error()
    finally:
        if context is not None:
            context.close()
