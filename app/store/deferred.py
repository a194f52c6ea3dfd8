"""Advisory writes that ride on the next unit of work instead of a commit of their own.

The eligibility answer (1101 + 5301) is cached for offline look-ups; committing that cache alone cost
an ``fsync``ed commit on the identification's path, before the cashier saw the answer. Such a write is
queued here and applied at the start of every following unit of work of the store (so any later read,
on any thread, sees it), and leaves the queue once a unit of work that applied it commits; the store's
close commits whatever is still queued. A process killed before that loses the write, which only an
advisory cache may afford: nothing that depends on it for money may be queued here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

Write = Callable[[Any], None]


class DeferredWrites:
    """The queue of writes waiting for a commit (thread-safe; in queue order)."""

    def __init__(self) -> None:
        """An empty queue."""
        self._lock = threading.Lock()
        self._writes: list[Write] = []

    def add(self, write: Write) -> None:
        """Queue ``write`` (called with the unit of work it rides on)."""
        with self._lock:
            self._writes.append(write)

    def pending(self) -> tuple[Write, ...]:
        """The writes still waiting, oldest first."""
        with self._lock:
            return tuple(self._writes)

    def done(self, writes: Iterable[Write]) -> None:
        """``writes`` are committed (or given up): they leave the queue."""
        gone = {id(write) for write in writes}
        if not gone:
            return
        with self._lock:
            self._writes = [write for write in self._writes if id(write) not in gone]
