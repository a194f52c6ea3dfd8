"""Table layout shared by the window's tables."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QObject, QRect, Qt, QTimer
from PySide6.QtWidgets import QHeaderView, QStyleOptionViewItem, QTableView


def fit_columns(table: QTableView, *, stretch: int) -> None:
    """Every column as wide as its contents and one that takes the rest and wraps, so the table
    fits its panel at 1366 px without a horizontal scrollbar and nothing is cut (for small tables:
    every change re-measures every row; see :class:`FitToWidth` for the bill)."""
    table.verticalHeader().hide()
    table.setWordWrap(True)
    table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)


class SpreadColumns(QObject):
    """A table of short figures (no column that needs to wrap): every column as wide as its
    contents and header, the spare width shared in proportion (each column at most
    :data:`MAX_GROWTH` times its natural width) and whatever is still left empty at the right, so
    no single column stretches over the table and nothing is cut."""

    MAX_GROWTH = 1.6
    PADDING = 12

    def __init__(self, table: QTableView) -> None:
        """Lay out ``table`` now and whenever its contents or width change."""
        super().__init__(table)
        self._table = table
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refit)
        model = table.model()
        for signal in (model.modelReset, model.layoutChanged, model.dataChanged):
            signal.connect(self._timer.start)
        model.rowsInserted.connect(self._timer.start)
        self._viewport = table.viewport()
        self._viewport.installEventFilter(self)

    def natural_widths(self) -> list[int]:
        """Each column's contents or header width, whichever is wider, plus a little air."""
        table, header = self._table, self._table.horizontalHeader()
        return [
            max(table.sizeHintForColumn(column), header.sectionSizeHint(column)) + self.PADDING
            for column in range(header.count())
        ]

    def refit(self) -> None:
        """Measure the columns again and share the width."""
        header = self._table.horizontalHeader()
        natural = self.natural_widths()
        total = sum(natural)
        if not total:
            return
        growth = min(self.MAX_GROWTH, max(1.0, self._table.viewport().width() / total))
        for column, width in enumerate(natural):
            header.resizeSection(column, int(width * growth))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """A new viewport width: share it again."""
        if event.type() == QEvent.Type.Resize and watched is self._viewport:
            self._timer.start()
        return False


class FitToWidth(QObject):
    """Keeps a table exactly as wide as its viewport, cheaply enough to run on every keystroke.

    The short columns are as wide as their contents (and header); the wide ones share what is left
    (the first takes at most its contents and half of it, the last the rest) and wrap, and each
    row is as tall as its wrapped text. Unlike Qt's ResizeToContents modes, which re-measure every
    row on every change, a change re-measures only the cells it touched; the whole table is
    measured again only when it is replaced or its width changes.
    """

    def __init__(self, table: QTableView, wide: tuple[int, int]) -> None:
        """Lay out ``table``; ``wide`` are the two columns that share the remaining width."""
        super().__init__(table)
        self._table = table
        self._wide = wide
        self._preferred_first = 0
        table.setWordWrap(True)
        table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refit)
        model = table.model()
        model.modelReset.connect(self._timer.start)
        model.dataChanged.connect(self._on_data_changed)
        model.rowsInserted.connect(self._on_rows_inserted)
        self._viewport = table.viewport()
        self._viewport.installEventFilter(self)

    def _short_columns(self) -> list[int]:
        header = self._table.horizontalHeader()
        return [
            column
            for column in range(header.count())
            if column not in self._wide and not header.isSectionHidden(column)
        ]

    def refit(self) -> None:
        """Measure every column and row again (a new model content or a new width)."""
        table = self._table
        for column in self._short_columns():
            table.resizeColumnToContents(column)
        first = self._wide[0]
        self._preferred_first = max(
            table.sizeHintForColumn(first), table.horizontalHeader().sectionSizeHint(first)
        )
        self._share_the_rest()
        self._fit_rows(range(table.model().rowCount()))

    def _share_the_rest(self) -> bool:
        """Give the wide columns the width left; whether their widths changed."""
        table, header = self._table, self._table.horizontalHeader()
        rest = table.viewport().width() - sum(header.sectionSize(c) for c in self._short_columns())
        first, last = self._wide
        first_width = max(header.sectionSizeHint(first), min(self._preferred_first, rest // 2))
        last_width = max(header.sectionSizeHint(last), rest - first_width)
        changed = (header.sectionSize(first), header.sectionSize(last)) != (first_width, last_width)
        header.resizeSection(first, first_width)
        header.resizeSection(last, last_width)
        return changed

    def _grow(self, rows: range, columns: range) -> bool:
        """Widen the columns whose touched cells need more room; whether any did."""
        table, header = self._table, self._table.horizontalHeader()
        model = table.model()
        grown = False
        for column in columns:
            if header.isSectionHidden(column) or column == self._wide[1]:
                continue  # the last wide column takes whatever is left
            needed = max(table.sizeHintForIndex(model.index(row, column)).width() for row in rows)
            if column == self._wide[0]:
                self._preferred_first = max(self._preferred_first, needed)
            elif column not in self._wide and needed > header.sectionSize(column):
                header.resizeSection(column, needed)
                grown = True
        return grown

    def _touched(self, rows: range, columns: range) -> None:
        if not rows:
            return
        if self._grow(rows, columns) | self._share_the_rest():
            rows = range(self._table.model().rowCount())  # the wrapping width changed: every row
        self._fit_rows(rows)

    def _fit_rows(self, rows: range) -> None:
        """Each row as tall as its tallest cell; only the wide (wrapping) cells are measured, the
        short ones are one line high."""
        table, model = self._table, self._table.model()
        option = QStyleOptionViewItem()
        table.initViewItemOption(option)
        grid = 1 if table.showGrid() else 0
        one_line = table.fontMetrics().height()
        for row in rows:
            height = one_line
            for column in (*self._wide, *self._short_columns()[:1]):
                index = model.index(row, column)
                # A valid rect (as QTableView.sizeHintForRow gives) makes the style wrap the text.
                option.rect = QRect(0, 0, table.columnWidth(column), max(1, table.rowHeight(row)))
                hint = table.itemDelegateForIndex(index).sizeHint(option, index)
                height = max(height, hint.height())
            table.setRowHeight(row, height + grid)

    def _on_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex) -> None:
        self._touched(
            range(top_left.row(), bottom_right.row() + 1),
            range(top_left.column(), bottom_right.column() + 1),
        )

    def _on_rows_inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        self._touched(range(first, last + 1), range(self._table.model().columnCount()))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """A new viewport width: lay the columns out again (once the resizing settles)."""
        if event.type() == QEvent.Type.Resize and watched is self._viewport:
            self._timer.start()
        return False
