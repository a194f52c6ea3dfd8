"""当日结算: today's settlements, with 补打, 重打, cancellation and partial refund.

Copies are the cashier's; reissue, cancellation and partial refund need a supervisor's own credential
(:mod:`app.ui.supervisor`); the services check the roles and the credential.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
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
from app.workers.backend import SettledRow
from app.workers.runner import Lane, TaskHandle

if TYPE_CHECKING:
    from app.services.cancel import CancelResult, RefundResult
    from app.services.receipts import PrintedReceipt


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
        layout = QVBoxLayout(self)
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
        layout.addWidget(self.search)
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

    def refresh(self) -> None:
        """Load today's settlements (STORE lane)."""
        if self._ctx.guarded(Action.VIEW_HISTORY) is None:
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
        self._ctx.guard.submit(
            "receipts",
            lambda: self._ctx.backend.receipts(operator, bill_id, reprint=True),
            self._on_printed,
            lane=Lane.PRINT,
            busy_text=self.tr("Printing receipts…"),
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
        return self._ctx.guard.submit(
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
        return self._ctx.guard.submit(
            "refund_lines",
            lambda: self._ctx.backend.settlement_lines(selected.settlement_id),
            lambda lines: self._ask_refund(operator, selected, lines),
            lane=Lane.STORE,
            busy_text="",
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
