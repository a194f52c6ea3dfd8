"""The page behind the log-in page: the tabs (cashier, today's settlements, journal / day close, and
any a mode adds), with lock and log-out always in sight at their right. Which tabs and panels an
operator sees follows their role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.domain.operator import Action
from app.ui.context import WindowContext
from app.ui.models.bill_model import BillModel
from app.ui.models.catalogue_model import CatalogueModel
from app.ui.models.group_model import GroupModel
from app.ui.panels.cashier_page import CashierPage
from app.ui.session_screen import SessionButtons
from app.ui.tabs.history_tab import HistoryTab
from app.ui.tabs.journal_tab import JournalTab


@dataclass(frozen=True)
class _RoleTab:
    widget: QWidget
    shown_for: Action
    refresh: Callable[[], None]
    apply_role: Callable[[], None]


class WorkPage(QWidget):
    """The tabs of the work page.

    Attributes:
        tabs: the tab widget (the cashier tab first).
        cashier_page, history_tab, journal_tab: the standard tabs.
        lock_button, logout_button: the session buttons beside the tabs.
    """

    def __init__(
        self,
        ctx: WindowContext,
        bill_model: BillModel,
        group_model: GroupModel,
        catalogue_model: CatalogueModel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._role_tabs: list[_RoleTab] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("tabs")
        buttons = SessionButtons(self)
        self.lock_button = buttons.lock_button
        self.logout_button = buttons.logout_button
        self.tabs.setCornerWidget(buttons)
        self.cashier_page = CashierPage(bill_model, group_model, catalogue_model)
        self.tabs.addTab(self.cashier_page, self.tr("Window"))
        self.history_tab = HistoryTab(ctx, self)
        self.add_tab(
            self.history_tab,
            self.tr("Today's settlements"),
            Action.VIEW_HISTORY,
            refresh=self.history_tab.refresh,
            apply_role=self.history_tab.apply_role,
        )
        self.journal_tab = JournalTab(ctx, self)
        self.add_tab(
            self.journal_tab,
            self.tr("Unresolved calls / day close"),
            Action.VIEW_JOURNAL,
            refresh=self.journal_tab.refresh,
            apply_role=self.journal_tab.apply_role,
        )
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(self._on_tab_changed)

    def add_tab(
        self,
        tab: QWidget,
        title: str,
        shown_for: Action,
        *,
        refresh: Callable[[], None],
        apply_role: Callable[[], None],
    ) -> None:
        """Add a tab shown to operators whose role allows ``shown_for``; ``refresh`` runs whenever
        it is opened, ``apply_role`` at each log-in."""
        self.tabs.addTab(tab, title)
        self._role_tabs.append(_RoleTab(tab, shown_for, refresh, apply_role))

    def apply_role(self) -> None:
        """Registration desks see identify and eligibility only; money controls are hidden too."""
        can = self._ctx.session.can
        money = can(Action.EDIT_BILL)
        self.tabs.setTabText(
            0,
            self.tr("Window")
            if money or self._ctx.session.operator is None
            else self.tr("Eligibility"),
        )
        self.cashier_page.show_money_panels(money)
        self.cashier_page.identify_panel.slip_button.setVisible(
            can(Action.PRINT_ELIGIBILITY_SLIP) and not money
        )
        for tab in self._role_tabs:
            self.tabs.setTabVisible(self.tabs.indexOf(tab.widget), can(tab.shown_for))
            tab.apply_role()

    def _on_tab_changed(self, index: int) -> None:
        opened = self.tabs.widget(index)
        for tab in self._role_tabs:
            if tab.widget is opened:
                tab.refresh()
