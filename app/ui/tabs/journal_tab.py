"""待确认交易 / 日结: the journal's unresolved calls, the escalated reversals a supervisor retries,
and the day close (3201/3202) — by a supervisor, or authorised by one at a cashier's window."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.journal import JournalState
from app.domain.operator import Action, Operator
from app.errors import InputError
from app.ui import supervisor
from app.ui.context import WindowContext
from app.ui.dialogs.confirm_dialog import ConfirmDialog
from app.ui.dialogs.credential_dialog import CredentialAnswer
from app.ui.errors import show_error
from app.ui.models.history_model import JournalModel
from app.workers.backend import SupervisorCredential
from app.workers.runner import Lane, TaskHandle

if TYPE_CHECKING:
    from app.services.day_close import DayCloseReport
    from app.services.hospital_day_close import HospitalDayCloseReport
    from app.services.recovery import QueueRow


class JournalTab(QWidget):
    """Unresolved calls, escalated reversals and the day close.

    Signals:
        resolved(str): an escalated row was retried; its new state.
        recover_requested(): the operator asked to resolve unknown outcomes now.
    """

    resolved = Signal(str)
    recover_requested = Signal()

    def __init__(self, ctx: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._closer: Callable[[Operator, CredentialAnswer | None], object] | None = None
        self.model = JournalModel(self)
        layout = QVBoxLayout(self)
        self.table = QTableView(self)
        self.table.setObjectName("journalTable")
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        buttons = QHBoxLayout()
        self.recover_button = QPushButton(self.tr("Resolve now"), self)
        self.recover_button.setObjectName("recoverButton")
        self.resolve_button = QPushButton(self.tr("Retry escalated reversal (supervisor)"), self)
        self.resolve_button.setObjectName("resolveButton")
        self.day_close_button = QPushButton(self.tr("Day close and reconcile (supervisor)"), self)
        self.day_close_button.setObjectName("dayCloseButton")
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        for button in (
            self.recover_button,
            self.resolve_button,
            self.day_close_button,
            self.refresh_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.day_close_label = QLabel("", self)
        self.day_close_label.setObjectName("dayCloseLabel")
        self.day_close_label.setWordWrap(True)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.day_close_label)
        self.recover_button.clicked.connect(self.recover_requested)
        self.resolve_button.clicked.connect(self.resolve_selected)
        self.day_close_button.clicked.connect(self.day_close)
        self.refresh_button.clicked.connect(self.refresh)

    def apply_role(self) -> None:
        """Show the actions the operator's role may start."""
        can = self._ctx.session.can
        resolves = can(Action.SETTLE) or can(Action.RESOLVE_JOURNAL)
        self.resolve_button.setVisible(resolves)
        self.recover_button.setVisible(resolves)
        # A cashier's window reaches the day close too: a supervisor authorises it there.
        self.day_close_button.setVisible(can(Action.DAY_CLOSE) or can(Action.SETTLE))

    def refresh(self) -> None:
        """Load the unresolved calls (STORE lane)."""
        if self._ctx.guarded(Action.VIEW_JOURNAL) is None:
            return
        self._ctx.guard.submit(
            "journal",
            self._ctx.backend.journal,
            self.model.set_rows,
            lane=Lane.STORE,
            busy_text="",
        )

    def _selected_journal_row(self) -> QueueRow | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        row: QueueRow = self.model.data(rows[0], Qt.ItemDataRole.UserRole + 1)
        return row

    def resolve_selected(self) -> TaskHandle | None:
        """A supervisor, with their own credential, retries the reversal of an escalated row."""
        operator = self._ctx.session.operator
        row = self._selected_journal_row()
        if operator is None:
            return None
        if row is None or row.state is not JournalState.ESCALATED:
            show_error(
                self._ctx.bridge,
                InputError(
                    "请先在列表中选择一条“需主管处理”（自动冲正多次失败）的流水。",
                    code="not_escalated",
                ),
            )
            return None
        msgid = row.msgid
        supervisor.with_supervisor(
            self,
            self.tr(
                "Retry the reversal of {infno} {msgid}? A supervisor enters their own code and "
                "password."
            ).format(infno=row.infno, msgid=row.msgid),
            lambda answer: self._resolve(operator, msgid, answer),
        )
        return None

    def _resolve(
        self, operator: Operator, msgid: str, answer: CredentialAnswer
    ) -> TaskHandle | None:
        return self._ctx.guard.submit(
            "resolve",
            lambda: self._ctx.backend.resolve(
                operator, msgid, answer.code, answer.password, otp=answer.otp
            ),
            self._on_resolved,
            lane=Lane.NETWORK,
            busy_text=self.tr("Retrying the reversal…"),
            on_failure=supervisor.on_failure(
                self,
                answer,
                lambda again: self._resolve(operator, msgid, again),
                self._ctx.platform_failure,
            ),
        )

    def _on_resolved(self, state: str) -> None:
        if state == JournalState.REVERSED:
            text = self.tr("Reversed: the platform has undone the call; no money was taken.")
        elif state == JournalState.ESCALATED:
            text = self.tr(
                "The reversal failed again; the row stays with the supervisor. "
                "Check the connection and retry, or call the insurance office."
            )
        else:
            text = self.tr("The row is now: {state}.").format(state=state)
        self.day_close_label.setText(text)
        self._ctx.bridge.info(text)
        self.resolved.emit(state)
        self.refresh()

    def day_close(self) -> None:
        """Day close with reconciliation; the engine refuses while calls are unresolved. At a
        cashier's window a supervisor authorises it with their own credential (as ``day-close
        --operator`` does on the command line)."""
        operator = self._ctx.session.operator
        if operator is None:
            return
        if not ConfirmDialog.ask(
            self, self.tr("Day close"), self.tr("Close the day and reconcile with the platform?")
        ):
            return
        if self._ctx.session.can(Action.DAY_CLOSE):
            self._close_day(operator, None)
            return
        if self._ctx.guarded(Action.SETTLE) is None:
            return
        supervisor.with_supervisor(
            self,
            self.tr(
                "A supervisor closes the day: the supervisor enters their own code and password."
            ),
            lambda answer: self._close_day(operator, answer),
        )

    def run_day_close_with(
        self, closer: Callable[[Operator, CredentialAnswer | None], object]
    ) -> None:
        """Run the day close through ``closer`` (the window's progress dialog) once this tab has
        asked for it and, at a cashier's window, got a supervisor's credential: one flow whichever
        button started it."""
        self._closer = closer

    def _close_day(self, operator: Operator, answer: CredentialAnswer | None) -> None:
        if self._closer is not None:
            self._closer(operator, answer)
            return
        self._ctx.guard.submit(
            "day_close",
            lambda: self._ctx.backend.day_close(
                operator,
                None
                if answer is None
                else SupervisorCredential(answer.code, answer.password, answer.otp),
            ),
            self._on_day_closed,
            lane=Lane.NETWORK,
            busy_text=self.tr("Reconciling with the platform…"),
            on_failure=self._ctx.platform_failure
            if answer is None
            else supervisor.on_failure(
                self,
                answer,
                lambda again: self._close_day(operator, again),
                self._ctx.platform_failure,
            ),
        )

    def _on_day_closed(self, report: DayCloseReport | HospitalDayCloseReport) -> None:
        self.day_close_label.setText(day_close_text(report, self._ctx.bridge.language))

    def journal_rows(self) -> tuple[QueueRow, ...]:
        """The unresolved calls shown (for tests)."""
        return tuple(
            self.model.data(self.model.index(r, 0), Qt.ItemDataRole.UserRole + 1)
            for r in range(self.model.rowCount())
        )


def day_close_text(report: DayCloseReport | HospitalDayCloseReport, language: str) -> str:
    """The day close's summary in the window's language (the reports word it in Chinese by
    default, as records are)."""
    from app.services.day_close import DayCloseReport  # noqa: PLC0415 - the tab loads without it

    if isinstance(report, DayCloseReport):
        return report.summary(language)
    return report.summary_message().render(language)
