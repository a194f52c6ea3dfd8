"""Codes from a scanner on its own channel (serial/USB-CDC), delivered to the GUI thread as signals.

A keyboard-wedge scanner needs none of this: the window picks its bursts out of the key events. A
serial scanner is read here, on a thread of its own, and each whole code is emitted as
``scanned(str)``, the same thing the window does with a wedge scan; a scanner fault is emitted as
``failed(str)`` (its plain-Chinese text) and reading goes on after a pause, so unplugging and
plugging the scanner back in needs no restart.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, Signal

from app.errors import DeviceError
from app.services.ports.devices import VoucherScanner

log = logging.getLogger(__name__)

READ_TIMEOUT_S = 0.5
RETRY_PAUSE_S = 2.0


class ScannerPump(QObject):
    """Reads ``scanner`` until :meth:`stop`. Create it on the GUI thread (its signals are queued there).

    Signals:
        scanned(str): a whole code.
        failed(str): the scanner's fault, in words for the cashier.
    """

    scanned = Signal(str)
    failed = Signal(str)

    def __init__(self, scanner: VoucherScanner) -> None:
        """A pump over ``scanner``; nothing is read before :meth:`start`."""
        super().__init__()
        self._scanner = scanner
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scanner-pump", daemon=True)

    def start(self) -> ScannerPump:
        """Start reading."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop reading (within one read timeout) and close the scanner."""
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout=READ_TIMEOUT_S + RETRY_PAUSE_S + 1.0)
        self._scanner.close()

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                code = self._scanner.read_code(READ_TIMEOUT_S)
            except DeviceError as exc:
                log.warning("scanner: %s", exc.code)
                self.failed.emit(exc.text)
                self._stopping.wait(RETRY_PAUSE_S)
                continue
            if code is not None and not self._stopping.is_set():
                self.scanned.emit(code)
