"""The fee lines on screen: tag keys on the bill table (1–9 a disease of the patient, G general
outpatient, 0 clear; Enter edits a quantity or price), added catalogue items, each line's group
once the bill is saved, and the money view (fund + account + cash = total, the cash due in large
type, why a group is full self-pay). Editing stops once the bill has been sent."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemDelegate, QAbstractItemView

from app.domain.bill import FeeLine, Tag
from app.domain.catalogue import CatalogueItem
from app.domain.operator import Action
from app.domain.plan import PlanContext
from app.errors import AppError
from app.ui.action_guard import MONEY_KEYS
from app.ui.context import WindowContext
from app.ui.desk_state import DeskState
from app.ui.errors import show_error
from app.ui.format import breakdown, cash_due_text, yuan
from app.ui.models.bill_model import BillColumn, BillModel, StoredRoute, tag_label
from app.ui.models.group_labels import group_text
from app.ui.models.group_model import GroupModel
from app.ui.panels.bill_panel import BillPanel
from app.ui.panels.settle_panel import SettlePanel
from app.ui.settle_flow import SettleFlow

if TYPE_CHECKING:
    from app.services.settlement import GroupResult
    from app.workers.backend import Diagnosis


class BillEditor(QObject):
    """Edits the bill model and shows its groups and sums.

    Signals:
        changed(): the lines changed (controls may need enabling or disabling).
        cleared(): the bill was taken off the screen.
    """

    changed = Signal()
    cleared = Signal()

    def __init__(
        self,
        ctx: WindowContext,
        state: DeskState,
        flow: SettleFlow,
        *,
        bill_model: BillModel,
        group_model: GroupModel,
        bill_panel: BillPanel,
        settle_panel: SettlePanel,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._state = state
        self._flow = flow
        self.model = bill_model
        self._groups = group_model
        self._panel = bill_panel
        self._settle_panel = settle_panel
        bill_model.lines_changed.connect(self._on_lines_changed)
        bill_model.edit_refused.connect(ctx.show_error)
        bill_panel.bill_table.installEventFilter(self)  # the tag keys

    # ------------------------------------------------------------------ the patient's lines
    def set_patient(self, context: PlanContext | None) -> None:
        """The identified patient: what the rules need to route lines, and their tag keys."""
        self.model.set_context(context)
        self._update_tag_hint()

    def take_lines(self, lines: Sequence[FeeLine]) -> None:
        """The visit's lines handed over by the registration system (only onto an empty bill)."""
        if lines and not self.model.lines:
            self.model.set_lines(lines)
            self._focus_first_line()

    def add_lines(self, lines: Iterable[FeeLine]) -> int:
        """Append the lines not on the bill yet (a HIS visit); returns how many were new."""
        known = {line.line_no for line in self.model.lines}
        fresh = [line for line in lines if line.line_no not in known]
        self.model.set_lines([*self.model.lines, *fresh])
        if fresh:
            self._focus_first_line()
        return len(fresh)

    def _focus_first_line(self) -> None:
        self._panel.bill_table.setFocus()
        self._panel.bill_table.selectRow(0)

    def show_his_diagnosis(self, diagnosis: Diagnosis | None) -> None:
        """The loaded HIS visit's diagnosis, shown read-only (none: the cashier may type one)."""
        if diagnosis is not None:
            self._panel.diagnosis.show_his(diagnosis)

    def diagnosis(self) -> Diagnosis | None:
        """The diagnosis the cashier typed (``None``: none, or the HIS visit's is used)."""
        return self._panel.diagnosis.diagnosis()

    def focus_diagnosis(self) -> None:
        """The diagnosis field takes the cursor (F8 refused for want of a valid one)."""
        self._panel.diagnosis.focus()

    def reset(self) -> None:
        """No bill on screen (the flow's bill included)."""
        self._close_cell_editor()
        self._panel.diagnosis.clear()
        self._flow.reset()
        self.model.set_context(None)
        self.model.set_lines([])
        self._groups.show_live_totals([])
        self.model.set_routes({})
        self._settle_panel.sums_label.clear()
        self._settle_panel.cash_due_label.clear()
        self._settle_panel.self_pay_note.clear()
        self.cleared.emit()

    def _close_cell_editor(self) -> None:
        """Drop an open quantity/price edit before the lines are replaced (nothing is committed)."""
        table = self._panel.bill_table
        editor = table.focusWidget()
        if table.state() == QAbstractItemView.State.EditingState and editor is not None:
            table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.RevertModelCache)

    # ------------------------------------------------------------------ editing
    def _tag_choices(self) -> list[Tag]:
        if self._state.eligibility is None:
            return []
        codes: list[str] = []
        for q in self._state.eligibility.qualifications:
            if q.code not in codes:
                codes.append(q.code)
        return [Tag.disease(code) for code in codes]

    def _update_tag_hint(self) -> None:
        parts = [f"{n} = {tag_label(tag)}" for n, tag in enumerate(self._tag_choices(), start=1)]
        parts.append(self.tr("G = general outpatient"))
        parts.append(self.tr("0 = clear"))
        self._panel.tag_hint.setText(self.tr("Tag the selected lines: ") + "　".join(parts))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Tag keys on the bill table (installed there only)."""
        if (
            watched is self._panel.bill_table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
        ):
            return self._on_bill_key(event)
        return False

    def _on_bill_key(self, event: QKeyEvent) -> bool:
        """Digit/G/0 on the bill table tag the selected rows; everything else goes to the table."""
        table = self._panel.bill_table
        if table.state() == QAbstractItemView.State.EditingState or self._flow.groups:
            return False
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            current = table.currentIndex()
            if current.isValid() and current.column() in (BillColumn.QUANTITY, BillColumn.PRICE):
                table.edit(current)
                return True
            return False
        text = event.text().upper()
        choices = self._tag_choices()
        tag: Tag | None = None
        if text == "G":
            tag = Tag.general()
        elif text == "0":
            tag = Tag.untagged()
        elif text.isdigit() and 1 <= int(text) <= len(choices):
            tag = choices[int(text) - 1]
        if tag is None:
            return False
        rows = {index.row() for index in table.selectionModel().selectedRows()}
        self.tag_rows(sorted(rows), tag)
        return True

    def tag_rows(self, rows: Sequence[int], tag: Tag) -> None:
        """Tag lines (refused once the bill has been sent)."""
        if self._ctx.guarded(Action.EDIT_BILL) is None or self._flow.groups:
            return
        self.model.tag_rows(rows, tag)

    def add_item(self, item: CatalogueItem, quantity: str = "1") -> None:
        """Add a catalogue item as a new line (quantity editable with Enter on the cell)."""
        if self._ctx.guarded(Action.EDIT_BILL) is None or self._flow.groups:
            return
        try:
            line = FeeLine.create(
                line_no=self.model.next_line_no(),
                hospital_code=item.hospital_code,
                national_code=item.national_code,
                name=item.name,
                unit_price=item.unit_price,
                quantity=quantity,
                spec=item.spec,
            )
            self.model.add_line(line)
        except AppError as exc:
            show_error(self._ctx.bridge, exc)
            return
        self._panel.search_edit.clear()
        self._panel.search_results.hide()
        self._panel.bill_table.selectRow(self.model.rowCount() - 1)

    def refresh(self) -> None:
        """Editable until the bill is sent, and never while a money action runs or is unknown."""
        editable = (
            not self._flow.locked
            and not self._ctx.guard.any_running(MONEY_KEYS)
            and not self._flow.groups
        )
        self.model.set_locked(not editable)
        self._panel.search_edit.setEnabled(editable)
        self._panel.diagnosis.set_editable(editable)

    # ------------------------------------------------------------------ groups and sums
    def _on_lines_changed(self) -> None:
        if not self._flow.groups:
            self._groups.show_live_totals(self.model.group_totals())
        self.update_sums()
        self.changed.emit()

    def show_groups(self, groups: Sequence[GroupResult]) -> None:
        """The saved bill's groups as the store has them now."""
        self._groups.show_groups(groups)
        self._show_routes()
        self.update_sums()

    def update_group(self, group: GroupResult) -> None:
        """One group moved on."""
        self._groups.update_group(group)
        self._show_routes()
        self.update_sums()

    def _show_routes(self) -> None:
        """Relabel the lines with the group the saved bill put them in."""
        self.model.set_routes(
            {
                line_no: StoredRoute(
                    group_text(group.kind, group.disease_code), group.is_self_pay, group.reason
                )
                for group in self._flow.groups.values()
                for line_no in group.line_nos
            }
        )

    def update_sums(self) -> None:
        """fund + account + cash = total once every group's split is known, and the cash due in
        large type; before that only the total (the platform decides the split)."""
        panel = self._settle_panel
        total = self.model.total
        reasons = self._groups.self_pay_reasons()
        panel.self_pay_note.setText(
            "\n".join(
                self.tr("{group}: {reason}").format(group=label, reason=reason)
                for label, reason in reasons
            )
        )
        groups = self._groups
        if not groups.figures_complete and groups.only_failures_unknown:
            # A group was refused: the split of the others (money moves for them) and what is left.
            fund, account, cash = groups.sums()
            panel.sums_label.setText(
                self.tr("{split}; {amount} not settled").format(
                    split=breakdown(groups.figured_total(), fund, account, cash),
                    amount=yuan(groups.failed_total()),
                )
            )
            panel.cash_due_label.setText(cash_due_text(cash))
            return
        if not self._groups.figures_complete:
            panel.cash_due_label.clear()
            panel.sums_label.setText(
                self.tr("Total {total} (the split is known after pre-settlement, F8)").format(
                    total=yuan(total)
                )
                if self.model.lines
                else ""
            )
            return
        fund, account, cash = self._groups.sums()
        panel.sums_label.setText(breakdown(total, fund, account, cash))
        panel.cash_due_label.setText(cash_due_text(cash))
