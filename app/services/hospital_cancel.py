"""Hospital mode: cancelling or partly refunding a settlement made at any window of the hospital.

A patient who paid at W01 may ask for the refund at W02. The acting window finds the settlement in
the hospital record, imports the bill and the settlement into its own store (the cancellation is then
journaled, sent and stored locally exactly like one of its own), and before anything is sent it takes
the settlement's **cancel claim** in the hospital record: the claim's primary key lets exactly one
window send the 2208; the others are told which window holds it.

The claim is required for every cancellation in hospital mode, the window's own settlements included:
without the hospital record a window cannot know whether another window already cancelled its
settlement, so with the hospital database unreachable a cancellation is refused (nothing is sent).

The claim is given back when nothing reached the platform or the platform refused for certain. It is
kept when the settlement was cancelled (it then says who cancelled it) and while the 2208's outcome
is unknown (recovery resolves it at this window; another window must not start a second 2208).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from typing import TypeVar

from app.domain.operator import Operator
from app.errors import InputError, OutcomeUnknown, StateConflict, StoreError
from app.messages import hospital as words
from app.services.cancel import CancelResult, CancelService, RefundResult, SupervisorApproval
from app.services.ports.clock import Clock
from app.services.ports.hospital import HospitalRecord
from app.services.ports.store import UnitOfWorkFactory

log = logging.getLogger(__name__)

T = TypeVar("T")


class HospitalCancelService:
    """Cancellations and partial refunds across the hospital's windows (wraps :class:`CancelService`)."""

    def __init__(
        self,
        *,
        cancellation: CancelService,
        uow_factory: UnitOfWorkFactory,
        record: HospitalRecord,
        clock: Clock,
        window: str,
        after_cancel: Callable[[str], None] | None = None,
        after_import: Callable[[str, str], object] | None = None,
    ) -> None:
        """Cancel through ``cancellation`` at ``window``, claiming in ``record``; ``after_cancel``
        (the settlement id) runs once it is cancelled (hospital-wide charge claims given back)."""
        self._after_cancel = after_cancel
        self._after_import = after_import  # (bill_id, settlement_id): its HIS lines adopted
        self._cancellation = cancellation
        self._uow_factory = uow_factory
        self._record = record
        self._clock = clock
        self._window = window

    @property
    def record(self) -> HospitalRecord:
        """The hospital record the claims are taken in (shared with the hospital day close)."""
        return self._record

    def cancel(
        self, settlement_id: str, operator: Operator, approval: SupervisorApproval
    ) -> CancelResult:
        """Cancel a settlement of any window (see the module docstring).

        Raises what :meth:`CancelService.cancel` raises, InputError when the hospital database is
        unreachable and StateConflict when another window holds the settlement's cancel claim
        (naming it).
        """
        return self._claimed(
            settlement_id,
            operator,
            lambda: self._cancellation.cancel(settlement_id, operator, approval),
        )

    def partial_refund(
        self,
        settlement_id: str,
        returned_line_nos: Collection[str],
        operator: Operator,
        approval: SupervisorApproval,
    ) -> RefundResult:
        """Partly refund a settlement of any window (cancel, then re-settle the kept lines here)."""
        return self._claimed(
            settlement_id,
            operator,
            lambda: self._cancellation.partial_refund(
                settlement_id, returned_line_nos, operator, approval
            ),
        )

    # ------------------------------------------------------------------ internals

    def _claimed(self, settlement_id: str, operator: Operator, action: Callable[[], T]) -> T:
        try:
            self._import_if_elsewhere(settlement_id)
            holder = self._record.claim_cancel(
                settlement_id, self._window, operator.code, self._clock.now()
            )
        except StoreError as exc:
            raise InputError(
                words.CANCEL_UNREACHABLE(settlement_id=settlement_id),
                code="hospital_unreachable",
                detail=exc.detail,
            ) from exc
        if holder != self._window:
            raise StateConflict(
                words.CANCEL_CLAIMED_ELSEWHERE(settlement_id=settlement_id, holder=holder),
                code="cancel_claimed_elsewhere",
                detail={"window": holder},
            )
        try:
            result = action()
        except OutcomeUnknown:
            raise  # the 2208 may have been accepted: keep the claim until recovery decides
        except Exception:
            self._release_unless_cancelled(settlement_id)
            raise
        if self._after_cancel is not None:
            self._after_cancel(settlement_id)
        return result

    def _import_if_elsewhere(self, settlement_id: str) -> None:
        """Bring another window's bill and settlement into this store (nothing when it is here)."""
        with self._uow_factory() as uow:
            if uow.settlements.get(settlement_id) is not None:
                return
        found = self._record.find_settlement(settlement_id)
        if found is None:  # here nor there: perhaps at a window that has not synced it yet
            raise InputError(
                words.NOT_FOUND_ANYWHERE(settlement_id=settlement_id), code="settlement_not_found"
            )
        settlement = self._record.record_payload(found.window, "settlement", settlement_id)
        bill = self._record.record_payload(found.window, "bill", found.bill_id)
        if settlement is None or bill is None:
            raise InputError(
                words.RECORD_NOT_SYNCED(settlement_id=settlement_id, window=found.window),
                code="record_not_synced",
            )
        with self._uow_factory() as uow:
            uow.imports.import_record("bill", bill)
            uow.imports.import_record("settlement", settlement)
            uow.commit()
        log.info("imported settlement %s of window %s", settlement_id, found.window)
        if self._after_import is not None:
            self._after_import(found.bill_id, settlement_id)

    def _release_unless_cancelled(self, settlement_id: str) -> None:
        with self._uow_factory() as uow:
            stored = uow.settlements.get(settlement_id)
        if stored is not None and stored.cancelled_by:
            return  # cancelled (a partial refund failed later): the claim records who did it
        try:
            self._record.release_cancel(settlement_id, self._window)
        except StoreError as exc:
            log.warning("cancel claim on %s not given back (%s)", settlement_id, exc.code)
