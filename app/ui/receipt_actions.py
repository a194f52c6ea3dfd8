"""Printing from the cashier tab: the receipts of a paid bill, F10's on-screen preview of the
selected group's receipt (prints and counts nothing), a deliberate 补打 copy of it, and the
registration desk's eligibility slip. Every print job runs on the PRINT lane."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.domain.lifecycle import PAID
from app.domain.operator import Action
from app.ui import pdf_preview
from app.ui.context import WindowContext
from app.ui.desk_state import DeskState
from app.ui.models.group_labels import group_text
from app.ui.models.group_model import GroupModel
from app.ui.panels.settle_panel import SettlePanel
from app.ui.settle_flow import SettleFlow
from app.workers.runner import Lane, TaskHandle

if TYPE_CHECKING:
    from app.services.receipts import PrintedReceipt
    from app.services.settlement import GroupResult


class ReceiptActions(QObject):
    """The receipt buttons of the settle panel and the eligibility slip.

    Signals:
        receipts_ready(object): receipts were printed (a tuple of ``PrintedReceipt``).
    """

    receipts_ready = Signal(object)

    def __init__(
        self,
        ctx: WindowContext,
        state: DeskState,
        flow: SettleFlow,
        *,
        group_model: GroupModel,
        panel: SettlePanel,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._state = state
        self._flow = flow
        self._groups = group_model
        self._panel = panel
        self._parent = parent
        panel.receipt_button.clicked.connect(self.preview_receipt)
        panel.group_copy_button.clicked.connect(self.copy_selected_group)

    def print_receipts(
        self, *, reprint: bool, bill_id: str | None = None, unissued_only: bool = False
    ) -> TaskHandle | None:
        """Issue/print the receipts (PRINT lane); a reprint is a marked copy (补打).

        Args:
            reprint: print copies of the receipts already issued.
            bill_id: another bill than the one on screen (from the history).
            unissued_only: only the settlements without a receipt yet (after a settle run).
        """
        operator = self._ctx.guarded(Action.COPY_RECEIPT if reprint else Action.PRINT_RECEIPT)
        target = bill_id or self._flow.bill_id
        if operator is None or target is None:
            return None
        return self._ctx.guard.submit(
            "receipts",
            lambda: self._ctx.backend.receipts(
                operator, target, reprint=reprint, unissued_only=unissued_only
            ),
            self.on_printed,
            lane=Lane.PRINT,
            busy_text=self.tr("Printing receipts…"),
        )

    def on_printed(self, printed: tuple[PrintedReceipt, ...]) -> None:
        """Receipts came out of the printer (here or from the history tab): say which."""
        self.receipts_ready.emit(printed)
        numbers = "、".join(p.receipt_no for p in printed)
        self._ctx.bridge.info(self.tr("Receipts printed: {numbers}").format(numbers=numbers))

    def _settled_groups(self) -> list[GroupResult]:
        """The bill's groups that were paid (settled or collected) and have a receipt to show."""
        return [g for g in self._flow.groups.values() if g.state in PAID and g.settlement_id]

    def _selected_group(self) -> GroupResult | None:
        """The settled group selected in the groups table; the first settled one when none is
        selected or the selected one was not settled (a refused group has no receipt)."""
        table = self._panel.group_table
        rows = table.selectionModel().selectedRows()
        current = table.currentIndex()
        row = rows[0].row() if rows else (current.row() if current.isValid() else -1)
        keys = [r.key for r in self._groups.rows]
        settled = self._settled_groups()
        chosen = keys[row] if 0 <= row < len(keys) else None
        return next((g for g in settled if g.group_key == chosen), settled[0] if settled else None)

    def preview_receipt(self) -> TaskHandle | None:
        """F10: the selected group's receipt on screen. Prints nothing and counts nothing."""
        operator = self._ctx.guarded(Action.PRINT_RECEIPT)
        group = self._selected_group()
        if operator is None or group is None or not self._panel.receipt_button.isEnabled():
            return None
        settlement_id = group.settlement_id
        title = self.tr("Receipt preview: {group}").format(
            group=group_text(group.kind, group.disease_code)
        )
        return self._ctx.guard.submit(
            "receipt_preview",
            lambda: self._ctx.backend.receipt_preview(settlement_id),
            lambda pdf: pdf_preview.show_pdf_preview(
                self._parent, pdf, self._state.settings.printer.name, title=title
            ),
            lane=Lane.PRINT,
            busy_text=self.tr("Preparing the preview…"),
        )

    def copy_selected_group(self) -> TaskHandle | None:
        """补打 of the selected group's receipt: a deliberate, counted copy marked as such."""
        operator = self._ctx.guarded(Action.COPY_RECEIPT)
        group = self._selected_group()
        if operator is None or group is None or not group.settlement_id:
            return None
        settlement_id = group.settlement_id
        return self._ctx.guard.submit(
            "receipts",
            lambda: (self._ctx.backend.copy_receipt(operator, settlement_id),),
            self.on_printed,
            lane=Lane.PRINT,
            busy_text=self.tr("Printing a copy…"),
        )

    def eligibility_slip(self) -> None:
        """Registration desk: the eligibility slip (no money involved), in the print preview."""
        operator = self._ctx.guarded(Action.PRINT_ELIGIBILITY_SLIP)
        view = self._state.eligibility
        if operator is None or view is None:
            return
        self._ctx.guard.submit(
            "slip",
            lambda: self._ctx.backend.eligibility_slip(operator, view),
            lambda pdf: pdf_preview.show_pdf_preview(
                self._parent,
                pdf,
                self._state.settings.printer.name,
                title=self.tr("Eligibility slip (资格查询单) preview"),
                printable=True,
            ),
            lane=Lane.PRINT,
            busy_text=self.tr("Preparing the eligibility slip…"),
        )

    def refresh(self) -> None:
        """Preview and copy once a group is paid (also when another group of the bill was
        refused) and no outcome is unknown, one print job at a time."""
        can = self._ctx.session.can
        settled = bool(self._settled_groups()) and not self._flow.locked
        printing = self._ctx.guard.running("receipts")
        self._panel.receipt_button.setEnabled(
            can(Action.PRINT_RECEIPT) and settled and not printing
        )
        self._panel.group_copy_button.setEnabled(
            can(Action.COPY_RECEIPT) and settled and not printing
        )
