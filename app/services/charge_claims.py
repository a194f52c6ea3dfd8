"""A charge is paid once: the durable claim a bill takes on its HIS charges (issue #11 item 1, R16).

Before any platform call of a money step, the bill claims every charge line it is about to settle, in
one ``BEGIN IMMEDIATE`` transaction committed before anything is sent (when the settlement follows
the bill's opening at once, ``settle_visit``, that is the transaction that stores the bill). The key of a line is a SHA-256
of the HIS outpatient number and the line's identity (line number, hospital code, quantity, unit
price), so the same HIS visit re-run by a script, double-clicked or opened at two windows maps to the
same keys. The store holds at most one live claim per key (a partial unique index), which is what makes
this hold between processes: the second bill is refused with the first one's settlement number.

A claim is released when its line cannot be paid by the holding bill any more without a new money
step: its group is cancelled (in the cancellation's own transaction), or the step ended with the group
planned or failed and nothing of it unresolved in the journal. A claim left behind by a process that
died is taken over only when its bill shows no live group, no unresolved journal row and no activity
for :data:`STALE_AFTER` — a live process always has a live group or a fresh journal row while it works.

**Hospital mode** (``[hospital_db]``): a window's own store cannot see the other windows, so after the
local claim commits the same keys are claimed hospital-wide in PostgreSQL
(:class:`~app.services.ports.charge_claims.HospitalChargeClaims`), still before anything is sent. If
another window's bill holds any of them the step is refused, naming that window and its settlement
number (or its bill while it is still in flight), and the local claims just taken are given back.
Hospital claims are released with the local ones (idle groups) and, after a cancellation or partial
refund at any window, by :meth:`ChargeClaimService.release_cancelled_at_hospital`; a partial refund's
new bill takes over its parent bill's claims. **When PostgreSQL cannot be reached** the step is
refused before anything is sent (the safe choice: without the hospital record nothing proves that no
other window is settling the same HIS charges) — unless the HIS offers its lock (``[his] lock``):
then the HIS's lock on the visit's charge lines is the arbiter (:mod:`app.services.his_lock_arbiter`),
taken before anything is sent, and the claims are pushed to PostgreSQL once it answers again
(:meth:`ChargeClaimService.push_offline_claims`: by the sync loop, and after any hospital claim
that reaches it). Bills typed at the window (no HIS outpatient number) and steps of a bill that
already held all its claims go on. The offline full self-pay collection (platform down) claims
locally only.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from app.domain.bill import FeeLine
from app.domain.visit import Bill, GroupSettlement, GroupState
from app.errors import ChargeAlreadySettled, InputError, StoreError
from app.messages import Listing
from app.messages import charge_claims as words
from app.services.offline_claims import OfflineClaims
from app.services.ports.charge_claims import ChargeClaim, HospitalChargeClaims, HospitalClaimHolder
from app.services.ports.claim_conflicts import ClaimConflicts
from app.services.ports.clock import Clock
from app.services.ports.his import LoadedCharge
from app.services.ports.store import UnitOfWork, UnitOfWorkFactory

if TYPE_CHECKING:
    from app.services.his_lock_arbiter import HisLockArbiter

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=10)
_PAID = frozenset({GroupState.SETTLED, GroupState.SELF_PAY_COLLECTED})
_IDLE = frozenset({GroupState.PLANNED, GroupState.FAILED, GroupState.CANCELLED})


def charge_key(outpatient_no: str, line: FeeLine) -> str:
    """The identity of one HIS charge line of a visit, as a hex SHA-256."""
    identity = "\x1f".join(
        (
            outpatient_no.strip(),
            line.line_no.strip(),
            line.hospital_code.strip(),
            _canonical(line.quantity),
            _canonical(line.unit_price),
        )
    )
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()


def release_cancelled(uow: UnitOfWork, group: GroupSettlement, at: datetime) -> None:
    """A cancelled group's charges are payable again: release them in the cancellation's own
    transaction, so a crash can never leave a cancelled charge claimed or a claimed one cancelled."""
    uow.claims.release(group.bill_id, group.line_nos, at, "cancelled")


def _canonical(value: Decimal) -> str:
    """``1``, ``1.0`` and ``1.00`` are the same quantity."""
    return format(value.normalize(), "f")


@dataclass
class Hold:
    """What a money step inside :meth:`ChargeClaimService.holding` says about the bill at its end."""

    # Every group of the bill as the step committed it (None: not known, the store is read).
    groups: Sequence[GroupSettlement] | None = None


@dataclass(frozen=True)
class _Holder:
    """Another bill holding some of our charges, and how far it got."""

    bill_id: str
    settlement_ids: tuple[str, ...]
    stale: bool


class ChargeClaimService:
    """Takes, checks and releases claims on a bill's charge lines (see the module docstring)."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        *,
        stale_after: timedelta = STALE_AFTER,
        hospital: HospitalChargeClaims | None = None,
        window: str = "",
        his_lock: HisLockArbiter | None = None,
        conflicts: ClaimConflicts | None = None,
    ):
        """Bind to the store and the clock; in hospital mode also to the hospital-wide claims,
        taken for window ``window``, and to the HIS's lock when the HIS offers it (``conflicts``:
        where a push of claims taken under it alone records finding them held elsewhere)."""
        self._uow_factory = uow_factory
        self._clock = clock
        self._stale_after = stale_after
        self._hospital = hospital
        self._window = window
        self._held = threading.local()  # bills this thread is inside ``holding`` for
        self._his_lock = his_lock
        self._offline = (
            OfflineClaims(
                uow_factory,
                clock,
                hospital,
                window,
                stale_after=stale_after,
                keys=self._keys,
                conflicts=conflicts,
            )
            if hospital is not None and his_lock is not None
            else None
        )

    @contextmanager
    def holding(self, bill_id: str, operator_code: str, *, claimed: bool = False) -> Iterator[Hold]:
        """Claim the bill's charges for the duration of one money step; release the idle ones after.

        Re-entrant on one thread: a step inside another step of the same bill (``settle`` collecting
        its self-pay group) neither claims again nor releases anything half-way through the outer one.
        ``claimed``: the claim was just committed with the bill (:meth:`claim_at_opening`), so it is
        not taken again. The step may say how it left the bill's groups (:attr:`Hold.groups`, as
        committed): when none of them is idle nothing is read to release.

        Raises:
            ChargeAlreadySettled: another bill (of any window, in hospital mode) settled or is
                settling some of these charges.
            InputError: hospital mode with the hospital database unreachable (see :meth:`claim`).
        """
        held: set[str] = self._held.__dict__.setdefault("bills", set())
        hold = Hold()
        if bill_id in held:
            yield hold
            return
        if not claimed:
            self.claim(bill_id, operator_code)
        held.add(bill_id)
        try:
            yield hold
        finally:
            held.discard(bill_id)
            if hold.groups is None or any(g.state in _IDLE for g in hold.groups):
                self.release_idle(bill_id)

    def claim(self, bill_id: str, operator_code: str) -> None:
        """Claim every charge line of the bill's groups that are not cancelled (committed now).

        Raises:
            ChargeAlreadySettled: another bill (of any window, in hospital mode) holds some of them;
                nothing was claimed.
            InputError: hospital mode, the hospital database is unreachable and the bill did not
                hold all its claims yet (``hospital_unreachable``); nothing was claimed.
        """
        with self._uow_factory() as uow:
            bill = uow.bills.get(bill_id)
            if bill is None:
                return  # the caller reports the missing bill
            wanted = {
                no for g in uow.bills.groups(bill_id) if g.state is not GroupState.CANCELLED
                for no in g.line_nos
            }  # fmt: skip
            # Keys and live claims worked out once: the claim below is in this same transaction.
            keys = self._keys(bill, wanted)
            live = uow.claims.live(keys) if keys else {}
            before = {c.line_no for c in live.values() if c.bill_id == bill_id}
            refusal: ChargeAlreadySettled | InputError | None = (
                self._claim_keys(uow, bill, keys, live, operator_code) if keys else None
            )
            his = uow.his.loaded(sorted(wanted)) if self._hospital is not None else {}
            if refusal is None:
                uow.commit()
        if refusal is None and self._hospital is not None and bill.outpatient_no.strip():
            refusal = self._claim_hospital(
                bill, wanted, set(wanted) - before, his, operator_code=operator_code
            )
        if refusal is None:
            return
        self._record_refusal(bill_id, operator_code, refusal)
        raise refusal

    def claim_at_opening(
        self,
        uow: UnitOfWork,
        bill: Bill,
        groups: Collection[GroupSettlement],
        operator_code: str,
    ) -> bool:
        """Claim a bill being opened in its opening transaction, when its first money step follows at
        once (``settle_visit``): what :meth:`claim` would commit a moment later, committed with the
        bill instead (one transaction and one ``fsync``ed commit fewer). Whether it was claimed:
        never in hospital mode (the hospital-wide claim follows the local commit: :meth:`claim`),
        nor when another bill holds some of the charges (then nothing is written, and :meth:`claim`
        refuses and audits as usual). Once ``uow`` has committed, hold with
        ``holding(..., claimed=True)``."""
        if self._hospital is not None:
            return False
        wanted = {no for g in groups if g.state is not GroupState.CANCELLED for no in g.line_nos}
        keys = self._keys(bill, wanted)
        if not keys:
            return True  # a bill typed at the window: nothing to claim
        return self._claim_keys(uow, bill, keys, uow.claims.live(keys), operator_code) is None

    def claim_within(
        self, uow: UnitOfWork, bill: Bill, line_nos: Collection[str], operator_code: str
    ) -> ChargeAlreadySettled | None:
        """Claim ``line_nos`` of ``bill`` inside the caller's transaction (which commits them with
        what it records, e.g. an offline self-pay collection); the refusal if others hold some."""
        if not bill.outpatient_no.strip():
            return None  # no HIS visit to identify (a bill typed in at the window)
        keys = self._keys(bill, line_nos)
        return self._claim_keys(uow, bill, keys, uow.claims.live(keys), operator_code)

    def _claim_keys(
        self,
        uow: UnitOfWork,
        bill: Bill,
        keys: Mapping[str, str],
        live: Mapping[str, ChargeClaim],
        operator_code: str,
    ) -> ChargeAlreadySettled | None:
        """:meth:`claim_within` with the keys (key → line number) and the live claims among them
        already read in ``uow``."""
        now = self._clock.now()
        holders = self._holders(uow, bill.bill_id, live, now)
        blocking = [h for h in holders.values() if not h.stale]
        if blocking:
            return _refusal(bill.outpatient_no, blocking)
        for holder in holders.values():  # left behind by a process that died
            taken = [c.line_no for c in live.values() if c.bill_id == holder.bill_id]
            uow.claims.release(holder.bill_id, taken, now, "taken_over")
            uow.audit.append(
                now, operator_code, "charge_claim", "taken_over",
                f"{len(taken)} lines from {holder.bill_id}", bill_id=bill.bill_id,
            )  # fmt: skip
        mine = {k for k, c in live.items() if c.bill_id == bill.bill_id}
        uow.claims.add_many(
            bill.bill_id, {key: no for key, no in keys.items() if key not in mine}, now
        )
        return None

    def release_idle(self, bill_id: str) -> None:
        """Release the claims of groups that are planned, failed or cancelled with nothing of them
        unresolved in the journal. Best effort: a claim left over is taken over later."""
        try:
            with self._uow_factory() as uow:
                # The groups (with their records), the bill and its journal are read only when
                # some group is idle: after a step that settled every group (the usual end) there
                # is nothing to release, and only the states are read.
                if not any(state in _IDLE for state in uow.bills.group_states(bill_id)):
                    return
                candidates = [g for g in uow.bills.groups(bill_id) if g.state in _IDLE]
                bill = uow.bills.get(bill_id)
                unresolved = {
                    e.group_key for e in uow.journal.for_bill(bill_id) if not e.state.is_resolved
                }
                idle = [
                    no
                    for group in candidates
                    if group.group_key not in unresolved
                    for no in group.line_nos
                ]
                if idle and uow.claims.release(bill_id, idle, self._clock.now(), "idle"):
                    uow.commit()
        except StoreError as exc:
            log.warning("charge claims of bill %s not released now (%s)", bill_id, exc.code)
            return
        if bill is not None and idle:
            self._release_hospital(bill, idle)
            if self._his_lock is not None:
                self._his_lock.give_back(bill, idle)

    def adopt_his_charges(self, bill_id: str, settlement_id: str) -> int:
        """Hospital mode, after another window's bill and settlement were imported here to be
        cancelled or refunded: note the HIS lines that window loaded (kept with its hospital-wide
        claims) as loaded here and paid by ``settlement_id``, so that the cancellation (and a partial
        refund's new settlement) made here is reported to the HIS from here — once, since the
        settling window never learns of it (issue #15 item 7). Returns how many lines."""
        if self._hospital is None:
            return 0
        try:
            charges = self._hospital.his_charges(bill_id)
        except StoreError as exc:
            log.warning("HIS lines of bill %s not adopted (%s)", bill_id, exc.code)
            return 0
        if not charges:
            return 0
        with self._uow_factory() as uow:
            stored = uow.settlements.get(settlement_id)
            paid = {split.line_no for split in stored.record.splits} if stored else set()
            by_visit: dict[str, list[LoadedCharge]] = {}
            for charge in charges:
                by_visit.setdefault(charge.visit_no, []).append(charge)
            for visit_no, loaded in by_visit.items():
                uow.his.note_loaded(visit_no, [c.line for c in loaded], self._clock.now())
            for charge in charges:
                if charge.line.charge_id in paid:
                    uow.his.mark_paid(charge.line.charge_id, settlement_id)
            uow.commit()
        return len(charges)

    def release_cancelled_at_hospital(self, settlement_id: str) -> None:
        """Hospital mode, after ``settlement_id`` was cancelled (or partly refunded) at this window:
        its charges are payable again hospital-wide, whichever window claimed them. Best effort: a
        claim left over is taken over once stale (its bill shows no live settlement)."""
        if self._hospital is None:
            return
        with self._uow_factory() as uow:
            stored = uow.settlements.get(settlement_id)
            if stored is None or not stored.cancelled_by:
                return
            bill = uow.bills.get(stored.bill_id)
            line_nos = [split.line_no for split in stored.record.splits]
        if bill is not None:
            self._release_hospital(bill, line_nos)
            if self._his_lock is not None:
                self._his_lock.give_back(bill, line_nos)

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _keys(bill: Bill, line_nos: Collection[str]) -> dict[str, str]:
        """Charge key → line number of ``line_nos`` (none for a bill typed in at the window)."""
        if not bill.outpatient_no.strip():
            return {}
        return {
            charge_key(bill.outpatient_no, ln): ln.line_no
            for ln in bill.lines
            if ln.line_no in line_nos
        }

    def _claim_hospital(
        self,
        bill: Bill,
        wanted: Collection[str],
        added: Collection[str],
        his: Mapping[str, LoadedCharge],
        *,
        operator_code: str = "",
    ) -> ChargeAlreadySettled | InputError | None:
        """The hospital-wide claim of ``wanted`` (the local claims on ``added`` were just taken
        and are given back on a refusal)."""
        assert self._hospital is not None
        now = self._clock.now()
        try:
            holders = self._hospital.claim(
                self._window,
                bill.bill_id,
                self._keys(bill, wanted),
                now,
                take_over_from={bill.parent_bill_id} - {""},
                stale_before=now - self._stale_after,
                his=his,
            )
        except StoreError as exc:
            if not added:
                log.warning("hospital claims of bill %s not confirmed (%s)", bill.bill_id, exc.code)
                return None  # every line was already this bill's (claimed with the server up)
            if self._his_lock is not None:  # the HIS's lock arbitrates while the server is away
                refusal = self._his_lock.take(bill, his, offline=True)
                if refusal is None:
                    assert self._offline is not None
                    self._offline.note(bill.bill_id, wanted, operator_code)
                    return None
                self._give_back(bill.bill_id, added, "his_lock_refused")
                return refusal
            self._give_back(bill.bill_id, added, "hospital_unreachable")
            return InputError(
                words.HOSPITAL_UNREACHABLE(outpatient_no=bill.outpatient_no),
                code="hospital_unreachable",
                detail={"outpatient_no": bill.outpatient_no, **exc.detail},
            )
        if self._offline is not None:  # the server answers: push what was claimed without it
            self._offline.push()
        if not holders:
            return self._his_lock_too(bill, added, his)
        self._give_back(bill.bill_id, added, "held_elsewhere")
        return _hospital_refusal(bill.outpatient_no, holders)

    def _his_lock_too(
        self, bill: Bill, added: Collection[str], his: Mapping[str, LoadedCharge]
    ) -> ChargeAlreadySettled | InputError | None:
        """Both reachable: the HIS lock is taken after the hospital claim, so a window that settled
        under the HIS lock alone (its claims not pushed yet) still stops this one."""
        if self._his_lock is None or not added:
            return None
        refusal = self._his_lock.take(bill, [no for no in his if no in added], offline=False)
        if refusal is not None:
            self._release_hospital(bill, added)
            self._give_back(bill.bill_id, added, "his_locked_elsewhere")
        return refusal

    def offline_claims(self) -> dict[str, frozenset[str]]:
        """Bills claimed under the HIS lock alone whose claims are not in PostgreSQL yet."""
        return self._offline.pending() if self._offline is not None else {}

    def push_offline_claims(self) -> int:
        """Hospital mode, once PostgreSQL answers again: claim hospital-wide what was claimed under
        the HIS lock alone (:class:`~app.services.offline_claims.OfflineClaims`); how many bills."""
        return self._offline.push() if self._offline is not None else 0

    def _give_back(self, bill_id: str, line_nos: Collection[str], reason: str) -> None:
        if not line_nos:
            return
        try:
            with self._uow_factory() as uow:
                uow.claims.release(bill_id, line_nos, self._clock.now(), reason)
                uow.commit()
        except StoreError as exc:
            log.warning("charge claims of bill %s not given back (%s)", bill_id, exc.code)

    def _release_hospital(self, bill: Bill, line_nos: Collection[str]) -> None:
        keys = self._keys(bill, line_nos)
        if self._hospital is None or not keys:
            return
        try:
            self._hospital.release(bill.bill_id, keys, self._clock.now())
        except StoreError as exc:
            log.warning("hospital claims of bill %s not released now (%s)", bill.bill_id, exc.code)

    def _holders(
        self, uow: UnitOfWork, bill_id: str, live: Mapping[str, ChargeClaim], now: datetime
    ) -> dict[str, _Holder]:
        held: dict[str, list[ChargeClaim]] = {}
        for claim in live.values():
            if claim.bill_id != bill_id:
                held.setdefault(claim.bill_id, []).append(claim)
        return {other: self._holder(uow, other, claims, now) for other, claims in held.items()}

    def _holder(
        self, uow: UnitOfWork, bill_id: str, claims: Sequence[ChargeClaim], now: datetime
    ) -> _Holder:
        line_nos = {c.line_no for c in claims}
        groups = [g for g in uow.bills.groups(bill_id) if set(g.line_nos) & line_nos]
        settlement_ids = tuple(
            sorted(g.record.settlement_id for g in groups if g.state in _PAID and g.record)
        )
        entries = list(uow.journal.for_bill(bill_id))
        last = max([c.claimed_at for c in claims] + [e.updated_at for e in entries])
        stale = (
            not settlement_ids
            and all(g.state in _IDLE for g in groups)
            and all(e.state.is_resolved for e in entries)
            and now - last >= self._stale_after
        )
        return _Holder(bill_id, settlement_ids, stale)

    def _record_refusal(
        self, bill_id: str, operator_code: str, refusal: ChargeAlreadySettled | InputError
    ) -> None:
        detail = refusal.detail
        text = (
            f"held by {detail.get('window', '')} {detail.get('bill_id', '')} "
            f"{detail.get('settlement_ids', '')}"
            if isinstance(refusal, ChargeAlreadySettled)
            else refusal.code
        )
        try:
            with self._uow_factory() as uow:
                uow.audit.append(
                    self._clock.now(), operator_code, "charge_claim", "refused",
                    " ".join(text.split()), bill_id=bill_id,
                )  # fmt: skip
                uow.commit()
        except StoreError as exc:
            log.warning("refused duplicate charge not audited (%s)", exc.code)


def _hospital_refusal(
    outpatient_no: str, holders: Sequence[HospitalClaimHolder]
) -> ChargeAlreadySettled:
    settled = sorted({sid for h in holders for sid in h.settlement_ids})
    windows = sorted({h.window for h in holders})
    bills = sorted({h.bill_id for h in holders})
    detail = {
        "outpatient_no": outpatient_no,
        "window": ",".join(windows),
        "bill_id": ",".join(bills),
        "settlement_ids": ",".join(settled),
    }
    where = Listing(tuple(windows))
    if settled:
        return ChargeAlreadySettled(
            words.SETTLED_AT_WINDOW(
                outpatient_no=outpatient_no, windows=where, settlements=Listing(tuple(settled))
            ),
            detail=detail,
        )
    return ChargeAlreadySettled(
        words.IN_FLIGHT_AT_WINDOW(
            outpatient_no=outpatient_no, windows=where, bills=Listing(tuple(bills))
        ),
        detail=detail,
    )


def _refusal(outpatient_no: str, holders: Sequence[_Holder]) -> ChargeAlreadySettled:
    settled = sorted({sid for h in holders for sid in h.settlement_ids})
    bills = sorted(h.bill_id for h in holders)
    detail = {
        "outpatient_no": outpatient_no,
        "bill_id": ",".join(bills),
        "settlement_ids": ",".join(settled),
    }
    if settled:
        return ChargeAlreadySettled(
            words.SETTLED(outpatient_no=outpatient_no, settlements=Listing(tuple(settled))),
            detail=detail,
        )
    return ChargeAlreadySettled(
        words.IN_FLIGHT(outpatient_no=outpatient_no, bills=Listing(tuple(bills))),
        detail=detail,
    )
