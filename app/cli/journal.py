"""``settlement-window journal``: list unresolved platform calls, run recovery, resolve escalations."""

from __future__ import annotations

import argparse

from app.cli.context import CliContext
from app.cli.formatting import journal_text
from app.cli.output import EXIT_OK, EXIT_UNKNOWN
from app.cli.progress import terminal_progress
from app.messages import console as words


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``journal`` subcommand with ``list`` and ``resolve``."""
    parser = subparsers.add_parser(
        "journal", help="交易流水：未确认交易列表、恢复处理", description="交易流水（冲正与恢复）"
    )
    actions = parser.add_subparsers(dest="journal_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="列出未确认（含待主管处理）的交易")
    listing.set_defaults(handler=run_list)
    resolve = actions.add_parser(
        "resolve", help="运行恢复处理；给出 MSGID 时由收费主管重试该笔转人工的冲正"
    )
    resolve.add_argument("msgid", nargs="?", metavar="MSGID", help="转人工处理的交易报文号")
    resolve.add_argument("--operator", metavar="CODE", help="收费主管工号（重试转人工交易时）")
    resolve.set_defaults(handler=run_resolve)


def run_list(_args: argparse.Namespace, context: CliContext) -> int:
    """Print the unresolved rows without touching them."""
    rows = context.engine(recover=False).journal()
    context.out.result({"unresolved": rows}, journal_text(rows, context.out.language))
    return EXIT_UNKNOWN if rows else EXIT_OK


def run_resolve(args: argparse.Namespace, context: CliContext) -> int:
    """Recover everything (waiting with back-off), or have a supervisor retry one escalated row."""
    engine = context.engine(recover=False)
    language = context.out.language
    if args.msgid:
        supervisor = context.operator()
        state = engine.resolve(args.msgid, supervisor)
        rows = engine.journal()
        context.out.result(
            {"msgid": args.msgid, "state": state, "unresolved": rows},
            words.JOURNAL_RESOLVED(msgid=args.msgid, state=state).render(language)
            + "\n"
            + journal_text(rows, language),
        )
        return EXIT_UNKNOWN if rows else EXIT_OK
    with terminal_progress(json_mode=context.out.json_mode) as progress:
        summary = engine.start(wait=True, progress=progress)
    context.out.result(
        {"summary": summary},
        summary.text(language)
        + "\n"
        + journal_text(summary.escalated + summary.pending + summary.awaiting, language),
    )
    return EXIT_OK if summary.clear and not summary.awaiting else EXIT_UNKNOWN
