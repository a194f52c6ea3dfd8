"""The shift report (收费员日结单 / 交班表) as PDF: A4 for filing, the 80 mm roll at the window.

Built with the receipt machinery (:mod:`app.printing.receipt_pdf`): the same bundled font (embedded as
a subset), the same block writer and page placer. On A4 each part is a table (kind, count, total, fund,
personal account, cash); on the roll the same figures are stacked. Every part shows fund + personal
account + cash = total; the cash to hand in is also written in upper-case Chinese, as finance offices
expect. Signature lines for the cashier and the finance office close the report.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.domain.amount_words import yuan_in_words
from app.domain.money import format_yuan
from app.domain.receipt import local_time_text
from app.domain.shift_report import (
    Amounts,
    OperatorShift,
    ReceiptUse,
    ReconciliationState,
    ShiftReport,
    ShiftSheet,
    Tally,
)
from app.errors import DeviceError
from app.printing.fonts import MISSING_GLYPH_NOTE, receipt_font
from app.printing.receipt_pdf import LAYOUTS, Block, BlockWriter, PageFormat, paginate

TITLE = "收费员日结单（交班表）"
HOSPITAL_TITLE = "全院收费日结单（分窗口、分收费员）"
SHIFT_LAYOUTS = ("a4", "thermal80")
_COLUMNS = ("项目", "笔数", "费用总额", "医保基金", "个人账户", "现金")
_RATIOS = (0.34, 0.08, 0.145, 0.145, 0.145, 0.145)
_INSURANCE_NAMES = {
    "310": "职工医保",
    "390": "城乡居民医保",
    "320": "公务员补助",
    "330": "大额补助",
}


class ShiftReportPdf:
    """:class:`app.services.shift_report.ShiftReportRenderer` for ``a4`` or ``thermal80``."""

    def __init__(self, layout: str = "a4") -> None:
        if layout not in SHIFT_LAYOUTS:
            raise ValueError(f"unknown shift report layout {layout!r}")
        self.page = LAYOUTS[layout]

    def render(self, report: ShiftReport, sheet: ShiftSheet) -> bytes:
        """The PDF of one shift report."""
        writer = BlockWriter(self.page, receipt_font())
        _Report(writer, report, sheet).write()
        name = HOSPITAL_TITLE if sheet.hospital_wide else TITLE
        return paginate(writer, self.page, f"{name} {sheet.report_no}", header=None)


def _yuan(amount: Decimal) -> str:
    return format_yuan(amount)


class _Report:
    """Writes the blocks of one report."""

    def __init__(self, writer: BlockWriter, report: ShiftReport, sheet: ShiftSheet) -> None:
        self.w = writer
        self.page: PageFormat = writer.page
        self.report = report
        self.sheet = sheet

    def write(self) -> None:
        self._heading()
        self._part("一、按业务类型", [(k.label, t) for k, t in self.report.by_kind])
        self._part("二、按费用类别", [(c.label, t) for c, t in self.report.by_category])
        self._payers()
        self._reversals()
        self._receipts(self.report.receipts)
        self._reconciliation()
        if len(self.report.sections) > 1:
            self._sections(self.report.sections)
        if self.sheet.hospital_wide:
            self._windows()
        self._signatures()
        if self.w.marked:
            self.w.paragraph(MISSING_GLYPH_NOTE, self.page.small_size)

    # ------------------------------------------------------------------ parts

    def _heading(self) -> None:
        w, page, sheet, scope = self.w, self.page, self.sheet, self.report.scope
        w.paragraph(sheet.hospital_name, page.title_size, centred=True, gap=2)
        name = HOSPITAL_TITLE if sheet.hospital_wide else TITLE
        title = name if sheet.print_no == 1 else f"{name}（补打 第 {sheet.print_no} 次打印）"
        w.paragraph(title, page.body_size + 2, centred=True, gap=2)
        w.paragraph(f"机构编码：{sheet.hospital_code}    编号：{sheet.report_no}", page.small_size)
        if sheet.changed_since_first:
            w.paragraph("注意：本次打印的数字与首次打印不同（首次打印后又有记录），以本次为准并请核对。", page.small_size)  # fmt: skip
        w.rule()
        operators = sorted({s.operator_code for s in self.report.sections} | scope.operators)
        who = "、".join(sheet.operator_text(code) for code in operators) or "（本班无记录）"
        windows = "、".join(sorted({s.window for s in self.report.sections})) or "—"
        w.paragraph(f"收费员：{who}", page.body_size)
        w.paragraph(f"窗口：{windows}    日期：{scope.day.isoformat()}", page.body_size)
        w.paragraph(
            f"班次：{local_time_text(scope.start)} 至 {local_time_text(scope.end)}", page.body_size
        )
        w.paragraph(
            f"打印：{sheet.printed_by}    {local_time_text(sheet.printed_at)}", page.small_size
        )

    def _part(self, heading: str, rows: Sequence[tuple[str, Tally]]) -> None:
        w, page = self.w, self.page
        w.rule(dashed=True)
        w.paragraph(heading, page.body_size + 1, gap=2)
        rows = [*rows, ("合计", self.report.total)]
        if not self.report.total.count:
            w.paragraph("本班没有结算、退费或收款记录。", page.body_size)
            return
        self._table(rows, cash_only=False)

    def _payers(self) -> None:
        w, page, a = self.w, self.page, self.report.total.amounts
        w.rule(dashed=True)
        w.paragraph("三、按支付方式", page.body_size + 1, gap=2)
        w.pair("医保基金支付", _yuan(a.fund), page.body_size)
        w.pair("个人账户支付", _yuan(a.account), page.body_size)
        w.pair("现金支付", _yuan(a.cash), page.body_size)
        if a.hospital:
            w.pair("医院负担", _yuan(a.hospital), page.body_size)
        w.pair("合计（费用总额）", _yuan(a.total), page.body_size + 0.5)
        check = "相符" if a.balanced else "不相符，请核对"
        parts = "基金 + 个人账户 + 现金" + (" + 医院负担" if a.hospital else "")
        w.paragraph(f"核对：{parts} = 合计，{check}", page.small_size)
        w.pair("应缴现金", _yuan(a.cash), page.body_size + 1.5)
        w.paragraph(f"应缴现金（大写）：{yuan_in_words(a.cash)}", page.body_size)

    def _reversals(self) -> None:
        w, page, lost = self.w, self.page, self.report.reversals
        w.rule(dashed=True)
        w.paragraph("四、冲正（结算结果未知后已撤回，未发生资金往来，不计入合计）", page.body_size + 1, gap=2)  # fmt: skip
        if not lost:
            w.paragraph("无", page.body_size)
            return
        for r in lost:
            w.pair(
                f"{local_time_text(r.at)[11:]}  账单 {r.bill_id[-8:]}  {r.operator_code}",
                _yuan(r.amount),
                page.small_size,
            )
            w.paragraph(f"  报文号 {r.msgid}", page.small_size)
        w.pair(f"共 {len(lost)} 笔，涉及金额", _yuan(self.report.reversed_amount), page.body_size)

    def _receipts(self, use: ReceiptUse) -> None:
        w, page = self.w, self.page
        w.rule(dashed=True)
        w.paragraph("五、票据号使用", page.body_size + 1, gap=2)
        if not use.issued:
            w.paragraph("本班未开具票据。", page.body_size)
            return
        w.paragraph(f"开具 {use.issued} 张（含作废），补打 {use.copies} 次", page.body_size)
        for number_range in use.ranges:
            w.paragraph(f"  {number_range.text}", page.small_size)
        for voided, by in use.voided:
            w.paragraph(f"  作废：{voided}（重打为 {by}）", page.small_size)
        for new, old in use.reissued:
            w.paragraph(f"  重打：{new}（替代 {old}）", page.small_size)

    def _reconciliation(self) -> None:
        w, page, recon = self.w, self.page, self.report.reconciliation
        w.rule(dashed=True)
        w.paragraph("六、与医保平台对账（3201）", page.body_size + 1, gap=2)
        w.paragraph(f"{recon.day.isoformat()}：{recon.state.label}", page.body_size)
        if recon.closed_at is not None:
            w.paragraph(
                f"日结时间 {local_time_text(recon.closed_at)}  经办 {recon.closed_by}",
                page.small_size,
            )
        changed = recon.changed_words()
        if changed is not None:  # the close above no longer covers the day: said on paper too
            w.paragraph(f"注意：{changed}", page.body_size)
        if recon.summary and recon.state is not ReconciliationState.BALANCED:
            w.paragraph(recon.summary, page.small_size)
        for group in self.report.insured:
            name = _INSURANCE_NAMES.get(group.insurance_type, f"险种 {group.insurance_type}")
            label = f"本班医保结算 {name}（清算类别 {group.clearing_type}）：{group.count} 笔"
            w.pair(label, _yuan(group.amounts.total), page.small_size)
            w.paragraph(
                f"  基金 {_yuan(group.amounts.fund)}  账户 {_yuan(group.amounts.account)}",
                page.small_size,
            )

    def _sections(self, sections: Sequence[OperatorShift]) -> None:
        w, page = self.w, self.page
        w.rule(dashed=True)
        w.paragraph("七、分窗口、分收费员小计", page.body_size + 1, gap=2)
        rows = [
            (f"{s.window} {self.sheet.operator_text(s.operator_code)}", s.total) for s in sections
        ]
        self._table(rows, cash_only=True)

    def _windows(self) -> None:
        """The hospital-wide report: each window's total (what each window hands over)."""
        w, page = self.w, self.page
        w.rule(dashed=True)
        w.paragraph("八、分窗口合计", page.body_size + 1, gap=2)
        rows = [(f"窗口 {window}", tally) for window, tally in self.report.by_window()]
        if not rows:
            w.paragraph("各窗口均无记录。", page.body_size)
            return
        self._table(rows, cash_only=True)

    def _table(self, rows: Sequence[tuple[str, Tally]], *, cash_only: bool) -> None:
        """``rows`` as a table on A4; stacked on the roll, each with its total and cash (and with
        the fund and personal account unless ``cash_only``)."""
        w, page = self.w, self.page
        if page.tabular:
            widths = [page.content_width * ratio for ratio in _RATIOS]
            w.columns(_COLUMNS, widths, page.small_size, row=False)
            for label, tally in rows:
                w.columns(_cells(label, tally), widths, page.body_size, row=True)
            return
        for label, tally in rows:
            a = tally.amounts
            w.pair(f"{label}  {tally.count} 笔", _yuan(a.total), page.body_size)
            if cash_only:
                w.paragraph(f"  现金 {_yuan(a.cash)}", page.small_size)
            else:
                w.paragraph(
                    f"  基金 {_yuan(a.fund)}  账户 {_yuan(a.account)}  现金 {_yuan(a.cash)}",
                    page.small_size,
                    gap=1.5,
                )

    def _signatures(self) -> None:
        w, page = self.w, self.page
        w.rule()
        signer = "收费主管签字" if self.sheet.hospital_wide else "收费员签字"
        w.blocks.append(_signature_block(w.font, page, signer))
        w.blocks.append(_signature_block(w.font, page, "财务科收款人签字"))


def _cells(label: str, tally: Tally) -> tuple[str, ...]:
    a: Amounts = tally.amounts
    return (label, str(tally.count), _yuan(a.total), _yuan(a.fund), _yuan(a.account), _yuan(a.cash))


def _signature_block(font: str, page: PageFormat, label: str) -> Block:
    """``label：________  日期：________``, tall enough to sign in."""
    size = page.body_size
    height = 11 * mm if page.tabular else 10 * mm
    width = page.content_width

    def draw(canvas: Canvas, x: float, top: float) -> None:
        baseline = top - height + 3 * mm
        canvas.setFont(font, size)
        canvas.drawString(x, baseline, f"{label}：")
        label_width = canvas.stringWidth(f"{label}：", font, size)
        date_label = "日期："
        date_width = canvas.stringWidth(date_label, font, size)
        line_end = x + width * 0.62
        canvas.saveState()
        canvas.setLineWidth(0.6)
        canvas.line(x + label_width, baseline - 1, line_end, baseline - 1)
        canvas.drawString(line_end + 3 * mm, baseline, date_label)
        canvas.line(line_end + 3 * mm + date_width, baseline - 1, x + width, baseline - 1)
        canvas.restoreState()

    return Block(height, draw)


def save_pdf(pdf: bytes, target: Path) -> Path:
    """Write ``pdf`` to ``target`` atomically, readable by the owner only (0600; a new folder 0700).

    Raises:
        DeviceError: the file cannot be written (disk full, permissions), with what to do.
    """
    temporary = target.with_name(target.name + ".part")
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pdf)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(target)
    except OSError as exc:
        raise DeviceError(
            f"交班表无法保存到 {target}（{exc.strerror or '写入失败'}）。请检查磁盘空间和文件夹权限后重新打印；"
            "收费数据不受影响。",
            code="pdf_save",
        ) from None
    return target
