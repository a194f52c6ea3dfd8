"""The window's hospital sync loop: a daemon thread, never the GUI thread, never blocking settling.

Every ``interval`` seconds (sooner when woken) it drains the outbox into the hospital record. While
the hospital database is unreachable it waits :func:`~app.services.hospital_sync.next_retry_delay`
(1 s doubling to a minute) between attempts; the window meanwhile settles on its local store and
the records wait in the outbox, which the first successful round after the server returns empties.

After each round it keeps a :class:`SyncState` snapshot (pending, lag, last sync, the last error)
behind a lock, so the status bar reads it without touching any database.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from app.messages import hospital as words
from app.services.hospital_sync import HospitalSync, next_retry_delay
from app.services.ports.clock import Clock

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncState:
    """What the status bar and ``doctor`` show about hospital mode."""

    pending: int = 0
    lag_seconds: float = 0.0
    last_sync_at: datetime | None = None
    error: str = ""
    rounds: int = 0

    @property
    def connected(self) -> bool:
        """The last round reached the hospital database."""
        return not self.error


class HospitalSyncWorker:
    """Runs :meth:`HospitalSync.drain` on its own thread until stopped."""

    def __init__(
        self,
        sync: HospitalSync,
        clock: Clock,
        interval: float = 2.0,
        *,
        before_round: Callable[[], object] | None = None,
        after_round: Callable[[], object] | None = None,
    ) -> None:
        """Drain ``sync`` every ``interval`` seconds, backing off while the server is away;
        ``before_round`` runs before each round (the window lock taken again after a server restart
        or a network cut ended the session holding it); when it returns ``False`` nothing is
        delivered this round (a record of this window never reaches the hospital record while
        other windows could take it for dead). ``after_round`` runs after each round that reached
        the server; when it returns ``False`` it recorded nothing, and the snapshot takes the
        outbox's figures as the round read them (no second read)."""
        self._before_round = before_round
        self._after_round = after_round
        self._sync = sync
        self._clock = clock
        self._interval = interval
        self._retry: float | None = None
        self._state = SyncState()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hospital-sync", daemon=True)

    def start(self) -> HospitalSyncWorker:
        """Start the thread."""
        self._thread.start()
        return self

    def wake(self) -> None:
        """Run a round now."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the current round."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def state(self) -> SyncState:
        """The snapshot after the last round (no I/O: safe on the GUI thread)."""
        with self._lock:
            return self._state

    def run_round(self) -> SyncState:
        """One round: drain, then take the snapshot; returns it (the thread's body, and tests')."""
        try:
            if self._before_round is not None and self._before_round() is False:
                error = str(words.SYNC_LOCK_NOT_HELD())
            else:
                error = self._sync.drain(chase=False).error
        except Exception:  # a local store error must not end hospital sync for the day
            log.exception("hospital sync round failed; retrying later")
            error = str(words.SYNC_ROUND_FAILED())
        self._retry = next_retry_delay(self._retry) if error else None
        quiet = False  # the round's own figures still hold
        if self._after_round is not None and not error:
            try:
                quiet = self._after_round() is False
            except Exception:
                log.exception("hospital sync: the after-round step failed; retrying next round")
        try:
            stats = self._sync.last_stats() if quiet else self._sync.stats()
            pending, lag = stats.pending, stats.lag_seconds(self._clock.now())
            last = stats.last_sync_at
        except Exception:
            log.exception("hospital sync: the outbox's figures could not be read")
            previous = self.state()
            pending, lag, last = previous.pending, previous.lag_seconds, previous.last_sync_at
        with self._lock:
            self._state = SyncState(pending, lag, last, error, self._state.rounds + 1)
            return self._state

    def next_wait(self) -> float:
        """Seconds until the next round: the interval, or the back-off while the server is away."""
        return self._retry if self._retry is not None else self._interval

    def _run(self) -> None:
        while not self._stop.is_set():
            self.run_round()
            self._wake.wait(self.next_wait())
            self._wake.clear()
