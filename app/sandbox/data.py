"""The sandbox's data files: hospital profile, demo population, insured-place policies, catalogue.

All of it is fictional (虚构，仅供培训测试). Schemas are documented in docs/sandbox.md; the loaders
turn the JSON files under ``resources/sandbox/`` into frozen dataclasses with Decimal money.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.domain.money import to_money
from app.errors import ConfigError

RESOURCE_DIR = Path(__file__).resolve().parents[2] / "resources" / "sandbox"
HOSPITAL_FILE = RESOURCE_DIR / "hospital.json"
POPULATION_FILE = RESOURCE_DIR / "population.json"
POLICIES_FILE = RESOURCE_DIR / "policies.json"
CATALOGUE_FILE = RESOURCE_DIR / "catalogue.json"


@dataclass(frozen=True)
class Hospital:
    """The demo hospital (the visiting place) and the gateway credentials issued to it."""

    code: str
    name: str
    admdvs: str
    opened_diseases: tuple[str, ...]
    general_outpatient_open: bool
    clr_optins: str
    passid: str
    token: str
    device_no: str

    @property
    def opened(self) -> tuple[str, ...]:
        """Alias of :attr:`opened_diseases`."""
        return self.opened_diseases


@dataclass(frozen=True)
class InsuranceRow:
    """One ``insuinfo`` row of a demo person."""

    insutype: str
    psn_type: str
    status: str
    insured_admdvs: str
    balance: Decimal
    employer: str
    insured_since: str
    paused_since: str | None

    @property
    def is_active(self) -> bool:
        """Only status ``1`` may be settled under."""
        return self.status == "1"


@dataclass(frozen=True)
class QualificationRow:
    """One 5301 row: a chronic-disease qualification held at the insured place."""

    code: str
    name: str
    begin: date
    end: date | None

    def valid_on(self, day: date) -> bool:
        """``begndate ≤ day ≤ enddate``."""
        return self.begin <= day and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class Person:
    """A demo insured person with card and e-voucher."""

    psn_no: str
    name: str
    id_number: str
    gender: str
    nationality: str
    birthday: str
    insurances: tuple[InsuranceRow, ...]
    qualifications: tuple[QualificationRow, ...]
    registered: bool
    card_no: str
    card_sn: str
    card_issue_date: str
    card_expiry_date: str
    voucher_code: str
    ec_token: str
    note: str

    def insurance(self, insutype: str) -> InsuranceRow | None:
        """The row of ``insutype``, if the person holds it."""
        return next((row for row in self.insurances if row.insutype == insutype), None)

    @property
    def card_string(self) -> str:
        """The card library's ``|``-separated string (interface.md Part A §12)."""
        region = self.card_sn[:6]
        fields = (
            region, self.id_number, self.card_no, self.card_sn, self.name,
            "00814E43238697159900BF7C7A", "3.00", self.card_issue_date, self.card_expiry_date,
            "000000000000", "SANDBOX-READER-01",
        )  # fmt: skip
        return "|".join(fields)

    def age_on(self, day: date) -> int:
        """Full years on ``day``."""
        born = date.fromisoformat(self.birthday)
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass(frozen=True)
class PolicyRule:
    """Deductible, ratio and annual cap of one benefit (general outpatient or one disease)."""

    deductible: Decimal
    ratio: Decimal
    annual_cap: Decimal


@dataclass(frozen=True)
class InsurancePolicy:
    """One insured region's rules for one insurance type."""

    fund_pay_type: str
    general: PolicyRule
    chronic_default: PolicyRule
    chronic: Mapping[str, PolicyRule]

    def rule_for(self, med_type: str, disease: str | None) -> PolicyRule:
        """The rule of a med_type 14 disease, else general outpatient."""
        if med_type == "14" and disease:
            return self.chronic.get(disease, self.chronic_default)
        return self.general


@dataclass(frozen=True)
class RegionPolicy:
    """An insured place's (fictional) policy."""

    code: str
    name: str
    account_cross_province: bool
    insurance_types: Mapping[str, InsurancePolicy]


@dataclass(frozen=True)
class Policies:
    """All insured places' policies, looked up by region code with fallback to city and province."""

    regions: Mapping[str, RegionPolicy]

    def for_region(self, admdvs: str) -> RegionPolicy | None:
        """Exact code, then the city (``xxxx00``), then the province (``xx0000``)."""
        for candidate in (admdvs, admdvs[:4] + "00", admdvs[:2] + "0000"):
            if candidate in self.regions:
                return self.regions[candidate]
        return None


@dataclass(frozen=True)
class CatalogueItem:
    """A hospital item mapped to its national code, with the visiting place's split parameters."""

    medins_list_codg: str
    med_list_codg: str
    name: str
    pinyin: str
    spec: str
    unit: str
    med_chrgitm_type: str
    list_type: str
    chrgitm_lv: str
    selfpay_prop: Decimal
    price: Decimal
    price_ceiling: Decimal | None
    restricted: bool
    diseases: tuple[str, ...]
    version: str


@dataclass(frozen=True)
class Catalogue:
    """The visiting place's catalogue keyed by the hospital's item code."""

    items: Mapping[str, CatalogueItem]
    by_national_code: Mapping[str, CatalogueItem] = field(default_factory=dict)

    @classmethod
    def of(cls, items: list[CatalogueItem]) -> Catalogue:
        """Index a list of items."""
        return cls(
            items={item.medins_list_codg: item for item in items},
            by_national_code={item.med_list_codg: item for item in items},
        )


def _read_json(source: Path | Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(source, Mapping):
        return source
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"沙箱数据文件无法读取：{source}（{exc}）", detail={"key": str(source)}
        ) from exc
    if not isinstance(data, Mapping):
        raise ConfigError(f"沙箱数据文件格式错误：{source}", detail={"key": str(source)})
    return data


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def load_hospital(source: Path | Mapping[str, Any] = HOSPITAL_FILE) -> Hospital:
    """Read ``hospital.json``."""
    d = _read_json(source)
    return Hospital(
        code=d["code"],
        name=d["name"],
        admdvs=d["admdvs"],
        opened_diseases=tuple(d["opened_diseases"]),
        general_outpatient_open=bool(d.get("general_outpatient_open", True)),
        clr_optins=d["clr_optins"],
        passid=d["passid"],
        token=d["token"],
        device_no=d.get("device_no", "W01"),
    )


def _person(d: Mapping[str, Any]) -> Person:
    rows = tuple(
        InsuranceRow(
            insutype=r["insutype"],
            psn_type=r["psn_type"],
            status=r["psn_insu_stas"],
            insured_admdvs=r["insuplc_admdvs"],
            balance=to_money(r["balc"]),
            employer=r.get("emp_name", ""),
            insured_since=r.get("psn_insu_date", ""),
            paused_since=r.get("paus_insu_date"),
        )
        for r in d["insuinfo"]
    )
    quals = tuple(
        QualificationRow(
            q["code"], q["name"], date.fromisoformat(q["begndate"]), _day(q.get("enddate"))
        )
        for q in d.get("qualifications", [])
    )
    card = d["card"]
    return Person(
        psn_no=d["psn_no"],
        name=d["name"],
        id_number=d["id_number"],
        gender=d["gend"],
        nationality=d.get("naty", "01"),
        birthday=d["brdy"],
        insurances=rows,
        qualifications=quals,
        registered=bool(d["cross_province_registered"]),
        card_no=card["card_no"],
        card_sn=card["card_sn"],
        card_issue_date=card["issue_date"],
        card_expiry_date=card["expiry_date"],
        voucher_code=d["voucher"]["qr_code"],
        ec_token=d["voucher"]["ec_token"],
        note=d.get("note", ""),
    )


def load_population(source: Path | Mapping[str, Any] = POPULATION_FILE) -> tuple[Person, ...]:
    """Read ``population.json``."""
    return tuple(_person(p) for p in _read_json(source)["people"])


def _rule(d: Mapping[str, Any]) -> PolicyRule:
    return PolicyRule(
        deductible=to_money(d["deductible"]),
        ratio=Decimal(str(d["ratio"])),
        annual_cap=to_money(d["annual_cap"]),
    )


def _insurance_policy(d: Mapping[str, Any]) -> InsurancePolicy:
    return InsurancePolicy(
        fund_pay_type=d["fund_pay_type"],
        general=_rule(d["general"]),
        chronic_default=_rule(d["chronic_default"]),
        chronic={code: _rule(r) for code, r in d.get("chronic", {}).items()},
    )


def load_policies(source: Path | Mapping[str, Any] = POLICIES_FILE) -> Policies:
    """Read ``policies.json``."""
    regions = {
        code: RegionPolicy(
            code=code,
            name=r["name"],
            account_cross_province=bool(r["account_cross_province"]),
            insurance_types={t: _insurance_policy(p) for t, p in r["insutypes"].items()},
        )
        for code, r in _read_json(source)["regions"].items()
    }
    return Policies(regions=regions)


def catalogue_item(d: Mapping[str, Any]) -> CatalogueItem:
    """One catalogue entry from its JSON form."""
    ceiling = d.get("pric_uplmt_amt")
    return CatalogueItem(
        medins_list_codg=d["medins_list_codg"],
        med_list_codg=d["med_list_codg"],
        name=d["name"],
        pinyin=d.get("pinyin", ""),
        spec=d.get("spec", ""),
        unit=d.get("unit", ""),
        med_chrgitm_type=d["med_chrgitm_type"],
        list_type=d["list_type"],
        chrgitm_lv=d["chrgitm_lv"],
        selfpay_prop=Decimal(str(d["selfpay_prop"])),
        price=Decimal(str(d["price"])),
        price_ceiling=Decimal(str(ceiling)) if ceiling is not None else None,
        restricted=d.get("lmt_used_flag") == "1",
        diseases=tuple(d.get("diseases", ())),
        version=d.get("ver", "0"),
    )


def load_catalogue(source: Path | Mapping[str, Any] = CATALOGUE_FILE) -> Catalogue:
    """Read ``catalogue.json``."""
    return Catalogue.of([catalogue_item(i) for i in _read_json(source)["items"]])
