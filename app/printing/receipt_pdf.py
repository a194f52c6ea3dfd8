"""Receipts as PDF with reportlab: an 80 mm thermal roll or A5/A4 paper (config ``printer.layout``).

Layout happens in two passes. First the receipt becomes a list of :class:`Block` s (each knows its height
and how to draw itself at a given top edge); then the blocks are placed on pages — one page as tall as
the content for the roll, as many A5/A4 pages as needed for sheets, with the table header repeated and
"第 n 页 共 m 页" on each. Drawing on the canvas directly (not platypus) keeps a 60-line receipt well
under the 50 ms budget (``benchmarks/receipt_generation.py``).

Every string goes through :func:`app.printing.fonts.printable`, so a rare character the font lacks is
printed as a marked code point instead of vanishing.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib.pagesizes import A4, A5
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.domain.amount_words import yuan_in_words
from app.domain.money import format_yuan
from app.domain.receipt import (
    EligibilitySlip,
    FeeCategory,
    ReceiptData,
    ReceiptLine,
    local_time_text,
)
from app.printing.fonts import MISSING_GLYPH_NOTE, printable, receipt_font

Draw = Callable[[Canvas, float, float], None]  # (canvas, left x, top y)


@dataclass(frozen=True)
class PageFormat:
    """Paper and type sizes of one layout."""

    name: str
    width: float
    height: float | None  # None: a roll, as long as the content
    margin: float
    body_size: float
    small_size: float
    title_size: float
    tabular: bool  # one table row per line (sheets) or stacked lines (roll)

    @property
    def content_width(self) -> float:
        """Width between the margins."""
        return self.width - 2 * self.margin


LAYOUTS: dict[str, PageFormat] = {
    "thermal80": PageFormat("thermal80", 80 * mm, None, 4 * mm, 7.5, 6.5, 10, tabular=False),
    "a5": PageFormat("a5", A5[0], A5[1], 10 * mm, 8, 7, 13, tabular=True),
    "a4": PageFormat("a4", A4[0], A4[1], 15 * mm, 9, 7.5, 15, tabular=True),
}


@dataclass
class Block:
    """A piece of the receipt with a fixed height."""

    height: float
    draw: Draw
    is_table_row: bool = False


@dataclass
class _Writer:
    """Builds blocks for one receipt; remembers whether any character had to be marked."""

    page: PageFormat
    font: str
    blocks: list[Block] = field(default_factory=list)
    marked: bool = False

    def text(self, value: str) -> str:
        result = printable(value)
        self.marked = self.marked or result.marked
        return result.text

    def wrap(self, value: str, size: float, width: float) -> list[str]:
        """Greedy wrap by character width (Chinese has no spaces to break at)."""
        text = self.text(value)
        if stringWidth(text, self.font, size) <= width:
            return [text]
        lines: list[str] = []
        current: list[str] = []
        used = 0.0
        for char in text:
            advance = stringWidth(char, self.font, size)
            if current and used + advance > width:
                lines.append("".join(current))
                current, used = [], 0.0
            current.append(char)
            used += advance
        lines.append("".join(current))
        return lines

    def paragraph(
        self, value: str, size: float, *, centred: bool = False, gap: float = 1.0
    ) -> None:
        width = self.page.content_width
        for line in self.wrap(value, size, width):
            self.blocks.append(Block(size * 1.35 + gap, self._line_drawer(line, size, centred)))

    def _line_drawer(self, line: str, size: float, centred: bool) -> Draw:
        font, width = self.font, self.page.content_width

        def draw(canvas: Canvas, x: float, top: float) -> None:
            canvas.setFont(font, size)
            if centred:
                canvas.drawCentredString(x + width / 2, top - size, line)
            else:
                canvas.drawString(x, top - size, line)

        return draw

    def pair(self, label: str, value: str, size: float) -> None:
        """``label`` on the left, ``value`` right-aligned (amounts)."""
        font, width = self.font, self.page.content_width
        left, right = self.text(label), self.text(value)

        def draw(canvas: Canvas, x: float, top: float) -> None:
            canvas.setFont(font, size)
            canvas.drawString(x, top - size, left)
            canvas.drawRightString(x + width, top - size, right)

        self.blocks.append(Block(size * 1.4, draw))

    def rule(self, *, dashed: bool = False) -> None:
        width = self.page.content_width

        def draw(canvas: Canvas, x: float, top: float) -> None:
            canvas.saveState()
            canvas.setLineWidth(0.5)
            if dashed:
                canvas.setDash(2, 2)
            canvas.line(x, top - 2, x + width, top - 2)
            canvas.restoreState()

        self.blocks.append(Block(5, draw))

    def boxed(self, values: Sequence[str], size: float) -> None:
        """The fee category: large and framed, the first thing a patient sees."""
        font, width = self.font, self.page.content_width
        lines = [line for value in values for line in self.wrap(value, size, width - 8)]
        height = len(lines) * size * 1.35 + 8

        def draw(canvas: Canvas, x: float, top: float) -> None:
            canvas.saveState()
            canvas.setLineWidth(1.2)
            canvas.rect(x, top - height, width, height)
            canvas.setFont(font, size)
            for index, line in enumerate(lines):
                baseline = top - 4 - size - index * size * 1.35
                canvas.drawCentredString(x + width / 2, baseline, line)
            canvas.restoreState()

        self.blocks.append(Block(height + 4, draw))

    def qr(self, value: str, caption: str) -> None:
        size = min(28 * mm, self.page.content_width / 3)
        font, small = self.font, self.page.small_size
        caption_text = self.text(caption)

        matrix = qr_matrix(value)
        cell = size / (len(matrix) + 2)  # a one-module quiet zone on each side

        def draw(canvas: Canvas, x: float, top: float) -> None:
            canvas.saveState()
            canvas.setFillColorRGB(0, 0, 0)
            for row_index, row in enumerate(matrix, start=1):
                for col_index, dark in enumerate(row, start=1):
                    if dark:
                        left, bottom = x + col_index * cell, top - (row_index + 1) * cell
                        canvas.rect(left, bottom, cell, cell, stroke=0, fill=1)
            canvas.restoreState()
            canvas.setFont(font, small)
            canvas.drawString(x + size + 6, top - size / 2, caption_text)

        self.blocks.append(Block(size + 4, draw))

    def columns(
        self, cells: Sequence[str], widths: Sequence[float], size: float, *, row: bool
    ) -> None:
        """One table row; the first column left-aligned, the others right-aligned."""
        font = self.font
        texts = [
            self._fit(self.text(cell), size, width - 2)
            for cell, width in zip(cells, widths, strict=True)
        ]

        def draw(canvas: Canvas, x: float, top: float) -> None:
            canvas.setFont(font, size)
            left = x
            for index, (cell, width) in enumerate(zip(texts, widths, strict=True)):
                if index == 0:
                    canvas.drawString(left, top - size, cell)
                else:
                    canvas.drawRightString(left + width - 1, top - size, cell)
                left += width

        self.blocks.append(Block(size * 1.45, draw, is_table_row=row))

    def _fit(self, text: str, size: float, width: float) -> str:
        if stringWidth(text, self.font, size) <= width:
            return text
        while text and stringWidth(text + "…", self.font, size) > width:
            text = text[:-1]
        return text + "…"


def qr_matrix(value: str) -> list[list[bool]]:
    """The QR modules of ``value`` (reportlab's own encoder; drawn as rectangles, no extra font)."""
    code = QRCode(None, QRErrorCorrectLevel.M)
    code.addData(value)
    code.make()
    count: int = code.getModuleCount()  # type: ignore[no-untyped-call]
    return [
        [bool(code.isDark(row, col)) for col in range(count)]  # type: ignore[no-untyped-call]
        for row in range(count)
    ]


def _yuan(amount: Decimal) -> str:
    return format_yuan(amount)


def _quantity(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text


class ReportlabReceiptRenderer:
    """The :class:`app.services.ports.devices.ReceiptRenderer` for one layout (``thermal80``, ``a5``, ``a4``)."""

    def __init__(self, layout: str = "thermal80") -> None:
        if layout not in LAYOUTS:
            raise ValueError(f"unknown receipt layout {layout!r}")
        self.page = LAYOUTS[layout]

    def render(self, receipt: ReceiptData) -> bytes:
        """A PDF of one receipt with the font subset embedded."""
        writer = _Writer(self.page, receipt_font())
        _receipt_blocks(writer, receipt)
        title = f"{receipt.title} {receipt.receipt_no}"
        return _paginate(writer, self.page, title, header=_table_header(writer, self.page))

    def render_slip(self, slip: EligibilitySlip) -> bytes:
        """A PDF of the registration desk's eligibility slip (no money on it)."""
        writer = _Writer(self.page, receipt_font())
        _slip_blocks(writer, slip)
        return _paginate(writer, self.page, "跨省门诊慢特病资格查询单", header=None)


def _line_widths(page: PageFormat) -> list[float]:
    width = page.content_width
    ratios = (0.30, 0.12, 0.08, 0.10, 0.10, 0.10, 0.10, 0.10)
    return [width * ratio for ratio in ratios]


_HEADER = ("项目名称", "规格", "数量", "单价", "金额", "全自费", "先自付", "范围内")


def _table_header(writer: _Writer, page: PageFormat) -> Block | None:
    if not page.tabular:
        return None
    probe = _Writer(page, writer.font)
    probe.columns(_HEADER, _line_widths(page), page.small_size, row=False)
    return probe.blocks[0]


def _receipt_blocks(w: _Writer, r: ReceiptData) -> None:
    page = w.page
    w.paragraph(r.hospital_name, page.title_size, centred=True, gap=2)
    w.paragraph(r.title, page.body_size + 1, centred=True, gap=2)
    w.paragraph(
        f"机构编码：{r.hospital_code}    票据号：{r.receipt_no}", page.small_size, centred=True
    )
    if r.kind_note:
        w.paragraph(r.kind_note, page.small_size)
    w.rule()
    w.boxed(r.category.heading_lines, page.title_size)
    if r.category.category is FeeCategory.SELF_PAY:
        w.paragraph(r.category.notice, page.body_size)
    w.paragraph(f"姓名：{r.patient_name}    证件号：{r.masked_id}", page.body_size)
    w.paragraph(f"参保地：{r.insured_place}    险种：{r.insurance_type}", page.body_size)
    if r.department or r.doctor:
        w.paragraph(f"科室：{r.department}    医生：{r.doctor}", page.body_size)
    w.rule(dashed=True)
    _line_blocks(w, r.lines)
    w.rule(dashed=True)
    _total_blocks(w, r)
    w.rule(dashed=True)
    _settlement_blocks(w, r)
    w.rule()
    w.paragraph("请妥善保管本票据；回参保地报销或咨询时请出示。", page.small_size)
    if w.marked:
        w.paragraph(MISSING_GLYPH_NOTE, page.small_size)


def _line_blocks(w: _Writer, lines: Sequence[ReceiptLine]) -> None:
    page = w.page
    if page.tabular:
        widths = _line_widths(page)
        w.columns(_HEADER, widths, page.small_size, row=False)
        for line in lines:
            cells = (
                line.name, line.spec, _quantity(line.quantity), _yuan(line.unit_price),
                _yuan(line.amount), _yuan(line.full_self_pay), _yuan(line.first_self_pay),
                _yuan(line.in_scope),
            )  # fmt: skip
            w.columns(cells, widths, page.small_size, row=True)
        return
    for line in lines:
        name = f"{line.name} {line.spec}".strip()
        w.paragraph(name, page.body_size, gap=0)
        w.pair(
            f"  {_quantity(line.quantity)} × {_yuan(line.unit_price)}",
            _yuan(line.amount),
            page.body_size,
        )
        split = (
            f"  全自费 {_yuan(line.full_self_pay)}  先自付 {_yuan(line.first_self_pay)}"
            f"  范围内 {_yuan(line.in_scope)}"
        )
        w.paragraph(split, page.small_size, gap=1.5)


def _total_blocks(w: _Writer, r: ReceiptData) -> None:
    size, totals = w.page.body_size + 0.5, r.totals
    w.pair("费用总额", _yuan(totals.total), size + 1)
    w.paragraph(f"合计（大写）：{yuan_in_words(totals.total)}", w.page.small_size)
    w.pair(
        "  其中 全自费 / 先自付 / 范围内",
        f"{_yuan(totals.full_self_pay)} / {_yuan(totals.first_self_pay)} / {_yuan(totals.in_scope)}",
        w.page.small_size,
    )
    w.pair("医保基金支付", _yuan(totals.fund), size)
    for fund in totals.funds:
        w.pair(f"  {fund.name}", _yuan(fund.amount), w.page.small_size)
    w.pair("个人账户支付", _yuan(totals.account), size)
    if totals.hospital:
        w.pair("医院负担", _yuan(totals.hospital), size)
    w.pair("现金支付", _yuan(totals.cash), size + 1)


def _settlement_blocks(w: _Writer, r: ReceiptData) -> None:
    small = w.page.small_size
    w.paragraph(f"结算编号：{r.settlement_id}", small)
    if r.original_settlement_id:
        w.paragraph(f"原结算编号：{r.original_settlement_id}", small)
    clearing = "  ".join(
        part
        for part in (
            f"清算类别 {r.clearing_type}" if r.clearing_type else "",
            f"清算方式 {r.clearing_way}" if r.clearing_way else "",
            f"清算机构 {r.clearing_agency}" if r.clearing_agency else "",
        )
        if part
    )
    if clearing:
        w.paragraph(clearing, small)
    w.paragraph(f"结算时间：{local_time_text(r.settled_at)}", small)
    w.paragraph(f"收费员：{r.operator}    窗口：{r.window}", small)
    w.paragraph(
        f"开票时间：{local_time_text(r.issued_at)}    打印时间：{local_time_text(r.printed_at)}",
        small,
    )
    w.qr(r.settlement_id, "扫码查看结算编号")


def _slip_blocks(w: _Writer, s: EligibilitySlip) -> None:
    page = w.page
    w.paragraph(s.hospital_name, page.title_size, centred=True, gap=2)
    w.paragraph("跨省门诊慢特病资格查询单（不作收费凭据）", page.body_size + 1, centred=True, gap=2)
    w.rule()
    w.paragraph(f"姓名：{s.patient_name}    证件号：{s.masked_id}", page.body_size)
    w.paragraph(f"参保地：{s.insured_place}    险种：{s.insurance_type}", page.body_size)
    w.paragraph(f"跨省备案：{s.registration_text}", page.body_size)
    w.rule(dashed=True)
    if not s.qualifications:
        w.paragraph("未查到门诊慢特病资格。", page.body_size)
    for q in s.qualifications:
        until = q.valid_to.isoformat() if q.valid_to else "长期"
        verdict = "本院可直接结算" if q.settleable_here else "本院不能直接结算"
        w.paragraph(
            f"{q.name}（{q.code}） {q.valid_from.isoformat()} 至 {until}", page.body_size, gap=0
        )
        w.paragraph(f"  {verdict}{'：' + q.note if q.note else ''}", page.small_size, gap=2)
    w.rule()
    w.paragraph(f"查询时间：{local_time_text(s.checked_at)}    经办：{s.operator}", page.small_size)
    if w.marked:
        w.paragraph(MISSING_GLYPH_NOTE, page.small_size)


def _paginate(w: _Writer, page: PageFormat, title: str, header: Block | None) -> bytes:
    buffer = io.BytesIO()
    if page.height is None:
        height = sum(block.height for block in w.blocks) + 2 * page.margin
        canvas = _canvas(buffer, (page.width, height), title)
        top = height - page.margin
        for block in w.blocks:
            block.draw(canvas, page.margin, top)
            top -= block.height
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()
    pages = _split_pages(w.blocks, page, header)
    canvas = _canvas(buffer, (page.width, page.height), title)
    for number, blocks in enumerate(pages, start=1):
        top = page.height - page.margin
        for block in blocks:
            block.draw(canvas, page.margin, top)
            top -= block.height
        canvas.setFont(w.font, page.small_size)
        canvas.drawCentredString(
            page.width / 2, page.margin / 2, f"第 {number} 页 共 {len(pages)} 页"
        )
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _split_pages(
    blocks: Sequence[Block], page: PageFormat, header: Block | None
) -> list[list[Block]]:
    assert page.height is not None
    room = page.height - 2 * page.margin - 12  # the page number line
    pages: list[list[Block]] = [[]]
    used = 0.0
    for block in blocks:
        if used + block.height > room and pages[-1]:
            pages.append([])
            used = 0.0
            if block.is_table_row and header is not None:
                pages[-1].append(header)
                used += header.height
        pages[-1].append(block)
        used += block.height
    return pages


def _canvas(buffer: io.BytesIO, size: tuple[float, float], title: str) -> Canvas:
    # The initial font must be ours too, or every page references an unembedded Helvetica.
    # (types-reportlab declares initialFontName as a number; reportlab takes the font's name.)
    font: Any = receipt_font()
    canvas = Canvas(buffer, pagesize=size, pageCompression=1, invariant=1, initialFontName=font)
    canvas.setTitle(printable(title).text)
    canvas.setAuthor("settlement-window")
    canvas.setCreator("settlement-window")
    return canvas


# The block writer and the page placer, shared with other papers printed the same way
# (the shift report, app.printing.shift_report_pdf).
BlockWriter = _Writer
paginate = _paginate
