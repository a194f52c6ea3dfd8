"""Hospital mode: the HIS's lock on charge lines as a second arbiter between windows (issue 13 item 1).

The hospital-wide claim in PostgreSQL (:mod:`app.services.charge_claims`) keeps two windows from
settling the same HIS visit. When the hospital database cannot be reached and the HIS offers the
optional lock-then-pay call pair (:class:`~app.services.ports.his.HisChargeLock`, ``[his] lock``),
the HIS's lock is the arbiter instead: the window locks the visit's HIS charge lines (all or none,
for its bill) before anything is sent, and the settlement goes on under it. While both are
reachable both are taken (the PostgreSQL claim first), so a window that settled under the HIS lock
alone is still seen by the others. The lock is given back with the claims (idle groups, a refusal,
a cancellation); after a settlement it stays until the HIS applies the reported payment, and the
HIS's paid state guards from then on.

Only lines loaded from the HIS (their charge ids) can be locked: a bill with an outpatient number
but no loaded lines is refused while the hospital database is unreachable, as before.
"""

from __future__ import annotations

import logging
from collections.abc import Collection

from app.domain.visit import Bill
from app.errors import ChargeAlreadySettled, InputError
from app.messages import Listing
from app.messages import charge_claims as words
from app.services.ports.his import HisChargeLock, HisLockHolder, HisRejected, HisUnavailable

log = logging.getLogger(__name__)


class HisLockArbiter:
    """Takes and gives back the HIS's lock on a bill's HIS charge lines for one window."""

    def __init__(self, lock: HisChargeLock, window: str) -> None:
        """Lock through ``lock`` in the name of ``window``."""
        self._lock = lock
        self._window = window

    def take(
        self, bill: Bill, charge_ids: Collection[str], *, offline: bool
    ) -> ChargeAlreadySettled | InputError | None:
        """Lock ``charge_ids`` (the bill's lines loaded from the HIS) for the bill.

        ``offline``: the hospital database is unreachable, so the HIS lock is the only arbiter and
        a lock not granted refuses the step. Otherwise the hospital claim was granted already and
        only another holder of the HIS lock refuses (a HIS that cannot lock now is logged).
        Locks the bill's parent (a partial refund's original bill) holds are taken over.
        """
        ids = sorted(set(charge_ids))
        if not ids:
            return self._failed(bill, "no_his_lines", words.NO_HIS_LINES()) if offline else None
        try:
            holders = self._lock.lock(bill.outpatient_no, ids, self._window, bill.bill_id)
            parent = bill.parent_bill_id
            if holders and parent and all(h.claim_id == parent for h in holders):
                self._lock.unlock([h.charge_id for h in holders], parent)
                holders = self._lock.lock(bill.outpatient_no, ids, self._window, bill.bill_id)
        except (HisUnavailable, HisRejected) as exc:
            if not offline:
                log.warning("HIS lock of bill %s not taken (%s)", bill.bill_id, exc.code)
                return None
            return self._failed(bill, exc.code, exc.text)
        if holders:
            return _held(bill.outpatient_no, holders)
        return None

    def give_back(self, bill: Bill, charge_ids: Collection[str]) -> None:
        """Unlock the bill's locks on ``charge_ids``. Best effort: a lock left over is the HIS's to
        clear (or this bill's to re-take)."""
        ids = sorted(set(charge_ids))
        if not ids or not bill.outpatient_no.strip():
            return
        try:
            self._lock.unlock(ids, bill.bill_id)
        except (HisUnavailable, HisRejected) as exc:
            log.warning("HIS lock of bill %s not given back now (%s)", bill.bill_id, exc.code)

    @staticmethod
    def _failed(bill: Bill, reason: str, said: object) -> InputError:
        return InputError(
            words.HIS_LOCK_FAILED(outpatient_no=bill.outpatient_no, reason=said),
            code="hospital_unreachable",
            detail={"outpatient_no": bill.outpatient_no, "his_lock": reason},
        )


def _held(outpatient_no: str, holders: Collection[HisLockHolder]) -> ChargeAlreadySettled:
    windows = sorted({h.window for h in holders})
    bills = sorted({h.claim_id for h in holders})
    return ChargeAlreadySettled(
        words.HIS_LOCKED_AT_WINDOW(
            outpatient_no=outpatient_no,
            windows=Listing(tuple(windows)),
            bills=Listing(tuple(bills)),
        ),
        detail={
            "outpatient_no": outpatient_no,
            "window": ",".join(windows),
            "bill_id": ",".join(bills),
            "settlement_ids": "",
            "his_lock": "held",
        },
    )
