"""当日结算: today's settlements, with 补打, 重打, cancellation and partial refund.

Copies are the cashier's; reissue, cancellation and partial refund need a supervisor's own credential
(:mod:`app.ui.supervisor`); the services check the roles and the credential.

In hospital mode (:meth:`HistoryTab.use_hospital`) the tab lists every window's settlements of the day
from the hospital record, filtered by window, and the same actions work on another window's
settlement: it is first brought into this window's store (on a worker lane, never the GUI thread).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.bill import FeeLine
from app.domain.operator import Action, Operator
from app.errors import InputError
from app.ui import supervisor
from app.ui.context import WindowContext
from app.ui.dialogs.confirm_dialog import ConfirmDialog
from app.ui.dialogs.credential_dialog import CredentialAnswer
from app.ui.dialogs.refund_dialog import RefundLinesDialog
from app.ui.errors import show_error
from app.ui.format import breakdown, yuan
from app.ui.models.history_model import HistoryColumn, HistoryModel
from app.ui.tables import fit_columns
from app.ui.tabs.hospital_history_model import HospitalHistoryModel
from app.workers.backend import SettledRow
from app.workers.runner import Lane, TaskHandle

if TYPE_CHECKING:
    from collections.abc import Callable

    from app.services.cancel import CancelResult, RefundResult
    from app.services.receipts import PrintedReceipt
    from app.workers.hospital_backend import HospitalHistoryRows, HospitalWindowBackend


class HistoryTab(QWidget):
    """Today's settlements and what can be done with one of them.

    Signals:
        printed(object): receipts were printed (a tuple of ``PrintedReceipt``).
        refunded(object): a partial refund's ``RefundResult`` arrived.
    """

    printed = Signal(object)
    refunded = Signal(object)

    def __init__(self, ctx: WindowContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.model = HistoryModel(self)
        self._hospital: HospitalWindowBackend | None = None
        self._hospital_reachable = False
        layout = QVBoxLayout(self)
        self.window_filter = QComboBox(self)
        self.window_filter.setObjectName("historyWindowFilter")
        self.window_filter.hide()  # hospital mode only
        self.hospital_notice = QLabel("", self)
        self.hospital_notice.setObjectName("historyHospitalNotice")
        self.hospital_notice.setWordWrap(True)
        self.hospital_notice.hide()
        self.search = QLineEdit(self)
        self.search.setObjectName("historySearch")
        self.search.setPlaceholderText(self.tr("Search by name, ID or settlement number"))
        self.table = QTableView(self)
        self.table.setObjectName("historyTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        fit_columns(self.table, stretch=HistoryColumn.STATUS)
        buttons = QHBoxLayout()
        self.copy_button = QPushButton(self.tr("Reprint copy (补打)"), self)
        self.copy_button.setObjectName("copyButton")
        self.reissue_button = QPushButton(
            self.tr("Reissue with a new number (重打, supervisor)"), self
        )
        self.reissue_button.setObjectName("reissueButton")
        self.cancel_button = QPushButton(self.tr("Cancel settlement (supervisor)"), self)
        self.cancel_button.setObjectName("cancelButton")
        self.refund_button = QPushButton(self.tr("Partial refund (supervisor)"), self)
        self.refund_button.setObjectName("refundButton")
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        for button in (
            self.copy_button,
            self.reissue_button,
            self.cancel_button,
            self.refund_button,
            self.refresh_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.result_label = QLabel("", self)
        self.result_label.setObjectName("historyResultLabel")
        self.result_label.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self.window_filter)
        layout.addLayout(top)
        layout.addWidget(self.hospital_notice)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.result_label)
        self.search.textChanged.connect(self.model.set_filter)
        self.refresh_button.clicked.connect(self.refresh)
        self.copy_button.clicked.connect(self.reprint_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.reissue_button.clicked.connect(self.reissue_selected)
        self.refund_button.clicked.connect(self.refund_selected)

    def apply_role(self) -> None:
        """Show the actions the operator's role may start."""
        can = self._ctx.session.can
        self.cancel_button.setVisible(can(Action.REQUEST_CANCELLATION))
        self.refund_button.setVisible(can(Action.REQUEST_PARTIAL_REFUND))
        self.reissue_button.setVisible(can(Action.REQUEST_REISSUE))
        self.copy_button.setVisible(can(Action.COPY_RECEIPT))

    def use_hospital(self, hospital: HospitalWindowBackend) -> None:
        """Hospital mode: every window's settlements, a window filter, actions across windows."""
        self._hospital = hospital
        self.search.textChanged.disconnect(self.model.set_filter)
        self.model = HospitalHistoryModel(self)
        self.table.setModel(self.model)
        fit_columns(self.table, stretch=HistoryColumn.STATUS)
        self.search.textChanged.connect(self.model.set_filter)
        self._fill_windows((hospital.window,))
        self.window_filter.show()
        self.window_filter.currentIndexChanged.connect(lambda _index: self.refresh())

    def _fill_windows(self, windows: Sequence[str]) -> None:
        chosen = self.window_filter.currentData()
        blocker = QSignalBlocker(self.window_filter)  # refilling is not a choice of the user
        try:
            self.window_filter.clear()
            self.window_filter.addItem(self.tr("All windows"), None)
            for window in windows:
                self.window_filter.addItem(self.tr("Window {window}").format(window=window), window)
            index = self.window_filter.findData(chosen) if chosen else 0
            self.window_filter.setCurrentIndex(max(index, 0))
        finally:
            blocker.unblock()

    def show_window(self, window: str | None) -> None:
        """Hospital mode: list only ``window``'s settlements (``None``: every window's)."""
        index = self.window_filter.findData(window) if window else 0
        if index < 0:
            self.window_filter.addItem(self.tr("Window {window}").format(window=window), window)
            index = self.window_filter.count() - 1
        if index == self.window_filter.currentIndex():
            self.refresh()
        else:
            self.window_filter.setCurrentIndex(index)  # refreshes

    def _on_hospital_history(self, history: HospitalHistoryRows) -> None:
        self._hospital_reachable = history.complete
        self._fill_windows(history.windows)
        self.hospital_notice.setVisible(not history.complete)
        self.hospital_notice.setText(
            ""
            if history.complete
            else self.tr(
                "The hospital database cannot be reached: only this window's settlements are "
                "listed. Every window's appear again when the connection is back."
            )
        )
        self.model.set_rows(history.rows)

    def _when_here(
        self, selected: SettledRow, start: Callable[[], TaskHandle | None]
    ) -> TaskHandle | None:
        """Hospital mode: bring another window's settlement here first (NETWORK lane), then
        ``start`` the action on its own lane; the print and store lanes never wait for the
        hospital database."""
        hospital = self._hospital
        if hospital is None:
            return start()
        elsewhere = selected.window not in ("", hospital.window)
        if not elsewhere and not self._hospital_reachable:
            return start()  # local-first: this window's own never waits for an absent server
        return self._ctx.guard.submit(
            "hospital_prepare",
            lambda: hospital.prepare(selected.settlement_id),
            lambda _done: start(),
            lane=Lane.NETWORK,
            busy_text=self.tr("Fetching the settlement from the hospital record…"),
            on_failure=self._ctx.show_error,
        )

    def refresh(self) -> None:
        """Load today's settlements (STORE lane; hospital mode: every window's, NETWORK lane)."""
        if self._ctx.guarded(Action.VIEW_HISTORY) is None:
            return
        if self._hospital is not None:
            hospital, window = self._hospital, self.window_filter.currentData()
            self._ctx.guard.submit(
                "history",
                lambda: hospital.history(window),
                self._on_hospital_history,
                lane=Lane.NETWORK,
                busy_text="",
                on_failure=self._ctx.show_error,
            )
            return
        self._ctx.guard.submit(
            "history",
            self._ctx.backend.today,
            self.model.set_rows,
            lane=Lane.STORE,
            busy_text="",
        )

    def _selected_settlement(self) -> SettledRow | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def reprint_selected(self) -> None:
        """补打: a copy of the selected settlement's receipt, marked as a copy."""
        operator = self._ctx.guarded(Action.COPY_RECEIPT)
        selected = self._selected_settlement()
        if operator is None or selected is None:
            return
        bill_id = selected.bill_id
        self._when_here(
            selected,
            lambda: self._ctx.guard.submit(
                "receipts",
                lambda: self._ctx.backend.receipts(operator, bill_id, reprint=True),
                self._on_printed,
                lane=Lane.PRINT,
                busy_text=self.tr("Printing receipts…"),
            ),
        )

    def cancel_selected(self) -> None:
        """Cancel (2208) the selected settlement; another person, a supervisor, authorises it.

        The operator at the window starts it; the service checks the supervisor's own credential
        (two-person rule, ``NEEDS_SUPERVISOR_AUTHORISATION``), so the window does not.
        """
        operator = self._ctx.guarded(Action.REQUEST_CANCELLATION)
        selected = self._selected_settlement()
        if operator is None or selected is None:
            return
        if not ConfirmDialog.ask(
            self,
            self.tr("Cancel settlement"),
            self.tr("Cancel settlement {id} ({total})? The fund's payment is returned.").format(
                id=selected.settlement_id, total=yuan(selected.total)
            ),
        ):
            return
        supervisor.with_supervisor(
            self,
            self.tr("A supervisor must authorise the cancellation."),
            lambda answer: self._cancel(operator, selected, answer),
        )

    def _cancel(
        self, operator: Operator, selected: SettledRow, answer: CredentialAnswer
    ) -> TaskHandle | None:
        return self._ctx.guard.submit(
            "cancel",
            lambda: self._ctx.backend.cancel(
                operator, selected.settlement_id, answer.code, answer.password, otp=answer.otp
            ),
            self._on_cancelled,
            lane=Lane.NETWORK,
            busy_text=self.tr("Cancelling…"),
            on_failure=supervisor.on_failure(
                self,
                answer,
                lambda again: self._cancel(operator, selected, again),
                self._ctx.platform_failure,
            ),
        )

    def _on_cancelled(self, result: CancelResult) -> None:
        totals = result.record.totals.negated()
        self._ctx.bridge.info(
            self.tr("Settlement {id} cancelled; returned: {split}.").format(
                id=result.original_settlement_id,
                split=breakdown(totals.total, totals.fund, totals.account, totals.cash),
            )
        )
        self.refresh()

    def reissue_selected(self) -> TaskHandle | None:
        """重打: void the selected settlement's receipt number and issue a new one (supervisor)."""
        operator = self._ctx.guarded(Action.REQUEST_REISSUE)
        selected = self._selected_settlement()
        if operator is None or selected is None:
            return None
        supervisor.with_supervisor(
            self,
            self.tr(
                "Reissue the receipt of {id} under a new number? The old number is voided. "
                "A supervisor must authorise it."
            ).format(id=selected.settlement_id),
            lambda answer: self._reissue(operator, selected, answer),
        )
        return None

    def _reissue(
        self, operator: Operator, selected: SettledRow, answer: CredentialAnswer
    ) -> TaskHandle | None:
        return self._when_here(
            selected,
            lambda: self._ctx.guard.submit(
                "reissue",
                lambda: self._ctx.backend.reissue(
                    operator, selected.settlement_id, answer.code, answer.password, otp=answer.otp
                ),
                self._on_reissued,
                lane=Lane.PRINT,
                busy_text=self.tr("Reissuing the receipt…"),
                on_failure=supervisor.on_failure(
                    self,
                    answer,
                    lambda again: self._reissue(operator, selected, again),
                    self._ctx.show_error,
                ),
            ),
        )

    def _on_printed(self, printed: tuple[PrintedReceipt, ...]) -> None:
        self.printed.emit(printed)

    def _on_reissued(self, printed: tuple[PrintedReceipt, ...]) -> None:
        self.printed.emit(printed)
        for receipt in printed:
            self._ctx.bridge.info(
                self.tr("Receipt {old} voided; new receipt {new} printed.").format(
                    old=receipt.data.replaces, new=receipt.receipt_no
                )
            )

    def refund_selected(self) -> TaskHandle | None:
        """Partial refund of the selected settlement: choose the returned lines, then authorise."""
        operator = self._ctx.guarded(Action.REQUEST_PARTIAL_REFUND)
        selected = self._selected_settlement()
        if operator is None or selected is None:
            return None
        if selected.cancelled:
            show_error(
                self._ctx.bridge,
                InputError(
                    "该结算已撤销，不能再退费。请选择一笔有效的结算。", code="already_cancelled"
                ),
            )
            return None
        return self._when_here(
            selected,
            lambda: self._ctx.guard.submit(
                "refund_lines",
                lambda: self._ctx.backend.settlement_lines(selected.settlement_id),
                lambda lines: self._ask_refund(operator, selected, lines),
                lane=Lane.STORE,
                busy_text="",
            ),
        )

    def _ask_refund(
        self, operator: Operator, selected: SettledRow, lines: tuple[FeeLine, ...]
    ) -> None:
        returned = RefundLinesDialog.ask(self, lines)
        if returned is None:
            return
        supervisor.with_supervisor(
            self,
            self.tr(
                "A supervisor must authorise the partial refund of {id} ({n} line(s) returned)."
            ).format(id=selected.settlement_id, n=len(returned)),
            lambda answer: self._refund(operator, selected, returned, answer),
        )

    def _refund(
        self,
        operator: Operator,
        selected: SettledRow,
        returned: Sequence[str],
        answer: CredentialAnswer,
    ) -> TaskHandle | None:
        return self._ctx.guard.submit(
            "refund",
            lambda: self._ctx.backend.partial_refund(
                operator,
                selected.settlement_id,
                returned,
                answer.code,
                answer.password,
                otp=answer.otp,
            ),
            lambda result: self._on_refunded(operator, result),
            lane=Lane.NETWORK,
            busy_text=self.tr("Cancelling and settling the kept lines again…"),
            on_failure=supervisor.on_failure(
                self,
                answer,
                lambda again: self._refund(operator, selected, returned, again),
                self._ctx.platform_failure,
            ),
        )

    def _on_refunded(self, operator: Operator, result: RefundResult) -> None:
        self.result_label.setText(self._refund_summary(result))
        self.refunded.emit(result)
        self.refresh()
        self._ctx.guard.submit(
            "receipts",
            lambda: self._ctx.backend.refund_receipts(operator, result),
            self._on_printed,
            lane=Lane.PRINT,
            busy_text=self.tr("Printing receipts…"),
        )

    def _refund_summary(self, result: RefundResult) -> str:
        cancelled = result.cancellation
        returned = cancelled.record.totals.negated()
        parts = [
            self.tr("Settlement {id} cancelled; returned: {split}.").format(
                id=cancelled.original_settlement_id,
                split=breakdown(returned.total, returned.fund, returned.account, returned.cash),
            )
        ]
        if result.resettled is None:
            parts.append(self.tr("Every line was returned; nothing was settled again."))
            return "\n".join(parts)
        for group in result.resettled.groups:
            if group.totals is None:
                parts.append(
                    self.tr("Kept lines, {group}: not settled. {failure}").format(
                        group=group.label, failure=group.failure
                    )
                )
                continue
            totals = group.totals
            parts.append(
                self.tr("Kept lines, {group}: settled again as {id}: {split}.").format(
                    group=group.label,
                    id=group.settlement_id,
                    split=breakdown(totals.total, totals.fund, totals.account, totals.cash),
                )
            )
        return "\n".join(parts)
