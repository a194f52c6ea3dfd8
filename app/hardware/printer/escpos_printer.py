"""ESC/POS thermal printers through python-escpos: text in GB18030 and the settlement ID as a QR code.

Chinese-market thermal printers print two-byte Chinese after ``FS &`` (Chinese character mode) from
GB18030/GBK bytes; python-escpos's code-page text path cannot encode Chinese, so receipt text is sent
as raw GB18030 bytes, and alignment, size and the QR code use the library's commands. A character the
printer's font cannot have (outside GBK, e.g. 𠈌) is printed as ``〔U+2020C〕`` like on the PDF.

Configuration (``printer.escpos_device``): ``tcp://host[:port]`` (network printer), ``serial:/dev/ttyS0``
or a device file such as ``/dev/usb/lp0``.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Callable
from typing import Any

from app.domain.amount_words import yuan_in_words
from app.domain.money import format_yuan
from app.domain.receipt import FeeCategory, ReceiptData, local_time_text
from app.errors import DeviceError
from app.hardware.threads import DeviceThread

log = logging.getLogger(__name__)

CHINESE_MODE = b"\x1c\x26"  # FS &: select Chinese character mode
COLUMNS_80MM = 48  # Font A, 12 dots per half-width column on a 576-dot head

Connector = Callable[[], Any]  # returns an escpos.escpos.Escpos instance


def printer_text(text: str) -> str:
    """``text`` with characters the printer cannot have replaced by ``〔U+XXXX〕``."""
    out: list[str] = []
    for char in text:
        if not char.isprintable():
            out.append(" ")
            continue
        try:
            char.encode("gbk")
        except UnicodeEncodeError:
            out.append(f"〔U+{ord(char):04X}〕")
        else:
            out.append(char)
    return "".join(out)


def display_width(text: str) -> int:
    """Columns on the printer: full-width (Chinese) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "FW" else 1 for ch in text)


def _pair(left: str, right: str, columns: int) -> str:
    gap = max(1, columns - display_width(left) - display_width(right))
    return left + " " * gap + right


class _Lines:
    """Collects receipt lines, then writes them as GB18030."""

    def __init__(self, printer: Any, columns: int) -> None:
        self.printer = printer
        self.columns = columns

    def text(self, value: str, *, align: str = "left", big: bool = False) -> None:
        self.printer.set(align=align, double_height=big, double_width=big, normal_textsize=not big)
        # ``_raw`` is python-escpos's write primitive (every connection implements it); its
        # code-page text path cannot encode Chinese.
        self.printer._raw(printer_text(value).encode("gb18030") + b"\n")

    def pair(self, left: str, right: str) -> None:
        self.text(_pair(printer_text(left), printer_text(right), self.columns))

    def rule(self) -> None:
        self.text("-" * self.columns)


def write_receipt(printer: Any, receipt: ReceiptData, columns: int = COLUMNS_80MM) -> None:
    """Send one receipt to an ``Escpos`` instance (a real printer or ``escpos.printer.Dummy``)."""
    lines = _Lines(printer, columns)
    printer._raw(CHINESE_MODE)
    lines.text(receipt.hospital_name, align="center")
    lines.text(receipt.title, align="center")
    lines.text(f"票据号：{receipt.receipt_no}", align="center")
    if receipt.kind_note:
        lines.text(receipt.kind_note)
    lines.rule()
    for heading in receipt.category.heading_lines:
        lines.text(heading, align="center", big=True)
    if receipt.category.category is FeeCategory.SELF_PAY:
        lines.text(receipt.category.notice)
    lines.text(f"姓名：{receipt.patient_name}  证件号：{receipt.masked_id}")
    lines.text(f"参保地：{receipt.insured_place}  险种：{receipt.insurance_type}")
    lines.rule()
    for line in receipt.lines:
        lines.text(f"{line.name} {line.spec}".strip())
        lines.pair(
            f"  {line.quantity.normalize():f} x {format_yuan(line.unit_price)}",
            format_yuan(line.amount),
        )
    lines.rule()
    totals = receipt.totals
    lines.pair("费用总额", format_yuan(totals.total))
    lines.text(f"合计（大写）：{yuan_in_words(totals.total)}")
    lines.pair("医保基金支付", format_yuan(totals.fund))
    for fund in totals.funds:
        lines.pair(f"  {fund.name}", format_yuan(fund.amount))
    lines.pair("个人账户支付", format_yuan(totals.account))
    if totals.hospital:
        lines.pair("医院负担", format_yuan(totals.hospital))
    lines.pair("现金支付", format_yuan(totals.cash))
    lines.rule()
    lines.text(f"结算编号：{receipt.settlement_id}")
    lines.text(f"结算时间：{local_time_text(receipt.settled_at)}")
    lines.text(f"收费员：{receipt.operator}  窗口：{receipt.window}")
    lines.text(f"打印时间：{local_time_text(receipt.printed_at)}")
    printer.set(align="center", normal_textsize=True)
    printer.qr(receipt.settlement_id, size=5, native=True)
    lines.text("请妥善保管本票据，回参保地报销时请出示。", align="center")
    printer.cut()


def connector_for(device: str) -> Connector:
    """A function that opens the configured printer (opened per receipt, closed after).

    Raises:
        DeviceError: the setting is empty or not understood.
    """
    from escpos import printer as escpos_printers  # noqa: PLC0415 - only when an ESC/POS printer is configured

    text = device.strip()
    if text.startswith("tcp://"):
        host, _, port = text.removeprefix("tcp://").partition(":")
        return lambda: escpos_printers.Network(host, int(port or 9100), timeout=10)
    if text.startswith("serial:"):
        return lambda: escpos_printers.Serial(text.removeprefix("serial:"))
    if text:
        return lambda: escpos_printers.File(text)
    raise DeviceError(
        "没有配置热敏打印机（printer.escpos_device）。请联系信息科设置打印机地址。",
        code="escpos_config",
    )


class EscposReceiptPrinter:
    """The ``ReceiptPrinter`` for an ESC/POS thermal printer, driven from its own thread."""

    def __init__(
        self, connect: Connector, *, columns: int = COLUMNS_80MM, name: str = "escpos"
    ) -> None:
        self._connect = connect
        self._columns = columns
        self._name = name
        self._thread = DeviceThread(f"printer-{name}")

    def print_receipt(self, receipt: ReceiptData, pdf: bytes) -> str:
        """Print on the thermal printer (the PDF is not used).

        Raises:
            DeviceError: the printer cannot be reached or failed mid-way; the receipt can be printed again.
        """
        del pdf
        return self._thread.call(self._print, receipt)

    def _print(self, receipt: ReceiptData) -> str:
        self._thread.assert_on_thread()
        try:
            printer = self._connect()
            try:
                write_receipt(printer, receipt, self._columns)
            finally:
                printer.close()
        except DeviceError:
            raise
        except Exception as exc:
            log.warning("ESC/POS printing of %s failed: %s", receipt.receipt_no, type(exc).__name__)
            raise DeviceError(
                "热敏打印机打印失败（未连接、缺纸或开盖）。请检查打印机后点“补打”；收费结果不受影响。",
                code="escpos_failed",
            ) from None
        log.info("receipt %s printed on %s", receipt.receipt_no, self._name)
        return self._name

    def close(self) -> None:
        """Stop the printer thread."""
        self._thread.shutdown()
