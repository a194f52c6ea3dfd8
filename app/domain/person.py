"""The insured person as the platform describes them (1101 + 5301), as plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from app.domain.disease import Disease, pilot_disease
from app.domain.region import province_name

INSURANCE_TYPE_NAMES: dict[str, str] = {
    "310": "职工基本医疗保险",
    "320": "公务员医疗补助",
    "330": "大额医疗费用补助",
    "340": "离休人员医疗保障",
    "370": "企业补充医疗保险",
    "380": "新型农村合作医疗",
    "390": "城乡居民基本医疗保险",
    "391": "城镇居民基本医疗保险",
    "392": "城乡居民大病医疗保险",
    "510": "生育保险",
}

# Settlement runs under the basic schemes only (interface.md B §3.3).
BASIC_INSURANCE_TYPES = ("310", "390", "391", "380")


class Gender(StrEnum):
    """``gend`` code table."""

    MALE = "1"
    FEMALE = "2"
    UNKNOWN = "9"

    @property
    def label(self) -> str:
        """Chinese label."""
        return {"1": "男", "2": "女"}.get(self.value, "未知")


class InsuranceStatus(StrEnum):
    """``psn_insu_stas``: 1 is normal; anything else cannot be settled under."""

    NORMAL = "1"
    SUSPENDED = "2"
    TERMINATED = "4"

    @classmethod
    def from_code(cls, code: str) -> InsuranceStatus:
        """Unknown codes are treated as not normal (terminated)."""
        try:
            return cls(code)
        except ValueError:
            return cls.TERMINATED


@dataclass(frozen=True)
class InsuranceEntry:
    """One ``insuinfo`` row: an insurance type the person holds."""

    insurance_type: str
    status: InsuranceStatus
    insured_admdvs: str
    balance: Decimal
    person_type: str = ""
    employer: str = ""

    @property
    def type_name(self) -> str:
        """Chinese name of the insurance type."""
        return INSURANCE_TYPE_NAMES.get(self.insurance_type, f"险种{self.insurance_type}")

    @property
    def is_active(self) -> bool:
        """Only normal rows may be settled under."""
        return self.status is InsuranceStatus.NORMAL

    @property
    def insured_province(self) -> str:
        """Name of the insured province."""
        return province_name(self.insured_admdvs)


class QualificationState(StrEnum):
    """A qualification judged against a date."""

    VALID = "valid"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"


@dataclass(frozen=True)
class Qualification:
    """One 5301 row: a chronic-disease qualification (资格认定) from the insured place."""

    code: str
    name: str
    valid_from: date
    valid_to: date | None = None

    def state_on(self, day: date) -> QualificationState:
        """``begndate ≤ day ≤ enddate``; an absent end date is open-ended."""
        if day < self.valid_from:
            return QualificationState.NOT_YET_VALID
        if self.valid_to is not None and day > self.valid_to:
            return QualificationState.EXPIRED
        return QualificationState.VALID

    @property
    def disease(self) -> Disease | None:
        """The pilot disease, or ``None`` for a local (non-pilot) chronic disease."""
        return pilot_disease(self.code)


class RegistrationStatus(StrEnum):
    """Cross-province registration (异地就医备案).

    There is no hospital-side query (interface.md A §6): it is ``UNKNOWN`` until a 2201 is refused with
    未备案 (``MISSING``) or accepted (``CONFIRMED``).
    """

    UNKNOWN = "unknown"
    CONFIRMED = "confirmed"
    MISSING = "missing"


@dataclass(frozen=True)
class InsuredPerson:
    """A person as returned by 1101, with the 5301 qualifications attached."""

    person_no: str
    name: str
    id_number: str
    gender: Gender
    birth_date: date | None
    insurances: tuple[InsuranceEntry, ...]
    qualifications: tuple[Qualification, ...] = field(default=())
    cert_type: str = "01"

    def settlement_insurance(self) -> InsuranceEntry | None:
        """The active basic insurance row to settle under: employee before resident."""
        active = [row for row in self.insurances if row.is_active]
        for wanted in BASIC_INSURANCE_TYPES:
            for row in active:
                if row.insurance_type == wanted:
                    return row
        return None

    def age_on(self, day: date) -> int | None:
        """Full years on ``day``."""
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    def qualification_for(self, code: str) -> Qualification | None:
        """The qualification for ``code`` that is valid the latest (several periods may exist)."""
        matches = [q for q in self.qualifications if q.code == code]
        if not matches:
            return None
        return max(matches, key=lambda q: (q.valid_to or date.max, q.valid_from))
