"""The history table in hospital mode: the settlements of every window, with a column naming the
window that made each one (issue 13 item 4)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt

from app.ui.models.flat_table_model import AnyIndex
from app.ui.models.history_model import HistoryColumn, HistoryModel

WINDOW_COLUMN = len(HistoryColumn)  # after the stand-alone table's columns


class HospitalHistoryModel(HistoryModel):
    """:class:`HistoryModel` plus the window of each settlement."""

    headers = (*HistoryModel.headers, str(QT_TRANSLATE_NOOP("HistoryModel", "Window")))

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """The window on its column; everything else as the stand-alone history shows it."""
        if index.isValid() and index.column() == WINDOW_COLUMN:
            row = self.row(index.row())
            if row is None or role != Qt.ItemDataRole.DisplayRole:
                return None
            return row.window
        return super().data(index, role)
