"""``[scanner] kind = "serial"`` end to end below the window: the configured port, read by pyserial on a
real (pseudo) terminal, delivered by the pump as signals on the GUI thread."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.config import settings_from_mapping
from app.hardware.factory import make_voucher_scanner
from app.hardware.scanner.serial_scanner import SerialVoucherScanner
from app.workers.scanner_pump import ScannerPump

CODE = "6212007919031512200000000001"
BASE: dict[str, Any] = {
    "platform": {"url": "https://ybj.example.cn", "passid": "p", "token": "t"},
    "hospital": {"code": "H11010500001", "name": "测试医院", "admdvs": "110105"},
}

pytestmark = pytest.mark.skipif(os.name != "posix", reason="pseudo-terminals are POSIX")


@pytest.fixture
def serial_line() -> Iterator[tuple[int, str]]:
    """A pseudo-terminal: write scans into the first descriptor, the scanner opens the path."""
    controller, device = os.openpty()
    try:
        yield controller, os.ttyname(device)
    finally:
        os.close(controller)
        os.close(device)


def serial_settings(port: str) -> Any:
    scanner = {"kind": "serial", "port": port, "baudrate": 115200, "prefix": "]Q"}
    return settings_from_mapping({**BASE, "scanner": scanner})


def test_keyboard_kind_has_no_port_to_read() -> None:
    assert make_voucher_scanner(settings_from_mapping(BASE)) is None


def test_the_configured_serial_port_delivers_whole_codes(serial_line: tuple[int, str]) -> None:
    controller, port = serial_line
    scanner = make_voucher_scanner(serial_settings(port))
    assert isinstance(scanner, SerialVoucherScanner)
    try:
        assert scanner.read_code(0.2) is None
        os.write(controller, f"]Q{CODE}\r".encode())
        assert scanner.read_code(2.0) == CODE
    finally:
        scanner.close()


def test_the_pump_hands_scans_and_faults_to_the_gui_thread(
    qtbot: QtBot, serial_line: tuple[int, str]
) -> None:
    controller, port = serial_line
    scanner = make_voucher_scanner(serial_settings(port))
    assert scanner is not None
    pump = ScannerPump(scanner).start()
    try:
        # A scan made before the pump's thread opened the port is lost (pyserial empties the
        # input on opening), as with a real scanner: scan again until one arrives.
        with qtbot.waitSignal(pump.scanned, timeout=5_000) as scanned:
            for _ in range(10):
                os.write(controller, f"]Q{CODE}\r".encode())
                qtbot.wait(300)
                if scanned.signal_triggered:
                    break
        assert scanned.args == [CODE]
        with qtbot.waitSignal(pump.failed, timeout=5_000) as failed:
            os.write(controller, f"{CODE}\r".encode())  # the prefix is missing
        assert "重新扫码" in failed.args[0]
    finally:
        pump.stop()


def test_a_missing_port_is_explained_not_raised(qtbot: QtBot) -> None:
    scanner = make_voucher_scanner(serial_settings("/dev/nonexistent-scanner"))
    assert scanner is not None
    pump = ScannerPump(scanner).start()
    try:
        with qtbot.waitSignal(pump.failed, timeout=5_000) as failed:
            pass
        assert "/dev/nonexistent-scanner" in failed.args[0]
    finally:
        pump.stop()
