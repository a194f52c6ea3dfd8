"""The national platform as the services see it (interface.md Part A).

Every method either returns a typed result or raises one of :class:`app.errors.PlatformRejected`
(including :class:`~app.errors.PlatformMaintenance`), :class:`~app.errors.PlatformUnavailable` (provably
not sent) or :class:`~app.errors.OutcomeUnknown` (sent, no valid answer). State-changing calls take the
``msgid`` the caller has already journaled; the gateway never invents one for them and never retries
them. Read-only calls allocate their own msgid and may retry with back-off.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, TypeVar

from app.domain.bill import FeeLine
from app.domain.operator import Operator
from app.domain.person import InsuredPerson, Qualification
from app.domain.settlement import LineSplit, SettlementRecord, SettlementTotals
from app.domain.visit import Credential

T = TypeVar("T")


class JournaledSend(Protocol):
    """Sends one state-changing call under the journal: commits its ``PREPARED`` row, calls
    ``send`` with the msgid, records the outcome, and returns the value or raises the platform error.
    """

    def __call__(self, infno: str, send: Callable[[str], T]) -> T:
        """Journal, send once, journal the outcome."""
        ...


@dataclass(frozen=True)
class CallContext:
    """Envelope values that vary per call: who acts, and for which insured place."""

    operator: Operator
    insured_admdvs: str = ""


@dataclass(frozen=True)
class VoucherIdentity:
    """The e-voucher centre's answer to a scanned QR code (interface.md A §11)."""

    ec_token: str
    id_number: str
    name: str
    id_type: str
    insured_admdvs: str


@dataclass(frozen=True)
class RegisterRequest:
    """2201 input."""

    person_no: str
    insurance_type: str
    begin_time: datetime
    credential: Credential
    outpatient_no: str
    doctor_code: str
    doctor_name: str
    dept_code: str
    dept_name: str
    caty: str = ""


@dataclass(frozen=True)
class VisitUpload:
    """2203 input: the visit with its med_type and disease code, plus the diagnosis."""

    visit_id: str
    person_no: str
    med_type: str
    begin_time: datetime
    disease_code: str | None
    disease_name: str
    diagnosis_code: str
    diagnosis_name: str
    dept_name: str
    doctor_code: str
    doctor_name: str


@dataclass(frozen=True)
class FeeUpload:
    """2204 input: the lines of one batch (``chrg_bchno``), all with the same ``dise_codg``."""

    visit_id: str
    person_no: str
    batch_no: str
    disease_code: str | None
    lines: tuple[FeeLine, ...]
    dept_code: str
    dept_name: str
    doctor_code: str
    doctor_name: str


@dataclass(frozen=True)
class SettleRequest:
    """2206/2207 input."""

    person_no: str
    credential: Credential
    med_type: str
    total: Decimal
    visit_id: str
    batch_no: str
    insurance_type: str
    use_account: bool
    disease_code: str | None = None
    split_totals: SettlementTotals | None = None  # the four 2204 batch totals for newer versions
    invoice_no: str = ""


@dataclass(frozen=True)
class CancelRequest:
    """2208 input."""

    settlement_id: str
    visit_id: str
    person_no: str


class ReversalOutcome(StrEnum):
    """2601 definite answers (interface.md A §7)."""

    REVERSED = "reversed"
    NOTHING_TO_UNDO = "nothing_to_undo"


@dataclass(frozen=True)
class CancellationRecord:
    """2208 result: the negative mirror and the cancellation's own setl_id."""

    settlement_id: str
    original_settlement_id: str
    msgid: str
    cancelled_at: datetime
    totals: SettlementTotals


@dataclass(frozen=True)
class StatementTotalRequest:
    """3201 input for one insutype × clr_type × setl_optins group."""

    insurance_type: str
    clearing_type: str
    clearing_agency: str
    begin: date
    end: date
    total: Decimal
    fund: Decimal
    account: Decimal
    count: int
    include_refunds: bool = True


@dataclass(frozen=True)
class StatementTotalResult:
    """3201 answer."""

    clearing_agency: str
    balanced: bool
    description: str


@dataclass(frozen=True)
class DetailRow:
    """One of our settlements in the 3202 detail file, or one row of its result file."""

    person_no: str
    visit_id: str
    settlement_id: str
    msgid: str
    total: Decimal
    fund: Decimal
    account: Decimal
    refund: bool = False
    result: str = ""  # 0 balanced, 1 platform only, 2 hospital only, 3 amounts differ
    memo: str = ""


@dataclass(frozen=True)
class StatementDetailRequest:
    """3202 input (the detail rows go up by 9101 first)."""

    clearing_agency: str
    clearing_type: str
    begin: date
    end: date
    rows: tuple[DetailRow, ...]
    total: Decimal
    fund: Decimal
    cash: Decimal
    include_refunds: bool = True


@dataclass(frozen=True)
class CataloguePage:
    """One page of 1312 rows, or the rows of a 1301/1305/1306 download."""

    rows: tuple[dict[str, str], ...]
    version: str = ""
    total_pages: int = 1
    extra: dict[str, str] = field(default_factory=dict)


class PlatformGateway(Protocol):
    """The platform client."""

    def query_person(self, ctx: CallContext, credential: Credential) -> InsuredPerson:
        """1101 (signs in first when needed). Qualifications are left empty; see 5301."""
        ...

    def query_qualifications(self, ctx: CallContext, person_no: str) -> tuple[Qualification, ...]:
        """5301."""
        ...

    def decode_voucher(self, operator: Operator, qr_code: str) -> VoucherIdentity:
        """E-voucher decode at the e-voucher centre."""
        ...

    def register(self, ctx: CallContext, msgid: str, request: RegisterRequest) -> str:
        """2201 → ``mdtrt_id``. Rejected with 未备案 when there is no cross-province registration."""
        ...

    def cancel_registration(
        self, ctx: CallContext, msgid: str, person_no: str, visit_id: str, outpatient_no: str
    ) -> None:
        """2202."""
        ...

    def upload_visit(self, ctx: CallContext, msgid: str, upload: VisitUpload) -> None:
        """2203."""
        ...

    def upload_fees(self, ctx: CallContext, msgid: str, upload: FeeUpload) -> tuple[LineSplit, ...]:
        """2204 → the visiting place's per-line split, identities checked."""
        ...

    def cancel_fees(
        self, ctx: CallContext, msgid: str, person_no: str, visit_id: str, batch_no: str
    ) -> None:
        """2205 (``0000`` removes every unsettled line of the visit)."""
        ...

    def pre_settle(self, ctx: CallContext, request: SettleRequest) -> SettlementTotals:
        """2206 preview; nothing changes on the platform."""
        ...

    def settle(self, ctx: CallContext, msgid: str, request: SettleRequest) -> SettlementRecord:
        """2207. Identities of B §5.1 are checked; a broken answer is an OutcomeUnknown."""
        ...

    def cancel_settlement(
        self, ctx: CallContext, msgid: str, request: CancelRequest
    ) -> CancellationRecord:
        """2208."""
        ...

    def reverse(
        self,
        ctx: CallContext,
        msgid: str,
        person_no: str,
        original_msgid: str,
        original_infno: str,
    ) -> ReversalOutcome:
        """2601: undo the effect of a 2207/2208 whose outcome is unknown."""
        ...

    def query_settlement(
        self, ctx: CallContext, person_no: str, settlement_id: str, visit_id: str
    ) -> SettlementTotals:
        """5203."""
        ...

    def statement_total(
        self, ctx: CallContext, request: StatementTotalRequest
    ) -> StatementTotalResult:
        """3201."""
        ...

    def statement_detail(
        self, ctx: CallContext, request: StatementDetailRequest, journaled: JournaledSend
    ) -> Sequence[DetailRow]:
        """9101 upload → 3202 → 9102 download; returns the classified result rows. The upload and
        the 3202 request leave a file and a job on the platform, so they go through ``journaled``."""
        ...

    def download_catalogue(self, ctx: CallContext, infno: str, version: str) -> CataloguePage:
        """1301/1305/1306 via 9102."""
        ...

    def query_catalogue(self, ctx: CallContext, page: int, page_size: int) -> CataloguePage:
        """1312 paged query."""
        ...
