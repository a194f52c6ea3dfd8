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
from dataclasses import dataclass, replace
from datetime import timedelta

from app.domain.his import ChargeResult
from app.services.ports.clock import Clock
from app.services.ports.his import HisGateway, HisRejected, HisUnavailable, OutboxItem, OutboxState
from app.services.ports.store import UnitOfWorkFactory

log = logging.getLogger(__name__)

BASE_DELAY_S = 2.0
MAX_DELAY_S = 300.0
BATCH = 200
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
    return float(min(cap, base * 2.0 ** max(0, attempts - 1)))


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
        delivered = failed = refused = 0
        blocked: set[str] = set()
        for item in items:
            charge = item.result.charge_id
            if charge in blocked or item.state is OutboxState.REFUSED:
                blocked.add(charge)
                continue
            if item.next_attempt_at > now:
                blocked.add(charge)
                continue
            outcome = self._deliver(item)
            if outcome == "delivered":
                delivered += 1
                continue
            blocked.add(charge)
            if outcome == "refused":
                refused += 1
                continue
            if outcome == "pending":
                continue  # written, the HIS has not applied it yet: the others can go on
            failed += 1
            break
        return DeliveryPass(delivered, failed, refused, self.pending_count())

    def _deliver(self, item: OutboxItem) -> str:
        result = self._with_receipt(item.result)
        try:
            ack = self._gateway.report(result)
        except HisRejected as exc:
            log.warning("HIS refused result %s: %s", result.key, exc.code)
            self._failed(item, f"HIS 拒绝：{exc.text}", refused=True)
            return "refused"
        except HisUnavailable as exc:
            if exc.code == PENDING_CODE:
                self._failed(item, exc.text, refused=False, cap=PENDING_MAX_DELAY_S)
                return "pending"
            log.info("HIS result %s not delivered (%s); will retry", result.key, exc.code)
            self._failed(item, exc.text, refused=False)
            return "failed"
        with self._uow_factory() as uow:
            uow.his.record_delivery(item.seq, ack, self._clock.now())
            uow.commit()
        return "delivered"

    def _failed(
        self, item: OutboxItem, text: str, *, refused: bool, cap: float | None = None
    ) -> None:
        delay = backoff_seconds(item.attempts + 1, self._base, min(self._cap, cap or self._cap))
        with self._uow_factory() as uow:
            uow.his.record_failure(
                item.seq, text, self._clock.now() + timedelta(seconds=delay), refused=refused
            )
            uow.commit()

    def _with_receipt(self, result: ChargeResult) -> ChargeResult:
        if result.receipt_no:
            return result
        with self._uow_factory() as uow:
            issues = [i for i in uow.receipts.for_settlement(result.setl_id) if not i.voided_by]
        return replace(result, receipt_no=issues[-1].receipt_no) if issues else result


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
