"""Delivering the HIS results outbox: in order per charge line, with back-off, exactly once in effect.

A pass reads the undelivered rows oldest first and reports each through the HIS gateway. A row whose
charge line has an earlier undelivered row waits (results for one charge arrive in order). Outcomes:

* acknowledged (also "already applied": the HIS keys on ``result.key``) → delivered;
* :class:`HisUnavailable` (down, timeout, lost answer) → retried later with exponential back-off,
  with the same key, so a result that did arrive is not applied twice; the pass stops there, since
  the HIS is unlikely to answer the next row either;
* ``HisUnavailable`` with code ``his_pending`` (written to a table or folder, not yet applied by the
  HIS job) → asked again soon; the pass goes on with other lines;
* :class:`HisRejected` → refused: kept and counted, shown to a supervisor (``doctor``, status bar).

The receipt number is added at delivery time: receipts are issued just after the settlement commits.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta

from app.domain.his import ChargeResult
from app.messages import his as words
from app.services.ports.clock import Clock
from app.services.ports.his import HisGateway, HisRejected, HisUnavailable, OutboxItem, OutboxState
from app.services.ports.store import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger(__name__)

Record = Callable[[UnitOfWork], None]

BASE_DELAY_S = 2.0
MAX_DELAY_S = 300.0
BATCH = 200
FLUSH = 50  # outcomes recorded per transaction
# Tables and folders: a result written but not yet applied by the HIS job is asked about again
# soon (the job runs every few seconds), not after the long back-off of an unreachable HIS.
PENDING_CODE = "his_pending"
PENDING_MAX_DELAY_S = 15.0


@dataclass(frozen=True)
class DeliveryPass:
    """What one pass did."""

    delivered: int = 0
    failed: int = 0
    refused: int = 0
    pending: int = 0


def backoff_seconds(attempts: int, base: float = BASE_DELAY_S, cap: float = MAX_DELAY_S) -> float:
    """Delay before the next attempt after ``attempts`` failed ones: base × 2ⁿ⁻¹, capped."""
    delay: float = min(cap, base * 2.0 ** max(0, attempts - 1))
    return delay


class HisOutbox:
    """Delivers the outbox rows through a :class:`HisGateway`."""

    def __init__(
        self,
        gateway: HisGateway,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        *,
        base_delay: float = BASE_DELAY_S,
        max_delay: float = MAX_DELAY_S,
    ) -> None:
        """Bind the gateway, the store and the clock; delays in seconds."""
        self._gateway = gateway
        self._uow_factory = uow_factory
        self._clock = clock
        self._base = base_delay
        self._cap = max_delay
        self._lock = threading.Lock()  # one pass at a time, whoever triggers it

    def pending_count(self) -> int:
        """Results not yet acknowledged by the HIS (including refused ones)."""
        with self._uow_factory() as uow:
            return uow.his.pending_count()

    def retry_now(self, *, refused_too: bool = False) -> int:
        """Make every waiting result due now (the supervisor's "retry"); returns how many."""
        with self._uow_factory() as uow:
            count = uow.his.retry_now(self._clock.now(), refused_too=refused_too)
            uow.commit()
        return count

    def deliver_due(self) -> DeliveryPass:
        """One pass over the due rows (see the module docstring)."""
        with self._lock:
            return self._pass()

    def _pass(self) -> DeliveryPass:
        now = self._clock.now()
        with self._uow_factory() as uow:
            items = list(uow.his.due(now, BATCH))
            receipts = _receipt_numbers(uow, items)
        counts = {"delivered": 0, "failed": 0, "refused": 0, "pending": 0}
        blocked: set[str] = set()
        records: list[Record] = []
        try:
            for item in items:
                charge = item.result.charge_id
                if charge in blocked or item.state is OutboxState.REFUSED:
                    blocked.add(charge)
                    continue
                if item.next_attempt_at > now:
                    blocked.add(charge)
                    continue
                result = item.result
                if not result.receipt_no and result.setl_id in receipts:
                    result = replace(result, receipt_no=receipts[result.setl_id])
                outcome, record = self._deliver(item, result)
                records.append(record)
                counts[outcome] += 1
                if len(records) >= FLUSH:
                    self._record(records)
                if outcome == "delivered":
                    continue
                blocked.add(charge)
                if outcome == "failed":
                    break  # the HIS is unlikely to answer the next row either
        finally:
            self._record(records)  # what was sent is recorded even if the pass is cut short
        return DeliveryPass(
            counts["delivered"], counts["failed"], counts["refused"], self.pending_count()
        )

    def _deliver(self, item: OutboxItem, result: ChargeResult) -> tuple[str, Record]:
        try:
            ack = self._gateway.report(result)
        except HisRejected as exc:
            log.warning("HIS refused result %s: %s", result.key, exc.code)
            return "refused", self._failure(
                item, str(words.HIS_REFUSED(reason=exc.words)), refused=True
            )
        except HisUnavailable as exc:
            if exc.code == PENDING_CODE:
                return "pending", self._failure(item, exc.text, cap=PENDING_MAX_DELAY_S)
            log.info("HIS result %s not delivered (%s); will retry", result.key, exc.code)
            return "failed", self._failure(item, exc.text)
        at = self._clock.now()
        return "delivered", lambda uow: uow.his.record_delivery(item.seq, ack, at)

    def _failure(
        self, item: OutboxItem, text: str, *, refused: bool = False, cap: float | None = None
    ) -> Record:
        delay = backoff_seconds(item.attempts + 1, self._base, min(self._cap, cap or self._cap))
        retry_at = self._clock.now() + timedelta(seconds=delay)
        return lambda uow: uow.his.record_failure(item.seq, text, retry_at, refused=refused)

    def _record(self, records: list[Record]) -> None:
        """One transaction for a batch of outcomes (a crash before it only means a re-send, which
        the HIS answers from its key)."""
        if not records:
            return
        with self._uow_factory() as uow:
            for record in records:
                record(uow)
            uow.commit()
        records.clear()


def _receipt_numbers(uow: UnitOfWork, items: list[OutboxItem]) -> dict[str, str]:
    """The live receipt number of each settlement the items name (receipts come after settling)."""
    numbers: dict[str, str] = {}
    for setl_id in {i.result.setl_id for i in items if not i.result.receipt_no}:
        issues = [r for r in uow.receipts.for_settlement(setl_id) if not r.voided_by]
        if issues:
            numbers[setl_id] = issues[-1].receipt_no
    return numbers


class OutboxWorker:
    """A daemon thread running a pass every ``interval`` seconds until stopped."""

    def __init__(self, outbox: HisOutbox, interval: float = 2.0) -> None:
        """Deliver through ``outbox`` every ``interval`` seconds."""
        self._outbox = outbox
        self._interval = interval
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="his-outbox", daemon=True)

    def start(self) -> OutboxWorker:
        """Start the thread."""
        self._thread.start()
        return self

    def wake(self) -> None:
        """Run a pass now (a settlement just added results)."""
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop after the current pass."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._outbox.deliver_due()
            except Exception:  # a store error must not kill delivery for the rest of the day
                log.exception("HIS outbox pass failed; retrying later")
            self._wake.wait(self._interval)
            self._wake.clear()
