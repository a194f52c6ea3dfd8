"""The HIS panel: the identified patient's unpaid visits; the cashier ticks some and loads their lines.

Layout and text only: the window asks the backend for the visits (a worker lane) and hands them in
with :meth:`HisPanel.show_visits`; a HIS that does not answer is shown in words
(:meth:`HisPanel.show_unavailable`) and nothing else stops: typed bills and self-pay go on.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.his import HisVisit
from app.ui.format import yuan


class HisPanel(QWidget):
    """Unpaid HIS visits with a check box each, and the button that loads the ticked ones."""

    load_requested = Signal(list)  # list[HisVisit]

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("hisPanel")
        self._visits: list[HisVisit] = []
        self._title = QLabel(self.tr("Unpaid HIS visits"), self)
        self._title.setObjectName("hisTitle")
        self._status = QLabel("", self)
        self._status.setObjectName("hisStatus")
        self._status.setWordWrap(True)
        self._list = QListWidget(self)
        self._list.setObjectName("hisVisits")
        self._list.setMaximumHeight(120)
        # The panel is narrow at 1366 px: wrap a visit's line instead of scrolling sideways.
        self._list.setWordWrap(True)
        self._list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._load = QPushButton(self.tr("Load ticked visits (F7)"), self)
        self._load.setObjectName("hisLoadButton")
        self._load.clicked.connect(self._request_load)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self._title, self._status, self._list, self._load):
            layout.addWidget(widget)
        self.clear()

    # ------------------------------------------------------------------ shown states
    def clear(self) -> None:
        """No patient."""
        self._show([], "")

    def show_loading(self) -> None:
        """Asking the HIS."""
        self._show([], self.tr("Asking the HIS…"))

    def show_visits(self, visits: Sequence[HisVisit]) -> None:
        """The patient's unpaid visits, all ticked (untick what the patient does not pay now)."""
        text = "" if visits else self.tr("No unpaid visit in the HIS.")
        self._show(list(visits), text)

    def show_unavailable(self, reason: str) -> None:
        """The HIS did not answer: say so; the cashier can still type the bill or collect self-pay."""
        text = self.tr("HIS not reachable: {reason} Type the bill or collect self-pay.").format(
            reason=reason
        )
        self._show([], text, alarm=True)

    def show_loaded(self, count: int) -> None:
        """The ticked visits' lines are in the bill."""
        self._status.setStyleSheet("")
        self._status.setText(self.tr("{n} line(s) loaded from the HIS.").format(n=count))

    # ------------------------------------------------------------------ reading it
    def visits(self) -> list[HisVisit]:
        """Every visit shown."""
        return list(self._visits)

    def picked(self) -> list[HisVisit]:
        """The ticked visits, in the order shown."""
        return [
            visit
            for row, visit in enumerate(self._visits)
            if self._list.item(row).checkState() == Qt.CheckState.Checked
        ]

    def set_picked(self, visit_nos: Sequence[str]) -> None:
        """Tick exactly these visits (keyboard users and tests)."""
        for row, visit in enumerate(self._visits):
            state = (
                Qt.CheckState.Checked if visit.visit_no in visit_nos else Qt.CheckState.Unchecked
            )
            self._list.item(row).setCheckState(state)

    def status_text(self) -> str:
        """The status line (for tests and screen readers)."""
        return self._status.text()

    def request_load(self) -> None:
        """Load the ticked visits (F7)."""
        self._request_load()

    # ------------------------------------------------------------------ internals
    def _show(self, visits: list[HisVisit], text: str, *, alarm: bool = False) -> None:
        self._visits = visits
        self._list.clear()
        for visit in visits:
            label = self.tr("{no}  {dept} {doctor} · {n} item(s) · {total}").format(
                no=visit.visit_no,
                dept=visit.dept_name,
                doctor=visit.doctor_name,
                n=len(visit.lines),
                total=yuan(visit.total),
            )
            item = QListWidgetItem(label, self._list)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
        self._list.setVisible(bool(visits))
        self._load.setEnabled(bool(visits))
        # Red repeats what the words already say (style: colour is never the only signal).
        self._status.setStyleSheet("color:#b3261e; font-weight:bold;" if alarm else "")
        self._status.setText(text)

    def _request_load(self) -> None:
        picked = self.picked()
        if picked:
            self.load_requested.emit(picked)
