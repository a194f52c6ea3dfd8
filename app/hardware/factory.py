"""Builds the configured device adapters (``[card_reader]``, ``[printer]``) for ``app.wiring``.

The ``system`` printer kind is the Qt print path and lives in ``app.ui.print_preview``; asking this
module for it is an error.
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
from app.services.ports.devices import CardReader, DeviceHandler, ReceiptPrinter


def make_card_reader(
    settings: Settings, handler: DeviceHandler, demo_cards: Mapping[str, str] | None = None
) -> CardReader:
    """The configured card reader; ``simulated`` uses ``demo_cards`` (label → card string)."""
    kind = settings.card_reader.kind
    if kind == "vendor":
        return VendorCardReader(
            settings.card_reader.library, settings.card_reader.function, handler=handler
        )
    if kind == "simulated":
        return SimulatedCardReader(demo_cards or {}, handler)
    raise ConfigError(
        "card_reader.kind = pcsc 只能检测卡片是否插入，不能读取社保卡信息；请改为 vendor 或 simulated。",
        detail={"key": "card_reader.kind"},
    )


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
