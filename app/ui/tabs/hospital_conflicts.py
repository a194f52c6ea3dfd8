"""The charge conflicts under the supervisor's 全院窗口 table (hospital mode, issue 13).

A window that settled a HIS visit under the HIS's lock while the hospital database was away may find,
once it reaches the server again, that another window settled the same charges meanwhile: the
patient may have been charged twice. The conflicts come with the tab's overview (read on the
NETWORK lane); one row each — when found, the outpatient number, both windows' settlements and
amounts, open or handled — and, for the selected row, both settlements in full and what to do
(check with the patient, cancel one with 2208; nothing is refunded automatically). **Mark
handled…** asks what was done and records it through the engine (supervisors only, audited at this
window); the panel never talks to the database itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.operator import Action
from app.messages import render
from app.services.hospital_conflicts import conflict_advice, conflict_summary, side_text
from app.services.ports.claim_conflicts import ClaimConflict, ConflictSide
from app.ui.errors import show_error
from app.ui.format import local_clock, yuan
from app.ui.main_window import MainWindow
from app.ui.models.flat_table_model import AnyIndex, FlatTableModel
from app.workers.hospital_backend import HospitalWindowBackend
from app.workers.runner import Lane


class ConflictColumn(IntEnum):
    """Columns of the conflicts table."""

    FOUND = 0
    OUTPATIENT = 1
    OFFLINE = 2
    OTHER = 3
    STATE = 4


_HEADERS = {
    ConflictColumn.FOUND: QT_TRANSLATE_NOOP("ConflictModel", "Found"),
    ConflictColumn.OUTPATIENT: QT_TRANSLATE_NOOP("ConflictModel", "Outpatient no."),
    ConflictColumn.OFFLINE: QT_TRANSLATE_NOOP("ConflictModel", "Settled offline (HIS lock)"),
    ConflictColumn.OTHER: QT_TRANSLATE_NOOP("ConflictModel", "Also settled at"),
    ConflictColumn.STATE: QT_TRANSLATE_NOOP("ConflictModel", "State"),
}


class ConflictModel(FlatTableModel):
    """The charge conflicts waiting for a supervisor."""

    translation_context = "ConflictModel"
    headers = tuple(str(_HEADERS[column]) for column in ConflictColumn)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[ClaimConflict] = []

    def set_rows(self, rows: Sequence[ClaimConflict]) -> None:
        """Replace the conflicts."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_count(self) -> int:
        """Number of conflicts."""
        return len(self._rows)

    def row(self, row: int) -> ClaimConflict | None:
        """The conflict on ``row``."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Formatted text on DisplayRole."""
        conflict = self.row(index.row()) if index.isValid() else None
        if conflict is None or role != Qt.ItemDataRole.DisplayRole:
            return None
        column = ConflictColumn(index.column())
        if column is ConflictColumn.FOUND:
            return local_clock(conflict.detected_at)
        if column is ConflictColumn.OUTPATIENT:
            return conflict.outpatient_no
        if column is ConflictColumn.STATE:
            if conflict.obsolete:
                return self.tr("no longer stands")
            return self.tr("open") if conflict.open else self.tr("handled")
        side = conflict.offline if column is ConflictColumn.OFFLINE else conflict.other
        return self._side(side)

    def _side(self, side: ConflictSide) -> str:
        if not side.settlements:
            return self.tr("{window}: not synced yet").format(window=side.window)
        ids = "、".join(s.settlement_id for s in side.live()) or self.tr("cancelled")
        return self.tr("{window}: {settlements} ({total})").format(
            window=side.window, settlements=ids, total=yuan(side.total())
        )


class ConflictPanel(QWidget):
    """The conflicts table, the selected conflict in full, and **Mark handled…**."""

    def __init__(
        self,
        window: MainWindow,
        backend: HospitalWindowBackend,
        refresh: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        """Show conflicts for ``window``; ``refresh`` reads them again after a change."""
        super().__init__(parent)
        self.window_ = window
        self.backend = backend
        self._refresh = refresh
        self.model = ConflictModel(self)
        self.title = QLabel("", self)
        self.title.setObjectName("hospitalConflictsTitle")
        self.table = QTableView(self)
        self.table.setObjectName("hospitalConflictsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        for column in ConflictColumn:  # the two windows' settlements share what is left
            wide = column in {ConflictColumn.OFFLINE, ConflictColumn.OTHER}
            header.setSectionResizeMode(
                column,
                QHeaderView.ResizeMode.Stretch if wide else QHeaderView.ResizeMode.ResizeToContents,
            )
        self.detail = QLabel("", self)
        self.detail.setObjectName("hospitalConflictDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.handled_button = QPushButton(self.tr("Mark handled…"), self)
        self.handled_button.setObjectName("hospitalConflictHandledButton")
        buttons = QHBoxLayout()
        buttons.addWidget(self.handled_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        self.handled_button.clicked.connect(self.ask_handled)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_selected())
        self.set_conflicts(())

    def set_conflicts(self, conflicts: Sequence[ClaimConflict]) -> None:
        """Show ``conflicts`` (the open ones and those closed today as no longer standing), the
        first selected."""
        self.model.set_rows(conflicts)
        waiting = sum(1 for c in conflicts if c.open)
        if waiting:
            self.title.setText(
                self.tr(
                    "Charge conflicts between windows: {n} waiting for a supervisor (the patient "
                    "may have been charged twice)."
                ).format(n=waiting)
            )
            self.title.setStyleSheet("color: #b00020; font-weight: bold;")
        elif conflicts:  # only conflicts closed today because a settlement was cancelled
            self.title.setText(
                self.tr(
                    "No charge conflict between windows is waiting; {n} closed today by themselves "
                    "(a settlement was cancelled, see below)."
                ).format(n=len(conflicts))
            )
            self.title.setStyleSheet("")
        else:
            self.title.setText(self.tr("No charge conflict between windows is waiting."))
            self.title.setStyleSheet("")
        if conflicts:
            self.table.selectRow(0)
        self.table.setVisible(bool(conflicts))
        self._show_selected()

    def selected(self) -> ClaimConflict | None:
        """The selected conflict."""
        rows = self.table.selectionModel().selectedRows()
        return self.model.row(rows[0].row()) if rows else None

    def _show_selected(self) -> None:
        conflict = self.selected()
        allowed = self.window_.can(Action.HANDLE_CHARGE_CONFLICT)
        self.handled_button.setEnabled(conflict is not None and conflict.open and allowed)
        self.handled_button.setVisible(conflict is not None)
        if conflict is None:
            self.detail.setText("")
            return
        language = self.window_.bridge.language
        lines = [
            render(conflict_summary(conflict), language),
            render(side_text(conflict.offline), language),
            render(side_text(conflict.other), language),
            "→ " + render(conflict_advice(conflict), language),
        ]
        self.detail.setText("\n".join(lines))

    def ask_handled(self) -> None:
        """Ask what was done, then mark the selected conflict handled (NETWORK lane)."""
        conflict = self.selected()
        operator = self.window_.operator
        if conflict is None or operator is None:
            return
        note, ok = QInputDialog.getMultiLineText(
            self,
            self.tr("Mark the charge conflict handled"),
            self.tr(
                "What was done? (e.g. which settlement was cancelled with 2208, whether the "
                "patient was refunded)"
            ),
        )
        if not ok:
            return
        backend = self.backend
        self.window_.guard.submit(
            "hospital_conflict_handled",
            lambda: backend.handle_conflict(conflict.conflict_id, operator, note),
            lambda _done: self._refresh(),
            lane=Lane.NETWORK,
            busy_text=self.tr("Recording the conflict as handled…"),
            on_failure=lambda exc: show_error(self.window_.bridge, exc),
        )
