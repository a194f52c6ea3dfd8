"""Argument parsing and dispatch of the ``settlement-window`` subcommands.

Each subcommand lives in its own module with ``register(subparsers)``, which adds a parser and sets
``handler`` (a callable taking the parsed namespace and returning an exit code).
"""

from __future__ import annotations

import argparse
import importlib
import logging
from collections.abc import Callable
from typing import cast

from app import __version__

log = logging.getLogger(__name__)

# Modules that provide ``register(subparsers)``; imported lazily so ``--help`` stays fast.
SUBCOMMAND_MODULES: tuple[str, ...] = ("app.sandbox.cli",)


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
            Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None], module.register
        )
        register(subparsers)
    return parser


def main(argv: list[str]) -> int:
    """Parse ``argv`` and run the chosen command. Returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    return cast(Callable[[argparse.Namespace], int], handler)(args)
