"""Msgids for read-only platform calls, reserved a few at a time from the store's counter."""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.services.ports.clock import Clock
from app.services.ports.store import UnitOfWork, UnitOfWorkFactory


class MsgidBlocks:
    """Msgids for read-only calls, reserved a few at a time in one committed transaction.

    Each reservation is durable before any of its msgids is used, so a msgid is never reused, even
    after a crash (unused reserved ones are simply skipped). A block older than ``max_age`` seconds
    is dropped so that the time part of a msgid stays close to the time it is sent. A journaled
    call's ``PREPARED`` transaction tops the block up (:meth:`top_up`) when it runs low or ages, so
    the read-only calls that follow (2206, the next patient's 1101 + 5301) need no commit of their own.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        institution_code: str,
        clock: Clock,
        *,
        block: int = 8,
        max_age: float = 5.0,
    ):
        """Reserve ``block`` msgids per transaction from the store's counter."""
        self._uow_factory = uow_factory
        self._institution = institution_code
        self._clock = clock
        self._block = block
        self._max_age = max_age
        self._reserved: list[str] = []
        self._reserved_at = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        """The next msgid."""
        with self._lock:
            stale = self._clock.monotonic() - self._reserved_at > self._max_age
            if not self._reserved or stale:
                self._reserved = self._reserve()
                self._reserved_at = self._clock.monotonic()
            return self._reserved.pop(0)

    def top_up(self, uow: UnitOfWork) -> Callable[[], None] | None:
        """Reserve the next block inside ``uow``, a transaction committing anyway, if the current
        block is half used or half its age; returns what to call once ``uow`` has committed (only
        then may its msgids be used), or ``None`` when nothing was reserved."""
        with self._lock:
            low = len(self._reserved) <= self._block // 2
            ageing = self._clock.monotonic() - self._reserved_at > self._max_age / 2
        if not (low or ageing):
            return None
        now = self._clock.now()
        msgids = [uow.msgids.next_msgid(self._institution, now) for _ in range(self._block)]

        def committed() -> None:
            with self._lock:
                self._reserved = msgids
                self._reserved_at = self._clock.monotonic()

        return committed

    def _reserve(self) -> list[str]:
        with self._uow_factory() as uow:
            now = self._clock.now()
            msgids = [uow.msgids.next_msgid(self._institution, now) for _ in range(self._block)]
            uow.commit()
        return msgids
