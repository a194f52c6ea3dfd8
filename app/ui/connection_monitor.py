"""Connection and recovery: the platform probe every few seconds, the always-visible platform state,
and resolving unknown outcomes (at log-in, on request, and on a retry timer while any remain).

Both calls run on the NETWORK lane through the window's guard; nothing here blocks the GUI thread.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from app.domain.operator import Action
from app.errors import PlatformMaintenance
from app.ui.context import WindowContext
from app.ui.desk_state import DeskState
from app.ui.errors import show_error
from app.ui.platform_status import PlatformStatus
from app.ui.settle_flow import SettleFlow
from app.ui.timing import Timing
from app.workers.backend import Connection
from app.workers.runner import Lane, TaskHandle

if TYPE_CHECKING:
    from app.services.recovery import RecoverySummary

log = logging.getLogger(__name__)


class ConnectionMonitor(QObject):
    """Keeps :attr:`DeskState.connection` current and resolves unknown outcomes.

    Signals:
        changed(object): a new :class:`Connection` was shown.
    """

    changed = Signal(object)

    def __init__(
        self,
        ctx: WindowContext,
        state: DeskState,
        status: PlatformStatus,
        *,
        flow: SettleFlow,
        timing: Timing,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._state = state
        self._status = status
        self._flow = flow
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(timing.connection_poll_ms)
        self.poll_timer.timeout.connect(self.check)
        self.recovery_timer = QTimer(self)
        self.recovery_timer.setSingleShot(True)
        self.recovery_timer.setInterval(timing.recovery_retry_ms)
        self.recovery_timer.timeout.connect(self.run_recovery)

    def start(self) -> None:
        """An operator logged in: check now and every few seconds, and resolve what an earlier run
        left unknown before settlement is enabled (only where settling is allowed)."""
        self.check()
        self.poll_timer.start()
        if not self._state.startup_recovery_done and self._ctx.session.can(Action.SETTLE):
            self.run_recovery()
        else:
            self._state.startup_recovery_done = True

    def stop(self) -> None:
        """The window closes."""
        self.poll_timer.stop()
        self.recovery_timer.stop()

    def check(self) -> None:
        """Probe the platform and count unresolved rows (NETWORK lane)."""
        self._ctx.guard.submit(
            "connection",
            self._ctx.backend.connection,
            self.show,
            lane=Lane.NETWORK,
            busy_text="",
        )

    def show(self, connection: Connection) -> None:
        """Update the always-visible connection state."""
        self._state.connection = connection
        self._status.show(connection, usable=self._state.online)
        self.changed.emit(connection)

    def platform_failure(self, exc: BaseException) -> None:
        """Show a failed platform call; a maintenance answer also raises the maintenance notice."""
        if isinstance(exc, PlatformMaintenance):
            self._status.show_maintenance(exc.failure.platform_text or exc.text)
        show_error(self._ctx.bridge, exc)

    def run_recovery(self) -> TaskHandle | None:
        """Resolve unknown outcomes (NETWORK lane); retried on a timer while any remain."""
        if self._ctx.session.operator is None:
            return None
        return self._ctx.guard.submit(
            "recovery",
            self._ctx.backend.recover,
            self._on_recovered,
            lane=Lane.NETWORK,
            busy_text=self.tr("Confirming unresolved settlements…"),
            on_failure=self._on_recovery_failed,
        )

    def retry_soon(self) -> None:
        """Try recovery again after the retry interval (an outcome just became unknown)."""
        self.recovery_timer.start()

    def _on_recovered(self, summary: RecoverySummary) -> None:
        if summary.clear:
            self._state.startup_recovery_done = True
        if summary.examined:
            self._ctx.bridge.info(summary.text())
        bill_id = self._flow.bill_id
        if bill_id is not None:
            self._ctx.guard.submit(
                "reload",
                lambda: self._ctx.backend.bill(bill_id),
                self._flow.show,
                lane=Lane.STORE,
                busy_text="",
            )
        # Calls another program has in flight are its own; retry so they are picked up if it ends.
        if not summary.clear or summary.elsewhere or summary.awaiting or self._flow.locked:
            self.recovery_timer.start()
        self.check()

    def _on_recovery_failed(self, exc: BaseException) -> None:
        log.info("recovery attempt failed: %s", type(exc).__name__)
        self.recovery_timer.start()
