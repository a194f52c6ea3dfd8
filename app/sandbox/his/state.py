"""The reference HIS's state: charges, their payment state, applied results and fault switches."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal

from app.domain.his import (
    ChargeResult,
    ChargeStatus,
    CurrentCharge,
    HisAck,
    HisChargeLine,
    HisVisit,
    PatientKey,
    PatientKeyKind,
    ResultKind,
)
from app.domain.money import line_amount
from app.services.ports.his import HisLockHolder


class HisFault(Exception):
    """Raised by :meth:`Faults.before` / :meth:`Faults.after`: the kind says what to simulate."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind  # down | error | lost


class HisRefusal(Exception):
    """The reference HIS refuses a result (the text is what its cashier module would say)."""


@dataclass
class Faults:
    """Switches: ``down`` (no answer at all), ``delay_s`` (slow), ``errors`` (the next N requests
    answer an error without doing anything), ``lose`` (the next N requests are applied, then the
    answer is lost)."""

    down: bool = False
    delay_s: float = 0.0
    errors: int = 0
    lose: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set(
        self, *, down: bool = False, delay_s: float = 0.0, errors: int = 0, lose: int = 0
    ) -> None:
        """Replace every switch."""
        with self._lock:
            self.down, self.delay_s, self.errors, self.lose = down, delay_s, errors, lose

    def before(self) -> None:
        """Apply ``down``, ``delay_s`` and ``errors`` before a request is handled."""
        with self._lock:
            down, delay = self.down, self.delay_s
            error = self.errors > 0
            if error:
                self.errors -= 1
        if down:
            raise HisFault("down")
        if delay:
            time.sleep(delay)
        if error:
            raise HisFault("error")

    def after(self) -> None:
        """Apply ``lose`` after a request was handled."""
        with self._lock:
            lost = self.lose > 0
            if lost:
                self.lose -= 1
        if lost:
            raise HisFault("lost")


@dataclass
class _Charge:
    line: HisChargeLine
    visit_no: str
    status: ChargeStatus = ChargeStatus.UNPAID
    paid_by: str = ""


@dataclass(frozen=True)
class Applied:
    """One result as the HIS applied it, with the voucher number it answered."""

    result: ChargeResult
    ack: HisAck
    status_after: ChargeStatus


class ReferenceHis:
    """Visits, charges, results; thread-safe. Also a :class:`~app.services.ports.his.HisGateway`."""

    def __init__(self, visits: Iterable[HisVisit] = ()) -> None:
        """Start with ``visits`` unpaid."""
        self.faults = Faults()
        self._lock = threading.RLock()
        self._visits: dict[str, HisVisit] = {}
        self._charges: dict[str, _Charge] = {}
        self._applied: dict[str, Applied] = {}
        self._order: list[str] = []
        self._received: dict[str, int] = {}
        self._cards: dict[str, str] = {}
        self._vouchers: dict[str, str] = {}
        self._voucher_no = 0
        self._locks: dict[str, HisLockHolder] = {}
        for visit in visits:
            self.add_visit(visit)

    # ------------------------------------------------------------------ set-up and switches
    def add_visit(self, visit: HisVisit) -> None:
        """A new visit with unpaid lines."""
        with self._lock:
            self._visits[visit.visit_no] = replace(visit, lines=())
            for line in visit.lines:
                self._charges[line.charge_id] = _Charge(line, visit.visit_no)

    def add_card(self, card_no: str, id_number: str) -> None:
        """A social-security card number naming a person."""
        with self._lock:
            self._cards[card_no] = id_number

    def add_voucher(self, voucher: str, id_number: str) -> None:
        """An e-voucher identity (code or ecToken) naming a person."""
        with self._lock:
            self._vouchers[voucher] = id_number

    def edit_line(
        self, charge_id: str, *, unit_price: Decimal | None = None, quantity: Decimal | None = None
    ) -> None:
        """The doctor changes a line (a new version)."""
        with self._lock:
            charge = self._charges[charge_id]
            line = charge.line
            price = unit_price if unit_price is not None else line.unit_price
            qty = quantity if quantity is not None else line.quantity
            charge.line = replace(
                line,
                unit_price=price,
                quantity=qty,
                amount=line_amount(price, qty),
                version=str(int(line.version or "0") + 1),
            )

    def withdraw(self, charge_id: str) -> None:
        """The doctor withdraws a line."""
        with self._lock:
            self._charges[charge_id].status = ChargeStatus.WITHDRAWN

    def pay_elsewhere(self, charge_id: str, by: str = "KIOSK") -> None:
        """Another channel (a kiosk, the HIS's own cashier) took the money."""
        with self._lock:
            charge = self._charges[charge_id]
            charge.status, charge.paid_by = ChargeStatus.PAID, by

    # ------------------------------------------------------------------ the gateway calls
    def unpaid_visits(self, key: PatientKey) -> Sequence[HisVisit]:
        """Visits with unpaid lines for the patient."""
        with self._lock:
            id_number = self._id_number(key)
            found: list[HisVisit] = []
            for visit in self._visits.values():
                if key.kind is PatientKeyKind.OUTPATIENT_NO:
                    if visit.visit_no != key.value:
                        continue
                elif not id_number or visit.id_number != id_number:
                    continue
                lines = tuple(
                    c.line
                    for c in self._charges.values()
                    if c.visit_no == visit.visit_no and c.status is ChargeStatus.UNPAID
                )
                if lines:
                    found.append(replace(visit, lines=lines))
            return found

    def _id_number(self, key: PatientKey) -> str:
        if key.kind is PatientKeyKind.ID_NUMBER:
            return key.value
        if key.kind is PatientKeyKind.CARD_NO:
            return self._cards.get(key.value, "")
        if key.kind is PatientKeyKind.VOUCHER:
            return self._vouchers.get(key.value, "")
        return ""

    def current_charges(self, charge_ids: Sequence[str]) -> Sequence[CurrentCharge]:
        """Each known line's present state (unknown ids are left out: withdrawn)."""
        with self._lock:
            return [
                CurrentCharge(cid, self._charges[cid].status, self._charges[cid].line)
                for cid in charge_ids
                if cid in self._charges
            ]

    def report(self, result: ChargeResult) -> HisAck:
        """Apply a result once; a repeated key answers the first acknowledgement."""
        with self._lock:
            self._received[result.key] = self._received.get(result.key, 0) + 1
            earlier = self._applied.get(result.key)
            if earlier is not None:
                return replace(earlier.ack, duplicate=True)
            charge = self._charges.get(result.charge_id)
            if charge is None:
                raise HisRefusal(f"未知的收费明细 {result.charge_id}")
            paying = result.kind is not ResultKind.CANCELLED
            if paying and charge.status is ChargeStatus.PAID and charge.paid_by != result.setl_id:
                raise HisRefusal(
                    f"收费明细 {result.charge_id} 已缴费（{charge.paid_by}），不能重复收费"
                )
            if result.kind is ResultKind.CANCELLED:
                charge.status, charge.paid_by = ChargeStatus.UNPAID, ""
            else:
                charge.status, charge.paid_by = ChargeStatus.PAID, result.setl_id
                self._locks.pop(result.charge_id, None)  # the paid state guards from now on
            self._voucher_no += 1
            ack = HisAck(result.key, f"HIS{self._voucher_no:08d}")
            self._applied[result.key] = Applied(result, ack, charge.status)
            self._order.append(result.key)
            return ack

    def lock(
        self, visit_no: str, charge_ids: Sequence[str], window: str, claim_id: str
    ) -> list[HisLockHolder]:
        """Lock-then-pay (:class:`~app.services.ports.his.HisChargeLock`): all lines or none;
        the same claim is granted again; a paid or unknown line is refused."""
        with self._lock:
            for cid in charge_ids:
                charge = self._charges.get(cid)
                if charge is None or charge.visit_no != visit_no:
                    raise HisRefusal(f"未知的收费明细 {cid}")
                if charge.status is not ChargeStatus.UNPAID:
                    raise HisRefusal(f"收费明细 {cid} 已缴费或已作废，不能锁定")
            held = [
                self._locks[cid]
                for cid in charge_ids
                if cid in self._locks and self._locks[cid].claim_id != claim_id
            ]
            if held:
                return held
            now = datetime.now(UTC)
            for cid in charge_ids:
                if cid not in self._locks:
                    self._locks[cid] = HisLockHolder(cid, window, claim_id, now)
            return []

    def unlock(self, charge_ids: Sequence[str], claim_id: str) -> None:
        """Give back ``claim_id``'s locks on ``charge_ids``."""
        with self._lock:
            for cid in charge_ids:
                if cid in self._locks and self._locks[cid].claim_id == claim_id:
                    del self._locks[cid]

    def locks(self) -> dict[str, HisLockHolder]:
        """The locks held now, by charge line."""
        with self._lock:
            return dict(self._locks)

    # ------------------------------------------------------------------ what tests look at
    def status(self, charge_id: str) -> ChargeStatus:
        """A line's state now."""
        with self._lock:
            return self._charges[charge_id].status

    def applied(self, charge_id: str = "") -> list[Applied]:
        """Results applied (of one line), in the order they arrived."""
        with self._lock:
            rows = [self._applied[key] for key in self._order]
        return [a for a in rows if not charge_id or a.result.charge_id == charge_id]

    def snapshot(self) -> list[tuple[HisVisit, HisChargeLine, ChargeStatus]]:
        """Every line with its visit (header only) and state, for publishing to tables or files."""
        with self._lock:
            return [(self._visits[c.visit_no], c.line, c.status) for c in self._charges.values()]

    def received(self) -> dict[str, int]:
        """How many times each result key arrived (retries after lost answers count)."""
        with self._lock:
            return dict(self._received)

    def visit_numbers(self) -> list[str]:
        """Every visit number."""
        with self._lock:
            return list(self._visits)
