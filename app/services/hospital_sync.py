"""Carrying the window's records to the hospital record (hospital mode's outbox delivery).

One owner: the sync loop calls :meth:`HospitalSync.sync_once` until nothing is pending, backing off
while the hospital database is unreachable. Reading a batch and marking it delivered are two short
local transactions around the network call (a unit of work is never held across it). If the window dies
after the hospital committed and before the mark, the batch is sent again and the hospital keeps the
highest version of each key: delivered at least once, applied once.

After a round that reached the server, the same loop pulls what is shared once for the whole hospital
(operators, the catalogue: ``pull``), so an account made at one window logs in at another.

An idle round is kept cheap (20 windows' sync threads share a server's or a small PC's cores): the
outbox's batch and figures are read in one local transaction, and the heartbeat is sent only when it
says something new — after a delivery, while records wait, when the last sync time moved (another
program of this window delivered), or ``HEARTBEAT_REFRESH_S`` after the last one. The hospital day
close needs "a heartbeat after the last sync with nothing pending": the first round that finds the
outbox empty after a delivery sends it, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.errors import StoreError
from app.services.ports.clock import Clock
from app.services.ports.hospital import HospitalRecord, ReplicaItem, ReplicaStats
from app.services.ports.store import UnitOfWorkFactory

log = logging.getLogger(__name__)

BATCH = 200
FIRST_RETRY_S = 1.0
MAX_RETRY_S = 60.0
HEARTBEAT_REFRESH_S = 60.0  # an unchanged "nothing pending" is told again this often


@dataclass(frozen=True)
class SyncReport:
    """What one round delivered and what is left."""

    delivered: int
    pending: int
    error: str = ""

    @property
    def drained(self) -> bool:
        """Nothing left to send and no error."""
        return not self.error and self.pending == 0


def next_retry_delay(previous: float | None) -> float:
    """Back-off while the hospital database is unreachable: 1 s doubling up to a minute."""
    if previous is None:
        return FIRST_RETRY_S
    return min(previous * 2, MAX_RETRY_S)


class HospitalSync:
    """Delivers the outbox of one window to the hospital record."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        record: HospitalRecord,
        clock: Clock,
        window: str,
        *,
        batch: int = BATCH,
        pull: Callable[[], object] | None = None,
        after_apply: Callable[[Sequence[ReplicaItem]], object] | None = None,
    ) -> None:
        """Deliver ``window``'s outbox from the store behind ``uow_factory`` to ``record``; after
        each drain that reached the server, run ``pull`` (copy the hospital's shared data here;
        when it returns ``False`` it recorded nothing here, so the outbox is not read again);
        after each batch the record applied, hand it to ``after_apply`` (the charge conflicts a
        delivered cancellation ends; it never raises)."""
        self._uow = uow_factory
        self._record = record
        self._clock = clock
        self._window = window
        self._batch = batch
        self._pull = pull
        self._after_apply = after_apply
        self._stats: ReplicaStats | None = None  # the outbox's figures as last read
        self._told: ReplicaStats | None = None  # what the last heartbeat delivered said
        self._told_at = 0.0  # its monotonic time
        self._told_when: datetime | None = None  # its wall-clock time, as the hospital stored it

    def enable(self) -> int:
        """Start queuing (idempotent); the first time, queue everything already stored."""
        with self._uow() as uow:
            if uow.replica.enabled():
                return 0
            queued = uow.replica.enable()
            uow.commit()
        log.info("hospital mode: replication switched on, %d existing records queued", queued)
        return queued

    def stats(self) -> ReplicaStats:
        """The outbox's pending count, oldest pending time and last successful sync."""
        with self._uow() as uow:
            self._stats = uow.replica.stats()
        return self._stats

    def last_stats(self) -> ReplicaStats:
        """The figures as the last round read them (read now if none was read yet)."""
        return self._stats if self._stats is not None else self.stats()

    def sync_once(self, *, heartbeat: bool = True) -> SyncReport:
        """Send one batch; on an unreachable hospital database keep it pending and say why. With
        ``heartbeat``, then tell the hospital what is left (a drain tells it once, at its end)."""
        with self._uow() as uow:
            items = uow.replica.pending(self._batch)
            if not items:  # idle: the figures in the same transaction
                self._stats = uow.replica.stats()
            else:
                # Committed before the send (in the transaction that read the batch): if this
                # process dies with the answer unheard, its next start knows these records may be
                # in the hospital record (and another window may act on them).
                uow.replica.mark_offered(items)
                uow.commit()
        if not items:
            if heartbeat:
                self._heartbeat(self._stats)
            return SyncReport(0, 0)
        try:
            self._record.apply(self._window, items, self._clock.now())
        except StoreError as exc:
            with self._uow() as uow:
                uow.replica.mark_failed(items, exc.code)
                uow.commit()
                self._stats = uow.replica.stats()
            log.warning("hospital sync: %d records kept for later (%s)", len(items), exc.code)
            return SyncReport(0, self._stats.pending, exc.text)
        with self._uow() as uow:
            uow.replica.mark_delivered(items)
            uow.replica.record_sync(self._clock.now())
            uow.commit()
            self._stats = uow.replica.stats()
        if self._after_apply is not None:
            self._after_apply(items)
        # Tell the hospital what is left after this batch: a window that dies between the apply and
        # this report has its last contact at its last sync, and the hospital day close waits for it.
        if heartbeat:
            self._heartbeat(self._stats)
        return SyncReport(len(items), self._stats.pending)

    def drain(self, max_rounds: int = 1000, *, chase: bool = True) -> SyncReport:
        """Send batches until nothing is pending or the hospital database is unreachable; then
        pull the shared data, and send what the pull itself recorded (its audit rows).

        Without ``chase`` (the sync loop), stop after a batch that was not full: what the window
        records meanwhile waits for the next round, which the window wakes when its visit is done.
        Chasing a settling window sent a batch of two or three records per journal move, each
        with its transactions on both sides (81 batches for 10 visits).
        """
        report = self._send(max_rounds, chase=chase)
        if report.error:
            return report
        pulled = self._pull_shared()
        if isinstance(pulled, str):
            return SyncReport(report.delivered, report.pending, pulled)
        if not pulled or not self.stats().pending:  # the pull recorded nothing here / nothing left
            return SyncReport(report.delivered, report.pending)
        more = self._send(max_rounds, chase=chase)
        return SyncReport(report.delivered + more.delivered, more.pending, more.error)

    def _send(self, max_rounds: int, *, chase: bool = True) -> SyncReport:
        delivered = 0
        report = SyncReport(0, 0)
        for _ in range(max_rounds):
            # Records settled meanwhile make a round send several batches: one heartbeat at the
            # end says what is left (one per batch cost the sync loop a transaction each).
            report = self.sync_once(heartbeat=False)
            delivered += report.delivered
            if report.error or report.pending == 0:
                break
            if not chase and report.delivered < self._batch:
                break  # everything pending when the batch was read is sent
        if not report.error:
            self._heartbeat(self._stats)
        return SyncReport(delivered, report.pending, report.error)

    def _pull_shared(self) -> str | bool:
        """Pull the hospital's shared data: whether it may have recorded anything in this window's
        store (``False`` only when ``pull`` says so), or the error text when the server could not
        be reached."""
        if self._pull is None:
            return True
        try:
            return self._pull() is not False
        except StoreError as exc:
            log.warning("hospital shared data not pulled this round (%s)", exc.code)
            return exc.text

    def _told_after_sync(self, stats: ReplicaStats) -> bool:
        """Whether the last heartbeat delivered was stamped after the last sync."""
        if stats.last_sync_at is None:
            return True
        return self._told_when is not None and self._told_when > stats.last_sync_at

    def _heartbeat(self, stats: ReplicaStats | None = None) -> None:
        """Tell the hospital what is left (``stats``: as just read), unless the last heartbeat said
        the same "nothing pending" after the same last sync less than ``HEARTBEAT_REFRESH_S`` ago.

        A heartbeat whose time is not later than the last sync is never the last one: the day close
        reads "drained" only from a report after the sync (``unfinished_windows``), and a coarse
        clock (15.6 ms ticks on Windows) can give the delivery and the heartbeat after it one time.
        """
        stats = self.stats() if stats is None else stats
        told, moment, now = self._told, self._clock.monotonic(), self._clock.now()
        if (
            told is not None
            and stats.pending == 0
            and told.pending == 0
            and stats.last_sync_at == told.last_sync_at
            and self._told_after_sync(stats)
            and moment - self._told_at < HEARTBEAT_REFRESH_S
        ):
            return
        try:
            self._record.report_window(self._window, stats.pending, stats.lag_seconds(now), now)
        except StoreError as exc:
            log.info("hospital heartbeat not delivered (%s)", exc.code)
            self._told = None
            return
        self._told, self._told_at, self._told_when = stats, moment, now
