"""The system-printer path: the receipt PDF rasterised onto a QPrinter (offscreen, PDF output file)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from helpers.device_fixtures import sample_receipt
from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter, QPrinterInfo
from PySide6.QtWidgets import QApplication, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from app.domain.receipt import ReceiptData
from app.errors import DeviceError
from app.printing.receipt_pdf import ReportlabReceiptRenderer
from app.ui.print_preview import (
    ReceiptPreviewDialog,
    SystemReceiptPrinter,
    paint_pdf,
    pdf_page_images,
    printer_for,
)


def file_printer(pdf: bytes, target: Path) -> QPrinter:
    printer = printer_for(pdf)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(target))
    return printer


def test_every_page_reaches_the_printer(qapp: QApplication, tmp_path: Path) -> None:
    pdf = ReportlabReceiptRenderer("a5").render(sample_receipt(lines=60))
    expected = len(PdfReader(io.BytesIO(pdf)).pages)
    target = tmp_path / "printed.pdf"

    pages = paint_pdf(file_printer(pdf, target), pdf)

    assert pages == expected >= 2
    assert len(PdfReader(target).pages) == expected


def test_the_rasterised_receipt_is_not_blank(qapp: QApplication, receipt: ReceiptData) -> None:
    pdf = ReportlabReceiptRenderer("thermal80").render(receipt)
    (image,) = list(pdf_page_images(pdf, 100))
    assert image.width() == pytest.approx(80 / 25.4 * 100, abs=2)
    dark = sum(
        1
        for y in range(0, image.height(), 4)
        for x in range(0, image.width(), 4)
        if image.pixelColor(x, y).lightness() < 128
    )
    assert dark > 200, "text and the QR code are drawn"


def test_the_page_size_follows_the_roll(qapp: QApplication, receipt: ReceiptData) -> None:
    pdf = ReportlabReceiptRenderer("thermal80").render(receipt)
    size = printer_for(pdf).pageLayout().fullRectPoints()
    assert size.width() == pytest.approx(80 / 25.4 * 72, abs=1)


def test_garbage_instead_of_a_pdf_is_a_device_error(qapp: QApplication) -> None:
    with pytest.raises(DeviceError):
        list(pdf_page_images(b"not a pdf", 100))


def test_the_preview_dialog_paints_the_receipt(qtbot: QtBot, tmp_path: Path) -> None:
    pdf = ReportlabReceiptRenderer("a5").render(sample_receipt())
    dialog = ReceiptPreviewDialog(pdf, file_printer(pdf, tmp_path / "preview.pdf"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.painted_pages == 1, timeout=5000)
    dialog.reject()


def test_a_missing_system_printer_is_a_device_error(
    qapp: QApplication, receipt: ReceiptData
) -> None:
    if QPrinterInfo.availablePrinters():
        pytest.skip("this machine has system printers; cannot provoke a missing one safely")
    pdf = ReportlabReceiptRenderer("thermal80").render(receipt)
    with pytest.raises(DeviceError) as caught:
        SystemReceiptPrinter("no-such-printer").print_receipt(receipt, pdf)
    assert "补打" in caught.value.text


def test_the_preview_is_sharp_at_the_pixel_ratio_and_fitted_to_the_width(
    qtbot: QtBot, tmp_path: Path
) -> None:
    pdf = ReportlabReceiptRenderer("a5").render(sample_receipt())
    dialog = ReceiptPreviewDialog(pdf, file_printer(pdf, tmp_path / "preview.pdf"))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.painted_pages == 1, timeout=5000)
    pixmap = dialog.findChild(QLabel, "previewPages").pixmap()
    ratio = dialog.device_pixel_ratio
    assert pixmap.devicePixelRatio() == ratio
    # One image pixel per device pixel, and the page exactly as wide as the view.
    assert abs(pixmap.width() - dialog.page_width_px() * ratio) <= 2
    assert dialog.findChild(QPushButton, "previewPrintButton") is None  # a receipt: view only
    dialog.resize(dialog.width() + 120, dialog.height())
    qtbot.waitUntil(
        lambda: (
            abs(
                dialog.findChild(QLabel, "previewPages").pixmap().width()
                - dialog.page_width_px() * ratio
            )
            <= 2
        ),
        timeout=5000,
    )
    dialog.reject()
