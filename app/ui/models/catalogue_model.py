"""Catalogue search results (the cashier adds lines by code, name or pinyin initials)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from app.domain.catalogue import CatalogueItem
from app.ui.format import yuan

RAW_ROLE = Qt.ItemDataRole.UserRole + 1
AnyIndex = QModelIndex | QPersistentModelIndex


class CatalogueModel(QAbstractListModel):
    """A list of catalogue items; ``RAW_ROLE`` gives the :class:`CatalogueItem`."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[CatalogueItem] = []

    def set_items(self, items: Sequence[CatalogueItem]) -> None:
        """Replace the results."""
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def item(self, row: int) -> CatalogueItem | None:
        """The item on ``row``."""
        return self._items[row] if 0 <= row < len(self._items) else None

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        """Rows (0 under a valid parent)."""
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """``code  name  spec  ¥price`` on DisplayRole; the item on ``RAW_ROLE``."""
        if not index.isValid() or not 0 <= index.row() < len(self._items):
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{item.hospital_code}  {item.name}  {item.spec}  ¥{yuan(item.unit_price)}"
        if role == RAW_ROLE:
            return item
        return None
