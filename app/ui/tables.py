"""Table layout shared by the window's tables."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView, QTableView


def fit_columns(table: QTableView, *, stretch: int | tuple[int, ...]) -> None:
    """Every column as wide as its contents and one (or a few, sharing it) that takes the rest and
    wraps, so the table fits its panel at 1366 px without a horizontal scrollbar and nothing is cut."""
    table.verticalHeader().hide()
    table.setWordWrap(True)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    for column in (stretch,) if isinstance(stretch, int) else stretch:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
