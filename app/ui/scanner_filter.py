"""Keyboard-wedge scanner input as its own channel: an application-wide Qt event filter.

A wedge scanner "types" the e-voucher code into whatever has focus. Installed on the
:class:`~PySide6.QtWidgets.QApplication`, :class:`ScannerFilter` holds every plain text keystroke for at
most ``max_interval_ms`` and feeds it to the pure :class:`~app.domain.scanner.BurstRecogniser`:

* a burst (fast keys + terminator, with the configured prefix/suffix) is swallowed — not one digit
  reaches a quantity field — and, if it is a well-formed code, emitted as ``voucher_scanned(str)``;
  a garbled one is emitted as ``scan_rejected(str)`` with the Chinese text to show; nothing changes;
* anything else is ordinary typing and is replayed to the widget it was meant for, in order, including
  single-key shortcuts (replay goes through ``QTest.keyClick``, the one public API that routes a
  synthetic key through Qt's shortcut map).

Keys with Ctrl/Alt/Meta, auto-repeat and keys without text are never held (held keys are released
first, so the order is kept). While holding, ``ShortcutOverride`` is accepted for plain text keys so a
single-key shortcut such as "0" cannot fire in the middle of a scan.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.config import ScannerSettings
from app.domain.scanner import (
    BurstRecogniser,
    GarbledScan,
    Output,
    Scan,
    ScannerConfig,
    Typed,
    parse_voucher_code,
)
from app.errors import InputError

log = logging.getLogger(__name__)

_COMMAND_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.MetaModifier
)


def monotonic_ms() -> int:
    """Milliseconds from an arbitrary start (the default clock)."""
    return time.monotonic_ns() // 1_000_000


def scanner_config(settings: ScannerSettings) -> ScannerConfig:
    """The recogniser's configuration from ``[scanner]`` (the same one a serial scanner uses)."""
    return settings.recogniser()


class ScannerFilter(QObject):
    """Application event filter that turns wedge-scanner bursts into ``voucher_scanned`` signals.

    Signals:
        voucher_scanned(str): a well-formed e-voucher code.
        scan_rejected(str): a burst that is not a usable code; the Chinese text says what to do.
    """

    voucher_scanned = Signal(str)
    scan_rejected = Signal(str)

    def __init__(
        self,
        config: ScannerConfig,
        parent: QObject | None = None,
        *,
        clock: Callable[[], int] = monotonic_ms,
    ) -> None:
        super().__init__(parent)
        self._recogniser = BurstRecogniser(config)
        self._clock = clock
        self._replaying = False
        self._target: QWidget | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.release_due)

    # ------------------------------------------------------------------ the filter

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Hold plain text keys; see the module docstring."""
        if self._replaying or not isinstance(watched, QWidget):
            return False
        kind = event.type()
        if kind not in (QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride):
            return False
        assert isinstance(event, QKeyEvent)
        if not self._is_plain_text(event):
            if kind is QEvent.Type.KeyPress:
                self._handle(self._recogniser.release_all())
            return False
        if kind is QEvent.Type.ShortcutOverride:
            event.accept()  # deliver as a key press (to us), not as a shortcut
            return True
        if not self._recogniser.holding:
            self._target = watched
        self._handle(self._recogniser.feed(event.text(), self._clock()))
        self._arm()
        return True

    @staticmethod
    def _is_plain_text(event: QKeyEvent) -> bool:
        text = event.text()
        return (
            len(text) == 1
            and not event.isAutoRepeat()
            and not (event.modifiers() & _COMMAND_MODIFIERS)
            and (text.isprintable() or text in "\r\n")
        )

    # ------------------------------------------------------------------ timing

    def release_due(self) -> None:
        """Release held keys whose deadline has passed (the timer calls this; tests may too)."""
        self._handle(self._recogniser.flush(self._clock()))
        self._arm()

    def _arm(self) -> None:
        deadline = self._recogniser.deadline_ms
        if deadline is None:
            self._timer.stop()
            return
        self._timer.start(max(1, deadline - self._clock() + 1))

    # ------------------------------------------------------------------ outputs

    def _handle(self, outputs: list[Output]) -> None:
        for output in outputs:
            if isinstance(output, Typed):
                self._replay(output.text)
            elif isinstance(output, Scan):
                self._scanned(output.code)
            elif isinstance(output, GarbledScan):
                log.info("garbled scan of %d characters swallowed", output.length)
                self.scan_rejected.emit(output.text)

    def _scanned(self, code: str) -> None:
        try:
            voucher = parse_voucher_code(code)
        except InputError as exc:
            log.info("scanned code refused: %s", exc.code)
            self.scan_rejected.emit(exc.text)
            return
        log.info("e-voucher code scanned")
        self.voucher_scanned.emit(voucher.value)

    def _replay(self, text: str) -> None:
        target = self._target
        if target is None or not shiboken6.isValid(target):
            return  # the widget the keys were meant for is gone: drop them
        self._replaying = True
        try:
            for char in text:
                _type_into(target, char)
        finally:
            self._replaying = False


def _type_into(target: QWidget, char: str) -> None:
    if char in "\r\n":
        QTest.keyClick(target, Qt.Key.Key_Return)
    elif char.isascii():
        # QTest.keyClick(QWidget, char) exists at run time (it keeps the case of letters) but is
        # missing from PySide6's stubs.
        QTest.keyClick(target, char)  # type: ignore[call-overload]
    else:
        key = QKeyEvent(
            QEvent.Type.KeyPress, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char
        )
        QApplication.sendEvent(target, key)


def install_scanner_filter(app: QApplication, settings: ScannerSettings) -> ScannerFilter:
    """Create the filter from ``[scanner]`` and install it on ``app`` (remove with ``removeEventFilter``)."""
    scanner = ScannerFilter(scanner_config(settings), app)
    app.installEventFilter(scanner)
    return scanner
