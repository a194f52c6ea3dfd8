"""``settlement-window settle --bill FILE``: settle a visit handed over by the HIS."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from app.cli.context import CliContext
from app.cli.formatting import bill_text, group_label_text, settled_split, totals_text
from app.cli.output import EXIT_OK, EXIT_REJECTED, EXIT_UNKNOWN
from app.domain.bill import general_lines_without_diagnosis
from app.domain.visit import GroupState
from app.errors import InputError
from app.messages import Listing
from app.messages import console_errors as errors
from app.services.bill_import import ImportedVisit, load_visit
from app.services.settlement import BillResult, GroupResult


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``settle`` subcommand."""
    parser = subparsers.add_parser(
        "settle",
        help="按 HIS 账单文件结算（见 docs/bill-format.md）",
        description="读取账单文件，查询资格，分组预结算并结算。",
    )
    parser.add_argument("--bill", metavar="FILE", type=Path, required=True, help="账单 JSON 文件")
    parser.add_argument("--yes", action="store_true", help="不逐组确认预结算结果，直接结算")
    parser.add_argument(
        "--no-account",
        dest="use_account",
        action="store_false",
        help="患者不使用个人账户支付（acct_used_flag=0），个人负担部分全部付现金；"
        "默认有个人账户的险种使用个人账户",
    )
    parser.add_argument("--operator", metavar="CODE", help="操作员工号（或环境变量 SW_OPERATOR）")
    parser.set_defaults(handler=run)


_NEEDS_YES = errors.NEEDS_YES()


def _asker(language: str) -> Callable[[GroupResult], bool]:
    """The cashier confirms a group's 2206 preview at the terminal. The question goes to stderr:
    under ``--json`` stdout holds one JSON document only."""

    def ask(group: GroupResult) -> bool:
        if not sys.stdin.isatty():
            raise InputError(_NEEDS_YES, code="usage")
        preview = totals_text(group.preview, language) if group.preview is not None else ""
        label = group_label_text(group, language)
        question = errors.PROMPT_PREVIEW(label=label, preview=preview).render(language)
        sys.stderr.write(question)
        sys.stderr.flush()
        return sys.stdin.readline().strip().lower() in ("y", "yes", "是")

    return ask


def _refuse_general_lines_without_diagnosis(visit: ImportedVisit) -> None:
    """2203 of a general-outpatient group names the visit's diagnosis (a chronic group names its
    disease): without one that group would be refused by the platform after the others settled."""
    general = general_lines_without_diagnosis(visit.lines, visit.diagnosis_code)
    if general:
        raise InputError(errors.NEEDS_DIAGNOSIS(lines=Listing(tuple(general))), code="usage")


def exit_code_of(bill: BillResult) -> int:
    """5 if any group's outcome is unknown, 3 if any failed, else 0."""
    states = {g.state for g in bill.groups}
    if GroupState.UNKNOWN in states:
        return EXIT_UNKNOWN
    if GroupState.FAILED in states:
        return EXIT_REJECTED
    return EXIT_OK


def run(args: argparse.Namespace, context: CliContext) -> int:
    """Load, identify, settle, print."""
    if not args.yes and not sys.stdin.isatty():
        raise InputError(_NEEDS_YES, code="usage")  # before anything is sent, not at 2206
    visit = load_visit(args.bill)
    _refuse_general_lines_without_diagnosis(visit)
    operator = context.operator()
    bill = context.engine().settle_visit(
        visit,
        operator,
        None if args.yes else _asker(context.out.language),
        use_account=args.use_account,
    )
    code = exit_code_of(bill)
    # A group refused (3) or unknown (5) is not a success, even when other groups settled.
    context.out.result(
        {
            "exit_code": code,
            "bill": bill,
            "cash_due": bill.cash_due,
            "settled": settled_split(bill),
        },
        bill_text(bill, context.out.language),
        ok=code == EXIT_OK,
    )
    return code
