"""``settlement-window hospital conflicts`` / ``hospital conflict-handled ID``: offline charge-claim
conflicts (issue 13).

A window that settled a HIS visit under the HIS's lock while the hospital database was away, and
whose claims then found another window's bill holding the same charges, recorded the pair in the
hospital record: the patient may have been charged twice. These commands show them — both
settlements' numbers, windows, operators and amounts, and what to do — and let a supervisor mark
one handled once one settlement was cancelled (2208) after checking with the patient. ``hospital
status`` and ``doctor`` show the open ones too. Nothing here refunds anything.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from app.cli.context import CliContext
from app.cli.output import EXIT_OK, EXIT_UNAVAILABLE
from app.errors import StoreError
from app.messages import claim_conflicts as words
from app.messages import render
from app.services.hospital_conflicts import conflict_advice, conflict_summary, side_text
from app.services.ports.claim_conflicts import ClaimConflict, ConflictSide


def register_actions(actions: Any) -> None:
    """Add ``conflicts`` and ``conflict-handled`` to the ``hospital`` actions."""
    listing = actions.add_parser(
        "conflicts", help="医院数据库断开期间两个窗口重复结算同一笔 HIS 费用的冲突（待主管处理）"
    )
    listing.add_argument(
        "--all", dest="conflicts_all", action="store_true", help="也列出已处理的冲突"
    )
    listing.add_argument(
        "--json", dest="conflicts_json", action="store_true", help="以 JSON 输出（供程序读取）"
    )
    listing.set_defaults(handler=run_conflicts)
    handled = actions.add_parser(
        "conflict-handled",
        help="收费主管在与患者核实并撤销其中一笔结算后，将收费冲突标记为已处理（不会自动退费）",
    )
    handled.add_argument(
        "conflict_id", metavar="ID", type=int, help="冲突编号（见 hospital conflicts）"
    )
    handled.add_argument("--operator", metavar="CODE", help="收费主管工号")
    handled.add_argument(
        "--note", required=True, help="处理情况，例如撤销了哪一笔结算、是否已向患者退款"
    )
    handled.set_defaults(handler=run_conflict_handled)


def run_conflicts(args: argparse.Namespace, context: CliContext) -> int:
    """List the open conflicts (``--all``: the handled ones too)."""
    if args.conflicts_json:
        context.out.json_mode = True
    try:
        found = context.engine(recover=False).hospital_conflicts(include_handled=args.conflicts_all)
    except StoreError as exc:
        if exc.code != "hospital_unreachable":
            raise
        return context.out.error(exc, exit_code=EXIT_UNAVAILABLE)
    language = context.out.language
    context.out.result(
        {"conflicts": [conflict_data(c) for c in found]}, conflicts_text(found, language)
    )
    return EXIT_OK


def run_conflict_handled(args: argparse.Namespace, context: CliContext) -> int:
    """A supervisor marks a conflict handled (audited at this window)."""
    supervisor = context.operator()
    done = context.engine(recover=False).handle_hospital_conflict(
        args.conflict_id, supervisor, args.note
    )
    context.out.result(conflict_data(done), render(conflict_advice(done), context.out.language))
    return EXIT_OK


def conflict_data(conflict: ClaimConflict) -> dict[str, Any]:
    """A conflict for ``--json`` (``hospital status``, ``hospital conflicts``)."""
    return {
        "conflict_id": conflict.conflict_id,
        "detected_at": conflict.detected_at,
        "detected_by": conflict.detected_by,
        "outpatient_no": conflict.outpatient_no,
        "line_nos": list(conflict.line_nos),
        "offline": _side_data(conflict.offline),
        "other": _side_data(conflict.other),
        "handled": not conflict.open,
        "state": "obsolete" if conflict.obsolete else "open" if conflict.open else "handled",
        "handled_at": conflict.handled_at,
        "handled_by": conflict.handled_by,
        "handled_window": conflict.handled_window,
        "note": conflict.note,
        "summary": str(conflict_summary(conflict)),
        "advice": str(conflict_advice(conflict)),
    }


def _side_data(side: ConflictSide) -> dict[str, Any]:
    return {
        "window": side.window,
        "bill_id": side.bill_id,
        "settlements": [
            {
                "settlement_id": s.settlement_id,
                "operator_code": s.operator_code,
                "operator_name": s.operator_name,
                "settled_at": s.settled_at,
                "total": s.total,
                "fund": s.fund,
                "account": s.account,
                "cash": s.cash,
                "cancelled_by": s.cancelled_by,
                "cancelled_at_window": s.cancelled_at_window,
            }
            for s in side.settlements
        ],
    }


def conflicts_text(conflicts: Sequence[ClaimConflict], language: str) -> str:
    """Each conflict: the summary, both bills, what to do."""
    lines: list[str] = []
    if not any(c.open for c in conflicts):
        lines.append(render(words.NONE_OPEN(), language))
    for conflict in conflicts:
        lines.append(render(conflict_summary(conflict), language))
        lines.extend(
            "  " + render(side_text(side), language) for side in (conflict.offline, conflict.other)
        )
        lines.append("  → " + render(conflict_advice(conflict), language))
    return "\n".join(lines)
