"""Hospital mode on the status bar: replication lag, records waiting, the last successful sync.

The label reads the sync worker's snapshot once a second (no database on the GUI thread); the sync
itself runs on the worker's own thread (:mod:`app.services.hospital_sync_loop`).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QLabel, QMainWindow

from app.services.hospital_sync_loop import SyncState
from app.ui.format import local_clock
from app.ui.platform_status import BAD_STYLE

REFRESH_MS = 1000
LATE_SECONDS = 60.0  # lag beyond a minute is shown in the warning colour


def describe(state: SyncState) -> str:
    """One line: connected or not, lag, waiting records, last sync."""
    translate = QCoreApplication.translate
    if state.last_sync_at is None:
        last = translate("HospitalStatus", "never")
    else:
        last = local_clock(state.last_sync_at)
    if state.connected:
        head = translate("HospitalStatus", "Hospital DB: lag {lag} s")
    else:
        head = translate("HospitalStatus", "Hospital DB: NOT CONNECTED, lag {lag} s")
    return " · ".join(
        (
            head.format(lag=round(state.lag_seconds)),
            translate("HospitalStatus", "waiting {n}").format(n=state.pending),
            translate("HospitalStatus", "last sync {time}").format(time=last),
        )
    )


class HospitalStatusLabel(QLabel):
    """A permanent status-bar label refreshed from ``source`` every second."""

    def __init__(self, source: Callable[[], SyncState]) -> None:
        """Show what ``source()`` (the sync worker's snapshot) says."""
        super().__init__()
        self.setObjectName("hospital_status")
        self._source = source
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def refresh(self) -> None:
        """Re-read the snapshot."""
        state = self._source()
        self.setText(describe(state))
        late = not state.connected or state.lag_seconds > LATE_SECONDS
        self.setStyleSheet(BAD_STYLE if late else "")


def install_hospital_status(window: QMainWindow, source: Callable[[], SyncState]) -> QLabel:
    """Add the hospital label to ``window``'s status bar (the window's only hook)."""
    label = HospitalStatusLabel(source)
    window.statusBar().addPermanentWidget(label)
    return label
