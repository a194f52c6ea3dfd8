"""The bill panel: catalogue search (F4), the fee lines with their tags, the tag keys' hint and the
visit's diagnosis (Alt+D).
Widgets only; :mod:`app.ui.bill_editor` handles the keys, :mod:`app.ui.catalogue_search` the
search."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListView,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.ui.models.bill_model import BillColumn, BillModel
from app.ui.models.catalogue_model import CatalogueModel
from app.ui.panels.diagnosis_field import DiagnosisField
from app.ui.tables import FitToWidth

DECIMAL_PATTERN = r"^\d{1,9}(\.\d{1,6})?$"


class DecimalDelegate(QStyledItemDelegate):
    """Quantity/price cells are edited in a QLineEdit that only accepts decimal text (never a float box)."""

    def createEditor(  # noqa: N802
        self,
        parent: QWidget,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> QWidget:
        """A line edit with a decimal validator."""
        editor = QLineEdit(parent)
        editor.setObjectName("decimalEditor")
        editor.setValidator(QRegularExpressionValidator(DECIMAL_PATTERN, editor))
        return editor


class BillPanel(QWidget):
    """The middle panel of the cashier tab."""

    def __init__(
        self,
        bill_model: BillModel,
        catalogue_model: CatalogueModel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("billSection")
        bill_layout = QVBoxLayout(self)
        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("searchEdit")
        self.search_edit.setPlaceholderText(
            self.tr("Add item: hospital code, name or pinyin initials (F4)")
        )
        self.search_results = QListView(self)
        self.search_results.setObjectName("searchResults")
        self.search_results.setModel(catalogue_model)
        self.search_results.setMaximumHeight(140)
        self.search_results.hide()
        self.bill_table = QTableView(self)
        self.bill_table.setObjectName("billTable")
        self.bill_table.setModel(bill_model)
        self.bill_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        # F2 (Qt's usual edit key) reads the card here; Enter edits a quantity or price cell.
        self.bill_table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked)
        delegate = DecimalDelegate(self.bill_table)
        self.bill_table.setItemDelegateForColumn(BillColumn.PRICE, delegate)
        self.bill_table.setItemDelegateForColumn(BillColumn.QUANTITY, delegate)
        # The item's name and the group it is settled in take the width left by the short columns
        # and wrap (a full self-pay line says why): everything fits at 1366 px, nothing is cut.
        self.bill_table.verticalHeader().hide()
        self.bill_table.hideColumn(BillColumn.CODE)
        self.fit = FitToWidth(self.bill_table, (BillColumn.NAME, BillColumn.ROUTE))
        self.tag_hint = QLabel("", self)
        self.tag_hint.setObjectName("tagHint")
        self.tag_hint.setWordWrap(True)
        self.diagnosis = DiagnosisField(self)
        bill_layout.addWidget(self.search_edit)
        bill_layout.addWidget(self.search_results)
        bill_layout.addWidget(self.bill_table, 1)
        bill_layout.addWidget(self.tag_hint)
        bill_layout.addWidget(self.diagnosis)
