"""``settlement-window hospital day-close`` / ``hospital history``: the whole hospital's day close and
the day's settlements of every window (issue 13 items 4 and 6), at any window in hospital mode.

The hospital day close sends 3201 per insurance type × clearing type × agency with the totals of
every window, matches 3202's detail to windows by msgid when a group does not balance, and is
refused — naming the windows — while any window has unresolved calls or records not yet synced.
On a terminal it draws a progress bar (none under ``--json`` or when stdout is not a terminal); Ctrl+C
stops it at the next safe point.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from app.cli.context import CliContext
from app.cli.formatting import discrepancy_label
from app.cli.hospital_report import print_hospital_day
from app.cli.output import EXIT_OK, EXIT_REJECTED
from app.cli.progress import terminal_progress
from app.cli.shift_report import add_print_options
from app.errors import InputError
from app.messages import console as console_words
from app.messages import console_errors as errors
from app.messages import console_hospital as words
from app.services.hospital_day_close import HospitalDayCloseReport
from app.services.hospital_history import HospitalHistory
from app.wiring import hospital_database


def register_actions(actions: Any) -> None:
    """Add ``day-close`` and ``history`` to the ``hospital`` actions."""
    close = actions.add_parser("day-close", help="全院日结对账（各窗口合计，3201/3202）")
    close.add_argument("--date", metavar="YYYY-MM-DD", help="对账日期（默认今天）")
    close.add_argument("--operator", metavar="CODE", help="收费主管工号")
    add_print_options(close)
    close.set_defaults(handler=run_day_close)
    history = actions.add_parser("history", help="全院各窗口当日的结算记录")
    history.add_argument("--date", metavar="YYYY-MM-DD", help="日期（默认今天）")
    history.add_argument("--window", metavar="W", help="只看这个窗口")
    history.add_argument(
        "--json", dest="history_json", action="store_true", help="以 JSON 输出（供程序读取）"
    )
    history.set_defaults(handler=run_history)


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        raise InputError(errors.BAD_DATE(text=text), code="usage") from None


def run_day_close(args: argparse.Namespace, context: CliContext) -> int:
    """Reconcile the whole hospital's day at this window."""
    operator = context.operator()
    engine = context.engine()
    if not engine.in_hospital_mode():
        hospital_database(engine.settings.hospital_db)  # raises: hospital mode is off
        return EXIT_OK
    day = _day(args.date, engine.today())
    with terminal_progress(json_mode=context.out.json_mode) as progress:
        report = engine.hospital_close_day(day, operator, progress)
    data: dict[str, Any] = {"report": _report_data(report)}
    text = _report_text(report, context.out.language)
    if args.print:
        printed, note = print_hospital_day(context, operator, report.day, args.format, args.output)
        data["shift_report"] = printed
        text = f"{text}\n{note}"
    context.out.result(data, text, ok=report.balanced)
    return EXIT_OK if report.balanced else EXIT_REJECTED


def _report_data(report: HospitalDayCloseReport) -> dict[str, Any]:
    return {
        "day": report.day,
        "balanced": report.balanced,
        "windows": list(report.windows),
        "total": report.total,
        "fund": report.fund,
        "account": report.account,
        "cash": report.cash,
        "groups": len(report.groups),
        "discrepancies": len(report.discrepancies),
        "statement_groups": [
            {
                "insurance_type": g.insurance_type,
                "clearing_type": g.clearing_type,
                "clearing_agency": g.clearing_agency,
                "count": g.count,
                "total": g.total,
                "fund": g.fund,
                "account": g.account,
                "balanced": g.balanced,
            }
            for g in report.groups
        ],
        "discrepancy_rows": [
            {
                "kind": d.kind.name.lower(),
                "settlement_id": d.settlement_id,
                "msgid": d.msgid,
                "total": d.total,
                "fund": d.fund,
                "account": d.account,
                "where": d.journal_state,
            }
            for d in report.discrepancies
        ],
        "shift": [
            {
                "window": line.window,
                "operator": line.operator_code,
                "count": line.count,
                "total": line.total,
                "fund": line.fund,
                "account": line.account,
                "cash": line.cash,
            }
            for line in report.shift
        ],
    }


def _report_text(report: HospitalDayCloseReport, language: str) -> str:
    lines = [
        report.summary_message().render(language),
        words.DAY_TOTAL(
            total=report.total, fund=report.fund, account=report.account, cash=report.cash
        ).render(language),
    ]
    for line in report.shift:
        lines.append(
            words.DAY_LINE(
                window=line.window,
                operator=line.operator_code,
                count=line.count,
                total=line.total,
                fund=line.fund,
                account=line.account,
                cash=line.cash,
            ).render(language)
        )
    for g in report.groups:  # which 3201 groups did not balance, and each 3202 row behind them
        lines.append(
            console_words.RECONCILIATION_GROUP(
                insurance_type=g.insurance_type,
                clearing_type=g.clearing_type,
                agency=g.clearing_agency,
                count=g.count,
                total=g.total,
                fund=g.fund,
                verdict=console_words.BALANCED() if g.balanced else console_words.UNBALANCED(),
            ).render(language)
        )
    for d in report.discrepancies:
        lines.append(
            words.DISCREPANCY(
                kind=discrepancy_label(d.kind.value, d.kind.label, language),
                settlement_id=d.settlement_id,
                msgid=d.msgid or "-",
                total=d.total,
                where=d.journal_state,
            ).render(language)
        )
    return "\n".join(lines)


def run_history(args: argparse.Namespace, context: CliContext) -> int:
    """The day's settlements of every window (or of one)."""
    if args.history_json:
        context.out.json_mode = True
    engine = context.engine(recover=False)
    if not engine.in_hospital_mode():
        hospital_database(engine.settings.hospital_db)  # raises: hospital mode is off
        return EXIT_OK
    history = engine.hospital_day(_day(args.date, engine.today()), args.window)
    context.out.result(_history_data(history), _history_text(history, context.out.language))
    return EXIT_OK


def _history_data(history: HospitalHistory) -> dict[str, Any]:
    return {
        "day": history.day,
        "complete": history.complete,
        "notice": history.notice,
        "settlements": [
            {
                "settlement_id": e.settlement.settlement_id,
                "window": e.settlement.window,
                "operator": e.settlement.operator_code,
                "settled_at": e.settlement.settled_at,
                "total": e.settlement.total,
                "fund": e.settlement.fund,
                "account": e.settlement.account,
                "cash": e.settlement.cash,
                "is_cancellation": e.settlement.is_cancellation,
                "cancelled_by": e.settlement.cancelled_by,
                "synced": e.synced,
            }
            for e in history.entries
        ],
    }


def _history_text(history: HospitalHistory, language: str) -> str:
    lines = [words.HISTORY_HEAD(day=history.day, count=len(history.entries)).render(language)]
    if history.notice:
        lines.insert(0, history.notice)
    for entry in history.entries:
        s = entry.settlement
        kind = (
            words.KIND_CANCELLATION
            if s.is_cancellation
            else (words.KIND_CANCELLED if s.cancelled_by else words.KIND_SETTLEMENT)
        )
        lines.append(
            words.HISTORY_LINE(
                settlement_id=s.settlement_id,
                window=s.window,
                kind=kind(),
                total=s.total,
                fund=s.fund,
                account=s.account,
                cash=s.cash,
                pending="" if entry.synced else words.NOT_SYNCED_YET(),
            ).render(language)
        )
    return "\n".join(lines)
