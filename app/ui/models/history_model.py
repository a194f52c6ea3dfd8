"""Today's settlements and the journal's unresolved calls, as tables."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QObject,
    Qt,
)

from app.domain.journal import JournalState
from app.ui.format import local_clock, local_time, screen_text, yuan
from app.ui.models.flat_table_model import AnyIndex, FlatTableModel
from app.workers.backend import SettledRow

if TYPE_CHECKING:
    from app.services.recovery import QueueRow

RAW_ROLE = Qt.ItemDataRole.UserRole + 1


class HistoryColumn(IntEnum):
    """Columns of the history table."""

    TIME = 0
    NAME = 1
    PERSON = 2
    CATEGORY = 3
    TOTAL = 4
    FUND = 5
    ACCOUNT = 6
    CASH = 7
    SETTLEMENT_ID = 8
    STATUS = 9


MONEY_COLUMNS = frozenset(
    {HistoryColumn.TOTAL, HistoryColumn.FUND, HistoryColumn.ACCOUNT, HistoryColumn.CASH}
)


_HISTORY_HEADERS = {
    HistoryColumn.TIME: QT_TRANSLATE_NOOP("HistoryModel", "Time"),
    HistoryColumn.NAME: QT_TRANSLATE_NOOP("HistoryModel", "Patient"),
    HistoryColumn.PERSON: QT_TRANSLATE_NOOP("HistoryModel", "Person no."),
    HistoryColumn.CATEGORY: QT_TRANSLATE_NOOP("HistoryModel", "Category"),
    HistoryColumn.TOTAL: QT_TRANSLATE_NOOP("HistoryModel", "Total"),
    HistoryColumn.FUND: QT_TRANSLATE_NOOP("HistoryModel", "Fund"),
    HistoryColumn.ACCOUNT: QT_TRANSLATE_NOOP("HistoryModel", "Account"),
    HistoryColumn.CASH: QT_TRANSLATE_NOOP("HistoryModel", "Cash"),
    HistoryColumn.SETTLEMENT_ID: QT_TRANSLATE_NOOP("HistoryModel", "Settlement ID"),
    HistoryColumn.STATUS: QT_TRANSLATE_NOOP("HistoryModel", "Status"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("HistoryModel", text)


def state_text(row: QueueRow) -> str:
    """The row's state; rows waiting in hospital mode are named as such."""
    if row.awaiting and row.awaiting_window:
        return QCoreApplication.translate(
            "HistoryModel", "Being resolved at window {window}"
        ).format(window=row.awaiting_window)
    if row.awaiting:
        return QCoreApplication.translate("HistoryModel", "Awaiting the hospital server")
    return str(row.state)


def action_text(row: QueueRow) -> str:
    """What is being done about an unresolved call, in words."""
    if row.awaiting and row.awaiting_window:
        return QCoreApplication.translate(
            "HistoryModel",
            "A supervisor at window {window} is resolving this call; this window takes their "
            "outcome by itself. Nothing to do here.",
        ).format(window=row.awaiting_window)
    if row.awaiting:
        return QCoreApplication.translate(
            "HistoryModel",
            "This call had reached the hospital server, so another window may have resolved it: "
            "it is not reversed here until the hospital server answers, then it is resolved by "
            "itself, never twice. Settling goes on; the day close waits. If the hospital server "
            "stays unreachable, ask IT to check it and the network.",
        )
    if row.state is JournalState.ESCALATED:
        return QCoreApplication.translate(
            "HistoryModel", "Automatic reversal failed {n} times: a supervisor must resolve it."
        ).format(n=row.attempts)
    if row.infno in ("2207", "2208"):
        return QCoreApplication.translate(
            "HistoryModel", "Querying and reversing automatically (attempt {n})."
        ).format(n=row.attempts)
    return QCoreApplication.translate(
        "HistoryModel", "Being withdrawn automatically (attempt {n})."
    ).format(n=row.attempts)


class HistoryModel(FlatTableModel):
    """Today's settlements, filtered by a search text (name, masked ID, settlement id)."""

    translation_context = "HistoryModel"
    headers = tuple(str(_HISTORY_HEADERS[column]) for column in HistoryColumn)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._all: list[SettledRow] = []
        self._rows: list[SettledRow] = []
        self._filter = ""

    def set_rows(self, rows: Sequence[SettledRow]) -> None:
        """Replace the day's settlements."""
        self._all = list(rows)
        self._apply()

    def set_filter(self, text: str) -> None:
        """Show only rows containing ``text``."""
        self._filter = text.strip()
        self._apply()

    def row_count(self) -> int:
        """Number of settlements shown (after the filter)."""
        return len(self._rows)

    def row(self, row: int) -> SettledRow | None:
        """The settlement on ``row``."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _apply(self) -> None:
        self.beginResetModel()
        needle = self._filter
        self._rows = [
            r
            for r in self._all
            if not needle
            or needle in r.settlement_id
            or needle in r.bill_id
            or needle in r.person_no_masked
            or needle in r.patient_name
        ]
        self.endResetModel()

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Formatted text on DisplayRole, the :class:`SettledRow` on ``RAW_ROLE``."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == RAW_ROLE:
            return row
        column = HistoryColumn(index.column())
        if role == Qt.ItemDataRole.TextAlignmentRole and column in MONEY_COLUMNS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        texts = {
            HistoryColumn.TIME: local_clock(row.settled_at),
            HistoryColumn.NAME: screen_text(row.patient_name),
            HistoryColumn.PERSON: row.person_no_masked,
            HistoryColumn.CATEGORY: row.category,
            HistoryColumn.TOTAL: yuan(row.total),
            HistoryColumn.FUND: yuan(row.fund),
            HistoryColumn.ACCOUNT: yuan(row.account),
            HistoryColumn.CASH: yuan(row.cash),
            HistoryColumn.SETTLEMENT_ID: row.settlement_id,
            HistoryColumn.STATUS: QCoreApplication.translate("HistoryModel", "Cancelled")
            if row.cancelled
            else QCoreApplication.translate("HistoryModel", "Settled"),
        }
        return texts[column]


class JournalColumn(IntEnum):
    """Columns of the unresolved-calls table."""

    SINCE = 0
    CALL = 1
    BILL = 2
    STATE = 3
    ACTION = 4


_JOURNAL_HEADERS = {
    JournalColumn.SINCE: QT_TRANSLATE_NOOP("HistoryModel", "Since"),
    JournalColumn.CALL: QT_TRANSLATE_NOOP("HistoryModel", "Call"),
    JournalColumn.BILL: QT_TRANSLATE_NOOP("HistoryModel", "Bill"),
    JournalColumn.STATE: QT_TRANSLATE_NOOP("HistoryModel", "State"),
    JournalColumn.ACTION: QT_TRANSLATE_NOOP("HistoryModel", "What is being done"),
}


class JournalModel(FlatTableModel):
    """Unresolved platform calls."""

    translation_context = "HistoryModel"
    headers = tuple(str(_JOURNAL_HEADERS[column]) for column in JournalColumn)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[QueueRow] = []

    def set_rows(self, rows: Sequence[QueueRow]) -> None:
        """Replace the rows."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_count(self) -> int:
        """Number of unresolved calls."""
        return len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """Formatted text on DisplayRole, the :class:`QueueRow` on ``RAW_ROLE``."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == RAW_ROLE:
            return row
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return {
            JournalColumn.SINCE: local_time(row.created_at),
            JournalColumn.CALL: f"{row.infno} {row.msgid}",
            JournalColumn.BILL: row.bill_id,
            JournalColumn.STATE: state_text(row),
            JournalColumn.ACTION: action_text(row),
        }[JournalColumn(index.column())]
