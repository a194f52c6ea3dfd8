"""The configured device adapters are the ones built."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers.device_fixtures import CardFields, RecordingHandler

from app.config import Settings, settings_from_mapping
from app.errors import ConfigError
from app.hardware.card_reader.simulated import SimulatedCardReader
from app.hardware.card_reader.vendor import VendorCardReader
from app.hardware.factory import make_card_reader, make_receipt_printer
from app.hardware.printer.escpos_printer import EscposReceiptPrinter
from app.hardware.printer.pdf_file import PdfFilePrinter

BASE: dict[str, Any] = {
    "platform": {"url": "https://127.0.0.1:1", "passid": "p", "token": "t"},
    "hospital": {
        "code": "H11010500001",
        "name": "测试医院",
        "admdvs": "110105",
        "opened_diseases": ["M00500"],
    },
}


def settings_with(**sections: dict[str, Any]) -> Settings:
    return settings_from_mapping({**BASE, **sections})


def test_simulated_and_vendor_readers_are_built_from_the_settings(tmp_path: Path) -> None:
    handler = RecordingHandler()
    library = tmp_path / "libsscard.so"
    library.write_bytes(b"")
    simulated = make_card_reader(settings_with(), handler, {"马秀兰": CardFields().text()})
    vendor = make_card_reader(
        settings_with(card_reader={"kind": "vendor", "library": str(library)}), handler
    )
    try:
        assert isinstance(simulated, SimulatedCardReader)
        assert isinstance(vendor, VendorCardReader)
    finally:
        simulated.close()
        vendor.close()


def test_pcsc_is_not_a_reader_kind_any_more() -> None:
    """PC/SC alone cannot read the card's protected fields; the kind used to be accepted and then
    silently gave the window no card reader."""
    with pytest.raises(ConfigError) as caught:
        settings_with(card_reader={"kind": "pcsc"})
    assert caught.value.detail["key"] == "card_reader.kind"
    assert "simulated、vendor" in caught.value.text


def test_printers_are_built_from_the_settings(tmp_path: Path) -> None:
    assert isinstance(make_receipt_printer(settings_with(), tmp_path), PdfFilePrinter)
    escpos = make_receipt_printer(
        settings_with(printer={"kind": "escpos", "escpos_device": "tcp://192.0.2.1:9100"}), tmp_path
    )
    try:
        assert isinstance(escpos, EscposReceiptPrinter)
    finally:
        escpos.close()
    with pytest.raises(ConfigError):
        make_receipt_printer(settings_with(printer={"kind": "system"}), tmp_path)
