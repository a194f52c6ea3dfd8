"""Offline full self-pay (全额自费): while the platform cannot be reached and the patient is known
from the saved copy, the whole bill can be collected in cash and claimed back at the insured place.
Nothing is sent to the platform; the flow records it and prints the receipt."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from app.domain.operator import Action
from app.ui.action_guard import MONEY_KEYS
from app.ui.bill_editor import BillEditor
from app.ui.context import WindowContext
from app.ui.desk_state import DeskState
from app.ui.dialogs.confirm_dialog import ConfirmDialog
from app.ui.format import yuan
from app.ui.panels.settle_panel import SettlePanel
from app.ui.settle_flow import SettleFlow
from app.workers.runner import TaskHandle


class OfflineSelfPay(QObject):
    """The settle panel's offline self-pay button."""

    def __init__(
        self,
        ctx: WindowContext,
        state: DeskState,
        flow: SettleFlow,
        *,
        bill: BillEditor,
        panel: SettlePanel,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._state = state
        self._flow = flow
        self._bill = bill
        self._button = panel.offline_self_pay_button
        self._parent = parent
        self._button.clicked.connect(self.collect)

    def possible(self) -> bool:
        """The platform is unreachable and the patient is known from the saved copy."""
        return (
            self._ctx.session.can(Action.COLLECT_SELF_PAY)
            and self._state.eligibility is not None
            and self._state.eligibility.from_cache
        )

    def collect(self) -> TaskHandle | None:
        """Offline: the patient pays the whole bill (全额自费) and claims it back at home."""
        operator = self._ctx.guarded(Action.COLLECT_SELF_PAY)
        view = self._state.eligibility
        if operator is None or view is None or not self.possible() or not self._button.isEnabled():
            return None
        model = self._bill.model
        lines = model.lines
        if not ConfirmDialog.ask(
            self._parent,
            self.tr("Full self-pay"),
            self.tr(
                "The platform cannot be reached. Collect the whole bill, {total}, in cash as full "
                "self-pay? Nothing is sent to the platform; the patient claims it back at the "
                "insured place with the receipt."
            ).format(total=yuan(model.total)),
        ):
            return None
        return self._flow.collect_offline(operator, view, lines)

    def refresh(self) -> None:
        """Shown only when possible; enabled for a bill not yet sent, nothing else in flight."""
        self._button.setVisible(self.possible())
        self._button.setEnabled(
            self._ctx.session.can(Action.COLLECT_SELF_PAY)
            and bool(self._bill.model.lines)
            and not self._flow.locked
            and not self._ctx.guard.any_running(MONEY_KEYS)
            and not self._flow.groups
        )
