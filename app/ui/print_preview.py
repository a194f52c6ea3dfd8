"""The print preview: a receipt or slip PDF on screen, the same raster the system printer gets.

The rasterising and painting (and :class:`SystemReceiptPrinter`, printer kind ``system``) live in
``app.printing.system_printer``; this module adds the dialog. Those names are re-exported here.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QPainter, QPixmap, QResizeEvent, QShowEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.printing.system_printer import (
    POINTS_PER_INCH,
    SystemReceiptPrinter,
    paint_pdf,
    pdf_page_images,
    pdf_page_sizes,
    printer_for,
)

__all__ = [
    "POINTS_PER_INCH",
    "ReceiptPreviewDialog",
    "SystemReceiptPrinter",
    "paint_pdf",
    "pdf_page_images",
    "pdf_page_sizes",
    "printer_for",
]


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
