"""``settlement-window report shift`` and ``day-close --print``: the shift report (收费员日结单 / 交班表).

``report shift`` shows a shift's figures (``--format text``, the default) or writes the printable PDF
(``--format a4`` or ``thermal80``) to ``--output`` or to ``<data folder>/reports/``. A cashier gets
their own shift; a supervisor anyone's (``--cashier CODE``) or everyone's at this window. Every PDF
is audited like a receipt (``shift_report_print``; a second PDF of the same shift is a 补打).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from app.cli.context import CliContext
from app.cli.formatting import category_text, entry_label
from app.cli.output import EXIT_OK
from app.domain.money import format_yuan
from app.domain.operator import Operator
from app.domain.receipt import local_time_text
from app.domain.shift_report import ShiftReport, Tally
from app.errors import InputError
from app.messages import CHINESE, Template
from app.messages import console as words
from app.messages import console_errors as errors
from app.messages import shift_report as shift_words
from app.printing.shift_report_pdf import SHIFT_LAYOUTS, ShiftReportPdf, save_pdf
from app.services.shift_report import (
    RenderedShiftReport,
    ShiftReportRenderer,
    parse_clock_time,
    report_no,
)

# Renders a report for printing and audits the print: the engine's (this window's) or, for the
# hospital-wide report, the hospital renderer's.
Render = Callable[[ShiftReport, Operator, ShiftReportRenderer], RenderedShiftReport]

FORMATS = ("text", *SHIFT_LAYOUTS)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``report shift``."""
    parser = subparsers.add_parser(
        "report", help="报表：交班表（收费员日结单）", description="报表"
    )
    kinds = parser.add_subparsers(dest="report", metavar="REPORT", required=True)
    shift = kinds.add_parser(
        "shift",
        help="交班表（收费员日结单）：本班收费、退费、票据号与对账结果",
        description="交班表：收费员看本人的班次，收费主管可看任一收费员或本窗口全部。",
    )
    shift.add_argument("--operator", metavar="CODE", help="登录工号（或环境变量 SW_OPERATOR）")
    shift.add_argument(
        "--cashier", metavar="CODE", help="查看哪位收费员（仅收费主管；默认本人，主管默认全部）"
    )
    shift.add_argument("--date", metavar="YYYY-MM-DD", help="日期（默认今天）")
    shift.add_argument("--from", dest="start", metavar="HH:MM", help="班次开始（默认 00:00）")
    shift.add_argument("--to", dest="end", metavar="HH:MM", help="班次结束（默认 24:00）")
    shift.add_argument(
        "--format", choices=FORMATS, default="text", help="text（屏幕）、a4 或 thermal80（PDF）"
    )
    shift.add_argument("--output", metavar="FILE", help="PDF 保存位置（默认数据目录 reports/）")
    shift.set_defaults(handler=run)


def add_print_options(parser: argparse.ArgumentParser) -> None:
    """``--print``, ``--format`` and ``--output`` for ``day-close``."""
    parser.add_argument(
        "--print", action="store_true", help="日结后生成全天交班表 PDF（全部收费员，分人小计）"
    )
    parser.add_argument(
        "--format", choices=SHIFT_LAYOUTS, default="a4", help="交班表版式：a4 或 thermal80"
    )
    parser.add_argument("--output", metavar="FILE", help="交班表 PDF 保存位置")


def run(args: argparse.Namespace, context: CliContext) -> int:
    """Show or print a shift report."""
    if args.output and args.format == "text":
        raise InputError(errors.OUTPUT_NEEDS_PDF(), code="usage")
    viewer = context.operator()
    engine = context.engine()
    report = engine.shift_report(
        viewer,
        _day(args.date, engine.today()),
        operator_code=args.cashier,
        start=parse_clock_time(args.start, errors.SHIFT_START()) if args.start else None,
        end=parse_clock_time(args.end, errors.SHIFT_END()) if args.end else None,
    )
    if args.format == "text":
        number = report_no(report.scope, engine.settings.window.device_no)
        context.out.result(
            {"shift_report": report_json(report, number)},
            shift_report_text(report, number, context.out.language),
        )
        return EXIT_OK
    printed, path = print_report(
        context, engine.render_shift_report, report, viewer, layout=args.format, output=args.output
    )
    context.out.result(
        {
            "shift_report": report_json(report, printed.sheet.report_no),
            **_printed_json(printed, path),
        },
        shift_report_text(report, printed.sheet.report_no, context.out.language)
        + "\n"
        + _printed_text(printed, path, context.out.language),
    )
    return EXIT_OK


def print_day(
    context: CliContext, supervisor: Operator, day: date, layout: str, output: str | None
) -> tuple[dict[str, Any], str]:
    """``day-close --print``: the whole day's report of every cashier at this window, as PDF.

    Returns the JSON fields and the text lines to add to the day close's own output.
    """
    engine = context.engine()
    report = engine.shift_report(supervisor, day)
    printed, path = print_report(
        context, engine.render_shift_report, report, supervisor, layout=layout, output=output
    )
    return _printed_json(printed, path), _printed_text(printed, path, context.out.language)


def print_report(
    context: CliContext,
    render: Render,
    report: ShiftReport,
    viewer: Operator,
    *,
    layout: str,
    output: str | None,
) -> tuple[RenderedShiftReport, Path]:
    """Render (audited) and save the PDF; returns it and where it was saved."""
    printed = render(report, viewer, ShiftReportPdf(layout))
    if output:
        target = Path(output)
    else:
        suffix = "" if printed.sheet.print_no == 1 else f"_{printed.sheet.print_no}"
        target = context.data_dir() / "reports" / f"{printed.sheet.report_no}{suffix}.pdf"
    return printed, save_pdf(printed.pdf, target)


def _day(text: str | None, today: date) -> date:
    if not text:
        return today
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(errors.BAD_DATE(text=text), code="usage") from None


def _printed_json(printed: RenderedShiftReport, path: Path) -> dict[str, Any]:
    return {
        "pdf": str(path),
        "report_no": printed.sheet.report_no,
        "print_no": printed.sheet.print_no,
        "changed_since_first": printed.sheet.changed_since_first,
    }


def _printed_text(printed: RenderedShiftReport, path: Path, language: str = CHINESE) -> str:
    sheet = printed.sheet
    again = "" if sheet.print_no == 1 else words.PRINTED_AGAIN(print_no=sheet.print_no)
    changed = words.PRINTED_CHANGED() if sheet.changed_since_first else ""
    return words.PRINTED(report_no=sheet.report_no, path=path, again=again, changed=changed).render(
        language
    )


# ------------------------------------------------------------------ text and JSON

_RECONCILIATION: dict[str, Template] = {
    "balanced": shift_words.RECONCILED_BALANCED,
    "unbalanced": shift_words.RECONCILED_UNBALANCED,
    "not_closed": shift_words.NOT_CLOSED,
}


def _tally_text(label: str, tally: Tally, language: str = CHINESE) -> str:
    a = tally.amounts
    return words.TALLY(
        label=label,
        count=tally.count,
        total=format_yuan(a.total),
        fund=format_yuan(a.fund),
        account=format_yuan(a.account),
        cash=format_yuan(a.cash),
    ).render(language)


def shift_report_text(
    report: ShiftReport,
    number: str,
    language: str = CHINESE,
    *,
    title: Template = words.SHIFT_REPORT_TITLE,
) -> str:
    """The report for a terminal (Chinese, or English with ``[ui] language = "en"``)."""
    scope = report.scope
    total = report.total
    lines = [
        title(number=number).render(language),
        words.SHIFT_SPAN(start=local_time_text(scope.start), end=local_time_text(scope.end)).render(
            language
        ),
        words.BY_KIND().render(language),
        *(
            _tally_text(entry_label(kind.value, kind.label, language), tally, language)
            for kind, tally in report.by_kind
        ),
        words.BY_CATEGORY().render(language),
        *(
            _tally_text(
                category_text(category.category, category.disease_code, language), tally, language
            )
            for category, tally in report.by_category
        ),
        _tally_text(words.TOTAL().render(language), total, language),
        words.CASH_TO_HAND_IN(amount=format_yuan(total.amounts.cash)).render(language),
        words.REVERSALS(
            count=len(report.reversals), amount=format_yuan(report.reversed_amount)
        ).render(language),
    ]
    receipts = report.receipts
    lines.append(words.RECEIPTS(issued=receipts.issued, copies=receipts.copies).render(language))
    lines += [
        "  "
        + (
            r.first
            if r.count == 1
            else shift_words.RECEIPT_RANGE(first=r.first, last=r.last, count=r.count).render(
                language
            )
        )
        for r in receipts.ranges
    ]
    lines += [
        words.RECEIPT_VOIDED(old=old, new=new).render(language) for old, new in receipts.voided
    ]
    state = report.reconciliation.state
    reconciliation = _RECONCILIATION.get(state.value)
    lines.append(
        words.RECONCILIATION(
            state=reconciliation() if reconciliation is not None else state.label
        ).render(language)
    )
    changed = report.reconciliation.changed_words()
    if changed is not None:  # the close cited no longer covers the day: never read as balanced
        lines.append(words.RECONCILIATION(state=changed).render(language))
    if len(report.sections) > 1:
        lines.append(words.SECTIONS().render(language))
        lines += [
            _tally_text(f"{s.window} {s.operator_code}", s.total, language) for s in report.sections
        ]
    return "\n".join(lines)


def _tally_json(tally: Tally) -> dict[str, Any]:
    a = tally.amounts
    return {
        "count": tally.count,
        "total": str(a.total),
        "fund": str(a.fund),
        "account": str(a.account),
        "cash": str(a.cash),
        "hospital": str(a.hospital),
    }


def _when(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def report_json(report: ShiftReport, number: str) -> dict[str, Any]:
    """The report for machines (amounts as exact strings)."""
    scope = report.scope
    return {
        "report_no": number,
        "day": scope.day.isoformat(),
        "start": scope.start.isoformat(),
        "end": scope.end.isoformat(),
        "operators": sorted(scope.operators),
        "total": _tally_json(report.total),
        "by_kind": [
            {"kind": kind.value, "label": kind.label, **_tally_json(t)}
            for kind, t in report.by_kind
        ],
        "by_category": [
            {
                "category": c.category.value,
                "disease_code": c.disease_code,
                "label": c.label,
                **_tally_json(t),
            }
            for c, t in report.by_category
        ],
        "insured": [
            {
                "insurance_type": g.insurance_type,
                "clearing_type": g.clearing_type,
                "clearing_agency": g.clearing_agency,
                **_tally_json(Tally(g.count, g.amounts)),
            }
            for g in report.insured
        ],
        "reversals": [
            {
                "msgid": r.msgid,
                "bill_id": r.bill_id,
                "operator": r.operator_code,
                "at": r.at.isoformat(),
                "amount": str(r.amount),
            }
            for r in report.reversals
        ],
        "receipts": {
            "issued": report.receipts.issued,
            "copies": report.receipts.copies,
            "ranges": [
                {"first": r.first, "last": r.last, "count": r.count} for r in report.receipts.ranges
            ],
            "voided": [{"receipt_no": a, "replaced_by": b} for a, b in report.receipts.voided],
            "reissued": [{"receipt_no": a, "replaces": b} for a, b in report.receipts.reissued],
        },
        "reconciliation": {
            "state": report.reconciliation.state.value,
            "closed_at": _when(report.reconciliation.closed_at),
            "closed_by": report.reconciliation.closed_by,
            "covers_day": report.reconciliation.covers_day,
            "changed_after_close": {
                "count": report.reconciliation.changed_count,
                "total": str(report.reconciliation.changed_total),
            },
        },
        "sections": [
            {"window": s.window, "operator": s.operator_code, **_tally_json(s.total)}
            for s in report.sections
        ],
    }
