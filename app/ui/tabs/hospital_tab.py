"""全院窗口: the supervisor's view of every window in hospital mode (issue 13 item 7, issue 18).

One row per window — last sync, lag, records waiting, unresolved calls, today's settlements with
fund + account + cash = total — the figures of ``settlement-window hospital status --json``, and
below them the charge conflicts between windows (:mod:`app.ui.tabs.hospital_conflicts`), read on
the NETWORK lane (never the GUI thread) when the tab is shown, on 刷新 and every
:data:`REFRESH_MS` while it is on screen. From here the supervisor prints the hospital-wide shift
report (every window, or one; every operator, or one) and opens a window's settlements in the
history tab (double-click a row).

:func:`install_hospital_tabs` switches the window's history tab to hospital mode and adds this tab
(supervisors only); the composition calls it when ``[hospital_db]`` is configured.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.operator import Action, Operator
from app.services.ports.hospital import WindowStatus
from app.services.shift_report import RenderedShiftReport
from app.ui import pdf_preview
from app.ui.errors import show_error
from app.ui.format import local_clock, yuan
from app.ui.main_window import MainWindow
from app.ui.models.flat_table_model import AnyIndex, FlatTableModel
from app.ui.tables import SpreadColumns
from app.ui.tabs.hospital_conflicts import ConflictPanel
from app.workers.hospital_backend import HospitalOverview, HospitalWindowBackend
from app.workers.runner import Lane

log = logging.getLogger(__name__)

REFRESH_MS = 30_000
SHEET_LAYOUTS = {"thermal80": "thermal80"}  # receipts on the roll: the report too; otherwise A4


class StatusColumn(IntEnum):
    """Columns of the windows table."""

    WINDOW = 0
    LAST_SYNC = 1
    LAG = 2
    PENDING = 3
    UNRESOLVED = 4
    COUNT = 5
    FUND = 6
    ACCOUNT = 7
    CASH = 8
    TOTAL = 9


_HEADERS = {
    StatusColumn.WINDOW: QT_TRANSLATE_NOOP("WindowStatusModel", "Window"),
    StatusColumn.LAST_SYNC: QT_TRANSLATE_NOOP("WindowStatusModel", "Last sync"),
    StatusColumn.LAG: QT_TRANSLATE_NOOP("WindowStatusModel", "Lag (s)"),
    StatusColumn.PENDING: QT_TRANSLATE_NOOP("WindowStatusModel", "Waiting"),
    StatusColumn.UNRESOLVED: QT_TRANSLATE_NOOP("WindowStatusModel", "Unresolved"),
    StatusColumn.COUNT: QT_TRANSLATE_NOOP("WindowStatusModel", "Settlements today"),
    StatusColumn.FUND: QT_TRANSLATE_NOOP("WindowStatusModel", "Fund"),
    StatusColumn.ACCOUNT: QT_TRANSLATE_NOOP("WindowStatusModel", "Account"),
    StatusColumn.CASH: QT_TRANSLATE_NOOP("WindowStatusModel", "Cash"),
    StatusColumn.TOTAL: QT_TRANSLATE_NOOP("WindowStatusModel", "Total"),
}
_RIGHT = frozenset(set(StatusColumn) - {StatusColumn.WINDOW, StatusColumn.LAST_SYNC})


class WindowStatusModel(FlatTableModel):
    """Every window as the hospital record sees it."""

    translation_context = "WindowStatusModel"
    headers = tuple(str(_HEADERS[column]) for column in StatusColumn)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[WindowStatus] = []

    def set_rows(self, rows: Sequence[WindowStatus]) -> None:
        """Replace the windows."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_count(self) -> int:
        """Number of windows."""
        return len(self._rows)

    def row(self, row: int) -> WindowStatus | None:
        """The window on ``row``."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Titles; a figure's title right-aligned over its figures."""
        if (
            role == Qt.ItemDataRole.TextAlignmentRole
            and orientation == Qt.Orientation.Horizontal
            and section in _RIGHT
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return super().headerData(section, orientation, role)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Formatted text on DisplayRole."""
        row = self.row(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = StatusColumn(index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and column in _RIGHT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        never = self.tr("never")
        texts = {
            StatusColumn.WINDOW: row.device_no,
            StatusColumn.LAST_SYNC: local_clock(row.last_sync_at) if row.last_sync_at else never,
            StatusColumn.LAG: f"{row.lag_seconds:.1f}",
            StatusColumn.PENDING: str(row.pending),
            StatusColumn.UNRESOLVED: str(row.unresolved),
            StatusColumn.COUNT: str(row.settlements_today),
            StatusColumn.FUND: yuan(row.fund_today),
            StatusColumn.ACCOUNT: yuan(row.account_today),
            StatusColumn.CASH: yuan(row.cash_today),
            StatusColumn.TOTAL: yuan(row.total_today),
        }
        return texts[column]


class HospitalTab(QWidget):
    """The supervisor's windows tab."""

    def __init__(self, window: MainWindow, backend: HospitalWindowBackend) -> None:
        super().__init__(window)
        self.window_ = window
        self.backend = backend
        self.overview: HospitalOverview | None = None
        self.last_report: RenderedShiftReport | None = None
        self.model = WindowStatusModel(self)
        self.state_label = QLabel("", self)
        self.state_label.setObjectName("hospitalStateLabel")
        self.state_label.setWordWrap(True)
        self.table = QTableView(self)
        self.table.setObjectName("hospitalWindowsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.columns = SpreadColumns(self.table)
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.setObjectName("hospitalRefreshButton")
        self.report_button = QPushButton(self.tr("Hospital shift report…"), self)
        self.report_button.setObjectName("hospitalShiftReportButton")
        self.history_button = QPushButton(self.tr("This window's settlements"), self)
        self.history_button.setObjectName("hospitalHistoryButton")
        buttons = QHBoxLayout()
        for button in (self.refresh_button, self.report_button, self.history_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.conflicts = ConflictPanel(window, backend, self.refresh, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.conflicts)
        self.timer = QTimer(self)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self._tick)
        self.refresh_button.clicked.connect(self.refresh)
        self.report_button.clicked.connect(self.ask_shift_report)
        self.history_button.clicked.connect(self.open_selected_window)
        self.table.doubleClicked.connect(lambda _index: self.open_selected_window())

    # ------------------------------------------------------------------ windows

    def refresh(self) -> None:
        """Read every window's figures (NETWORK lane)."""
        if self._supervisor() is None:
            return
        self.window_.guard.submit(
            "hospital_status",
            self.backend.overview,
            self._show,
            lane=Lane.NETWORK,
            busy_text="",
            on_failure=self._unreachable,
        )

    def _tick(self) -> None:
        if self.isVisible() and self.window_.can(Action.DAY_CLOSE):
            self.refresh()

    def _show(self, overview: HospitalOverview) -> None:
        self.overview = overview
        self.model.set_rows(overview.windows)
        self.conflicts.set_conflicts(overview.conflicts)
        held = [w.device_no for w in overview.windows if w.unresolved or w.pending]
        text = self.tr("{day}: {n} window(s); read at {time}.").format(
            day=overview.day.isoformat(),
            n=len(overview.windows),
            time=local_clock(datetime.now().astimezone()),
        )
        if held:
            text += " " + self.tr(
                "Not ready for the hospital day close: {windows} (unresolved calls or records "
                "waiting to be sent)."
            ).format(windows="、".join(held))
        self.state_label.setText(text)

    def _unreachable(self, exc: BaseException) -> None:
        log.warning("hospital status not read: %s", exc)
        self.state_label.setText(
            self.tr(
                "The hospital database cannot be reached; the figures shown may be old. This "
                "window keeps working; try again later or call the IT department."
            )
        )

    def open_selected_window(self) -> None:
        """Show the selected window's settlements in the history tab."""
        rows = self.table.selectionModel().selectedRows()
        status = self.model.row(rows[0].row()) if rows else None
        history = self.window_.history_tab
        history.show_window(status.device_no if status is not None else None)
        self.window_.tabs.setCurrentWidget(history)

    # ------------------------------------------------------------------ hospital-wide report

    def ask_shift_report(self) -> None:
        """Ask which window (or all) and which cashier (or all), then print the report."""
        if self._supervisor() is None:
            return
        every = self.tr("Every window")
        windows = [w.device_no for w in self.overview.windows] if self.overview else []
        choice, ok = QInputDialog.getItem(
            self,
            self.tr("Hospital shift report"),
            self.tr("Window:"),
            [every, *windows],
            0,
            editable=False,
        )
        if not ok:
            return
        code, ok = QInputDialog.getText(
            self,
            self.tr("Hospital shift report"),
            self.tr("Cashier code (leave empty for every cashier):"),
            QLineEdit.EchoMode.Normal,
        )
        if ok:
            self.shift_report(None if choice == every else choice, code.strip() or None)

    def shift_report(self, window: str | None, operator_code: str | None) -> None:
        """Make (from the hospital record), render (audited here) and preview the report."""
        viewer = self._supervisor()
        if viewer is None:
            return
        backend = self.backend
        layout = SHEET_LAYOUTS.get(self.window_.settings.printer.layout, "a4")

        def work() -> RenderedShiftReport:
            report = backend.shift_report(viewer, backend.today(), window, operator_code)
            return backend.render_shift_report(report, viewer, layout)

        self.window_.guard.submit(
            "hospital_shift_report",
            work,
            self._show_report,
            lane=Lane.NETWORK,
            busy_text=self.tr("Preparing the hospital shift report…"),
            on_failure=lambda exc: show_error(self.window_.bridge, exc),
        )

    def _show_report(self, printed: RenderedShiftReport) -> None:
        self.last_report = printed
        pdf_preview.show_pdf_preview(
            self.window_,
            printed.pdf,
            self.window_.settings.printer.name,
            title=printed.sheet.report_no,
            printable=True,
        )

    # ------------------------------------------------------------------ helpers

    def _supervisor(self) -> Operator | None:
        if not self.window_.can(Action.DAY_CLOSE):
            return None
        return self.window_.operator


def install_hospital_tabs(window: MainWindow, backend: HospitalWindowBackend) -> HospitalTab:
    """Hospital mode in ``window``: the history tab lists every window's settlements, and a
    supervisor gets the windows tab (called by :func:`app.hospital_window.install_hospital_window`)."""
    window.history_tab.use_hospital(backend)
    tab = HospitalTab(window, backend)
    index = window.tabs.addTab(tab, QCoreApplication.translate("HospitalTab", "All windows"))

    def apply_role(_operator: object = None) -> None:
        allowed = window.can(Action.DAY_CLOSE)
        window.tabs.setTabVisible(index, allowed)
        if allowed:
            tab.timer.start()
        else:
            tab.timer.stop()

    def shown(current: int) -> None:
        if current == index:
            tab.refresh()

    window.operator_changed.connect(apply_role)
    window.tabs.currentChanged.connect(shown)
    apply_role()
    return tab
