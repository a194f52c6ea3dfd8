"""Builds the configured device adapters (``[card_reader]``, ``[printer]``, ``[scanner]``).

Used by ``app.wiring`` and ``app.main``. The ``system`` printer kind is the Qt print path and lives in
``app.printing.system_printer`` (chosen by ``app.wiring.receipt_printer``); asking this module for it
is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from app.config import Settings
from app.errors import ConfigError
from app.hardware.card_reader.simulated import SimulatedCardReader
from app.hardware.card_reader.vendor import VendorCardReader
from app.hardware.printer.escpos_printer import EscposReceiptPrinter, connector_for
from app.hardware.printer.pdf_file import PdfFilePrinter
from app.hardware.scanner.serial_scanner import SerialVoucherScanner
from app.services.ports.devices import CardReader, DeviceHandler, ReceiptPrinter, VoucherScanner


def make_card_reader(
    settings: Settings, handler: DeviceHandler, demo_cards: Mapping[str, str] | None = None
) -> CardReader:
    """The configured card reader; ``simulated`` uses ``demo_cards`` (label → card string)."""
    kind = settings.card_reader.kind
    if kind == "vendor":
        return VendorCardReader(
            settings.card_reader.library, settings.card_reader.function, handler=handler
        )
    return SimulatedCardReader(demo_cards or {}, handler)


def make_voucher_scanner(settings: Settings) -> VoucherScanner | None:
    """The serial scanner when ``scanner.kind = serial``; ``None`` for a keyboard wedge (its scans
    are picked out of the key events by the window)."""
    scanner = settings.scanner
    if scanner.kind != "serial":
        return None
    return SerialVoucherScanner(scanner.port, scanner.recogniser(), baudrate=scanner.baudrate)


def make_receipt_printer(settings: Settings, pdf_folder: Path) -> ReceiptPrinter:
    """The configured printer for kinds ``pdf`` and ``escpos``."""
    kind = settings.printer.kind
    if kind == "pdf":
        return PdfFilePrinter(pdf_folder)
    if kind == "escpos":
        return EscposReceiptPrinter(
            connector_for(settings.printer.escpos_device), name=settings.printer.name or "escpos"
        )
    raise ConfigError(
        "printer.kind = system 由界面的打印预览处理（app.ui.print_preview）。",
        detail={"key": "printer.kind"},
    )
