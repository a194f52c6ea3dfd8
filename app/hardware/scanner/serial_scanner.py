"""A serial (or USB-CDC) voucher scanner: whole codes on their own channel, read on the scanner thread.

Configured with ``[scanner] kind = "serial"``, ``port`` and ``baudrate``; pyserial is imported only
then. The terminator (CR, LF or
both) and prefix/suffix are the same settings as for keyboard-wedge scanners.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

from app.domain.scanner import ScannerConfig
from app.errors import DeviceError
from app.hardware.threads import DeviceThread

log = logging.getLogger(__name__)


def _serial_module() -> Any:
    try:
        return importlib.import_module("serial")
    except ImportError:
        raise DeviceError(
            "未安装串口组件（pyserial），无法使用串口扫码枪。请联系信息科安装，或把扫码枪设为键盘模式。",
            code="serial_missing",
        ) from None


def strip_framing(raw: str, config: ScannerConfig) -> str | None:
    """The code inside prefix/suffix/terminator, or ``None`` when the framing is wrong."""
    text = raw.removesuffix(config.terminator.text).rstrip("\r\n")
    if not text.startswith(config.prefix) or not text.endswith(config.suffix):
        return None
    return text[len(config.prefix) : len(text) - len(config.suffix)]


class SerialVoucherScanner:
    """``VoucherScanner`` over a serial port. ``port_factory`` is for tests (a fake port object)."""

    def __init__(
        self,
        port: str,
        config: ScannerConfig,
        *,
        baudrate: int = 9600,
        port_factory: Any = None,
    ) -> None:
        self._port_name = port
        self._config = config
        self._baudrate = baudrate
        self._factory = port_factory
        self._port: Any = None
        self._thread = DeviceThread("serial-scanner")

    def read_code(self, timeout_s: float) -> str | None:
        """The next code, ``None`` if nothing came within ``timeout_s``.

        Raises:
            DeviceError: the port cannot be opened or read; or the code's framing is wrong.
        """
        return self._thread.call(self._read, timeout_s)

    def _open(self) -> Any:
        self._thread.assert_on_thread()
        if self._port is None:
            # serial_for_url opens a device path (/dev/ttyACM0, COM4) as Serial does, and also
            # pyserial's URLs (socket://host:port for a scanner behind a serial-to-network box).
            factory = self._factory or _serial_module().serial_for_url
            try:
                self._port = factory(self._port_name, baudrate=self._baudrate, timeout=0.1)
            except Exception as exc:
                log.warning("opening scanner port failed: %s", type(exc).__name__)
                raise DeviceError(
                    f"扫码枪串口 {self._port_name} 无法打开。请检查扫码枪连接和串口设置。",
                    code="serial_open",
                ) from None
        return self._port

    def _read(self, timeout_s: float) -> str | None:
        port = self._open()
        port.timeout = timeout_s
        terminator = self._config.terminator.text.encode("ascii")
        try:
            raw: bytes = port.read_until(terminator, self._config.max_length)
        except Exception as exc:
            log.warning("reading scanner port failed: %s", type(exc).__name__)
            raise DeviceError(
                "扫码枪读取失败。请检查扫码枪连接后重新扫码。", code="serial_read"
            ) from None
        if not raw:
            return None
        code = strip_framing(raw.decode("ascii", errors="replace"), self._config)
        if code is None or not raw.endswith(terminator):
            raise DeviceError(
                "扫码不完整或扫码枪设置有误（前后缀或结束符不符），请重新扫码。",
                code="serial_framing",
            )
        return code

    def close(self) -> None:
        """Close the port and stop the thread."""
        if self._port is not None:
            self._thread.call(self._port.close)
        self._thread.shutdown()
