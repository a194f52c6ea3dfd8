"""``settlement-window hospital report shift``: the supervisor's hospital-wide shift report (issue 18).

The figures of every window (or of ``--window W``) and every cashier (or of ``--cashier CODE``),
per window and per operator, read from the hospital record in PostgreSQL; shown as text
(``--format text``, the default) or written as the printable PDF (``--format a4`` / ``thermal80``) to
``--output`` or to ``<data folder>/reports/``. Supervisors only; every PDF is audited at this window
like a receipt (a second PDF of the same report is a 补打).
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path
from typing import Any

from app.cli.context import CliContext
from app.cli.output import EXIT_OK
from app.cli.shift_report import (
    FORMATS,
    _tally_text,
    print_report,
    report_json,
    shift_report_text,
)
from app.domain.operator import Operator
from app.errors import InputError
from app.messages import console as words
from app.messages import console_errors as errors
from app.services.engine import Engine
from app.services.hospital_use_cases import HOSPITAL_REPORT_NO  # JB-HOSP-<day>-…
from app.services.shift_report import RenderedShiftReport, parse_clock_time, report_no
from app.wiring import hospital_database, hospital_link


def register_actions(actions: Any) -> None:
    """Add ``report shift`` to the ``hospital`` actions."""
    report = actions.add_parser("report", help="全院报表：全院交班表（分窗口、分收费员）")
    kinds = report.add_subparsers(dest="hospital_report", metavar="REPORT", required=True)
    shift = kinds.add_parser(
        "shift",
        help="全院交班表：各窗口、各收费员的收费、退费、票据号与全院对账结果（收费主管）",
        description="全院交班表：从医院数据库读取各窗口的记录，分窗口、分收费员小计（收费主管）。",
    )
    shift.add_argument("--operator", metavar="CODE", help="收费主管工号（或环境变量 SW_OPERATOR）")
    shift.add_argument("--date", metavar="YYYY-MM-DD", help="日期（默认今天）")
    shift.add_argument("--window", metavar="W", help="只看这个窗口（默认全院）")
    shift.add_argument("--cashier", metavar="CODE", help="只看这位收费员（默认全部）")
    shift.add_argument("--from", dest="start", metavar="HH:MM", help="班次开始（默认 00:00）")
    shift.add_argument("--to", dest="end", metavar="HH:MM", help="班次结束（默认 24:00）")
    shift.add_argument(
        "--format", choices=FORMATS, default="text", help="text（屏幕）、a4 或 thermal80（PDF）"
    )
    shift.add_argument("--output", metavar="FILE", help="PDF 保存位置（默认数据目录 reports/）")
    shift.set_defaults(handler=run_shift)


def require_hospital_mode(engine: Engine) -> Engine:
    """``engine``, whose ``hospital_*`` use cases are there; a stand-alone window's configuration
    error otherwise."""
    if not engine.in_hospital_mode():
        hospital_database(engine.settings.hospital_db)  # raises: hospital mode is off
        raise AssertionError("hospital mode without a hospital record")  # pragma: no cover
    return engine


def _day(text: str | None, default: date) -> date:
    try:
        return date.fromisoformat(text) if text else default
    except ValueError:
        raise InputError(errors.BAD_DATE(text=text), code="usage") from None


def run_shift(args: argparse.Namespace, context: CliContext) -> int:
    """Show or print the hospital-wide shift report."""
    if args.output and args.format == "text":
        raise InputError(errors.OUTPUT_NEEDS_PDF(), code="usage")
    viewer = context.operator()
    engine = context.engine(recover=False)
    require_hospital_mode(engine)
    report = engine.hospital_shift_report(
        viewer,
        _day(args.date, engine.today()),
        args.window,
        args.cashier,
        start=parse_clock_time(args.start, errors.SHIFT_START()) if args.start else None,
        end=parse_clock_time(args.end, errors.SHIFT_END()) if args.end else None,
    )
    scope = report.scope
    number = report_no(scope, "+".join(sorted(scope.windows)) or HOSPITAL_REPORT_NO)
    text = shift_report_text(
        report, number, context.out.language, title=words.HOSPITAL_SHIFT_REPORT_TITLE
    )
    language = context.out.language
    text += f"\n{words.BY_WINDOW().render(language)}\n" + "\n".join(
        _tally_text(words.WINDOW(window=window).render(language), tally, language)
        for window, tally in report.by_window()
    )
    if args.format == "text":
        context.out.result({"shift_report": report_json(report, number)}, text)
        return EXIT_OK
    printed, path = print_report(
        context,
        engine.render_hospital_shift_report,
        report,
        viewer,
        layout=args.format,
        output=args.output,
    )
    context.out.result(
        {
            "shift_report": report_json(report, printed.sheet.report_no),
            "pdf": str(path),
            "report_no": printed.sheet.report_no,
            "print_no": printed.sheet.print_no,
        },
        f"{text}\n{_printed_text(printed, path, language)}",
    )
    return EXIT_OK


def print_hospital_day(
    context: CliContext, supervisor: Operator, day: date, layout: str, output: str | None
) -> tuple[dict[str, Any], str]:
    """``hospital day-close --print``: the whole hospital's report of ``day`` as PDF, after this
    window delivered its day close (the report states the reconciliation it reads from there).

    Returns the JSON fields and the text line to add to the day close's own output.
    """
    engine = context.engine(recover=False)
    link = hospital_link(engine)
    if link is not None:
        try:
            link.sync.drain()
        finally:
            link.close()
    require_hospital_mode(engine)
    report = engine.hospital_shift_report(supervisor, day)
    printed, path = print_report(
        context,
        engine.render_hospital_shift_report,
        report,
        supervisor,
        layout=layout,
        output=output,
    )
    return (
        {
            "pdf": str(path),
            "report_no": printed.sheet.report_no,
            "print_no": printed.sheet.print_no,
        },
        _printed_text(printed, path, context.out.language),
    )


def _printed_text(printed: RenderedShiftReport, path: Path, language: str) -> str:
    print_no = printed.sheet.print_no
    again = "" if print_no == 1 else words.PRINTED_AGAIN(print_no=print_no)
    return words.HOSPITAL_PRINTED(report_no=printed.sheet.report_no, path=path, again=again).render(
        language
    )
