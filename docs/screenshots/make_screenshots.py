"""Drive the real ``--demo`` window and save screenshots of its main states into this folder.

Run under a real X server (Xvfb), once per screen size; each size goes to its own folder::

    xvfb-run -a -s "-screen 0 1920x1080x24" env QT_QPA_PLATFORM=xcb \
        .venv/bin/python docs/screenshots/make_screenshots.py --size 1366x768
    xvfb-run -a -s "-screen 0 1920x1080x24" env QT_QPA_PLATFORM=xcb \
        .venv/bin/python docs/screenshots/make_screenshots.py --size 1920x1080

(Without a display it falls back to Qt's offscreen platform.) It starts exactly what
``settlement-window --demo`` starts (embedded sandbox, simulated card reader, demo operators, Chinese
translation, bundled font) and works the keyboard flow. Dialogs that would block (confirmation,
preview) are answered in code; the preview dialog is grabbed on its own.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.demo import DEMO_OPERATORS
from app.main import WindowSession, create_application, start_session
from app.services.receipts import PrintedReceipt
from app.ui import errors as ui_errors
from app.ui import pdf_preview
from app.ui.dialogs.confirm_dialog import ConfirmDialog
from app.ui.main_window import MainWindow
from app.ui.print_preview import ReceiptPreviewDialog, printer_for

HERE = Path(__file__).resolve().parent
OUT = HERE
PASSWORDS = {code: password for code, _, _, password in DEMO_OPERATORS}
log = logging.getLogger("screenshots")


def wait(app: QApplication, done: Callable[[], bool], seconds: float = 20.0) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        if done():
            return
    raise TimeoutError("the window did not reach the expected state")


def settle_ui(app: QApplication, window: MainWindow) -> None:
    wait(app, lambda: not window.busy)
    for _ in range(5):
        app.processEvents()


def save(app: QApplication, widget: QWidget, name: str) -> None:
    for _ in range(5):
        app.processEvents()
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    log.info("saved %s", path.name)


def insert_card(window: MainWindow, name: str) -> None:
    combo = window.identify_panel.demo_cards
    combo.setCurrentIndex(next(i for i in range(combo.count()) if combo.itemData(i) == name))


def identify(app: QApplication, window: MainWindow, name: str) -> None:
    insert_card(window, name)
    window.activateWindow()
    window.read_card()
    wait(app, lambda: window.eligibility is not None and window.eligibility.person.name == name)
    settle_ui(app, window)


def login(app: QApplication, window: MainWindow, code: str) -> None:
    window.login(code, PASSWORDS[code])
    wait(app, lambda: window.operator is not None and window.connection is not None)
    settle_ui(app, window)


def shoot_history(app: QApplication, window: MainWindow) -> None:
    """Today's settlements with 补打 / 重打 / 撤销 / 部分退费."""
    window.tabs.setCurrentWidget(window.history_tab)
    wait(app, lambda: window.history_tab.model.rowCount() > 0 and not window.busy, 30)
    window.history_tab.table.selectRow(0)
    save(app, window, "09-history")
    window.tabs.setCurrentIndex(0)


def shoot_offline_self_pay(app: QApplication, window: MainWindow) -> None:
    """Offline: the whole bill collected as 全额自费, and its receipt."""
    window.check_connection()
    wait(app, lambda: window.connection is not None and not window.connection.online)
    identify(app, window, "马秀兰")
    save(app, window, "08-offline")
    printed: list[tuple[PrintedReceipt, ...]] = []
    window.receipts_ready.connect(printed.append)
    window.settle_panel.offline_self_pay_button.click()
    wait(app, lambda: bool(printed) and not window.busy, 30)
    (receipt,) = printed[-1]
    shoot_preview(app, window, receipt.pdf, "10-offline-self-pay-receipt")


def shoot_preview(app: QApplication, window: MainWindow, pdf: bytes, name: str) -> None:
    """The preview dialog as the window opens it (its own size: fitted to the screen)."""
    preview = ReceiptPreviewDialog(pdf, printer_for(pdf), window, title="票据预览")
    preview.show()
    app.processEvents()
    preview.render_pages()
    save(app, preview, name)
    preview.close()


def shoot_self_pay(app: QApplication, window: MainWindow) -> None:
    """Not registered for cross-province care: the bill becomes 全额自费, all of it due in cash."""
    identify(app, window, "黄丽华")
    QTest.keyClick(window, Qt.Key.Key_F8)
    wait(app, lambda: bool(window.groups) and not window.busy, 30)
    save(app, window, "11-not-registered-full-self-pay")
    QTest.keyClick(window, Qt.Key.Key_F9)
    wait(app, lambda: window.settle_panel.receipt_button.isEnabled() and not window.busy, 30)
    QTest.keyClick(window, Qt.Key.Key_F12)
    settle_ui(app, window)


def main() -> int:
    global OUT  # noqa: PLW0603  (one run writes one size's folder)
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="1366x768", help="window size, e.g. 1920x1080")
    size = parser.parse_args().size
    width, height = (int(part) for part in size.split("x"))
    OUT = HERE / size
    OUT.mkdir(exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    previews: list[bytes] = []
    ConfirmDialog.ask = classmethod(lambda cls, parent, title, text: True)  # type: ignore[method-assign,assignment]
    pdf_preview.show_pdf_preview = lambda parent, pdf, name, **kw: previews.append(pdf) or False
    ui_errors.present = lambda parent, message: log.info("message: %s", message.text)
    app = create_application("zh_CN")
    session = WindowSession(app)
    try:
        shell = start_session(session, demo=True, config=None, data_dir=None)
        shell.resize(width, height)
        wait(app, lambda: shell.is_ready, 60)
        window = shell.main_window
        assert window is not None
        save(app, window, "00-login")
        login(app, window, "C001")

        identify(app, window, "马秀兰")
        save(app, window, "01-identify")

        identify(app, window, "李淑芬")  # two diseases + general lines from the HIS hand-off
        window.bill_panel.bill_table.setFocus()
        window.bill_panel.bill_table.selectRow(0)
        save(app, window, "02-bill-two-diseases-and-general")

        QTest.keyClick(window, Qt.Key.Key_F8)
        wait(app, lambda: bool(window.groups) and not window.busy, 30)
        save(app, window, "03-pre-settle")

        QTest.keyClick(window, Qt.Key.Key_F9)
        wait(app, lambda: window.settle_panel.receipt_button.isEnabled() and not window.busy, 30)
        window.settle_panel.group_table.selectRow(1)
        save(app, window, "04-settled")
        QTest.keyClick(window, Qt.Key.Key_F10)
        wait(app, lambda: bool(previews) and not window.busy, 30)
        shoot_preview(app, window, previews[0], "05-receipt-preview")

        shoot_history(app, window)
        QTest.keyClick(window, Qt.Key.Key_F12)
        settle_ui(app, window)
        shoot_self_pay(app, window)
        identify(app, window, "林𠈌")  # a name with a CJK Extension B character
        save(app, window, "12-rare-character-name")

        window.lock()
        save(app, window, "06-locked")
        login(app, window, "C001")
        window.log_out()
        login(app, window, "R001")
        identify(app, window, "刘桂英")
        save(app, window, "07-registration-desk")
        window.log_out()
        login(app, window, "C001")

        assert session.server is not None
        session.server.stop()
        shoot_offline_self_pay(app, window)
        shell.close()
    finally:
        session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
