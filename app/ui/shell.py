"""The window's first paint: a light frame that shows at once, then holds the real window.

Start-up time is dominated by Python imports on the GUI thread. This module is the only UI code
imported before the first paint, so it imports nothing but a few Qt widget classes: no domain, no
services, no dataclasses, and not even ``PySide6.QtCore.Qt`` (building that namespace of enums costs
15–30 ms on its own). :class:`StartWindow` shows the same demo banner, status row and login page as
:class:`app.ui.main_window.MainWindow` (both are built by :class:`Chrome`), with logging in disabled
("Starting…"). After the first paint, ``app.main`` imports the heavy modules on a worker thread, builds
the real window and :meth:`StartWindow.adopt` s it as the central widget, so the top-level window the
operator sees never changes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent

    from app.ui.main_window import MainWindow

WINDOW_SIZE = (1366, 768)
# Alignment through the style sheet: the Qt.AlignmentFlag enum would build the whole Qt namespace.
BANNER_STYLE = (
    "background:#ffb300; color:#000; font-weight:bold; font-size:14pt; padding:4px;"
    " qproperty-alignment: AlignCenter;"
)
CENTERED_STYLE = "qproperty-alignment: AlignCenter;"
MAINTENANCE_STYLE = "background:#fde0dc; padding:4px; font-weight:bold;"


# Texts are translated in the real window's context ("MainWindow"), so both windows share one
# translation per text (spelled out in each call: pyside6-lupdate only sees literal calls).
def window_title() -> str:
    """The window title (translated)."""
    return QCoreApplication.translate(
        "MainWindow", "Cross-province chronic-disease settlement window"
    )


def starting_hint() -> str:
    """The login page's hint while the window is starting (translated)."""
    return QCoreApplication.translate(
        "MainWindow", "Starting… the window is ready in a few seconds."
    )


class Chrome:
    """What every screen shows: demo banner, status row, maintenance notice, and the page stack with
    the login page. Built the same way for the start-up frame and the real window.

    Attributes:
        central: the widget holding it all (set it as the window's central widget).
        outer: its vertical layout.
        pages: the page stack; ``login_page`` is its first page.
    """

    def __init__(self, owner: QWidget, *, demo: bool, starting: bool) -> None:
        """Build the widgets as children of ``owner``."""
        self.central = QWidget(owner)
        self.outer = QVBoxLayout(self.central)
        self.outer.setContentsMargins(6, 6, 6, 6)

        self.demo_banner = QLabel(
            QCoreApplication.translate(
                "MainWindow",
                "TRAINING / DEMO MODE — sandbox platform, no real settlement, no real money",
            ),
            owner,
        )
        self.demo_banner.setObjectName("demoBanner")
        self.demo_banner.setStyleSheet(BANNER_STYLE)
        self.demo_banner.setVisible(demo)
        self.outer.addWidget(self.demo_banner)

        status_row = QHBoxLayout()
        self.connection_label = QLabel(
            QCoreApplication.translate("MainWindow", "Platform: checking…"), owner
        )
        self.connection_label.setObjectName("connectionLabel")
        self.unresolved_label = QLabel("", owner)
        self.unresolved_label.setObjectName("unresolvedLabel")
        self.operator_label = QLabel(
            QCoreApplication.translate("MainWindow", "Not logged in"), owner
        )
        self.operator_label.setObjectName("operatorLabel")
        self.busy_label = QLabel("", owner)
        self.busy_label.setObjectName("busyLabel")
        for widget in (self.connection_label, self.unresolved_label, self.busy_label):
            status_row.addWidget(widget)
        status_row.addStretch(1)
        status_row.addWidget(self.operator_label)
        self.outer.addLayout(status_row)

        self.maintenance_label = QLabel("", owner)
        self.maintenance_label.setObjectName("maintenanceLabel")
        self.maintenance_label.setWordWrap(True)
        self.maintenance_label.setStyleSheet(MAINTENANCE_STYLE)
        self.maintenance_label.hide()
        self.outer.addWidget(self.maintenance_label)

        self.pages = QStackedWidget(owner)
        self.login_page = QWidget(owner)
        layout = QVBoxLayout(self.login_page)
        layout.addStretch(1)
        self.login_hint = QLabel(
            starting_hint()
            if starting
            else QCoreApplication.translate("MainWindow", "Press Enter to log in."),
            self.login_page,
        )
        self.login_hint.setObjectName("loginHint")
        self.login_hint.setStyleSheet(CENTERED_STYLE)
        self.login_button = QPushButton(
            QCoreApplication.translate("MainWindow", "Log in (Enter)"), self.login_page
        )
        self.login_button.setObjectName("loginButton")
        self.login_button.setDefault(True)
        self.login_button.setEnabled(not starting)
        button_row = QHBoxLayout()
        button_row.addStretch(1)
        button_row.addWidget(self.login_button)
        button_row.addStretch(1)
        layout.addWidget(self.login_hint)
        layout.addLayout(button_row)
        layout.addStretch(2)
        self.pages.addWidget(self.login_page)
        self.outer.addWidget(self.pages, 1)


class StartWindow(QMainWindow):
    """The top-level window: the start-up frame until the real window is adopted, then its holder.

    Signals:
        loaded(): emitted from the worker thread that imported the real window's modules (queued to
            the GUI thread by Qt).
    """

    loaded = Signal()

    def __init__(self, *, demo: bool) -> None:
        """The start-up frame: banner, status row and a login page saying "Starting…"."""
        super().__init__()
        self.setWindowTitle(window_title())
        self.chrome = Chrome(self, demo=demo, starting=True)
        self.setCentralWidget(self.chrome.central)
        self.main_window: MainWindow | None = None

    @property
    def is_ready(self) -> bool:
        """Whether logging in is possible (the real window is in place and the backend built)."""
        return self.main_window is not None and self.main_window.is_ready

    def adopt(self, window: MainWindow) -> None:
        """Replace the start-up frame by the real window, inside this same top-level window."""
        from PySide6.QtCore import Qt  # noqa: PLC0415  (after the first paint: see the module doc)

        window.setParent(self)
        window.setWindowFlags(Qt.WindowType.Widget)
        self.main_window = window
        self.setCentralWidget(window)  # deletes the start-up frame
        window.show()
        window.login_button.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Closing the window closes the real window inside it (it stops its timers)."""
        if self.main_window is not None:
            self.main_window.close()
        super().closeEvent(event)
