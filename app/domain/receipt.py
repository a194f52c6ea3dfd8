"""What a receipt says, as plain frozen values (domain.md rule 7, issue 6).

A :class:`ReceiptData` is built by ``app.services.receipts`` from the *stored* settlement and bill (never
from what is on screen) and rendered by ``app.printing``. It carries only what may be printed: the ID
number is already masked with :func:`app.domain.masking.mask_number` (the constructor refuses anything
else), the name is kept because the patient needs it to claim at the insured place.

Kinds of receipt, as Chinese cashier modules distinguish them:

* ``ORIGINAL`` — the first receipt of a settlement or a self-pay collection.
* ``COPY`` (补打) — printed again under the *same* number, marked as a copy with the time it was made.
* ``REISSUE`` (重打) — the old number is voided and a *new* number issued; the receipt names the number
  it replaces.
* ``CANCELLATION`` (冲销) — the receipt of a cancelled settlement (2208), amounts negative.
* ``REFUND`` (部分退费) — the receipt of a partial refund's cancellation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum

from app.domain.masking import mask_number
from app.domain.money import ZERO
from app.domain.plan import GroupKind
from app.messages import receipts as words

# China has one time zone and no daylight saving time, so a fixed offset is exact and needs no tzdata
# (which a Windows machine may lack).
CHINA_TZ = timezone(timedelta(hours=8), "CST")


def local_time_text(moment: datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in China time, for paper; ``moment`` must be timezone-aware."""
    if moment.tzinfo is None:
        raise ValueError("receipt times must be timezone-aware")
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S")


class ReceiptKind(StrEnum):
    """Which act produced this piece of paper."""

    ORIGINAL = "original"
    COPY = "copy"
    REISSUE = "reissue"
    CANCELLATION = "cancellation"
    REFUND = "refund"

    @property
    def title_suffix(self) -> str:
        """Added to the title: ``门诊收费票据（补打）``."""
        if self is ReceiptKind.ORIGINAL:
            return ""
        return str(
            {
                "copy": words.SUFFIX_COPY,
                "reissue": words.SUFFIX_REISSUE,
                "cancellation": words.SUFFIX_CANCELLATION,
                "refund": words.SUFFIX_REFUND,
            }[self.value]()
        )


FeeCategory = GroupKind
"""The fee category the receipt shows prominently (domain.md rule 7): the settlement group's kind."""


@dataclass(frozen=True)
class CategoryInfo:
    """The category with what belongs to it: the disease for 门诊慢特病, the reason for 全额自费."""

    category: FeeCategory
    disease_code: str = ""
    disease_name: str = ""
    self_pay_reason: str = ""
    insured_place: str = ""

    def __post_init__(self) -> None:
        if (self.category is FeeCategory.CHRONIC) != bool(self.disease_code):
            raise ValueError(
                "a chronic-disease receipt needs a disease code, others must not have one"
            )

    @property
    def label(self) -> str:
        """``普通门诊`` / ``门诊慢特病`` / ``全额自费``."""
        return self.category.label

    @property
    def heading(self) -> str:
        """The prominent line: ``门诊慢特病：恶性肿瘤门诊治疗（M00500）``."""
        if self.category is FeeCategory.CHRONIC:
            name = self.disease_name or str(words.DISEASE())
            return str(words.HEADING_CHRONIC(label=self.label, name=name, code=self.disease_code))
        return str(words.HEADING(label=self.label))

    @property
    def heading_lines(self) -> tuple[str, ...]:
        """The heading split for a narrow roll: category first, then the disease."""
        if self.category is FeeCategory.CHRONIC:
            name = self.disease_name or str(words.DISEASE())
            return (
                str(words.HEADING_FIRST_LINE(label=self.label)),
                str(words.HEADING_DISEASE_LINE(name=name, code=self.disease_code)),
            )
        return (self.heading,)

    @property
    def notice(self) -> str:
        """For 全额自费: the sentence that the patient claims it back at the insured place, and why."""
        if self.category is not FeeCategory.SELF_PAY:
            return ""
        place = self.insured_place or words.INSURED_PLACE()
        reason = self.self_pay_reason or words.NOT_SETTLED_HERE()
        return str(words.SELF_PAY_NOTICE(reason=reason, place=place))


@dataclass(frozen=True)
class ReceiptLine:
    """One fee line with its split (the visiting place's catalogue decides it)."""

    name: str
    spec: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    full_self_pay: Decimal = ZERO
    over_limit: Decimal = ZERO
    first_self_pay: Decimal = ZERO
    in_scope: Decimal = ZERO
    item_class: str = ""


@dataclass(frozen=True)
class ReceiptFund:
    """One fund's payment, by the platform's fund type where it gave one."""

    name: str
    amount: Decimal


@dataclass(frozen=True)
class ReceiptTotals:
    """Total fees and who paid them: fund + personal account + cash (+ hospital) = total."""

    total: Decimal
    fund: Decimal
    account: Decimal
    cash: Decimal
    hospital: Decimal = ZERO
    funds: tuple[ReceiptFund, ...] = ()
    full_self_pay: Decimal = ZERO
    first_self_pay: Decimal = ZERO
    in_scope: Decimal = ZERO
    over_limit: Decimal = ZERO


@dataclass(frozen=True)
class ReceiptData:
    """Everything printed on one receipt.

    Attributes:
        receipt_no: this receipt's number (for a COPY the original's number).
        kind: which act produced it.
        issued_at: when the receipt number was issued (aware UTC).
        printed_at: when this paper was produced (aware UTC); for a COPY the copy time.
        copy_no: the 补打 count for a COPY, else 0.
        replaces: for a REISSUE, the voided receipt number.
        original_settlement_id: for a CANCELLATION/REFUND, the settlement it reverses.
        masked_id: the patient's ID number, masked (never the full number).
    """

    hospital_name: str
    hospital_code: str
    patient_name: str
    masked_id: str
    insured_place: str
    insurance_type: str
    category: CategoryInfo
    lines: tuple[ReceiptLine, ...]
    totals: ReceiptTotals
    settlement_id: str
    settled_at: datetime
    operator: str
    window: str
    receipt_no: str
    kind: ReceiptKind
    issued_at: datetime
    printed_at: datetime
    bill_id: str = ""
    clearing_type: str = ""
    clearing_way: str = ""
    clearing_agency: str = ""
    copy_no: int = 0
    replaces: str = ""
    original_settlement_id: str = ""
    department: str = ""
    doctor: str = ""

    def __post_init__(self) -> None:
        if mask_number(self.masked_id) != self.masked_id.strip():
            raise ValueError("receipts carry masked ID numbers only")
        for moment in (self.settled_at, self.issued_at, self.printed_at):
            if moment.tzinfo is None:
                raise ValueError("receipt times must be timezone-aware")
        if (self.kind is ReceiptKind.COPY) != (self.copy_no > 0):
            raise ValueError("a copy has a copy number, other receipts do not")
        if (self.kind is ReceiptKind.REISSUE) != bool(self.replaces):
            raise ValueError("a reissue names the receipt number it replaces")

    @property
    def title(self) -> str:
        """``门诊收费票据`` with the kind's suffix."""
        return str(words.TITLE(suffix=self.kind.title_suffix))

    @property
    def kind_note(self) -> str:
        """The sentence that says what this paper is, for copies, reissues and cancellations."""
        if self.kind is ReceiptKind.COPY:
            return str(words.NOTE_COPY(count=self.copy_no, time=local_time_text(self.printed_at)))
        if self.kind is ReceiptKind.REISSUE:
            return str(words.NOTE_REISSUE(replaces=self.replaces))
        if self.kind is ReceiptKind.CANCELLATION:
            return str(words.NOTE_CANCELLATION(settlement_id=self.original_settlement_id))
        if self.kind is ReceiptKind.REFUND:
            return str(words.NOTE_REFUND(settlement_id=self.original_settlement_id))
        return ""


@dataclass(frozen=True)
class SlipQualification:
    """One qualification row on the eligibility slip."""

    code: str
    name: str
    valid_from: date
    valid_to: date | None
    settleable_here: bool
    note: str


@dataclass(frozen=True)
class EligibilitySlip:
    """The registration desk's slip: who, insured where, which qualifications can be settled here."""

    hospital_name: str
    patient_name: str
    masked_id: str
    insured_place: str
    insurance_type: str
    registration_text: str
    qualifications: tuple[SlipQualification, ...]
    checked_at: datetime
    operator: str

    def __post_init__(self) -> None:
        if mask_number(self.masked_id) != self.masked_id.strip():
            raise ValueError("slips carry masked ID numbers only")
        if self.checked_at.tzinfo is None:
            raise ValueError("slip times must be timezone-aware")
