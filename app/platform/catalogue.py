"""Catalogues: 1301/1305/1306 file downloads (via 9102) and the 1312 paged query (B §2.15)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from app.platform import outcomes
from app.platform.codec import CONTROL_CHARACTERS, ProtocolError
from app.platform.envelope import wire_date
from app.platform.fields import rows, text
from app.platform.files import FileTicket, read_zipped_text, tab_rows
from app.platform.session import PlatformSession
from app.services.ports.platform import CallContext, CataloguePage

CATALOGUE_DOWNLOADS = frozenset({"1301", "1305", "1306"})


def download_catalogue(
    session: PlatformSession, ctx: CallContext, infno: str, version: str
) -> CataloguePage:
    """1301/1305/1306 via 9102."""
    if infno not in CATALOGUE_DOWNLOADS:
        raise ValueError(f"not a catalogue download: {infno}")
    data = {"ver": version or "0"}
    ticket = session.read(
        ctx.operator,
        "",
        infno,
        lambda: {"data": data},
        lambda r: parse_catalogue_ticket(r.output),
    )
    content = session.read_file(ctx.operator, ticket)
    try:
        page = parse_catalogue_file(content)
    except ProtocolError as exc:
        raise outcomes.unknown(infno, None, exc.reason, state_changing=False) from None
    if ticket.rows is not None and ticket.rows != len(page.rows):
        raise outcomes.unknown(infno, None, "row count differs from data_cn", state_changing=False)
    return page


def parse_catalogue_ticket(output: Mapping[str, Any]) -> FileTicket:
    """1301/1305/1306 → the catalogue file's ticket and row count."""
    count = output.get("data_cn")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise ProtocolError("data_cn is not a row count")
    return FileTicket(text(output, "file_qury_no", 60), text(output, "filename", 200), count)


CATALOGUE_FILE_COLUMNS = (
    "med_list_codg", "name", "pinyin", "spec", "unit", "med_chrgitm_type", "chrgitm_lv",
    "selfpay_prop", "pric_uplmt_amt", "lmt_used_flag", "list_type", "vali_flag", "begndate",
    "enddate", "ver",
)  # fmt: skip

_MAX_CELL = 1000


def parse_catalogue_file(content: bytes) -> CataloguePage:
    """A 130x download → rows keyed by :data:`CATALOGUE_FILE_COLUMNS`; version = highest ``ver``."""
    found: list[dict[str, str]] = []
    for cells in tab_rows(read_zipped_text(content)):
        if len(cells) < len(CATALOGUE_FILE_COLUMNS):
            raise ProtocolError("catalogue row has too few columns")
        if any(len(cell) > _MAX_CELL for cell in cells):
            raise ProtocolError("catalogue cell is too long")
        found.append(dict(zip(CATALOGUE_FILE_COLUMNS, cells, strict=False)))
    version = max((row["ver"] for row in found), default="")
    return CataloguePage(rows=tuple(found), version=version)


def query_catalogue(
    session: PlatformSession, ctx: CallContext, page: int, page_size: int
) -> CataloguePage:
    """1312 paged query."""
    data = {
        "query_date": wire_date(session.clock.now()),
        "page_num": str(page),
        "page_size": str(page_size),
    }
    return session.read(
        ctx.operator,
        "",
        "1312",
        lambda: {"data": data},
        lambda r: parse_catalogue_page(r.output),
    )


def parse_catalogue_page(output: Mapping[str, Any]) -> CataloguePage:
    """1312 → one page of rows (values as text) and the page count."""
    pages = output.get("pages")
    if isinstance(pages, bool) or not isinstance(pages, int) or pages < 0:
        raise ProtocolError("pages is not a page count")
    found: list[dict[str, str]] = []
    for row in rows(output, "data", required=False):
        found.append({key: _cell_text(key, value) for key, value in row.items()})
        if not found[-1].get("hilist_code"):
            raise ProtocolError("catalogue row has no hilist_code")
    extra = {"recordCounts": str(output.get("recordCounts", ""))[:12]}
    return CataloguePage(rows=tuple(found), total_pages=pages, extra=extra)


def _cell_text(key: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ProtocolError(f"{key} is not finite")
        return format(value, "f")
    if isinstance(value, int | str):
        cell = str(value)
        if len(cell) > _MAX_CELL or cell != cell.translate(CONTROL_CHARACTERS):
            raise ProtocolError(f"{key} is not a plain text cell")
        return cell
    raise ProtocolError(f"{key} is not a scalar")
