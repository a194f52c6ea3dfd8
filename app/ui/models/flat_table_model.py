"""The plumbing every flat table of the window shares: counts and translated column titles."""

from __future__ import annotations

from typing import Any, ClassVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)

AnyIndex = QModelIndex | QPersistentModelIndex


class FlatTableModel(QAbstractTableModel):
    """A table without children whose column titles are translated lazily.

    Subclasses set ``translation_context`` and ``headers`` (the untranslated titles in column order,
    each marked with ``QT_TRANSLATE_NOOP`` in that context so lupdate sees them) and implement
    :meth:`row_count` and ``data``.
    """

    translation_context: ClassVar[str]
    headers: ClassVar[tuple[str, ...]]

    def row_count(self) -> int:
        """Number of rows shown."""
        raise NotImplementedError

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        """Rows (0 under a valid parent: a flat table)."""
        return 0 if parent.isValid() else self.row_count()

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008, N802
        """Columns (0 under a valid parent)."""
        return 0 if parent.isValid() else len(self.headers)

    def headerData(  # noqa: N802
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        """Column titles in the current language."""
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.headers)
        ):
            return QCoreApplication.translate(self.translation_context, self.headers[section])
        return None
