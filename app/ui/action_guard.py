"""The one guard for work in flight: each kind of action runs at most once at a time.

Every blocking call of the window goes through :meth:`ActionGuard.submit`: a second press of the same
action while the first is still running does nothing (no double submit, peers.md §3.2), the runner
calls back exactly once on the GUI thread, and ``changed`` tells the window to re-enable its controls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from app.ui.errors import MessageBridge, show_error
from app.workers.runner import Lane, TaskHandle, TaskRunner

T = TypeVar("T")

# The keys of the actions that move money or open a bill: while one runs, the bill is not edited,
# no other money action starts, and nobody logs out.
MONEY_KEYS = frozenset({"open_bill", "preview", "settle", "reload", "offline_self_pay"})


class ActionGuard(QObject):
    """Runs window actions on the runner, one per key at a time.

    Signals:
        changed(): an action started or finished (controls may need enabling or disabling).
    """

    changed = Signal()

    def __init__(self, runner: TaskRunner, bridge: MessageBridge, parent: QObject | None = None):
        """Guard work submitted to ``runner``; failures without a handler go to ``bridge``."""
        super().__init__(parent)
        self._runner = runner
        self._bridge = bridge
        self._in_flight: set[str] = set()

    @property
    def busy(self) -> bool:
        """Whether any action is in flight."""
        return bool(self._in_flight)

    def running(self, key: str) -> bool:
        """Whether the action ``key`` is in flight."""
        return key in self._in_flight

    def any_running(self, keys: Iterable[str]) -> bool:
        """Whether any of ``keys`` is in flight."""
        return not self._in_flight.isdisjoint(keys)

    def submit(
        self,
        key: str,
        fn: Callable[[], T],
        on_success: Callable[[T], object],
        *,
        lane: Lane,
        busy_text: str,
        on_failure: Callable[[BaseException], object] | None = None,
    ) -> TaskHandle | None:
        """Start ``fn`` on ``lane`` unless ``key`` is already in flight (then ``None``)."""
        if key in self._in_flight:
            return None
        self._in_flight.add(key)
        self.changed.emit()

        def done_ok(value: T) -> None:
            self._in_flight.discard(key)
            try:
                on_success(value)
            finally:
                self.changed.emit()

        def done_failed(exc: BaseException) -> None:
            self._in_flight.discard(key)
            try:
                if on_failure is not None:
                    on_failure(exc)
                else:
                    show_error(self._bridge, exc)
            finally:
                self.changed.emit()

        return self._runner.submit(fn, done_ok, done_failed, lane=lane, busy_text=busy_text)
