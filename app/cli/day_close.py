"""``settlement-window day-close``: reconcile the day with the platform and print the shift report."""

from __future__ import annotations

import argparse
from datetime import date

from app.cli.context import CliContext
from app.cli.formatting import day_close_text
from app.cli.output import EXIT_OK, EXIT_REJECTED
from app.cli.progress import terminal_progress
from app.cli.shift_report import add_print_options, print_day
from app.errors import InputError
from app.messages import console_errors as errors


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``day-close`` subcommand."""
    parser = subparsers.add_parser(
        "day-close", help="日结对账（3201，不平时 3202）与交班汇总", description="日结对账"
    )
    parser.add_argument("--date", metavar="YYYY-MM-DD", help="对账日期（默认今天）")
    parser.add_argument("--operator", metavar="CODE", help="收费主管工号（或环境变量 SW_OPERATOR）")
    add_print_options(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, context: CliContext) -> int:
    """Close the day."""
    operator = context.operator()
    engine = context.engine()
    try:
        day = date.fromisoformat(args.date) if args.date else engine.today()
    except ValueError:
        raise InputError(errors.BAD_DATE(text=args.date), code="usage") from None
    with terminal_progress(json_mode=context.out.json_mode) as progress:
        report = engine.close_day(day, operator, progress)
    printed: dict[str, object] = {}
    text = day_close_text(report, context.out.language)
    if args.print:
        fields, note = print_day(context, operator, day, args.format, args.output)
        printed, text = {"shift_report": fields}, f"{text}\n{note}"
    context.out.result({"report": report, **printed}, text, ok=report.balanced)
    return EXIT_OK if report.balanced else EXIT_REJECTED
