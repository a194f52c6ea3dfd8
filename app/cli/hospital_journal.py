"""``settlement-window hospital unresolved`` / ``hospital resolve MSGID``: every window's unresolved
calls, and a supervisor resolving a dead window's call from this window (issue 13 item 5).

"Dead" is decided as for processes on one store (docs/concurrency.md): a running window holds a
PostgreSQL advisory lock on its number for its whole life, so a window whose lock is free runs
nowhere. The 2601 (or clean-up) goes out here with the original msgid and is journaled here; the
dead window, when it returns, finds the row resolved and does nothing twice.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.cli.context import CliContext
from app.cli.formatting import LOCAL_ZONE
from app.cli.hospital_report import require_hospital_mode
from app.cli.output import EXIT_OK, EXIT_UNAVAILABLE, EXIT_UNKNOWN
from app.domain.journal import JournalState
from app.errors import StoreError
from app.messages import Message
from app.messages import console_hospital as words
from app.messages import hospital as hospital_words
from app.services.hospital_use_cases import UnresolvedCall
from app.services.ports.hospital import HospitalJournalRow


def register_actions(actions: Any) -> None:
    """Add ``unresolved`` and ``resolve`` to the ``hospital`` actions."""
    unresolved = actions.add_parser(
        "unresolved", help="全院各窗口尚未确认结果的交易（及窗口是否在运行）"
    )
    unresolved.add_argument(
        "--json", dest="unresolved_json", action="store_true", help="以 JSON 输出（供程序读取）"
    )
    unresolved.set_defaults(handler=run_unresolved)
    resolve = actions.add_parser(
        "resolve", help="由收费主管在本窗口处理已停止运行的窗口留下的未确认交易"
    )
    resolve.add_argument(
        "msgid", metavar="MSGID", help="要处理的交易流水号（见 hospital unresolved）"
    )
    resolve.add_argument("--operator", metavar="CODE", help="收费主管工号")
    resolve.set_defaults(handler=run_resolve)


def run_unresolved(args: argparse.Namespace, context: CliContext) -> int:
    """List every window's unresolved rows with whether their window is running."""
    if args.unresolved_json:
        context.out.json_mode = True
    engine = require_hospital_mode(context.engine(recover=False))
    try:
        calls = engine.hospital_unresolved()
    except StoreError as exc:
        if exc.code != "hospital_unreachable":
            raise
        return context.out.error(exc, exit_code=EXIT_UNAVAILABLE)
    context.out.result(
        {"rows": [_row_data(call) for call in calls]}, _rows_text(calls, context.out.language)
    )
    return EXIT_OK


def _row_data(call: UnresolvedCall) -> dict[str, Any]:
    row = call.row
    return {
        "msgid": row.msgid,
        "window": row.window,
        "window_running": call.window_running,
        "infno": row.infno,
        "state": row.state,
        "bill_id": row.bill_id,
        "operator": row.operator_code,
        "created_at": row.created_at,
        # Who is resolving the row (the hospital's resolution claim), or None while nobody is.
        "resolution_claim": {
            "window": row.claim_window,
            "operator": row.claim_operator,
            "claimed_at": row.claimed_at,
        }
        if row.claim_window
        else None,
    }


def _rows_text(calls: tuple[UnresolvedCall, ...], language: str) -> str:
    if not calls:
        return words.NO_UNRESOLVED().render(language)
    lines = [words.UNRESOLVED_HEAD(count=len(calls)).render(language)]
    for call in calls:
        row = call.row
        where = words.WINDOW_RUNNING() if call.window_running else words.WINDOW_DOWN()
        lines.append(
            words.UNRESOLVED_LINE(
                msgid=row.msgid, window=row.window, infno=row.infno, state=row.state, where=where
            ).render(language)
        )
        if row.claim_window:
            lines.append(f"      {_claim_text(row).render(language)}")
    return "\n".join(lines)


def _claim_text(row: HospitalJournalRow) -> Message:
    """Who holds the row's resolution claim (``journal:<msgid>``) and since when."""
    who = (
        words.CLAIM_WHO_OPERATOR(window=row.claim_window, operator=row.claim_operator)
        if row.claim_operator
        else words.CLAIM_WHO(window=row.claim_window)
    )
    at = row.claimed_at
    since = words.CLAIM_SINCE(at=f"{at.astimezone(LOCAL_ZONE):%m-%d %H:%M:%S}") if at else ""
    if row.claim_window == row.window:
        return words.CLAIM_OWN(who=who, since=since)
    return words.CLAIM_OTHER(who=who, since=since)


def run_resolve(args: argparse.Namespace, context: CliContext) -> int:
    """A supervisor resolves a dead window's row here. When the call sent here (2601 or a
    clean-up) has no definite outcome yet — the platform faulted — the row is not resolved: exit 5
    (outcome unknown, do not charge again), saying this window retries it by itself."""
    supervisor = context.operator()
    engine = require_hospital_mode(context.engine(recover=False))
    state = engine.hospital_resolve(args.msgid, supervisor)
    window = engine.settings.window.device_no
    data = {"msgid": args.msgid, "state": str(state), "resolved": state.is_resolved}
    if state.is_resolved:
        said = hospital_words.RESOLVED_HERE(msgid=args.msgid, window=window, state=str(state))
        context.out.result(data, said.render(context.out.language))
        return EXIT_OK
    if state is JournalState.ESCALATED:  # parked for a supervisor: not retried by itself
        said = hospital_words.RESOLVE_ESCALATED(msgid=args.msgid, window=window)
        error, retried_by = "resolution_escalated", ""
    else:
        said = hospital_words.RESOLVE_PENDING(msgid=args.msgid, window=window, state=str(state))
        error, retried_by = "resolution_pending", window
    context.out.result(
        {
            **data,
            "exit_code": EXIT_UNKNOWN,
            "error": error,
            "message": str(said),  # JSON keeps the Chinese text, as for errors
            "retried_by": retried_by,
        },
        said.render(context.out.language),
        ok=False,
    )
    return EXIT_UNKNOWN
