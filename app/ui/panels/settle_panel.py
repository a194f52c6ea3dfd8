"""The settle panel: the groups table, fund + account + cash = total, the cash due in large type,
why a group is full self-pay, the lock notice, and the F8/F9/F10 buttons. Widgets only; the window
and :class:`app.ui.settle_flow.SettleFlow` decide what they show."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from app.ui.models.group_model import GroupColumn, GroupModel
from app.ui.tables import fit_columns

UNKNOWN_OUTCOME_TEXT = "结算结果未知，正在确认，请勿重复收费"


class SettlePanel(QWidget):
    """The right-hand panel of the cashier tab."""

    def __init__(self, group_model: GroupModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settleSection")
        settle_layout = QVBoxLayout(self)
        self.group_table = QTableView(self)
        self.group_table.setObjectName("groupTable")
        self.group_table.setModel(group_model)
        fit_columns(self.group_table, stretch=GroupColumn.CATEGORY)
        self.sums_label = QLabel("", self)
        self.sums_label.setObjectName("sumsLabel")
        self.sums_label.setWordWrap(True)
        self.sums_label.setStyleSheet("font-size:11pt; font-weight:bold;")
        self.cash_due_label = QLabel("", self)
        self.cash_due_label.setObjectName("cashDueLabel")
        self.cash_due_label.setStyleSheet("font-size:22pt; font-weight:bold;")
        self.self_pay_note = QLabel("", self)
        self.self_pay_note.setObjectName("selfPayNote")
        self.self_pay_note.setWordWrap(True)
        self.self_pay_note.setStyleSheet("color:#b3261e;")
        self.lock_label = QLabel(UNKNOWN_OUTCOME_TEXT, self)
        self.lock_label.setObjectName("lockLabel")
        self.lock_label.setWordWrap(True)
        self.lock_label.setStyleSheet(
            "background:#b3261e; color:white; font-size:14pt; font-weight:bold; padding:6px;"
        )
        self.lock_label.hide()
        self.reason_label = QLabel("", self)
        self.reason_label.setObjectName("reasonLabel")
        self.reason_label.setWordWrap(True)
        self.pre_settle_button = QPushButton(self.tr("Pre-settle (F8)"), self)
        self.pre_settle_button.setObjectName("preSettleButton")
        self.settle_button = QPushButton(self.tr("Settle (F9)"), self)
        self.settle_button.setObjectName("settleButton")
        self.receipt_button = QPushButton(self.tr("Preview receipt (F10)"), self)
        self.receipt_button.setObjectName("receiptButton")
        self.group_copy_button = QPushButton(self.tr("Print a copy (补打)"), self)
        self.group_copy_button.setObjectName("groupCopyButton")
        self.next_button = QPushButton(self.tr("Next patient (F12)"), self)
        self.next_button.setObjectName("nextButton")
        self.offline_self_pay_button = QPushButton(
            self.tr("Offline: collect all as full self-pay"), self
        )
        self.offline_self_pay_button.setObjectName("offlineSelfPayButton")
        settle_layout.addWidget(self.group_table, 1)
        settle_layout.addWidget(self.sums_label)
        settle_layout.addWidget(self.cash_due_label)
        settle_layout.addWidget(self.self_pay_note)
        settle_layout.addWidget(self.lock_label)
        settle_layout.addWidget(self.reason_label)
        for button in (
            self.pre_settle_button,
            self.settle_button,
            self.receipt_button,
            self.group_copy_button,
            self.offline_self_pay_button,
            self.next_button,
        ):
            settle_layout.addWidget(button)
