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
from app.messages import hospital as words
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
    context.out.result({"rows": [_row_data(call) for call in calls]}, _rows_text(calls))
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


def _rows_text(calls: tuple[UnresolvedCall, ...]) -> str:
    if not calls:
        return "全院没有未确认结果的交易。"
    lines = [f"全院未确认结果的交易 {len(calls)} 笔："]
    for call in calls:
        row = call.row
        where = (
            "窗口运行中，由该窗口自行处理"
            if call.window_running
            else "窗口未运行，可由主管在此处理"
        )
        lines.append(f"  {row.msgid}  窗口 {row.window}  {row.infno}  {row.state}  （{where}）")
        if row.claim_window:
            lines.append(f"      {_claim_text(row)}")
    return "\n".join(lines)


def _claim_text(row: HospitalJournalRow) -> str:
    """Who holds the row's resolution claim (``journal:<msgid>``) and since when."""
    who = f"窗口 {row.claim_window}" + (f" 的 {row.claim_operator}" if row.claim_operator else "")
    since = (
        f"，自 {row.claimed_at.astimezone(LOCAL_ZONE):%m-%d %H:%M:%S} 起" if row.claimed_at else ""
    )
    if row.claim_window == row.window:
        return f"处理中：该交易所属的{who}已自行接手处理{since}；等待其结果，其他窗口不要再处理"
    return f"处理中：{who}已接手处理{since}；等待其结果，其他窗口不要再处理"


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
        said = words.RESOLVED_HERE(msgid=args.msgid, window=window, state=str(state))
        context.out.result(data, said.render(context.out.language))
        return EXIT_OK
    if state is JournalState.ESCALATED:  # parked for a supervisor: not retried by itself
        said = words.RESOLVE_ESCALATED(msgid=args.msgid, window=window)
        error, retried_by = "resolution_escalated", ""
    else:
        said = words.RESOLVE_PENDING(msgid=args.msgid, window=window, state=str(state))
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
