"""The window's side of the device handler: devices ask the operator through it (style.md §3.7).

Device adapters call these methods on their own threads ("请插入社保卡", "读卡失败，请检查读卡器连接").
Each call becomes a queued signal, so the text reaches the status bar on the GUI thread and no widget
is ever touched from a device thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal

from app.ui.errors import Level, MessageBridge, ShownMessage


class QtDeviceHandler(QObject):
    """Implements ``app.services.ports.devices.DeviceHandler`` with queued signals.

    Create it on the GUI thread; call it from any thread.

    Signals:
        prompted(str): an instruction for the operator (shown until ``finished``).
        failed(str): a device problem and what to check.
        done(): the device no longer needs the operator.
    """

    prompted = Signal(str)
    failed = Signal(str)
    done = Signal()

    def __init__(self, bridge: MessageBridge, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._bridge = bridge
        queued = Qt.ConnectionType.QueuedConnection
        self.prompted.connect(self._on_prompted, queued)
        self.failed.connect(self._on_failed, queued)
        self.done.connect(self._on_done, queued)

    def show_message(self, text: str) -> None:
        """Show a short instruction (e.g. 请插入社保卡)."""
        self.prompted.emit(text)

    def finished(self) -> None:
        """Hide the instruction."""
        self.done.emit()

    def show_error(self, text: str) -> None:
        """Tell the operator what failed and what to check."""
        self.failed.emit(text)

    def _on_prompted(self, text: str) -> None:
        self._bridge.post(ShownMessage(Level.INFO, text, code="device_prompt"))

    def _on_failed(self, text: str) -> None:
        # The read itself also fails with a DeviceError that the window reports in a dialog, so the
        # handler's copy goes to the status bar only, not a second dialog.
        self._bridge.post(ShownMessage(Level.INFO, text, code="device_error"))

    def _on_done(self) -> None:
        self._bridge.post(ShownMessage(Level.INFO, "", code="device_done"))
