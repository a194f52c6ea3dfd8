"""The visit's fee lines as a table: tags, Decimal edits and where each line will be settled.

A thin adapter over ``list[FeeLine]`` (style.md §3.4): columns are an ``IntEnum``, ``DisplayRole`` is
formatted text, ``RAW_ROLE`` gives the raw value (Decimal, Tag, Reason). Edits go through the domain
(``FeeLine.with_quantity``/``with_unit_price``), which validates and raises ``InputError``; the model
reports the refusal through ``edit_refused`` and keeps the old value. Before anything is sent, the
ROUTE column shows each tagged line's group — and, for lines the rules push to full self-pay, the
reason (``app.domain.plan.reason_for``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QObject,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor

from app.domain.bill import FeeLine, Tag, TagKind
from app.domain.disease import pilot_disease
from app.domain.money import ZERO, money_sum
from app.domain.plan import GroupKind, PlanContext, Reason, ReasonCode, group_order, reason_for
from app.errors import InputError
from app.ui.format import yuan
from app.ui.models.flat_table_model import AnyIndex, FlatTableModel
from app.ui.models.group_labels import group_text, untagged_text

RAW_ROLE = Qt.ItemDataRole.UserRole + 1


class BillColumn(IntEnum):
    """Columns of the bill table."""

    LINE_NO = 0
    CODE = 1
    NAME = 2
    SPEC = 3
    PRICE = 4
    QUANTITY = 5
    AMOUNT = 6
    TAG = 7
    ROUTE = 8


_HEADERS = {
    BillColumn.LINE_NO: QT_TRANSLATE_NOOP("BillModel", "No."),
    BillColumn.CODE: QT_TRANSLATE_NOOP("BillModel", "Code"),
    BillColumn.NAME: QT_TRANSLATE_NOOP("BillModel", "Item"),
    BillColumn.SPEC: QT_TRANSLATE_NOOP("BillModel", "Spec"),
    BillColumn.PRICE: QT_TRANSLATE_NOOP("BillModel", "Unit price"),
    BillColumn.QUANTITY: QT_TRANSLATE_NOOP("BillModel", "Qty"),
    BillColumn.AMOUNT: QT_TRANSLATE_NOOP("BillModel", "Amount"),
    BillColumn.TAG: QT_TRANSLATE_NOOP("BillModel", "Category"),
    BillColumn.ROUTE: QT_TRANSLATE_NOOP("BillModel", "Settled as"),
}

_SELF_PAY_BRUSH = QBrush(QColor("#b3261e"))


def tag_label(tag: Tag) -> str:
    """The cashier's tag in words (Chinese domain names are kept as they are)."""
    if tag.kind is TagKind.GENERAL:
        return QCoreApplication.translate("BillModel", "General outpatient")
    if tag.kind is TagKind.UNTAGGED:
        return QCoreApplication.translate("BillModel", "(not tagged)")
    assert tag.disease_code is not None
    disease = pilot_disease(tag.disease_code)
    return disease.name if disease else tag.disease_code


def price_text(price: Decimal) -> str:
    """A unit price with at least two decimals (prices may carry up to six)."""
    text = format(price.normalize(), "f")
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


@dataclass(frozen=True)
class StoredRoute:
    """Where a saved bill actually put a line (the platform may have changed the plan, e.g. a
    patient without cross-province registration turns every group into full self-pay)."""

    label: str
    self_pay: bool
    reason: str = ""


@dataclass(frozen=True)
class GroupTotal:
    """Live total of the lines that will form one settlement group (before anything is sent)."""

    key: str
    label: str
    lines: int
    total: Decimal
    self_pay: bool


class BillModel(FlatTableModel):
    """Editable fee lines of one visit.

    Signals:
        lines_changed(): a line was added, removed, re-tagged or edited.
        edit_refused(object): an edit was refused; carries the ``InputError``.
    """

    translation_context = "BillModel"
    headers = tuple(str(_HEADERS[column]) for column in BillColumn)

    lines_changed = Signal()
    edit_refused = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lines: list[FeeLine] = []
        self._context: PlanContext | None = None
        self._locked = False
        self._stored: dict[str, StoredRoute] = {}

    # ------------------------------------------------------------------ data access
    @property
    def lines(self) -> tuple[FeeLine, ...]:
        """The current lines, in order."""
        return tuple(self._lines)

    def set_lines(self, lines: Sequence[FeeLine]) -> None:
        """Replace every line."""
        self.beginResetModel()
        self._lines = list(lines)
        self.endResetModel()
        self.lines_changed.emit()

    def set_context(self, context: PlanContext | None) -> None:
        """The patient and hospital the rules look at; refreshes the ROUTE column."""
        self._context = context
        self._emit_column_changed(BillColumn.ROUTE)

    def set_routes(self, routes: dict[str, StoredRoute]) -> None:
        """The saved bill's groups by line number (empty: back to the live plan)."""
        self._stored = dict(routes)
        self._emit_column_changed(BillColumn.ROUTE)

    def set_locked(self, locked: bool) -> None:
        """While a bill is being settled (or is locked) no cell is editable."""
        self._locked = locked

    def add_line(self, line: FeeLine) -> None:
        """Append a line; a duplicate line number is refused."""
        if any(existing.line_no == line.line_no for existing in self._lines):
            raise InputError(f"流水号 {line.line_no} 已在本单中。", code="duplicate_line")
        row = len(self._lines)
        self.beginInsertRows(QModelIndex(), row, row)
        self._lines.append(line)
        self.endInsertRows()
        self.lines_changed.emit()

    def remove_rows(self, rows: Sequence[int]) -> None:
        """Remove the given rows."""
        for row in sorted(set(rows), reverse=True):
            if 0 <= row < len(self._lines):
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._lines[row]
                self.endRemoveRows()
        self.lines_changed.emit()

    def next_line_no(self) -> str:
        """A line number not used yet in this bill (for lines the cashier adds)."""
        used = {line.line_no for line in self._lines}
        n = len(self._lines) + 1
        while f"W{n:04d}" in used:
            n += 1
        return f"W{n:04d}"

    def tag_rows(self, rows: Sequence[int], tag: Tag) -> None:
        """Tag every given row (bulk tagging of a selection)."""
        changed = [r for r in set(rows) if 0 <= r < len(self._lines)]
        for row in changed:
            self._lines[row] = self._lines[row].with_tag(tag)
        if changed:
            top, bottom = min(changed), max(changed)
            self.dataChanged.emit(
                self.index(top, BillColumn.TAG), self.index(bottom, BillColumn.ROUTE)
            )
            self.lines_changed.emit()

    def reason(self, row: int) -> Reason | None:
        """Where the rules will put this line, or ``None`` while untagged or without a patient."""
        line = self._lines[row]
        if self._context is None or line.tag.kind is TagKind.UNTAGGED:
            return None
        return reason_for(self._context, line)

    def group_totals(self) -> list[GroupTotal]:
        """Live per-group totals in the domain's group order (:func:`group_order`), untagged last."""
        buckets: dict[str, tuple[str, GroupKind | None, list[Decimal]]] = {}
        for row, line in enumerate(self._lines):
            key, label, kind = self._group_of(row)
            buckets.setdefault(key, (label, kind, []))[2].append(line.amount)

        def order(item: tuple[str, tuple[str, GroupKind | None, list[Decimal]]]) -> tuple[int, str]:
            key, (_, kind, _) = item
            return (len(GroupKind), key) if kind is None else group_order(kind, key)

        return [
            GroupTotal(key, label, len(amounts), money_sum(amounts), kind is GroupKind.SELF_PAY)
            for key, (label, kind, amounts) in sorted(buckets.items(), key=order)
        ]

    @property
    def total(self) -> Decimal:
        """The whole bill."""
        return money_sum(line.amount for line in self._lines) if self._lines else ZERO

    def _group_of(self, row: int) -> tuple[str, str, GroupKind | None]:
        """Key, label (:func:`group_text`, the same as once stored) and kind of the group the rules
        put this line in (``None``: not tagged yet)."""
        line = self._lines[row]
        reason = self.reason(row)
        if reason is None:
            return "untagged", untagged_text(), None
        if not reason.is_direct:
            return "self_pay", group_text(GroupKind.SELF_PAY), GroupKind.SELF_PAY
        if reason.code is ReasonCode.CHRONIC_QUALIFIED:
            code = line.tag.disease_code or ""
            return code, group_text(GroupKind.CHRONIC, code), GroupKind.CHRONIC
        return "general", group_text(GroupKind.GENERAL), GroupKind.GENERAL

    # ------------------------------------------------------------------ Qt model API
    def row_count(self) -> int:
        """Number of fee lines."""
        return len(self._lines)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        """Quantity and unit price are editable unless the bill is locked."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self._locked and index.column() in (BillColumn.QUANTITY, BillColumn.PRICE):
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Formatted text on DisplayRole, raw values on ``RAW_ROLE``."""
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line = self._lines[index.row()]
        column = BillColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(index.row(), line, column)
        if role == Qt.ItemDataRole.EditRole and column in (BillColumn.QUANTITY, BillColumn.PRICE):
            value = line.quantity if column is BillColumn.QUANTITY else line.unit_price
            return format(value.normalize(), "f")
        if role == RAW_ROLE:
            return self._raw(index.row(), line, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (
            BillColumn.PRICE,
            BillColumn.QUANTITY,
            BillColumn.AMOUNT,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        stored = self._stored.get(line.line_no)
        if role == Qt.ItemDataRole.ForegroundRole and column is BillColumn.ROUTE:
            if stored is not None:
                return _SELF_PAY_BRUSH if stored.self_pay else None
            reason = self.reason(index.row())
            return _SELF_PAY_BRUSH if reason is not None and not reason.is_direct else None
        if role == Qt.ItemDataRole.ToolTipRole and column is BillColumn.ROUTE:
            if stored is not None:
                return stored.reason or None
            reason = self.reason(index.row())
            return reason.text if reason is not None else None
        return None

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        """Quantity/price edits, validated as Decimal by the domain."""
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or self._locked:
            return False
        column = BillColumn(index.column())
        line = self._lines[index.row()]
        try:
            if column is BillColumn.QUANTITY:
                updated = line.with_quantity(str(value).strip())
            elif column is BillColumn.PRICE:
                updated = line.with_unit_price(str(value).strip())
            else:
                return False
        except InputError as exc:
            self.edit_refused.emit(exc)
            return False
        self._lines[index.row()] = updated
        self.dataChanged.emit(
            self.index(index.row(), BillColumn.PRICE), self.index(index.row(), BillColumn.ROUTE)
        )
        self.lines_changed.emit()
        return True

    # ------------------------------------------------------------------ helpers
    def _display(self, row: int, line: FeeLine, column: BillColumn) -> str:
        if column is BillColumn.LINE_NO:
            return line.line_no
        if column is BillColumn.CODE:
            return line.hospital_code
        if column is BillColumn.NAME:
            return line.name
        if column is BillColumn.SPEC:
            return line.spec
        if column is BillColumn.PRICE:
            return price_text(line.unit_price)
        if column is BillColumn.QUANTITY:
            return format(line.quantity.normalize(), "f")
        if column is BillColumn.AMOUNT:
            return yuan(line.amount)
        if column is BillColumn.TAG:
            return tag_label(line.tag)
        return self._route_text(row)

    def _route_text(self, row: int) -> str:
        stored = self._stored.get(self._lines[row].line_no)
        if stored is not None:
            if stored.self_pay and stored.reason:
                return self.tr("Full self-pay: {reason}").format(reason=stored.reason)
            return stored.label
        reason = self.reason(row)
        if reason is None:
            return "" if self._context is not None else self.tr("(identify the patient first)")
        if reason.is_direct:
            return self._group_of(row)[1]
        return self.tr("Full self-pay: {reason}").format(reason=reason.text)

    def _raw(self, row: int, line: FeeLine, column: BillColumn) -> object:
        return {
            BillColumn.LINE_NO: line.line_no,
            BillColumn.CODE: line.hospital_code,
            BillColumn.NAME: line.name,
            BillColumn.SPEC: line.spec,
            BillColumn.PRICE: line.unit_price,
            BillColumn.QUANTITY: line.quantity,
            BillColumn.AMOUNT: line.amount,
            BillColumn.TAG: line.tag,
            BillColumn.ROUTE: self.reason(row),
        }[column]

    def _emit_column_changed(self, column: BillColumn) -> None:
        if self._lines:
            self.dataChanged.emit(self.index(0, column), self.index(len(self._lines) - 1, column))
