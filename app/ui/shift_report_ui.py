"""The window's shift report (交班表) and its long work with progress (issue 18).

:func:`install_shift_report` adds to the journal tab a "Shift report…" button (a cashier: their own
shift today; a supervisor: anyone's, or everyone's when the code is left empty) and, for supervisors
and administrators, "Import catalogue…" and "Sync catalogue"; and it runs the day close with a progress dialog. The report
is made and rendered on the STORE lane, the day close on the NETWORK lane, the import on the STORE
lane — never on the GUI thread — and the PDF is shown in the window's print preview.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from app.domain.operator import Action, Operator
from app.errors import UserCancelled
from app.services.catalogue import SyncResult
from app.services.day_close import DayCloseReport
from app.services.hospital_day_close import HospitalDayCloseReport
from app.services.shift_report import RenderedShiftReport
from app.ui import pdf_preview, supervisor
from app.ui.dialogs.credential_dialog import CredentialAnswer
from app.ui.errors import show_error
from app.ui.main_window import MainWindow
from app.ui.progress_dialog import DialogProgress, run_with_progress
from app.ui.tabs.journal_tab import day_close_text
from app.workers.backend import SupervisorCredential
from app.workers.runner import Lane
from app.workers.shift_backend import ShiftBackend

log = logging.getLogger(__name__)
SHEET_LAYOUTS = {"thermal80": "thermal80"}  # receipts on the roll: the report too; otherwise A4


class ShiftReportActions(QObject):
    """The shift report and progress-dialog actions of one window."""

    def __init__(self, window: MainWindow, backend: ShiftBackend) -> None:
        super().__init__(window)
        self.window = window
        self.backend = backend
        self.last_progress: DialogProgress | None = None
        self.last_report: RenderedShiftReport | None = None
        self.last_day_close: DayCloseReport | HospitalDayCloseReport | None = None
        self.last_sync: SyncResult | None = None
        tab = window.journal_tab.day_close_button.parentWidget()
        assert tab is not None  # the button lives in the journal tab
        self.report_button = QPushButton(self.tr("Shift report…"), tab)
        self.report_button.setObjectName("shiftReportButton")
        self.import_button = QPushButton(self.tr("Import catalogue…"), tab)
        self.import_button.setObjectName("catalogueImportButton")
        self.sync_button = QPushButton(self.tr("Sync catalogue"), tab)
        self.sync_button.setObjectName("catalogueSyncButton")
        row = QHBoxLayout()
        row.addWidget(self.report_button)
        row.addWidget(self.import_button)
        row.addWidget(self.sync_button)
        row.addStretch(1)
        layout = tab.layout()
        assert isinstance(layout, QVBoxLayout)
        layout.addLayout(row)
        self.report_button.clicked.connect(self.ask_shift_report)
        self.import_button.clicked.connect(self.ask_import)
        self.sync_button.clicked.connect(self.sync_catalogue)
        self._take_over_day_close()

    def _take_over_day_close(self) -> None:
        """The day close gets a progress dialog, whichever button starts it and whoever
        authorises it: the journal tab asks, this runs it."""
        self.window.journal_tab.run_day_close_with(self._run_day_close)

    # ------------------------------------------------------------------ shift report

    def ask_shift_report(self) -> None:
        """Cashier: their shift today. Supervisor: asks whose (empty: everyone)."""
        operator = self._operator(Action.PRINT_RECEIPT)
        if operator is None:
            return
        whose: str | None = None
        if self.window.can(Action.DAY_CLOSE):
            text, ok = QInputDialog.getText(
                self.window,
                self.tr("Shift report"),
                self.tr("Cashier code (leave empty for every cashier):"),
                QLineEdit.EchoMode.Normal,
            )
            if not ok:
                return
            whose = text.strip() or None
        self.shift_report(operator, whose)

    def shift_report(self, operator: Operator, whose: str | None) -> None:
        """Make, render (audited) and preview the report, off the GUI thread."""
        layout = SHEET_LAYOUTS.get(self.window.settings.printer.layout, "a4")

        def work() -> RenderedShiftReport:
            report = self.backend.shift_report(operator, whose, self.backend.today())
            return self.backend.render_shift_report(report, operator, layout)

        self.window.runner.submit(
            work,
            self._show_report,
            self._failed,
            lane=Lane.STORE,
            busy_text=self.tr("Preparing the shift report…"),
        )

    def _show_report(self, printed: RenderedShiftReport) -> None:
        self.last_report = printed
        pdf_preview.show_pdf_preview(
            self.window,
            printed.pdf,
            self.window.settings.printer.name,
            title=printed.sheet.report_no,
            printable=True,
        )

    # ------------------------------------------------------------------ long work

    def day_close(self) -> None:
        """The day close: the journal tab asks (and, at a cashier's window, gets a supervisor's
        credential); :meth:`_run_day_close` runs it with a progress dialog."""
        self.window.journal_tab.day_close()

    def _run_day_close(self, operator: Operator, answer: CredentialAnswer | None) -> None:
        approval = (
            None
            if answer is None
            else SupervisorCredential(answer.code, answer.password, answer.otp)
        )
        on_failure = (
            self._failed
            if answer is None
            else supervisor.on_failure(
                self.window,
                answer,
                lambda again: self._run_day_close(operator, again),
                self._failed,
            )
        )
        self.last_progress, _ = run_with_progress(
            self.window,
            self.window.runner,
            self.tr("Reconciling with the platform…"),
            lambda sink: self.backend.day_close(operator, sink, approval),
            on_success=self._day_closed,
            on_failure=on_failure,
            lane=Lane.NETWORK,
        )

    def _day_closed(self, report: DayCloseReport | HospitalDayCloseReport) -> None:
        self.last_day_close = report
        self.window.journal_tab.day_close_label.setText(
            day_close_text(report, self.window.bridge.language)
        )

    def ask_import(self) -> None:
        """Choose a catalogue file and import it with a progress dialog."""
        if self._operator(Action.SYNC_CATALOGUE) is None:
            return
        path, _ = QFileDialog.getOpenFileName(
            self.window, self.tr("Import catalogue"), "", self.tr("Catalogue (*.json *.csv)")
        )
        if path:
            self.import_catalogue(Path(path))

    def import_catalogue(self, path: Path, done: Callable[[int], object] | None = None) -> None:
        """Import ``path`` with a progress dialog; Cancel rolls the whole import back."""
        if self._operator(Action.SYNC_CATALOGUE) is None:
            return

        def imported(count: int) -> None:
            self.window.statusBar().showMessage(
                self.tr("Catalogue imported: {count} items.").format(count=count)
            )
            if done is not None:
                done(count)

        self.last_progress, _ = run_with_progress(
            self.window,
            self.window.runner,
            self.tr("Importing the catalogue…"),
            lambda sink: self.backend.import_catalogue(path, sink),
            on_success=imported,
            on_failure=self._failed,
            lane=Lane.STORE,
        )

    def sync_catalogue(self) -> None:
        """Download the platform's catalogue changes with a progress dialog."""
        operator = self._operator(Action.SYNC_CATALOGUE)
        if operator is None:
            return

        def synced(result: SyncResult) -> None:
            self.last_sync = result
            self.window.statusBar().showMessage(
                self.tr("Catalogue synced: {count} items updated.").format(count=result.updated)
            )

        self.last_progress, _ = run_with_progress(
            self.window,
            self.window.runner,
            self.tr("Syncing the catalogue…"),
            lambda sink: self.backend.sync_catalogue(operator, sink),
            on_success=synced,
            on_failure=self._failed,
            lane=Lane.NETWORK,
        )

    # ------------------------------------------------------------------ helpers

    def _operator(self, action: Action) -> Operator | None:
        if not self.window.can(action):
            self.window.statusBar().showMessage(
                self.tr("Your role cannot do this; ask a supervisor."), 10_000
            )
            return None
        return self.window.operator

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, UserCancelled):
            self.window.statusBar().showMessage(self.tr("Stopped; nothing was changed."), 15_000)
            return
        show_error(self.window.bridge, exc)

    def refresh(self) -> None:
        """Show the buttons the logged-in role may use."""
        self.report_button.setVisible(self.window.can(Action.PRINT_RECEIPT))
        self.import_button.setVisible(self.window.can(Action.SYNC_CATALOGUE))
        self.sync_button.setVisible(self.window.can(Action.SYNC_CATALOGUE))


def install_shift_report(window: MainWindow, backend: ShiftBackend) -> ShiftReportActions:
    """Add the shift report and the progress dialogs to ``window`` (called by the composition)."""
    actions = ShiftReportActions(window, backend)
    window.operator_changed.connect(lambda _operator: actions.refresh())
    actions.refresh()
    return actions
