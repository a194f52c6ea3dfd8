"""The identify panel (left of the cashier tab): read the card (F2), type an ID number (F3), the
patient's eligibility, the HIS visits waiting, the demo card picker (F6) and, at the registration
desk, the eligibility slip. Widgets only; :mod:`app.ui.identify` drives them."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.ui.format import screen_text
from app.ui.his_panel import HisPanel
from app.ui.views.patient_view import PatientView

FOCUS_COLOUR = "#1565c0"
FOCUS_FRAME_STYLE = (
    "QComboBox { border: 1px solid #8a8a8a; padding: 3px; }"
    f"QComboBox:focus {{ border: 3px solid {FOCUS_COLOUR}; padding: 1px; }}"
)


class IdentifyPanel(QWidget):
    """The left-hand panel of the cashier tab."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        identify_row = QHBoxLayout()
        self.read_card_button = QPushButton(self.tr("Read card (F2)"), self)
        self.read_card_button.setObjectName("readCardButton")
        self.id_edit = QLineEdit(self)
        self.id_edit.setObjectName("idEdit")
        self.id_edit.setPlaceholderText(self.tr("ID number, Enter (F3)"))
        self.id_edit.setMaxLength(18)
        self.id_edit.setMaximumWidth(320)  # 18 characters; no wider on the registration desk
        identify_row.addWidget(self.read_card_button)
        identify_row.addWidget(self.id_edit, 1)
        layout.addLayout(identify_row)
        self.patient_view = PatientView(self)
        layout.addWidget(self.patient_view, 1)
        self.his_panel = HisPanel(self)  # shown once identification finds a configured HIS
        self.his_panel.hide()
        layout.addWidget(self.his_panel)
        self.demo_cards = QComboBox(self)
        self.demo_cards.setObjectName("demoCards")
        self.demo_cards.setToolTip(self.tr("Demo: which card is in the simulated reader"))
        # F6 moves here: the focus must be seen, not guessed (a thick frame, not a dotted line).
        self.demo_cards.setStyleSheet(FOCUS_FRAME_STYLE)
        self.demo_cards.hide()
        layout.addWidget(self.demo_cards)
        self.slip_button = QPushButton(self.tr("Eligibility slip"), self)
        self.slip_button.setObjectName("slipButton")
        layout.addWidget(self.slip_button)

    def set_demo_cards(self, labels: Sequence[str], insert: Callable[[str | None], None]) -> None:
        """Demo mode: choose which simulated card is in the reader (then F2 reads it)."""
        self.demo_cards.clear()
        self.demo_cards.addItem(self.tr("(no card in the reader)"), None)
        for label in labels:
            self.demo_cards.addItem(
                self.tr("Card in reader: {name}").format(name=screen_text(label)), label
            )
        self.demo_cards.currentIndexChanged.connect(
            lambda index: insert(self.demo_cards.itemData(index))
        )
        self.demo_cards.show()

    def clear(self) -> None:
        """Nobody's eligibility or HIS visits on screen."""
        self.patient_view.clear()
        self.his_panel.clear()
