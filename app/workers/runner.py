"""The one background-work API: run a blocking call off the GUI thread, answer on the GUI thread.

Shape copied from Anki's ``QueryOp``/``TaskManager`` (style.md §3.3): ``submit(fn, on_success,
on_failure, lane=…)`` runs ``fn`` on the lane's executor and then calls **exactly one** of the two
callbacks on the thread that owns the runner (the GUI thread), through a queued signal.

Lanes:

* ``STORE`` — one thread: SQLite has one writer, so database work is serialised.
* ``NETWORK`` — a small pool for platform calls.
* ``DEVICE`` — one thread for the card reader / scanner adapters that are not thread-safe.
* ``PRINT`` — one thread for receipt rendering and printing.

Cancelling means "stop waiting", never "undo": a platform call that was sent cannot be recalled. A
cancelled task answers at once with :class:`app.errors.UserCancelled`; whatever the work later returns
is dropped (the journal and recovery service own the outcome of money calls).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

from app.errors import UserCancelled

log = logging.getLogger(__name__)

SuccessCallback = Callable[[Any], object]
FailureCallback = Callable[[BaseException], object]
T = TypeVar("T")


class Lane(Enum):
    """Where a task runs (style.md §3.3)."""

    STORE = "store"
    NETWORK = "network"
    DEVICE = "device"
    PRINT = "print"


_LANE_WORKERS: dict[Lane, int] = {Lane.STORE: 1, Lane.NETWORK: 4, Lane.DEVICE: 1, Lane.PRINT: 1}


class TaskHandle(QObject):
    """One submitted task, as seen from the GUI thread.

    Signals:
        succeeded(object): the work returned this value (after ``on_success`` ran).
        failed(object): the work raised this exception, or the task was cancelled (after
            ``on_failure`` ran).
        finished(): emitted once after either of the above.
    """

    succeeded = Signal(object)
    failed = Signal(object)
    finished = Signal()

    def __init__(
        self,
        on_success: SuccessCallback,
        on_failure: FailureCallback,
        lane: Lane,
        busy_text: str,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._on_success = on_success
        self._on_failure = on_failure
        self.lane = lane
        self.busy_text = busy_text
        self._done = False

    @property
    def done(self) -> bool:
        """Whether a callback has already been called."""
        return self._done

    def cancel(self) -> bool:
        """Stop waiting: answer now with :class:`UserCancelled` and drop the work's later result.

        Returns:
            ``True`` if the task was still pending, ``False`` if it had already answered.
        """
        if self._done:
            return False
        self._finish(None, UserCancelled())
        return True

    def _finish(self, value: object, error: BaseException | None) -> None:
        if self._done:
            log.debug("result of a cancelled %s task dropped", self.lane.value)
            return
        self._done = True
        try:
            if error is None:
                self._on_success(value)
            else:
                self._on_failure(error)
        finally:
            if error is None:
                self.succeeded.emit(value)
            else:
                self.failed.emit(error)
            self.finished.emit()


@dataclass(frozen=True)
class _Outcome:
    """What a worker hands back. Always a real object: PySide6 mis-counts references of a bare
    ``None`` sent through a queued ``object`` signal, which eventually aborts the interpreter
    ("deallocating None"). WORKAROUND for that PySide6 behaviour."""

    handle: TaskHandle
    value: object
    error: BaseException | None


class _Relay(QObject):
    """Lives on the GUI thread; worker threads emit on it and Qt queues the call across threads."""

    arrived = Signal(object)


class TaskRunner(QObject):
    """Runs blocking work on lanes and answers on the GUI thread.

    Signals:
        busy_changed(str): the text of the oldest running task with a busy text, or "" when idle.
    """

    busy_changed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._executors: dict[Lane, ThreadPoolExecutor] = {}
        self._pending: list[TaskHandle] = []
        self._closed = False
        self._lock = threading.Lock()
        self._relay = _Relay(self)
        self._relay.arrived.connect(self._on_relay_arrived, Qt.ConnectionType.QueuedConnection)

    @property
    def pending_count(self) -> int:
        """Tasks submitted whose callback has not run yet."""
        return len(self._pending)

    def submit(
        self,
        fn: Callable[[], T],
        on_success: Callable[[T], object],
        on_failure: FailureCallback,
        *,
        lane: Lane,
        busy_text: str = "",
    ) -> TaskHandle:
        """Run ``fn()`` on ``lane``; then call ``on_success(value)`` or ``on_failure(exc)`` here.

        Exactly one of the callbacks is called, on the thread that owns the runner. A bug inside
        ``fn`` (any exception) goes to ``on_failure`` too, so callers can re-enable their controls;
        :func:`app.ui.errors.show_error` then decides how to show it.

        Raises:
            RuntimeError: after :meth:`shutdown`.
        """
        if self._closed:
            raise RuntimeError("the task runner has been shut down")
        handle = TaskHandle(on_success, on_failure, lane, busy_text)
        self._pending.append(handle)
        handle.finished.connect(lambda: self._forget(handle))
        self._announce_busy()
        future = self._executor(lane).submit(fn)
        future.add_done_callback(lambda done: self._relay_result(handle, done))
        return handle

    def shutdown(self, *, wait: bool = True) -> None:
        """Refuse new work and, by default, wait for running work to end. Pending answers are dropped.

        Used on quit and in tests' teardown so no worker thread outlives the test.
        """
        self._closed = True
        with self._lock:
            executors = list(self._executors.values())
            self._executors.clear()
        for executor in executors:
            executor.shutdown(wait=wait, cancel_futures=True)
        self._pending.clear()
        self._announce_busy()

    def _executor(self, lane: Lane) -> ThreadPoolExecutor:
        with self._lock:
            executor = self._executors.get(lane)
            if executor is None:
                executor = ThreadPoolExecutor(
                    max_workers=_LANE_WORKERS[lane], thread_name_prefix=f"{lane.value}_lane"
                )
                self._executors[lane] = executor
            return executor

    def _relay_result(self, handle: TaskHandle, future: Future[Any]) -> None:
        """Worker thread: hand the outcome to the GUI thread."""
        if future.cancelled():
            return
        error = future.exception()
        value = None if error is not None else future.result()
        self._relay.arrived.emit(_Outcome(handle, value, error))

    @Slot(object)
    def _on_relay_arrived(self, outcome: _Outcome) -> None:
        if self._closed:
            return
        outcome.handle._finish(outcome.value, outcome.error)

    def _forget(self, handle: TaskHandle) -> None:
        if handle in self._pending:
            self._pending.remove(handle)
        self._announce_busy()

    def _announce_busy(self) -> None:
        texts = [h.busy_text for h in self._pending if h.busy_text]
        self.busy_changed.emit(texts[0] if texts else "")
