"""``settlement-window export settlements|audit`` — CSV or JSON for the hospital's finance system."""

from __future__ import annotations

import argparse
import contextlib
import os
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

from app.cli.backup import (
    add_actor_options,
    admin_login,
    auth_service,
    load_cli_settings,
    opened_store,
    report,
    run_safely,
    uow_factory_of,
)
from app.domain.operator import Action
from app.errors import InputError
from app.messages import console as words
from app.messages import console_errors as errors
from app.private_files import PRIVATE_FILE, make_private_folders
from app.services.admin import EXPORT_FORMATS, export_audit, export_settlements
from app.services.ports.clock import SystemClock

# Days are hospital days (Beijing time; China has no daylight saving).
_LOCAL = timezone(timedelta(hours=8), "CST")


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(errors.BAD_EXPORT_DATE(text=text)) from None


def _period(args: argparse.Namespace) -> tuple[datetime, datetime]:
    first = _day(args.start)
    last = _day(args.end) if args.end else first
    if last < first:
        raise InputError(errors.END_BEFORE_START())
    start = datetime.combine(first, time(), _LOCAL).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(), _LOCAL).astimezone(UTC)
    return start, end


def _write(path: Path, text: str) -> None:
    """Write the export atomically, readable by this account only (it names patients)."""
    partial = path.with_name(path.name + ".partial")
    # utf-8-sig: Excel on the finance office's Windows PCs reads Chinese CSV correctly only with a BOM.
    encoding = "utf-8-sig" if path.suffix.lower() == ".csv" else "utf-8"
    try:
        make_private_folders(path.parent)
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
        with open(descriptor, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
        os.replace(partial, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
        raise InputError(
            f"无法写入导出文件 {path}（{exc.strerror or exc}）。请用 --output 换一个可写的位置，"
            "或检查权限和磁盘空间。",
            code="export_write",
        ) from None


def _export(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    start, end = _period(args)
    with opened_store(args, settings) as store:
        service = auth_service(store, settings)
        operator = admin_login(args, service, Action.EXPORT)
        exporter = export_settlements if args.what == "settlements" else export_audit
        text, count = exporter(
            uow_factory_of(store),
            SystemClock(),
            start,
            end,
            fmt=args.format,
            operator_code=operator.code,
        )
    output = Path(args.output)
    _write(output, text)
    report(
        args,
        words.EXPORTED(count=count, path=output),
        {"output": str(output), "rows": count, "format": args.format},
    )
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``export settlements`` and ``export audit``."""
    parser = subparsers.add_parser(
        "export", help="导出结算记录或审计日志（CSV/JSON）供财务系统使用"
    )
    parser.add_argument("what", choices=("settlements", "audit"), help="导出内容")
    parser.add_argument("--start", required=True, metavar="YYYY-MM-DD", help="开始日期（含）")
    parser.add_argument("--end", metavar="YYYY-MM-DD", help="结束日期（含；默认同开始日期）")
    parser.add_argument("--format", choices=EXPORT_FORMATS, default="csv")
    parser.add_argument("--output", required=True, metavar="FILE")
    add_actor_options(parser)
    parser.set_defaults(handler=run_safely(_export))
