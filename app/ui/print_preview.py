"""The system-printer path: Qt print support with a preview, showing exactly the receipt PDF.

Decision: the receipt is laid out once, by ``app.printing`` (reportlab). PySide6-Essentials has no QtPdf,
so the PDF is rasterised with pypdfium2 (maintained PDFium bindings, wheels for every platform) at the
printer's resolution and painted with QPainter onto the ``QPrinter``. Drawing the same ``ReceiptData``
a second time with QPainter would mean two layouts that drift apart; rasterising means the preview, the
system printer, the saved PDF and the patient's paper are the same picture.

:class:`SystemReceiptPrinter` implements the ``ReceiptPrinter`` port (printer kind ``system``); QPainter
on a ``QPrinter`` may be used from a worker thread. :class:`ReceiptPreviewDialog` shows a PDF on screen
(the same raster, at the screen's pixel ratio).
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Iterator

import pypdfium2 as pdfium
from PySide6.QtCore import QRect, QSize, QSizeF, Qt, QTimer
from PySide6.QtGui import (
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrinterInfo
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

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


class ReceiptPreviewDialog(QDialog):
    """A receipt or slip on screen, sharp and fitted to the width; it never prints by itself.

    Pages are rasterised for the screen at the window's device pixel ratio (a 2x screen gets twice
    the pixels, so the text is as sharp as the rest of the window) and re-rendered when the dialog
    is resized, so the page always fills the width. A receipt preview has no print button: printing
    a copy (补打) is a deliberate act of its own that is counted. A slip (no number, no money) can be
    printed from here: ``printable=True``.
    """

    def __init__(
        self,
        pdf: bytes,
        printer: QPrinter,
        parent: QWidget | None = None,
        *,
        title: str = "",
        printable: bool = False,
    ) -> None:
        super().__init__(parent)
        self._printer = printer
        self._pdf = pdf
        self._sizes = pdf_page_sizes(pdf)
        self.painted_pages = 0
        self.printed = False
        self.setObjectName("receiptPreview")
        self.setWindowTitle(title or self.tr("Receipt preview"))
        self._pages = QLabel(self)
        self._pages.setObjectName("previewPages")
        self._pages.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self._scroll = QScrollArea(self)
        self._scroll.setObjectName("previewScroll")
        self._scroll.setWidgetResizable(True)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setWidget(self._pages)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        if printable:
            print_button = buttons.addButton(
                self.tr("Print"), QDialogButtonBox.ButtonRole.AcceptRole
            )
            print_button.setObjectName("previewPrintButton")
            print_button.clicked.connect(self._print)
        layout = QVBoxLayout(self)
        layout.addWidget(self._scroll, 1)
        layout.addWidget(buttons)
        self._rerender = QTimer(self)
        self._rerender.setSingleShot(True)
        self._rerender.setInterval(60)
        self._rerender.timeout.connect(self.render_pages)
        self.resize(self._initial_size())

    def _initial_size(self) -> QSize:
        screen = self.screen().availableGeometry() if self.screen() is not None else None
        height = int(screen.height() * 0.85) if screen is not None else 700
        width = 520
        if self._sizes:
            page_w, page_h = self._sizes[0]
            # Wide enough to read an A5 page comfortably, never wider than the screen allows.
            width = max(420, min(720, int(height * page_w / page_h) + 40))
        return QSize(width, height)

    @property
    def device_pixel_ratio(self) -> float:
        """The screen's pixel ratio (1.0 offscreen)."""
        return self.devicePixelRatioF()

    def page_width_px(self) -> int:
        """The logical width each page is drawn at: the viewport's width."""
        return max(100, self._scroll.viewport().width() - 8)

    def render_pages(self) -> None:
        """Rasterise every page at exactly the displayed width × the device pixel ratio."""
        if not self._sizes:
            return
        ratio = self.device_pixel_ratio
        width_px = self.page_width_px()
        dpi = POINTS_PER_INCH * width_px * ratio / self._sizes[0][0]
        images = list(pdf_page_images(self._pdf, dpi))
        gap = 8
        total_h = sum(image.height() for image in images) + gap * int(ratio) * (len(images) - 1)
        width = max(image.width() for image in images)
        sheet = QPixmap(width, total_h)
        sheet.fill(Qt.GlobalColor.lightGray)
        painter = QPainter(sheet)
        y = 0
        for image in images:
            painter.drawImage(0, y, image)
            y += image.height() + gap * int(ratio)
        painter.end()
        sheet.setDevicePixelRatio(ratio)
        self._pages.setPixmap(sheet)
        self.painted_pages = len(images)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """Render once the viewport has its real width."""
        super().showEvent(event)
        self.render_pages()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """Stay fitted to the width."""
        super().resizeEvent(event)
        self._rerender.start()

    def _print(self) -> None:
        dialog = QPrintDialog(self._printer, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            paint_pdf(self._printer, self._pdf)
            self.printed = True
            self.accept()

    @classmethod
    def ask(
        cls,
        parent: QWidget | None,
        pdf: bytes,
        printer_name: str = "",
        *,
        title: str = "",
        printable: bool = False,
    ) -> bool:
        """Show the preview; ``True`` if the operator printed from it (slips only)."""
        dialog = cls(pdf, printer_for(pdf, printer_name), parent, title=title, printable=printable)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.exec()
        return dialog.printed
