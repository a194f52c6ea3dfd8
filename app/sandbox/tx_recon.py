"""Day close (3201, 3202 with 9101/9102) and the catalogue (1312 paged query, 1301/1305/1306 files)."""

from __future__ import annotations

import base64
import binascii
import io
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from app.domain.money import from_fen, money_sum
from app.sandbox import fields
from app.sandbox.core import Context, FileReply, Output
from app.sandbox.data import CatalogueItem
from app.sandbox.fields import Rejected
from app.sandbox.state import FileRow, SettlementRow, next_number

CATALOGUE_LIST_TYPES = {
    "1301": ("101", "西药中成药"),
    "1305": ("201", "医疗服务项目"),
    "1306": ("301", "医用耗材"),
}
MAX_PAGE_SIZE = 1000


def _period(d: Any) -> tuple[date, date]:
    begin = fields.day(d, "stmt_begndate", "对账开始日期")
    end = fields.day(d, "stmt_enddate", "对账结束日期")
    assert begin is not None
    assert end is not None
    if end < begin:
        raise Rejected("对账结束日期不能早于开始日期")
    return begin, end


def _count(d: Any, name: str, what: str) -> int:
    value = fields.text(d, name, what, 10)
    if not value.isdigit():
        raise Rejected(f"{what}（{name}）必须是非负整数")
    return int(value)


def ledger_rows(
    ctx: Context, begin: date, end: date, clr_type: str, optins: str,
    *, insutype: str | None, include_refunds: bool,
) -> list[SettlementRow]:  # fmt: skip
    """Ledger rows of a reconciliation group; reversed rows never count."""
    query = select(SettlementRow).where(
        SettlementRow.setl_date >= begin.isoformat(),
        SettlementRow.setl_date <= end.isoformat(),
        SettlementRow.clr_type == clr_type,
        SettlementRow.clr_optins == optins,
        SettlementRow.status != "reversed",
    )
    if insutype:
        query = query.where(SettlementRow.insutype == insutype)
    rows = list(ctx.session.scalars(query.order_by(SettlementRow.setl_time)))
    if include_refunds:
        return rows
    return [row for row in rows if row.infno == "2207" and row.status == "settled"]


def reconcile_totals(ctx: Context) -> Output:
    """3201: compare the hospital's totals of one insutype × clr_type × setl_optins with the ledger."""
    d = ctx.data()
    insutype = fields.text(d, "insutype", "险种类型", 6)
    clr_type = fields.text(d, "clr_type", "清算类别", 30)
    optins = fields.text(d, "setl_optins", "结算经办机构", 6)
    begin, end = _period(d)
    medfee = fields.money(d, "medfee_sumamt", "医疗费总额")
    fund = fields.money(d, "fund_pay_sumamt", "基金支付总额")
    account = fields.money(d, "acct_pay", "个人账户支出")
    count = _count(d, "fixmedins_setl_cnt", "定点医药机构结算笔数")
    refunds = fields.flag(d, "refd_setl_flag", "退费结算标志")
    rows = ledger_rows(
        ctx, begin, end, clr_type, optins, insutype=insutype, include_refunds=refunds == "1"
    )
    ours = (
        from_fen(sum(r.medfee_fen for r in rows)),
        from_fen(sum(r.fund_fen for r in rows)),
        from_fen(sum(r.account_fen for r in rows)),
        len(rows),
    )
    balanced = ours == (medfee, fund, account, count)
    text = "对账平衡" if balanced else (
        f"对账不平：平台医疗费总额 {ours[0]}、基金支付 {ours[1]}、个人账户 {ours[2]}、笔数 {ours[3]}；"
        f"机构上报 {medfee}、{fund}、{account}、{count}"
    )  # fmt: skip
    return {
        "stmtinfo": {
            "setl_optins": optins,
            "stmt_rslt": "0" if balanced else "1",
            "stmt_rslt_dscr": text,
        }
    }


def upload_file(ctx: Context) -> Output:
    """9101: store an uploaded file (Base64 text or an array of byte values)."""
    d = fields.node(ctx.input, "fsUploadIn", "文件上传信息")
    filename = fields.text(d, "filename", "文件名", 200)
    fields.text(d, "fixmedins_code", "定点医药机构编号", 30)
    content = _file_bytes(d.get("in"))
    number = _store_file(ctx, filename, content)
    return {"file_qury_no": number, "filename": filename, "dld_endtime": _deadline(ctx)}


def _file_bytes(value: object) -> bytes:
    if isinstance(value, str) and value:
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise Rejected("文件内容（in）不是有效的 Base64 编码") from None
    if (
        isinstance(value, list)
        and value
        and all(isinstance(b, int) and not isinstance(b, bool) for b in value)
    ):
        if not all(-128 <= b <= 255 for b in value):
            raise Rejected("文件内容（in）中的字节值超出范围")
        return bytes(b % 256 for b in value)
    raise Rejected("文件内容（in）不能为空")


def _store_file(ctx: Context, filename: str, content: bytes) -> str:
    number = (
        f"{ctx.platform.hospital.code}{ctx.now:%Y%m%d%H%M%S}{next_number(ctx.session, 'file'):06d}"
    )
    ctx.session.add(
        FileRow(
            file_qury_no=number,
            filename=filename,
            content=content,
            created=f"{ctx.now:%Y-%m-%d %H:%M:%S}",
        )
    )
    return number


def _deadline(ctx: Context) -> str:
    return f"{ctx.now + timedelta(days=1):%Y-%m-%d %H:%M:%S}"


@dataclass(frozen=True)
class _UploadedRow:
    setl_id: str
    mdtrt_id: str
    psn_no: str
    medfee: Decimal
    fund: Decimal
    account: Decimal
    refund_flag: str


def _read_detail_file(content: bytes) -> list[_UploadedRow]:
    text = _unzip_text(content)
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 7:
            raise Rejected(
                f"对账明细文件第 {number} 行应有 7 列（制表符分隔），实际 {len(parts)} 列"
            )
        try:
            medfee, fund, account = (Decimal(p) for p in parts[3:6])
        except InvalidOperation:
            raise Rejected(f"对账明细文件第 {number} 行金额格式错误") from None
        rows.append(_UploadedRow(parts[0], parts[1], parts[2], medfee, fund, account, parts[6]))
    return rows


def _unzip_text(content: bytes) -> str:
    if zipfile.is_zipfile(io.BytesIO(content)):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = archive.namelist()
            if not names:
                raise Rejected("对账明细压缩文件为空")
            content = archive.read(names[0])
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("gbk", errors="replace")


def reconcile_details(ctx: Context) -> Output:
    """3202: compare the uploaded detail file with the ledger; the result file waits for 9102."""
    d = ctx.data()
    optins = fields.text(d, "setl_optins", "结算经办机构", 6)
    number = fields.text(d, "file_qury_no", "文件查询号", 60)
    begin, end = _period(d)
    medfee = fields.money(d, "medfee_sumamt", "医疗费总额")
    fund = fields.money(d, "fund_pay_sumamt", "基金支付总额")
    fields.money(d, "cash_payamt", "现金支付金额")
    count = _count(d, "fixmedins_setl_cnt", "定点医药机构结算笔数")
    clr_type = fields.text(d, "clr_type", "清算类别", 30)
    fields.flag(d, "refd_setl_flag", "退费结算标志")
    stored = ctx.session.get(FileRow, number)
    if stored is None:
        raise Rejected(f"文件查询号 {number} 不存在，请先用 9101 上传对账明细文件")
    uploaded = _read_detail_file(stored.content)
    if (
        len(uploaded) != count
        or money_sum(r.medfee for r in uploaded) != medfee
        or money_sum(r.fund for r in uploaded) != fund
    ):
        raise Rejected("3202 上报的医疗费总额、基金支付总额或笔数与上传的明细文件合计不一致")
    ledger = ledger_rows(ctx, begin, end, clr_type, optins, insutype=None, include_refunds=True)
    result = "\n".join("\t".join(row) for row in _compare(uploaded, ledger)) + "\n"
    name = f"stmt_result_{number}.txt"
    zipped = _zip(name, result)
    result_no = _store_file(ctx, name.replace(".txt", ".zip"), zipped)
    return {
        "fileinfo": {
            "file_qury_no": result_no,
            "filename": name.replace(".txt", ".zip"),
            "dld_endtime": _deadline(ctx),
        }
    }


def _compare(
    uploaded: Sequence[_UploadedRow], ledger: Sequence[SettlementRow]
) -> Iterable[tuple[str, ...]]:
    by_id = {row.setl_id: row for row in uploaded}
    for row in ledger:
        theirs = by_id.pop(row.setl_id, None)
        ours = (from_fen(row.medfee_fen), from_fen(row.fund_fen), from_fen(row.account_fen))
        refund = "1" if row.infno == "2208" else "0"
        if theirs is None:
            result, memo = "1", "中心多：平台有此结算，医药机构未上报"
        elif (theirs.medfee, theirs.fund, theirs.account) != ours:
            result, memo = "3", "数据不一致：金额不同"
        else:
            result, memo = "0", "对平"
        yield (
            row.psn_no,
            row.mdtrt_id,
            row.setl_id,
            row.msgid,
            result,
            refund,
            memo,
            *map(str, ours),
        )
    for extra in by_id.values():
        yield (
            extra.psn_no, extra.mdtrt_id, extra.setl_id, "", "2", extra.refund_flag,
            "医药机构多：平台无此结算", str(extra.medfee), str(extra.fund), str(extra.account),
        )  # fmt: skip


def _zip(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, text.encode("utf-8"))
    return buffer.getvalue()


def download_file(ctx: Context) -> Output:
    """9102: the bytes of a prepared file (application/octet-stream)."""
    d = fields.node(ctx.input, "fsDownloadIn", "文件下载信息")
    number = fields.text(d, "file_qury_no", "文件查询号", 60)
    fields.text(d, "filename", "文件名", 200)
    fields.text(d, "fixmedins_code", "定点医药机构编号", 30)
    stored = ctx.session.get(FileRow, number)
    if stored is None:
        raise Rejected(f"文件查询号 {number} 对应的文件不存在或已过下载期限")
    return FileReply(filename=stored.filename, content=stored.content)


def catalogue_file(ctx: Context) -> Output:
    """1301/1305/1306: prepare the catalogue file from version ``ver`` on; fetch it with 9102."""
    ver = fields.text(ctx.data(), "ver", "版本号", 30)
    list_type, label = CATALOGUE_LIST_TYPES[ctx.infno]
    items = [
        item for item in ctx.platform.catalogue.items.values()
        if item.list_type == list_type and (ver == "0" or item.version > ver)
    ]  # fmt: skip
    text = "".join("\t".join(_catalogue_columns(item)) + "\n" for item in items)
    name = f"{ctx.infno}_{label}_{ver}.txt"
    number = _store_file(ctx, "plc", _zip(name, text))
    return {
        "file_qury_no": number,
        "filename": "plc",
        "dld_end_time": _deadline(ctx),
        "data_cn": len(items),
    }


def _catalogue_columns(item: CatalogueItem) -> tuple[str, ...]:
    def value(v: object) -> str:
        return "null" if v is None or v == "" else str(v)

    return tuple(
        value(v)
        for v in (
            item.med_list_codg, item.name, item.pinyin, item.spec, item.unit, item.med_chrgitm_type,
            item.chrgitm_lv, item.selfpay_prop, item.price_ceiling, "1" if item.restricted else "0",
            item.list_type, "1", "2026-01-01", None, item.version,
        )
    )  # fmt: skip


def query_catalogue(ctx: Context) -> Output:
    """1312: the paged catalogue query."""
    d = ctx.data()
    page_num = _count(d, "page_num", "当前页数")
    page_size = _count(d, "page_size", "本页数据量")
    if page_num < 1 or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise Rejected(f"分页参数错误：page_num 从 1 开始，page_size 取 1–{MAX_PAGE_SIZE}")
    filters = {name: fields.text(d, name, name, 200, required=False) for name in (
        "hilist_code", "hilist_name", "pinyin", "med_chrgitm_type", "chrgitm_lv", "lmt_used_flag", "list_type",
    )}  # fmt: skip
    matches = [item for item in ctx.platform.catalogue.items.values() if _matches(item, filters)]
    pages = (len(matches) + page_size - 1) // page_size
    chosen = matches[(page_num - 1) * page_size : page_num * page_size]
    return {
        "data": [_catalogue_row(item, ctx.platform.hospital.admdvs) for item in chosen],
        "pageNum": page_num,
        "pageSize": page_size,
        "recordCounts": len(matches),
        "pages": pages,
        "firstPage": page_num == 1,
        "lastPage": page_num >= pages,
    }


def _matches(item: CatalogueItem, f: dict[str, str]) -> bool:
    checks = (
        not f["hilist_code"] or item.med_list_codg == f["hilist_code"],
        not f["hilist_name"] or f["hilist_name"] in item.name,
        not f["pinyin"] or item.pinyin.startswith(f["pinyin"].upper()),
        not f["med_chrgitm_type"] or item.med_chrgitm_type == f["med_chrgitm_type"],
        not f["chrgitm_lv"] or item.chrgitm_lv == f["chrgitm_lv"],
        not f["lmt_used_flag"] or ("1" if item.restricted else "0") == f["lmt_used_flag"],
        not f["list_type"] or item.list_type == f["list_type"],
    )
    return all(checks)


def _catalogue_row(item: CatalogueItem, admdvs: str) -> dict[str, Any]:
    return {
        "hilist_code": item.med_list_codg,
        "hilist_name": item.name,
        "pinyin": item.pinyin,
        "wubi": None,
        "spec": item.spec or None,
        "unit": item.unit or None,
        "med_chrgitm_type": item.med_chrgitm_type,
        "chrgitm_lv": item.chrgitm_lv,
        "selfpay_prop": item.selfpay_prop,
        "pric_uplmt_amt": item.price_ceiling,
        "lmt_used_flag": "1" if item.restricted else "0",
        "list_type": item.list_type,
        "insu_admdvs": admdvs,
        "begndate": "2026-01-01",
        "enddate": None,
        "vali_flag": "1",
        "rid": f"RID{item.med_list_codg}",
        "updt_time": "2026-01-01 00:00:00",
        "poolarea_no": admdvs,
        "ver": item.version,
    }
