"""Argument parsing and dispatch of the ``settlement-window`` subcommands.

Each subcommand lives in its own module with ``register(subparsers)``, which adds a parser and sets
``handler``. A handler takes either ``(args, context)`` — ``context`` is a :class:`CliContext` with the
settings, the output and the lazily built engine — or, for self-contained commands such as
``sandbox``, just ``(args)``. Handlers return the exit code (docs/cli.md); expected failures
(:class:`AppError`) are turned into a Chinese message or a JSON error document and their exit code.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import logging
from collections.abc import Callable
from typing import cast

from app import __version__
from app.cli.context import CliContext, EngineFactory
from app.cli.output import EXIT_BUG, EXIT_OK, Output
from app.errors import AppError

log = logging.getLogger(__name__)

# Modules that provide ``register(subparsers)``; imported lazily so ``--help`` stays fast.
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "app.sandbox.cli",
    "app.cli.eligibility",
    "app.cli.settle",
    "app.cli.cancel",
    "app.cli.journal",
    "app.cli.day_close",
    "app.cli.catalog",
    "app.cli.doctor",
    "app.cli.users",
    "app.cli.backup",
    "app.cli.export",
)

ContextHandler = Callable[[argparse.Namespace, CliContext], int]
ArgsHandler = Callable[[argparse.Namespace], int]


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="settlement-window",
        description="门诊慢特病跨省直接结算收费窗口 / cross-province chronic-disease settlement window",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--demo", action="store_true", help="演示/培训模式：使用内置沙箱平台")
    parser.add_argument("--config", metavar="FILE", help="配置文件（TOML）")
    parser.add_argument("--data-dir", metavar="DIR", help="数据目录（默认：用户数据目录）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出（供程序读取）")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in SUBCOMMAND_MODULES:
        module = importlib.import_module(module_name)
        register = cast(
            "Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]",
            module.register,
        )
        register(subparsers)
    return parser


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Parse ``argv`` (exits with code 2 on usage errors, as argparse does)."""
    return build_parser().parse_args(argv)


def _takes_context(handler: Callable[..., int]) -> bool:
    parameters = [
        p
        for p in inspect.signature(handler).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return len(parameters) >= 2


def main(argv: list[str], engine_factory: EngineFactory | None = None) -> int:
    """Parse ``argv`` and run the chosen command. Returns the process exit code.

    Args:
        argv: the arguments without the program name.
        engine_factory: builds the engine from settings and data folder (``app.main`` passes
            ``app.wiring.build_engine``); commands that need no engine work without it.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return EXIT_OK
    if not _takes_context(handler):
        return cast(ArgsHandler, handler)(args)
    context = CliContext(args, engine_factory, Output(json_mode=args.json))
    try:
        return cast(ContextHandler, handler)(args, context)
    except AppError as exc:
        log.info("command %s ended with %s", args.command, exc.code)
        return context.out.error(exc)
    except Exception:
        log.exception("command %s failed", args.command)
        context.out.note("内部错误：命令异常结束，详情已写入日志。请将日志发给信息科。")
        return EXIT_BUG
    finally:
        context.close()
