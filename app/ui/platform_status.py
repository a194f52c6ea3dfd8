"""The always-visible platform state: online / offline / maintenance, and the calls still open."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QLabel

from app.ui import errors as ui_errors
from app.ui.format import local_time
from app.workers.backend import Connection

GOOD_STYLE = "color:#1b5e20; font-weight:bold;"
BAD_STYLE = "color:#b3261e; font-weight:bold;"


class PlatformStatus:
    """Renders a :class:`Connection` on the status row and the maintenance notice (text first;
    colour only repeats it)."""

    def __init__(self, connection: QLabel, unresolved: QLabel, maintenance: QLabel) -> None:
        """Drive these three labels of the window's chrome."""
        self._connection = connection
        self._unresolved = unresolved
        self._maintenance = maintenance

    def show(self, connection: Connection, *, usable: bool) -> None:
        """The platform as last seen; ``usable``: online and not in maintenance."""
        if connection.maintenance_text:
            self.show_maintenance(connection.maintenance_text)
            self._connection.setText(
                QCoreApplication.translate("MainWindow", "Platform: MAINTENANCE")
            )
        elif connection.online:
            self._maintenance.hide()
            self._connection.setText(QCoreApplication.translate("MainWindow", "Platform: online"))
        else:
            self._maintenance.hide()
            self._connection.setText(
                QCoreApplication.translate(
                    "MainWindow", "Platform: OFFLINE (checked {time})"
                ).format(time=local_time(connection.checked_at))
            )
        self._connection.setStyleSheet(GOOD_STYLE if usable else BAD_STYLE)
        text = QCoreApplication.translate("MainWindow", "Unresolved calls: {n}").format(
            n=connection.unresolved
        )
        if connection.his_pending is not None:
            text += " · " + QCoreApplication.translate(
                "MainWindow", "HIS reports pending: {n}"
            ).format(n=connection.his_pending)
        self._unresolved.setText(text)
        self._unresolved.setStyleSheet(BAD_STYLE if connection.unresolved else "")

    def show_maintenance(self, text: str) -> None:
        """The platform's own downtime notice, quoted."""
        self._maintenance.setText(
            QCoreApplication.translate(
                "MainWindow",
                "The national platform announces maintenance: “{text}”. Direct settlement is paused until it ends.",
            ).format(text=ui_errors.quote_platform_text(text))
        )
        self._maintenance.show()
