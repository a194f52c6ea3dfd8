"""The operating system's printer (printer kind ``system``): the receipt PDF painted onto a QPrinter.

Decision: the receipt is laid out once, by ``app.printing`` (reportlab). PySide6-Essentials has no QtPdf,
so the PDF is rasterised with pypdfium2 (maintained PDFium bindings, wheels for every platform) at the
printer's resolution and painted with QPainter onto the ``QPrinter``. Drawing the same ``ReceiptData``
a second time with QPainter would mean two layouts that drift apart; rasterising means the preview, the
system printer, the saved PDF and the patient's paper are the same picture.

:class:`SystemReceiptPrinter` implements the ``ReceiptPrinter`` port; QPainter on a ``QPrinter`` may be
used from a worker thread. The window's preview (``app.ui.print_preview``) uses the same rasters.
Chosen by ``app.wiring.receipt_printer`` and imported only when this kind is configured.
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Iterator

import pypdfium2 as pdfium
from PySide6.QtCore import QRect, QSize, QSizeF
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

from app.domain.receipt import ReceiptData
from app.errors import DeviceError

log = logging.getLogger(__name__)

POINTS_PER_INCH = 72


def pdf_page_images(pdf: bytes, dpi: float) -> Iterator[QImage]:
    """Each page of ``pdf`` as an RGB image at ``dpi`` (copied out of PDFium's buffer).

    Raises:
        DeviceError: the bytes are not a readable PDF.
    """
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError:
        raise DeviceError(
            "票据文件无法读取，请重新生成票据后再打印。", code="pdf_unreadable"
        ) from None
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                bitmap = page.render(scale=dpi / POINTS_PER_INCH, rev_byteorder=True)
                try:
                    yield _to_qimage(bitmap)
                finally:
                    bitmap.close()
            finally:
                page.close()
    finally:
        document.close()


def _to_qimage(bitmap: pdfium.PdfBitmap) -> QImage:
    size = bitmap.stride * bitmap.height
    data = ctypes.string_at(ctypes.addressof(bitmap.buffer), size)
    formats = {3: QImage.Format.Format_RGB888, 4: QImage.Format.Format_RGBA8888}
    image = QImage(data, bitmap.width, bitmap.height, bitmap.stride, formats[bitmap.n_channels])
    return image.copy()  # detach from ``data``


def pdf_page_sizes(pdf: bytes) -> list[tuple[float, float]]:
    """Page sizes in points (empty for bytes that are not a PDF)."""
    try:
        document = pdfium.PdfDocument(pdf)
    except pdfium.PdfiumError:
        return []
    try:
        sizes = []
        for index in range(len(document)):
            page = document[index]
            sizes.append(page.get_size())
            page.close()
        return sizes
    finally:
        document.close()


def paint_pdf(printer: QPrinter, pdf: bytes) -> int:
    """Paint every page of ``pdf`` onto ``printer`` (one printer page each); returns the page count.

    Each page is scaled to fit the printable area, keeping its proportions.

    Raises:
        DeviceError: the printer could not be started.
    """
    dpi = max(150, min(printer.resolution(), 600))
    painter = QPainter()
    if not painter.begin(printer):
        raise DeviceError(
            "无法启动打印机。请检查打印机是否开机、联机，或在系统中重新选择打印机；收费结果不受影响，可稍后补打。",
            code="system_printer_start",
        )
    pages = 0
    try:
        area = printer.pageLayout().paintRectPixels(printer.resolution())
        for image in pdf_page_images(pdf, dpi):
            if pages:
                printer.newPage()
            target = _fit(image.size(), QRect(0, 0, area.width(), area.height()))
            painter.drawImage(target, image)
            pages += 1
    finally:
        painter.end()
    return pages


def _fit(image: QSize, area: QRect) -> QRect:
    scale = min(area.width() / image.width(), area.height() / image.height())
    return QRect(area.left(), area.top(), int(image.width() * scale), int(image.height() * scale))


def printer_for(pdf: bytes, printer_name: str = "") -> QPrinter:
    """A high-resolution ``QPrinter`` for ``printer_name`` (default printer if empty), page size from
    the PDF's first page."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    if printer_name:
        printer.setPrinterName(printer_name)
    sizes = pdf_page_sizes(pdf)
    if sizes:
        width, height = sizes[0]
        page = QPageSize(
            QSizeF(width, height),
            QPageSize.Unit.Point,
            "receipt",
            QPageSize.SizeMatchPolicy.ExactMatch,
        )
        printer.setPageLayout(
            QPageLayout(page, QPageLayout.Orientation.Portrait, printer.pageLayout().margins())
        )
    return printer


class SystemReceiptPrinter:
    """The ``ReceiptPrinter`` for the operating system's printer (kind ``system``), without a dialog."""

    def __init__(self, printer_name: str = "") -> None:
        self._printer_name = printer_name

    def print_receipt(self, receipt: ReceiptData, pdf: bytes) -> str:
        """Send the receipt's PDF to the system printer.

        Raises:
            DeviceError: no printer is installed or it failed; the receipt can be printed again.
        """
        names = {info.printerName() for info in QPrinterInfo.availablePrinters()}
        wanted = self._printer_name
        if not names or (wanted and wanted not in names):
            raise DeviceError(
                "没有找到可用的系统打印机。请安装或选择打印机；收费结果不受影响，可稍后补打。",
                code="system_printer_missing",
            )
        printer = printer_for(pdf, wanted)
        printer.setDocName(f"票据 {receipt.receipt_no}")
        pages = paint_pdf(printer, pdf)
        log.info("receipt %s sent to the system printer (%d page(s))", receipt.receipt_no, pages)
        return printer.printerName() or "system"
