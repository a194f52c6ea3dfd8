"""The serial voucher scanner up to the port: framing, timeouts, failures (a fake port stands in)."""

from __future__ import annotations

import pytest

from app.domain.scanner import ScannerConfig, Terminator
from app.errors import DeviceError
from app.hardware.scanner.serial_scanner import SerialVoucherScanner, strip_framing

CODE = "6212007919031512200000000001"


class FakePort:
    """Bytes waiting on a serial line."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.timeout = 0.0
        self.closed = False

    def read_until(self, expected: bytes, size: int) -> bytes:
        del expected, size
        return self.chunks.pop(0) if self.chunks else b""

    def close(self) -> None:
        self.closed = True


def scanner_with(port: FakePort, config: ScannerConfig) -> SerialVoucherScanner:
    return SerialVoucherScanner("/dev/ttyFAKE", config, port_factory=lambda *a, **k: port)


def test_codes_arrive_whole_and_silence_is_none() -> None:
    port = FakePort([f"]Q{CODE}\r\n".encode()])
    scanner = scanner_with(port, ScannerConfig(prefix="]Q", terminator=Terminator.CRLF))
    try:
        assert scanner.read_code(0.5) == CODE
        assert scanner.read_code(0.01) is None
    finally:
        scanner.close()
    assert port.closed


def test_a_cut_scan_is_a_device_error() -> None:
    scanner = scanner_with(FakePort([CODE[:10].encode()]), ScannerConfig())
    try:
        with pytest.raises(DeviceError, match="重新扫码"):
            scanner.read_code(0.5)
    finally:
        scanner.close()


def test_a_port_that_cannot_open_is_a_device_error() -> None:
    def refuse(*args: object, **kwargs: object) -> FakePort:
        raise OSError("no such port")

    scanner = SerialVoucherScanner("/dev/ttyNONE", ScannerConfig(), port_factory=refuse)
    try:
        with pytest.raises(DeviceError) as caught:
            scanner.read_code(0.1)
    finally:
        scanner.close()
    assert caught.value.code == "serial_open"


def test_framing_is_stripped_or_refused() -> None:
    config = ScannerConfig(prefix="]Q", suffix="#")
    assert strip_framing(f"]Q{CODE}#\r", config) == CODE
    assert strip_framing(f"{CODE}\r", config) is None
