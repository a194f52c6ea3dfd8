"""ESC/POS bytes through python-escpos's Dummy printer, and saving PDFs to a folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from escpos.printer import Dummy
from helpers.device_fixtures import sample_receipt, valid_id_number

from app.domain.receipt import ReceiptData
from app.errors import DeviceError
from app.hardware.printer.escpos_printer import (
    CHINESE_MODE,
    EscposReceiptPrinter,
    connector_for,
    display_width,
    printer_text,
    write_receipt,
)
from app.hardware.printer.pdf_file import PdfFilePrinter

QR_STORE_DATA = b"\x1d(k"  # GS ( k: the native QR code commands


def escpos_bytes(receipt: ReceiptData) -> bytes:
    printer = Dummy()
    write_receipt(printer, receipt)
    output: bytes = printer.output
    printer.close()
    return output


def test_chinese_is_sent_as_gb18030_after_selecting_chinese_mode(receipt: ReceiptData) -> None:
    output = escpos_bytes(receipt)
    assert output.startswith(CHINESE_MODE)
    for text in (
        "门诊慢特病",
        "恶性肿瘤门诊治疗（M00500）",
        "马秀兰",
        "现金支付",
        "壹佰柒拾玖元陆角叁分",
    ):
        assert text.encode("gb18030") in output
    assert "门诊慢特病".encode() not in output, "no UTF-8 on the wire"
    assert receipt.masked_id.encode("ascii") in output
    assert valid_id_number().encode("ascii") not in output
    for amount in (b"179.63", b"129.63", b"50.00"):
        assert amount in output


def test_the_settlement_id_goes_out_as_a_native_qr_code(receipt: ReceiptData) -> None:
    output = escpos_bytes(receipt)
    assert QR_STORE_DATA in output
    store = output.index(b"\x1d(k" + (len(receipt.settlement_id) + 3).to_bytes(2, "little"))
    assert receipt.settlement_id.encode("ascii") in output[store : store + 40]


def test_the_paper_is_cut_at_the_end(receipt: ReceiptData) -> None:
    assert (
        escpos_bytes(receipt)
        .rstrip(b"\n")
        .endswith((b"\x1dV\x00", b"\x1dVA\x03", b"\x1dV\x41\x03"))
    )


def test_characters_outside_the_printer_font_are_marked() -> None:
    assert printer_text("林𠈌") == "林〔U+2020C〕"
    assert printer_text("赵龘") == "赵龘"
    output = escpos_bytes(sample_receipt(name="林𠈌"))
    assert "林〔U+2020C〕".encode("gb18030") in output


def test_columns_count_chinese_as_double_width() -> None:
    assert display_width("现金 50.00") == 4 + 1 + 5


def test_a_failing_printer_is_a_device_error_and_can_be_retried(receipt: ReceiptData) -> None:
    attempts: list[Dummy] = []

    def flaky() -> Dummy:
        if not attempts:
            attempts.append(Dummy())
            raise OSError("printer offline")
        printer = Dummy()
        attempts.append(printer)
        return printer

    adapter = EscposReceiptPrinter(flaky, name="test")
    try:
        with pytest.raises(DeviceError) as caught:
            adapter.print_receipt(receipt, b"")
        assert "补打" in caught.value.text
        assert adapter.print_receipt(receipt, b"") == "test"
    finally:
        adapter.close()
        for printer in attempts:
            printer.close()


def test_printer_addresses_are_understood() -> None:
    with pytest.raises(DeviceError):
        connector_for("  ")
    assert callable(connector_for("tcp://192.0.2.10:9100"))
    assert callable(connector_for("serial:/dev/ttyS0"))
    assert callable(connector_for("/dev/usb/lp0"))


def test_pdf_files_are_named_without_personal_data(tmp_path: Path, receipt: ReceiptData) -> None:
    printer = PdfFilePrinter(tmp_path / "receipts")
    where = Path(printer.print_receipt(receipt, b"%PDF-1.4 test"))
    assert where.read_bytes() == b"%PDF-1.4 test"
    assert where.name == "20261123_20261123-000001_original.pdf"
    assert "马" not in where.name
    assert not list(where.parent.glob("*.part"))


def test_an_unwritable_folder_is_a_device_error(tmp_path: Path, receipt: ReceiptData) -> None:
    if os.geteuid() == 0:
        blocker = tmp_path / "not-a-folder"
        blocker.write_text("x")
        folder = blocker / "receipts"
    else:
        folder = tmp_path / "locked"
        folder.mkdir()
        folder.chmod(0o500)
    with pytest.raises(DeviceError) as caught:
        PdfFilePrinter(folder).print_receipt(receipt, b"%PDF")
    assert "收费结果不受影响" in caught.value.text
