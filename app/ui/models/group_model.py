"""Settlement groups of the bill: live totals before sending, then pre-settle and settle figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QObject,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from app.domain.settlement import SettlementTotals, full_self_pay_totals
from app.domain.visit import GroupState
from app.ui.format import yuan
from app.ui.models.bill_model import GroupTotal
from app.ui.models.flat_table_model import AnyIndex, FlatTableModel
from app.ui.models.group_labels import group_text

if TYPE_CHECKING:
    from app.services.settlement import GroupResult

RAW_ROLE = Qt.ItemDataRole.UserRole + 1
_SELF_PAY_BRUSH = QBrush(QColor("#b3261e"))


class GroupColumn(IntEnum):
    """Columns of the groups table."""

    CATEGORY = 0
    LINES = 1
    TOTAL = 2
    FUND = 3
    ACCOUNT = 4
    CASH = 5
    STATE = 6


_HEADERS = {
    GroupColumn.CATEGORY: QT_TRANSLATE_NOOP("GroupModel", "Settlement"),
    GroupColumn.LINES: QT_TRANSLATE_NOOP("GroupModel", "Lines"),
    GroupColumn.TOTAL: QT_TRANSLATE_NOOP("GroupModel", "Total"),
    GroupColumn.FUND: QT_TRANSLATE_NOOP("GroupModel", "Fund"),
    GroupColumn.ACCOUNT: QT_TRANSLATE_NOOP("GroupModel", "Account"),
    GroupColumn.CASH: QT_TRANSLATE_NOOP("GroupModel", "Cash"),
    GroupColumn.STATE: QT_TRANSLATE_NOOP("GroupModel", "Status"),
}

_STATE_TEXT = {
    GroupState.PLANNED: QT_TRANSLATE_NOOP("GroupModel", "Not sent"),
    GroupState.REGISTERED: QT_TRANSLATE_NOOP("GroupModel", "Registered"),
    GroupState.VISIT_UPLOADED: QT_TRANSLATE_NOOP("GroupModel", "Visit uploaded"),
    GroupState.FEES_UPLOADED: QT_TRANSLATE_NOOP("GroupModel", "Fees uploaded"),
    GroupState.PREVIEWED: QT_TRANSLATE_NOOP("GroupModel", "Pre-settled"),
    GroupState.SETTLED: QT_TRANSLATE_NOOP("GroupModel", "Settled"),
    GroupState.FAILED: QT_TRANSLATE_NOOP("GroupModel", "Failed"),
    GroupState.UNKNOWN: QT_TRANSLATE_NOOP("GroupModel", "Result unknown — confirming"),
    GroupState.SELF_PAY_COLLECTED: QT_TRANSLATE_NOOP("GroupModel", "Self-pay collected"),
    GroupState.CANCELLED: QT_TRANSLATE_NOOP("GroupModel", "Cancelled"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("GroupModel", text)


def state_text(state: GroupState) -> str:
    """A group state in words."""
    return _tr(str(_STATE_TEXT[state]))


@dataclass(frozen=True)
class GroupRow:
    """One row: the live total, and the platform's figures once there are any."""

    key: str
    label: str
    lines: int
    total: Decimal
    state: GroupState | None = None
    totals: SettlementTotals | None = None
    failure_text: str = ""
    reason: str = ""
    self_pay: bool = False


def group_figures(group: GroupResult) -> SettlementTotals | None:
    """The platform's figures; a full-self-pay group's are known without any call: all cash."""
    if group.totals is not None:
        return group.totals
    if group.preview is not None:
        return group.preview
    return full_self_pay_totals(group.total) if group.is_self_pay else None


def _row(group: GroupResult) -> GroupRow:
    # A failed group moves no money: the preview it may still hold is not part of the bill's split
    # nor of the cash due (it was counted as if it would be paid after a refusal at 2207).
    failed = group.state is GroupState.FAILED
    return GroupRow(
        key=group.group_key,
        label=group_text(group.kind, group.disease_code),
        lines=len(group.line_nos),
        total=group.total,
        state=group.state,
        totals=None if failed else group_figures(group),
        failure_text=group.failure,
        reason=group.reason,
        self_pay=group.is_self_pay,
    )


class GroupModel(FlatTableModel):
    """The bill's settlement groups."""

    translation_context = "GroupModel"
    headers = tuple(str(_HEADERS[column]) for column in GroupColumn)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[GroupRow] = []

    @property
    def rows(self) -> tuple[GroupRow, ...]:
        """The rows shown."""
        return tuple(self._rows)

    def show_live_totals(self, totals: Sequence[GroupTotal]) -> None:
        """Before anything is sent: the groups the rules will form, with their totals."""
        self.beginResetModel()
        self._rows = [
            GroupRow(
                t.key,
                t.label,
                t.lines,
                t.total,
                totals=full_self_pay_totals(t.total) if t.self_pay else None,
                self_pay=t.self_pay,
            )
            for t in totals
        ]
        self.endResetModel()

    def show_groups(self, groups: Sequence[GroupResult]) -> None:
        """After the bill was saved: the engine's groups with the platform's figures."""
        self.beginResetModel()
        self._rows = [_row(g) for g in groups]
        self.endResetModel()

    def update_group(self, group: GroupResult) -> None:
        """One group moved on (previewed, settled, failed, unknown)."""
        for row, existing in enumerate(self._rows):
            if existing.key == group.group_key:
                self._rows[row] = _row(group)
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(GroupColumn) - 1))
                return

    def row_count(self) -> int:
        """Number of groups shown."""
        return len(self._rows)

    def sums(self) -> tuple[Decimal, Decimal, Decimal]:
        """Fund, account and cash over the groups with figures (self-pay groups: all cash)."""
        fund = account = cash = Decimal("0.00")
        for row in self._rows:
            if row.totals is not None:
                fund += row.totals.fund
                account += row.totals.account
                cash += row.totals.cash
        return fund, account, cash

    @property
    def figures_complete(self) -> bool:
        """Every group has figures: the split (and the cash due) is known for the whole bill."""
        return bool(self._rows) and all(row.totals is not None for row in self._rows)

    @property
    def only_failures_unknown(self) -> bool:
        """Some groups have figures and every other one failed: the split of what went through is
        known, and what failed will not be settled in this run."""
        return any(row.totals is not None for row in self._rows) and all(
            row.totals is not None or row.state is GroupState.FAILED for row in self._rows
        )

    def figured_total(self) -> Decimal:
        """The total of the groups with figures (their parts add up to it)."""
        return sum((row.totals.total for row in self._rows if row.totals), Decimal("0.00"))

    def failed_total(self) -> Decimal:
        """The total of the groups that failed."""
        return sum(
            (row.total for row in self._rows if row.state is GroupState.FAILED), Decimal("0.00")
        )

    def self_pay_reasons(self) -> tuple[tuple[str, str], ...]:
        """(group label, reason) of each full-self-pay group that has a reason."""
        return tuple((row.label, row.reason) for row in self._rows if row.self_pay and row.reason)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Formatted text on DisplayRole, raw values on ``RAW_ROLE``."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = GroupColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == RAW_ROLE:
            return self._raw(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.failure_text or row.reason or None
        if role == Qt.ItemDataRole.ForegroundRole and row.self_pay:
            return _SELF_PAY_BRUSH
        if role == Qt.ItemDataRole.TextAlignmentRole and column not in (
            GroupColumn.CATEGORY,
            GroupColumn.STATE,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: GroupRow, column: GroupColumn) -> str:
        figures = row.totals
        if column is GroupColumn.CATEGORY:
            return row.label
        if column is GroupColumn.LINES:
            return str(row.lines)
        if column is GroupColumn.TOTAL:
            return yuan(figures.total if figures else row.total)
        if column is GroupColumn.FUND:
            return yuan(figures.fund) if figures else ""
        if column is GroupColumn.ACCOUNT:
            return yuan(figures.account) if figures else ""
        if column is GroupColumn.CASH:
            return yuan(figures.cash) if figures else ""
        if row.self_pay and row.state in (None, GroupState.PLANNED):
            return QCoreApplication.translate("GroupModel", "Pay in cash")
        if row.state is None:
            return QCoreApplication.translate("GroupModel", "Not sent")
        text = state_text(row.state)
        return f"{text}：{row.failure_text}" if row.failure_text else text

    def _raw(self, row: GroupRow, column: GroupColumn) -> object:
        figures = row.totals
        return {
            GroupColumn.CATEGORY: row.key,
            GroupColumn.LINES: row.lines,
            GroupColumn.TOTAL: figures.total if figures else row.total,
            GroupColumn.FUND: figures.fund if figures else None,
            GroupColumn.ACCOUNT: figures.account if figures else None,
            GroupColumn.CASH: figures.cash if figures else None,
            GroupColumn.STATE: row.state,
        }[column]
