"""Who owns a journal row: the process that wrote it, until that process is provably gone (issue #16).

Every process that works on a store holds a *lease* for its whole lifetime and writes its lease id as the
``owner`` of each journal row it creates. Recovery may act on another owner's rows only after
:meth:`Ownership.claim` has proved that owner dead — by taking the lease the owner would be holding if it
were alive — and has moved the rows to its own lease in that same moment. Age is never used: a call that
has been waiting for the platform for minutes is still in flight while its process lives.

The single-window store (SQLite) implements it with an operating-system lock on one lease file per
process in the data folder (``app.store.leases``); the hospital mode can implement the same port with
PostgreSQL session advisory locks (``pg_try_advisory_lock`` on the lease id, held by the window's
connection), so that "dead" is decided the same way when a supervisor resolves a dead window's rows from
another window (docs/concurrency.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol


class Ownership(Protocol):
    """This process's lease and the liveness of other leases."""

    @property
    def owner_id(self) -> str:
        """This process's lease id, written as the owner of every journal row it creates."""
        ...

    def is_alive(self, owner: str) -> bool:
        """Whether ``owner`` (another lease id, or ours) may still act on its rows.

        Answers ``True`` when in doubt: a wrong "alive" only delays a clean-up, a wrong "dead" could
        reverse a live settlement.
        """
        ...

    def claim(self, owner: str) -> AbstractContextManager[bool]:
        """Hold ``owner``'s lease while its rows are moved to ours.

        Yields ``True`` when ``owner`` is provably dead (its lease is now held by this process, so it
        cannot come back while the block runs), ``False`` when it is alive or someone else is already
        claiming it. After a successful block the dead lease is discarded.
        """
        ...

    def close(self) -> None:
        """Give up this process's lease (its unresolved rows become claimable)."""
        ...


class SoleOwner:
    """For tests and tools that work alone on a store: one fixed lease, every other owner dead.

    Not for production: it cannot see another live process.
    """

    def __init__(self, owner_id: str = "sole") -> None:
        """Use ``owner_id`` as this process's lease."""
        self._owner_id = owner_id

    @property
    def owner_id(self) -> str:
        """The fixed lease id."""
        return self._owner_id

    def is_alive(self, owner: str) -> bool:
        """Only our own lease is alive."""
        return owner == self._owner_id

    def claim(self, owner: str) -> AbstractContextManager[bool]:
        """Any other owner can be claimed."""
        return _constant(owner != self._owner_id)

    def close(self) -> None:
        """Nothing to release."""


@contextmanager
def _constant(value: bool) -> Iterator[bool]:
    yield value
