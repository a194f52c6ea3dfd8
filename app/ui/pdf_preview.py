"""The on-screen preview of a receipt, slip or report (tests replace :func:`show_pdf_preview`)."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def show_pdf_preview(
    parent: QWidget, pdf: bytes, printer_name: str, *, title: str, printable: bool = False
) -> bool:
    """Show ``pdf`` in the preview dialog; ``True`` if it was printed from there."""
    from app.ui.print_preview import ReceiptPreviewDialog  # noqa: PLC0415  (QtPrintSupport is slow to load)

    return ReceiptPreviewDialog.ask(parent, pdf, printer_name, title=title, printable=printable)
