"""The day close: 3201 totals, and 9101 upload → 3202 detail → 9102 result file (B §2.14)."""

from __future__ import annotations

import base64
import io
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from app.platform import outcomes
from app.platform.codec import ProtocolError, sanitise
from app.platform.envelope import china_time
from app.platform.fields import MAX_TEXT, node, text
from app.platform.files import FileTicket, cell_money, read_zipped_text, tab_rows
from app.platform.session import PlatformSession
from app.services.ports.platform import (
    CallContext,
    DetailRow,
    JournaledSend,
    StatementDetailRequest,
    StatementTotalRequest,
    StatementTotalResult,
)


def statement_total(
    session: PlatformSession, ctx: CallContext, request: StatementTotalRequest
) -> StatementTotalResult:
    """3201."""
    data = {
        "insutype": request.insurance_type,
        "clr_type": request.clearing_type,
        "setl_optins": request.clearing_agency,
        "stmt_begndate": request.begin.isoformat(),
        "stmt_enddate": request.end.isoformat(),
        "medfee_sumamt": request.total,
        "fund_pay_sumamt": request.fund,
        "acct_pay": request.account,
        "fixmedins_setl_cnt": str(request.count),
        "refd_setl_flag": "1" if request.include_refunds else "0",
    }
    return session.read(
        ctx.operator,
        ctx.insured_admdvs,
        "3201",
        lambda: {"data": data},
        lambda r: parse_statement_total(r.output),
    )


def parse_statement_total(output: Mapping[str, Any]) -> StatementTotalResult:
    """3201 ``stmtinfo`` → balanced or not (``stmt_rslt`` 0 = balanced)."""
    info = node(output, "stmtinfo")
    result = text(info, "stmt_rslt", 6)
    return StatementTotalResult(
        clearing_agency=text(info, "setl_optins", 6, required=False),
        balanced=result == "0",
        description=sanitise(text(info, "stmt_rslt_dscr", MAX_TEXT, required=False)),
    )


def statement_detail(
    session: PlatformSession,
    ctx: CallContext,
    request: StatementDetailRequest,
    journaled: JournaledSend,
) -> Sequence[DetailRow]:
    """9101 upload → 3202 → 9102 download; returns the classified result rows.

    9101 and 3202 leave a file and a reconciliation job on the platform (no money moves): they are
    sent once each under the caller's journal, never retried here; a failure raises and the day
    close is simply run again.
    """
    stamp = china_time(session.clock.now()).strftime("%Y%m%d%H%M%S")
    filename = f"{session.hospital.code}_{stamp}_stmt_detail.zip"
    upload = {
        "fsUploadIn": {
            "in": base64.b64encode(detail_file(request.rows)).decode("ascii"),
            "filename": filename,
            "fixmedins_code": session.hospital.code,
        }
    }
    upload_ctx = CallContext(ctx.operator, "")
    file_no = journaled(
        "9101",
        lambda msgid: session.write(
            upload_ctx, "9101", msgid, upload, lambda r: parse_upload(r.output)
        ),
    )
    data = {
        "setl_optins": request.clearing_agency,
        "file_qury_no": file_no,
        "stmt_begndate": request.begin.isoformat(),
        "stmt_enddate": request.end.isoformat(),
        "medfee_sumamt": request.total,
        "fund_pay_sumamt": request.fund,
        "cash_payamt": request.cash,
        "fixmedins_setl_cnt": str(len(request.rows)),
        "clr_type": request.clearing_type,
        "refd_setl_flag": "1" if request.include_refunds else "0",
        "exp_content": "",
    }
    ticket = journaled(
        "3202",
        lambda msgid: session.write(
            ctx, "3202", msgid, {"data": data}, lambda r: parse_file_info(r.output)
        ),
    )
    content = session.read_file(ctx.operator, ticket)
    try:
        return parse_result_file(content)
    except ProtocolError as exc:
        raise outcomes.unknown("9102", None, exc.reason, state_changing=False) from None


def parse_upload(output: Mapping[str, Any]) -> str:
    """9101 → ``file_qury_no`` (top level of ``output``)."""
    return text(output, "file_qury_no", 60)


def parse_file_info(output: Mapping[str, Any]) -> FileTicket:
    """3202 ``fileinfo`` → the result file's ticket."""
    info = node(output, "fileinfo")
    return FileTicket(text(info, "file_qury_no", 60), text(info, "filename", 200))


DETAIL_RESULT_COLUMNS = 10

STATEMENT_RESULTS = frozenset({"0", "1", "2", "3"})


def parse_result_file(content: bytes) -> tuple[DetailRow, ...]:
    """3202 result rows: psn_no, mdtrt_id, setl_id, msgid, stmt_rslt, refd_setl_flag, memo, amounts."""
    found: list[DetailRow] = []
    for cells in tab_rows(read_zipped_text(content)):
        if len(cells) != DETAIL_RESULT_COLUMNS:
            raise ProtocolError("result row does not have 10 columns")
        values = {"total": cells[7], "fund": cells[8], "account": cells[9]}
        amounts = {name: cell_money(value) for name, value in values.items()}
        if cells[4] not in STATEMENT_RESULTS:
            raise ProtocolError("stmt_rslt is not 0-3")
        found.append(
            DetailRow(
                person_no=cells[0][:30],
                visit_id=cells[1][:30],
                settlement_id=cells[2][:30],
                msgid=cells[3][:30],
                total=amounts["total"],
                fund=amounts["fund"],
                account=amounts["account"],
                refund=cells[5] == "1",
                result=cells[4],
                memo=sanitise(cells[6], 200),
            )
        )
    return tuple(found)


def detail_file(rows_: Iterable[DetailRow]) -> bytes:
    """The 9101 upload for 3202: a zip holding one tab-separated text file.

    Columns: setl_id, mdtrt_id, psn_no, medfee_sumamt, fund_pay_sumamt, acct_pay, refd_setl_flag.
    """
    lines = [
        "\t".join(
            (
                row.settlement_id,
                row.visit_id,
                row.person_no,
                format(row.total, "f"),
                format(row.fund, "f"),
                format(row.account, "f"),
                "1" if row.refund else "0",
            )
        )
        for row in rows_
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("stmt_detail.txt", ("\n".join(lines) + "\n").encode("utf-8"))
    return buffer.getvalue()
