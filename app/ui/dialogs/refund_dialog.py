"""Partial refund: tick the lines the patient returns."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.bill import FeeLine
from app.ui.format import yuan

LINE_ROLE = Qt.ItemDataRole.UserRole + 1


class RefundLinesDialog(QDialog):
    """The settlement's lines with a check box each; Space ticks, Enter confirms."""

    def __init__(self, lines: Sequence[FeeLine], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Partial refund"))
        self.setObjectName("refundDialog")
        self.list = QListWidget(self)
        self.list.setObjectName("refundLines")
        for line in lines:
            item = QListWidgetItem(
                self.tr("{no}  {name}  {quantity} × {price} = {amount}").format(
                    no=line.line_no,
                    name=line.name,
                    quantity=line.quantity.normalize(),
                    price=yuan(line.unit_price),
                    amount=yuan(line.amount),
                ),
                self.list,
            )
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            item.setData(LINE_ROLE, line.line_no)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        prompt = QLabel(
            self.tr(
                "Tick the lines the patient returns. The settlement is cancelled and the lines "
                "kept are settled again as a new bill."
            ),
            self,
        )
        prompt.setWordWrap(True)
        layout.addWidget(prompt)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.list.setFocus()

    def returned(self) -> tuple[str, ...]:
        """Line numbers ticked."""
        return tuple(
            str(self.list.item(row).data(LINE_ROLE))
            for row in range(self.list.count())
            if self.list.item(row).checkState() == Qt.CheckState.Checked
        )

    @classmethod
    def ask(cls, parent: QWidget | None, lines: Sequence[FeeLine]) -> tuple[str, ...] | None:
        """The returned line numbers; ``None`` when cancelled or nothing was ticked."""
        dialog = cls(lines, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.returned() or None
