"""The cashier tab: identify | bill | settle side by side (the registration desk sees identify only)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from app.ui.models.bill_model import BillModel
from app.ui.models.catalogue_model import CatalogueModel
from app.ui.models.group_model import GroupModel
from app.ui.panels.bill_panel import BillPanel
from app.ui.panels.identify_panel import IdentifyPanel
from app.ui.panels.settle_panel import SettlePanel


class CashierPage(QWidget):
    """The three panels of the cashier tab in one splitter."""

    def __init__(
        self,
        bill_model: BillModel,
        group_model: GroupModel,
        catalogue_model: CatalogueModel,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.identify_panel = IdentifyPanel(splitter)
        self.bill_panel = BillPanel(bill_model, catalogue_model, splitter)
        self.settle_panel = SettlePanel(group_model, splitter)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 6)
        splitter.setStretchFactor(2, 4)
        splitter.setSizes([270, 640, 440])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def show_money_panels(self, visible: bool) -> None:
        """The bill and settle panels: hidden for roles that handle no money."""
        self.bill_panel.setVisible(visible)
        self.settle_panel.setVisible(visible)
