"""The application-wide scanner filter: bursts never reach the focused field, typing always does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from app.config import ScannerSettings
from app.domain.scanner import ScannerConfig
from app.ui.scanner_filter import ScannerFilter, install_scanner_filter, scanner_config

CODE = "6212007919031512200000000001"


class FakeClock:
    """Milliseconds that move only when the test says so."""

    def __init__(self) -> None:
        self.now = 1_000

    def __call__(self) -> int:
        return self.now


class Window(QWidget):
    """A quantity field and a single-key shortcut, like the bill screen."""

    def __init__(self) -> None:
        super().__init__()
        self.quantity = QLineEdit(self)
        self.shortcut_hits = 0
        layout = QVBoxLayout(self)
        layout.addWidget(self.quantity)
        shortcut = QShortcut(QKeySequence("0"), self)
        shortcut.activated.connect(self._hit)

    def _hit(self) -> None:
        self.shortcut_hits += 1


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def scanner(qapp: QApplication, clock: FakeClock) -> Iterator[ScannerFilter]:
    config = ScannerConfig(max_interval_ms=30, min_length=16)
    installed = ScannerFilter(config, clock=clock)
    qapp.installEventFilter(installed)
    yield installed
    qapp.removeEventFilter(installed)
    installed.deleteLater()


@pytest.fixture
def window(qtbot: QtBot) -> Window:
    shown = Window()
    qtbot.addWidget(shown)
    shown.show()
    qtbot.waitExposed(shown)
    shown.activateWindow()
    shown.quantity.setFocus()
    return shown


def type_keys(clock: FakeClock, target: QWidget, text: str, step_ms: int) -> None:
    for char in text:
        if char == "\r":
            QTest.keyClick(target, "\r")
        else:
            QTest.keyClick(target, char)
        clock.now += step_ms


def test_a_burst_is_swallowed_and_emitted_as_a_voucher_code(
    qtbot: QtBot, scanner: ScannerFilter, window: Window, clock: FakeClock
) -> None:
    with qtbot.waitSignal(scanner.voucher_scanned) as signal:
        type_keys(clock, window.quantity, CODE + "\r", 3)
    assert signal.args == [CODE]
    clock.now += 500
    scanner.release_due()
    assert window.quantity.text() == ""
    assert window.shortcut_hits == 0, "the zeros in the code did not fire the '0' shortcut"


def test_ordinary_typing_reaches_the_focused_field_in_order(
    scanner: ScannerFilter, window: Window, clock: FakeClock
) -> None:
    type_keys(clock, window.quantity, "12", 150)
    clock.now += 150
    scanner.release_due()
    assert window.quantity.text() == "12"


def test_typed_single_key_shortcuts_still_work(
    scanner: ScannerFilter, window: Window, clock: FakeClock
) -> None:
    window.setFocus()
    type_keys(clock, window, "0", 150)
    assert window.shortcut_hits == 0, "held until the deadline"
    clock.now += 100
    scanner.release_due()
    assert window.shortcut_hits == 1


def test_a_garbled_burst_is_reported_and_changes_nothing(
    qtbot: QtBot, scanner: ScannerFilter, window: Window, clock: FakeClock
) -> None:
    with qtbot.waitSignal(scanner.scan_rejected) as signal:
        type_keys(clock, window.quantity, CODE[:20] + "AB" + "\r", 3)
    assert "重新扫码" in signal.args[0]
    assert window.quantity.text() == ""


def test_a_burst_cut_short_is_reported_when_the_timer_fires(
    qtbot: QtBot, scanner: ScannerFilter, window: Window, clock: FakeClock
) -> None:
    type_keys(clock, window.quantity, CODE[:20], 3)
    clock.now += 200
    with qtbot.waitSignal(scanner.scan_rejected, timeout=2000):
        pass  # the filter's own QTimer releases the held burst
    assert window.quantity.text() == ""


def test_ctrl_shortcuts_pass_through_untouched(
    qtbot: QtBot, scanner: ScannerFilter, window: Window, clock: FakeClock
) -> None:
    window.quantity.setText("abc")
    window.quantity.selectAll()
    QTest.keyClick(window.quantity, "x", Qt.KeyboardModifier.ControlModifier)
    assert window.quantity.text() == ""


def test_install_reads_the_scanner_settings(qapp: QApplication) -> None:
    settings = ScannerSettings(prefix="]Q", terminator="CRLF", max_interval_ms=40, min_length=20)
    assert scanner_config(settings).terminator.text == "\r\n"
    installed = install_scanner_filter(qapp, settings)
    try:
        assert installed.parent() is qapp
    finally:
        qapp.removeEventFilter(installed)
        installed.deleteLater()
