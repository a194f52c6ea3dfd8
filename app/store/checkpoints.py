"""WAL checkpoints when the store is idle, not inside a settlement.

SQLite copies the write-ahead log into the database file by itself once the log passes
``wal_autocheckpoint`` pages (1,000 by default: about every fifth 200-line visit here), inline, in
whichever commit crosses the line — a pause of tens of milliseconds, sometimes more, in the middle of
a cashier's settlement. The store raises that line to a backstop (:data:`WAL_AUTOCHECKPOINT_PAGES`) and
:class:`IdleCheckpointer` runs a ``PASSIVE`` checkpoint once no unit of work has been open for
:data:`IDLE_AFTER_S` after a commit. Durability does not depend on checkpoints (every commit is
``fsync``ed into the log, ``synchronous=FULL``); they only keep the log short.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

# ~40 MB of log at 4 KiB pages: reached only by long busy stretches (an import), never by a visit.
WAL_AUTOCHECKPOINT_PAGES = 10000
IDLE_AFTER_S = 2.0
POLL_S = 0.5


class IdleCheckpointer:
    """Runs ``checkpoint`` when units of work have committed and none has been open for a while.

    Units of work report :meth:`begin` and :meth:`end`; the background thread starts at the first
    commit and stops at :meth:`close`.
    """

    def __init__(
        self,
        checkpoint: Callable[[], None],
        *,
        idle_after_s: float = IDLE_AFTER_S,
        poll_s: float = POLL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """Call ``checkpoint`` once the store has been idle ``idle_after_s`` seconds after a commit."""
        self.idle_after_s = idle_after_s
        self._checkpoint = checkpoint
        self._poll_s = poll_s
        self._clock = clock
        self._lock = threading.Lock()
        self._open = 0
        self._last = clock()
        self._dirty = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0  # checkpoints done (for doctor output and tests)

    def begin(self) -> None:
        """A unit of work opened."""
        with self._lock:
            self._open += 1

    def end(self, *, committed: bool) -> None:
        """A unit of work closed; ``committed``: it wrote something to the log."""
        with self._lock:
            self._open -= 1
            self._last = self._clock()
            if not committed:
                return
            self._dirty = True
            if self._thread is None and not self._stop.is_set():
                self._thread = threading.Thread(
                    target=self._run, name="store-checkpoint", daemon=True
                )
                self._thread.start()

    def close(self) -> None:
        """Stop the thread (the last connection's close checkpoints anyway)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)

    def _due(self) -> bool:
        with self._lock:
            due = self._dirty and self._open == 0
            due = due and self._clock() - self._last >= self.idle_after_s
            if due:
                self._dirty = False
            return due

    def _run(self) -> None:
        while not self._stop.wait(self._poll_s):
            if not self._due():
                continue
            started = time.perf_counter()
            try:
                self._checkpoint()
            except Exception as exc:  # a busy or failing disk: try again at the next idle moment
                log.warning("idle WAL checkpoint failed: %s", exc)
                with self._lock:
                    self._dirty = True
                continue
            self.runs += 1
            log.debug("idle WAL checkpoint in %.1f ms", (time.perf_counter() - started) * 1000)
