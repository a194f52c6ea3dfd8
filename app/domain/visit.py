"""A visit (bill) as the window holds it, and the state of each of its settlement groups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.domain.bill import FeeLine
from app.domain.plan import GroupKind, group_label
from app.domain.settlement import LineSplit, SettlementRecord, SettlementTotals


class CredentialKind(StrEnum):
    """``mdtrt_cert_type`` (interface.md B §3.2)."""

    VOUCHER = "01"
    ID_NUMBER = "02"
    CARD = "03"

    @property
    def label(self) -> str:
        """Chinese name."""
        return {"01": "医保电子凭证", "02": "居民身份证", "03": "社会保障卡"}[self.value]


@dataclass(frozen=True)
class Credential:
    """How the patient was identified; goes into 1101/2201/2206/2207 as cert type and number.

    For a card, ``number`` is the card number and ``card_sn`` the 32-char identification code; for an
    e-voucher, ``number`` is the ecToken.
    """

    kind: CredentialKind
    number: str
    card_sn: str = ""
    id_number: str = ""
    name: str = ""


class BillStatus(StrEnum):
    """Lifecycle of a bill."""

    OPEN = "open"
    SETTLING = "settling"
    SETTLED = "settled"
    PARTLY_SETTLED = "partly_settled"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Bill:
    """A visit's bill: who, which lines, and the HIS context 2201 needs."""

    bill_id: str
    created_at: datetime
    person_no: str
    insured_admdvs: str
    insurance_type: str
    credential: Credential
    outpatient_no: str
    dept_code: str
    dept_name: str
    doctor_code: str
    doctor_name: str
    lines: tuple[FeeLine, ...]
    status: BillStatus = BillStatus.OPEN
    parent_bill_id: str = ""  # a partial refund's re-settlement points at the original bill
    # The HIS visit's diagnosis (2203 for a group without a disease code); kept with the bill so
    # a restart between opening and settling does not lose it.
    diagnosis_code: str = ""
    diagnosis_name: str = ""

    @property
    def ipt_otp_no(self) -> str:
        """The outpatient number sent to the platform (2201, 2202): the HIS's, or — for a bill typed
        at the window without an HIS visit — the bill's own id, unique in the hospital (the platform
        requires one; ``outpatient_no`` stays empty, so no hospital-wide charge claim is made)."""
        return self.outpatient_no.strip() or self.bill_id


class GroupState(StrEnum):
    """Progress of one settlement group through 2201 → 2203 → 2204 → 2206 → 2207."""

    PLANNED = "planned"
    REGISTERED = "registered"
    VISIT_UPLOADED = "visit_uploaded"
    FEES_UPLOADED = "fees_uploaded"
    PREVIEWED = "previewed"
    SETTLED = "settled"
    FAILED = "failed"
    UNKNOWN = "unknown"
    SELF_PAY_COLLECTED = "self_pay_collected"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class GroupSettlement:
    """Where one group of a bill stands, with what the platform returned so far."""

    bill_id: str
    group_key: str
    state: GroupState
    kind: GroupKind  # as the plan decided it (未备案 turns a direct group into SELF_PAY)
    disease_code: str | None
    line_nos: tuple[str, ...]
    visit_id: str = ""
    batch_no: str = ""
    preview: SettlementTotals | None = None
    record: SettlementRecord | None = None
    self_pay_reason: str = ""
    failure_text: str = ""
    preview_differences: tuple[str, ...] = ()
    # The visiting place's 2204 split, kept durably from upload until the 2207 record carries it, so a
    # restart between preview and confirm still settles and prints the right split.
    splits: tuple[LineSplit, ...] = ()

    @property
    def med_type(self) -> str | None:
        """``11``, ``14``, or ``None`` for a full-self-pay group (no platform call)."""
        return self.kind.med_type

    @property
    def label(self) -> str:
        """普通门诊 / 门诊慢特病 高血压（M03900） / 全额自费."""
        return group_label(self.kind, self.disease_code)
