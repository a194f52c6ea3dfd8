"""Argument parsing and dispatch of the ``settlement-window`` subcommands."""

from __future__ import annotations

import argparse
import logging

from app import __version__

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser; subcommands register themselves here."""
    parser = argparse.ArgumentParser(
        prog="settlement-window",
        description="门诊慢特病跨省直接结算收费窗口 / cross-province chronic-disease settlement window",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--demo", action="store_true", help="演示/培训模式：使用内置沙箱平台")
    parser.add_argument("--config", metavar="FILE", help="配置文件（TOML）")
    parser.add_argument("--data-dir", metavar="DIR", help="数据目录（默认：用户数据目录）")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出（供程序读取）")
    parser.add_subparsers(dest="command", metavar="COMMAND")
    return parser


def main(argv: list[str]) -> int:
    """Parse ``argv`` and run the chosen command. Returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return 0
