"""The hospital information system (HIS) as the window sees it: unpaid visits in, results out.

The HIS owns the charges: a doctor's orders become unpaid charge lines, grouped into visits. The
window loads a patient's unpaid visits, settles some of their lines, and reports per charge line what
happened (settled, cancelled, partly refunded, self-pay collected). Every result carries an
idempotency key, so a result delivered twice (a lost answer, a retry after a restart) is applied once
by the HIS. See ``docs/his-integration.md``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_DOWN, Decimal
from enum import StrEnum

from app.domain.bill import FeeLine, Tag
from app.domain.money import FEN, ZERO, money_sum
from app.messages import Message
from app.messages import his as words


class PatientKeyKind(StrEnum):
    """How the window asks the HIS for a patient's unpaid visits."""

    ID_NUMBER = "id_number"
    CARD_NO = "card_no"
    VOUCHER = "voucher"
    OUTPATIENT_NO = "outpatient_no"

    @property
    def label(self) -> str:
        """What staff call it (Chinese)."""
        return str(
            {
                "id_number": words.KEY_ID_NUMBER,
                "card_no": words.KEY_CARD_NO,
                "voucher": words.KEY_VOUCHER,
                "outpatient_no": words.KEY_OUTPATIENT_NO,
            }[self.value]()
        )


@dataclass(frozen=True)
class PatientKey:
    """One way of naming the patient to the HIS."""

    kind: PatientKeyKind
    value: str


@dataclass(frozen=True)
class HisChargeLine:
    """One unpaid charge line as the HIS holds it.

    ``charge_id`` is the HIS's own unique line id (明细序号); it becomes the bill line's ``line_no``,
    so every settlement result can name the HIS line it paid. ``version`` is the HIS's row version
    (``modify_time`` or a counter): a change of it after loading means the doctor edited the line.
    """

    charge_id: str
    bill_no: str
    item_code: str
    national_code: str
    name: str
    unit_price: Decimal
    quantity: Decimal
    amount: Decimal
    version: str
    spec: str = ""
    tag: Tag = field(default_factory=Tag.untagged)

    def fingerprint(self) -> str:
        """What must not change between loading and settling (price, quantity, amount, version)."""
        text = "|".join(
            (
                self.charge_id,
                self.item_code,
                str(self.unit_price.normalize()),
                str(self.quantity.normalize()),
                str(self.amount),
                self.version,
            )
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def to_fee_line(self) -> FeeLine:
        """The bill line the cashier sees (line number = the HIS charge id)."""
        return FeeLine.create(
            line_no=self.charge_id,
            hospital_code=self.item_code,
            national_code=self.national_code,
            name=self.name,
            unit_price=self.unit_price,
            quantity=self.quantity,
            amount=self.amount,
            spec=self.spec,
            tag=self.tag,
        )


@dataclass(frozen=True)
class HisVisit:
    """An outpatient visit with its unpaid charge lines."""

    visit_no: str
    patient_id: str
    id_number: str
    patient_name: str
    dept_code: str
    dept_name: str
    doctor_code: str
    doctor_name: str
    lines: tuple[HisChargeLine, ...]
    diagnosis_code: str = ""
    diagnosis_name: str = ""
    visit_time: datetime | None = None

    @property
    def total(self) -> Decimal:
        """Sum of the line amounts."""
        return money_sum(line.amount for line in self.lines)


class ChargeStatus(StrEnum):
    """A charge line's state in the HIS right now."""

    UNPAID = "unpaid"
    PAID = "paid"
    WITHDRAWN = "withdrawn"  # deleted or voided by the doctor


@dataclass(frozen=True)
class CurrentCharge:
    """The HIS's answer about one charge line before we settle it."""

    charge_id: str
    status: ChargeStatus
    line: HisChargeLine | None = None  # the current line when it still exists


class ResultKind(StrEnum):
    """What happened to a charge line at the window."""

    SETTLED = "settled"
    CANCELLED = "cancelled"
    PARTLY_REFUNDED = "partly_refunded"
    SELF_PAY_COLLECTED = "self_pay_collected"

    @property
    def label(self) -> str:
        """What staff call it (Chinese)."""
        return str(
            {
                "settled": words.RESULT_SETTLED,
                "cancelled": words.RESULT_CANCELLED,
                "partly_refunded": words.RESULT_PARTLY_REFUNDED,
                "self_pay_collected": words.RESULT_SELF_PAY_COLLECTED,
            }[self.value]()
        )


@dataclass(frozen=True)
class LineMoney:
    """One line's share of a settlement: fund + account + cash + hospital = amount."""

    amount: Decimal
    fund: Decimal
    account: Decimal
    cash: Decimal
    hospital: Decimal = ZERO


@dataclass(frozen=True)
class ChargeResult:
    """One result for one HIS charge line, delivered exactly once in effect (``key``).

    Amounts are the line's share (negative for a cancellation). ``orig_setl_id`` names the settlement
    a cancellation undoes, or the original one a partial refund's re-settlement replaces.
    """

    key: str
    kind: ResultKind
    charge_id: str
    visit_no: str
    setl_id: str
    fee_category: str  # general | chronic | self_pay
    fee_category_name: str
    money: LineMoney
    occurred_at: datetime
    operator_code: str
    window: str
    disease_code: str = ""
    orig_setl_id: str = ""
    receipt_no: str = ""


@dataclass(frozen=True)
class HisAck:
    """The HIS's acknowledgement of one result: its own receipt or voucher number."""

    key: str
    his_ref: str
    duplicate: bool = False  # the HIS had already applied this key


def result_key(setl_id: str, charge_id: str, kind: ResultKind) -> str:
    """The idempotency key: one result per settlement, charge line and kind."""
    return f"{setl_id}:{charge_id}:{kind.value}"


def fee_category(med_type: str, disease_code: str | None) -> tuple[str, str]:
    """(code, Chinese name) of a settlement's fee category, as printed on the receipt (data: the
    names are the categories' own, see ``app/messages``)."""
    if not med_type:
        return "self_pay", "全额自费"
    if disease_code:
        return "chronic", f"门诊慢特病 {disease_code}"
    return "general", "普通门诊"


def allocate(
    amounts: Sequence[Decimal], fund: Decimal, account: Decimal, hospital: Decimal = ZERO
) -> list[LineMoney]:
    """Share a settlement's fund, account and hospital parts among its lines, to the fen.

    Each part is shared in proportion to what each line still has uncovered (largest remainder), so
    every line's fund + account + hospital ≤ its amount and cash (the rest) is never negative; the
    parts add up exactly. Negative settlements (cancellations) are shared on their absolute values.
    """
    sign = (
        Decimal(-1) if any(a < 0 for a in amounts) or fund + account + hospital < 0 else Decimal(1)
    )
    remaining = [abs(a) for a in amounts]
    shares: list[list[Decimal]] = []
    for part in (abs(fund), abs(account), abs(hospital)):
        share = _share(part, remaining)
        remaining = [r - s for r, s in zip(remaining, share, strict=True)]
        shares.append(share)
    return [
        LineMoney(
            amount=sign * abs(amounts[i]),
            fund=sign * shares[0][i],
            account=sign * shares[1][i],
            cash=sign * remaining[i],
            hospital=sign * shares[2][i],
        )
        for i in range(len(amounts))
    ]


def _share(part: Decimal, capacity: Sequence[Decimal]) -> list[Decimal]:
    base = money_sum(capacity)
    if ZERO in (part, base):
        return [ZERO for _ in capacity]
    if part > base:
        raise ValueError("a settlement part exceeds the lines' total")
    exact = [part * c / base for c in capacity]
    floors = [e.quantize(FEN, rounding=ROUND_DOWN) for e in exact]
    left = int((part - money_sum(floors)) / FEN)
    order = sorted(range(len(capacity)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += FEN
    return floors


def changed_lines(
    loaded: Iterable[HisChargeLine], current: Iterable[CurrentCharge]
) -> list[tuple[str, Message]]:
    """(charge id, reason) for every loaded line that is no longer payable as loaded."""
    now = {c.charge_id: c for c in current}
    problems: list[tuple[str, Message]] = []
    for line in loaded:
        found = now.get(line.charge_id)
        if found is None or found.status is ChargeStatus.WITHDRAWN or found.line is None:
            problems.append((line.charge_id, words.WITHDRAWN(name=line.name)))
        elif found.status is ChargeStatus.PAID:
            problems.append((line.charge_id, words.PAID_IN_HIS(name=line.name)))
        elif found.line.unit_price != line.unit_price:
            reason = words.PRICE_CHANGED(
                name=line.name, before=line.unit_price, after=found.line.unit_price
            )
            problems.append((line.charge_id, reason))
        elif found.line.quantity != line.quantity:
            reason = words.QUANTITY_CHANGED(
                name=line.name, before=line.quantity, after=found.line.quantity
            )
            problems.append((line.charge_id, reason))
        elif found.line.fingerprint() != line.fingerprint():
            problems.append((line.charge_id, words.MODIFIED(name=line.name)))
    return problems
