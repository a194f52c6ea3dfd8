"""The settlement plan: which lines are settled in which group, and why (domain.md rules 1–6).

Groups:

* one general-outpatient group (med_type ``11``) for lines tagged general;
* one group per chronic disease (med_type ``14`` with the disease code) — each disease on its own;
* one full-self-pay group (全额自费) for lines that cannot be settled directly. Chronic-disease lines
  never fall back to general outpatient (rule 4).

Every line lands in exactly one group, and every placement carries a :class:`Reason` with a sentence a
cashier can read to the patient.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from app.domain.bill import FeeLine, TagKind
from app.domain.disease import Disease, pilot_disease
from app.domain.hospital import HospitalProfile
from app.domain.money import money_sum
from app.domain.person import InsuredPerson, QualificationState, RegistrationStatus
from app.domain.region import province_name
from app.errors import InputError
from app.messages import Listing, Message
from app.messages import settlement as words

MED_TYPE_GENERAL = "11"
MED_TYPE_CHRONIC = "14"


class GroupKind(StrEnum):
    """The three kinds of settlement group. Decided by the plan and stored with the group: it is
    never re-derived from ``med_type`` (a group turned into self-pay keeps its key)."""

    GENERAL = "general"
    CHRONIC = "chronic"
    SELF_PAY = "self_pay"

    @property
    def label(self) -> str:
        """Fee category as printed on receipts."""
        return {"general": "普通门诊", "chronic": "门诊慢特病", "self_pay": "全额自费"}[self.value]

    @property
    def med_type(self) -> str | None:
        """``11``, ``14``, or ``None`` for self-pay (no platform call)."""
        return {GroupKind.GENERAL: MED_TYPE_GENERAL, GroupKind.CHRONIC: MED_TYPE_CHRONIC}.get(self)

    @property
    def rank(self) -> int:
        """Settlement order of the kinds: chronic groups, then general, then full self-pay."""
        return {GroupKind.CHRONIC: 0, GroupKind.GENERAL: 1, GroupKind.SELF_PAY: 2}[self]


def group_order(kind: GroupKind, key: str) -> tuple[int, str]:
    """The one order of groups everywhere (plan, settlement, screens): chronic groups by disease
    code, general outpatient, then full self-pay."""
    return (kind.rank, key)


def kind_of(med_type: str | None, disease_code: str | None) -> GroupKind:
    """The kind of a settlement *record* (which stores ``med_type`` only) or of a group stored
    before groups kept their kind (schema v10 back-fill, an older window's replicated record)."""
    if not med_type:
        return GroupKind.SELF_PAY
    return GroupKind.CHRONIC if disease_code else GroupKind.GENERAL


def group_label(
    kind: GroupKind,
    disease_code: str | None = None,
    *,
    kind_text: Callable[[GroupKind], str] | None = None,
) -> str:
    """The one name of a settlement group, as screens, receipts and reports print it:
    普通门诊 / 门诊慢特病 高血压（M03900） / 全额自费. ``kind_text``: the kind's word in the
    reader's language (the window translates it at its edge); the Chinese fee category otherwise."""
    word = kind_text(kind) if kind_text is not None else kind.label
    if kind is GroupKind.CHRONIC and disease_code:
        disease = pilot_disease(disease_code)
        return f"{word} {disease.label if disease else disease_code}"
    return word


class ReasonCode(StrEnum):
    """Why a line went where it went."""

    GENERAL = "general"
    GENERAL_COVERED_AT_INSURED_PLACE = "general_covered_at_insured_place"
    CHRONIC_QUALIFIED = "chronic_qualified"
    NO_REGISTRATION = "no_registration"
    NO_INSURANCE = "no_insurance"
    NOT_CROSS_PROVINCE = "not_cross_province"
    GENERAL_NOT_OPEN = "general_not_open"
    NOT_PILOT = "not_pilot"
    NOT_OPENED_HERE = "not_opened_here"
    NOT_QUALIFIED = "not_qualified"
    QUALIFICATION_EXPIRED = "qualification_expired"
    QUALIFICATION_NOT_YET_VALID = "qualification_not_yet_valid"


@dataclass(frozen=True)
class Reason:
    """A reason code with the plain-Chinese explanation for the cashier and the patient."""

    code: ReasonCode
    text: str

    @property
    def is_direct(self) -> bool:
        """Whether the line is settled directly with the platform."""
        return self.code in (
            ReasonCode.GENERAL,
            ReasonCode.GENERAL_COVERED_AT_INSURED_PLACE,
            ReasonCode.CHRONIC_QUALIFIED,
        )


@dataclass(frozen=True)
class PlannedLine:
    """A line with the reason for its group."""

    line: FeeLine
    reason: Reason


@dataclass(frozen=True)
class SettlementGroup:
    """One settlement: its kind, disease (for chronic groups) and lines."""

    kind: GroupKind
    disease: Disease | None
    lines: tuple[PlannedLine, ...]

    @property
    def key(self) -> str:
        """Stable key: ``general``, ``self_pay`` or the disease code."""
        if self.kind is GroupKind.CHRONIC:
            assert self.disease is not None
            return self.disease.code
        return self.kind.value

    @property
    def med_type(self) -> str | None:
        """``11``, ``14``, or ``None`` for self-pay (no platform call)."""
        return self.kind.med_type

    @property
    def disease_code(self) -> str | None:
        """``dise_codg`` for 2203/2204."""
        return self.disease.code if self.disease else None

    @property
    def total(self) -> Decimal:
        """Sum of the lines' amounts."""
        return money_sum(p.line.amount for p in self.lines)

    @property
    def category_label(self) -> str:
        """普通门诊 / 门诊慢特病 高血压（M03900） / 全额自费."""
        return group_label(self.kind, self.disease_code)


@dataclass(frozen=True)
class SettlementPlan:
    """All groups of one visit, in a fixed order: chronic groups by code, general, then self-pay."""

    groups: tuple[SettlementGroup, ...]

    @property
    def total(self) -> Decimal:
        """The whole bill."""
        return money_sum(g.total for g in self.groups)

    def group(self, key: str) -> SettlementGroup | None:
        """The group with this key."""
        return next((g for g in self.groups if g.key == key), None)


class PlanBlocked(InputError):
    """The plan cannot be made yet (untagged lines, empty bill, duplicate line numbers)."""

    code = "plan_blocked"


@dataclass(frozen=True)
class PlanContext:
    """Everything the rules look at besides the lines."""

    person: InsuredPerson
    hospital: HospitalProfile
    day: date
    registration: RegistrationStatus = RegistrationStatus.UNKNOWN


def _self_pay(code: ReasonCode, why: Message) -> Reason:
    return Reason(code, str(words.SELF_PAY_SUFFIX(why=why)))


def _insured_admdvs(ctx: PlanContext) -> str | None:
    row = ctx.person.settlement_insurance()
    return row.insured_admdvs if row else None


def _blocking_reason(ctx: PlanContext) -> Reason | None:
    """A reason that stops every direct settlement for this person, if any (rule 5)."""
    admdvs = _insured_admdvs(ctx)
    if admdvs is None:
        return _self_pay(
            ReasonCode.NO_INSURANCE,
            words.NO_INSURANCE(),
        )
    if admdvs[:2] == ctx.hospital.admdvs[:2]:
        return _self_pay(
            ReasonCode.NOT_CROSS_PROVINCE,
            words.NOT_CROSS_PROVINCE(),
        )
    if ctx.registration is RegistrationStatus.MISSING:
        return _self_pay(
            ReasonCode.NO_REGISTRATION,
            words.NO_REGISTRATION(),
        )
    return None


def _general_reason(ctx: PlanContext) -> Reason:
    if not ctx.hospital.general_outpatient_open:
        return _self_pay(ReasonCode.GENERAL_NOT_OPEN, words.GENERAL_NOT_OPEN())
    return Reason(ReasonCode.GENERAL, str(words.GENERAL()))


def _disease_reason(ctx: PlanContext, code: str) -> Reason:
    """Rule 4: a chronic-disease line is settled as that disease or paid in full, never as general."""
    admdvs = _insured_admdvs(ctx) or ""
    disease = pilot_disease(code)
    if ctx.hospital.covers_as_general(admdvs, code):
        if not ctx.hospital.general_outpatient_open:
            return _general_reason(ctx)
        return Reason(
            ReasonCode.GENERAL_COVERED_AT_INSURED_PLACE,
            str(words.COVERED_AS_GENERAL(province=province_name(admdvs))),
        )
    if disease is None:
        return _self_pay(
            ReasonCode.NOT_PILOT,
            words.NOT_PILOT(code=code),
        )
    if not ctx.hospital.has_opened(code):
        return _self_pay(
            ReasonCode.NOT_OPENED_HERE,
            words.NOT_OPENED_HERE(disease=disease.label),
        )
    qualification = ctx.person.qualification_for(code)
    if qualification is None:
        return _self_pay(
            ReasonCode.NOT_QUALIFIED,
            words.NOT_QUALIFIED(disease=disease.label),
        )
    state = qualification.state_on(ctx.day)
    if state is QualificationState.EXPIRED:
        return _self_pay(
            ReasonCode.QUALIFICATION_EXPIRED,
            words.QUALIFICATION_EXPIRED(disease=disease.label, date=qualification.valid_to),
        )
    if state is QualificationState.NOT_YET_VALID:
        return _self_pay(
            ReasonCode.QUALIFICATION_NOT_YET_VALID,
            words.QUALIFICATION_NOT_YET_VALID(disease=disease.label, date=qualification.valid_from),
        )
    return Reason(
        ReasonCode.CHRONIC_QUALIFIED,
        str(words.CHRONIC_QUALIFIED(disease=disease.label)),
    )


def _check_lines(lines: Sequence[FeeLine]) -> None:
    if not lines:
        raise PlanBlocked(words.PLAN_EMPTY(), code="plan_empty")
    seen: set[str] = set()
    for line in lines:
        if line.line_no in seen:
            raise PlanBlocked(
                words.DUPLICATE_LINE(line_no=line.line_no),
                code="plan_duplicate_line",
            )
        seen.add(line.line_no)
    untagged = [line.line_no for line in lines if line.tag.kind is TagKind.UNTAGGED]
    if untagged:
        first = Listing(tuple(untagged[:10]))
        shown = words.MORE_LINES(lines=first) if len(untagged) > 10 else first
        raise PlanBlocked(
            words.UNTAGGED_LINES(count=len(untagged), lines=shown),
            code="plan_untagged",
            detail={"lines": ",".join(untagged)},
        )


def reason_for(ctx: PlanContext, line: FeeLine) -> Reason:
    """The reason (and so the group) one tagged line will get. Shown before anything is sent."""
    blocking = _blocking_reason(ctx)
    if line.tag.kind is TagKind.UNTAGGED:
        raise PlanBlocked(words.UNTAGGED_LINE(line_no=line.line_no), code="plan_untagged")
    if line.tag.disease_code is not None and not _known_disease(ctx, line.tag.disease_code):
        # A typing error or garbage, not a real disease to be paid in full (issue #11 item 8).
        raise PlanBlocked(
            words.UNKNOWN_DISEASE(line_no=line.line_no, code=line.tag.disease_code),
            code="unknown_disease",
        )
    if blocking is not None:
        return blocking
    if line.tag.kind is TagKind.GENERAL:
        return _general_reason(ctx)
    assert line.tag.disease_code is not None
    return _disease_reason(ctx, line.tag.disease_code)


def _known_disease(ctx: PlanContext, code: str) -> bool:
    """A pilot code, a chronic disease the insured place lists for this patient (5301), or one
    the configuration names as covered under general outpatient somewhere."""
    return (
        pilot_disease(code) is not None
        or ctx.person.qualification_for(code) is not None
        or any(known == code for _, known in ctx.hospital.general_coverage)
    )


def _group_key(line: FeeLine, reason: Reason) -> tuple[GroupKind, str | None]:
    if not reason.is_direct:
        return GroupKind.SELF_PAY, None
    if reason.code is ReasonCode.CHRONIC_QUALIFIED:
        return GroupKind.CHRONIC, line.tag.disease_code
    return GroupKind.GENERAL, None


def make_plan(ctx: PlanContext, lines: Iterable[FeeLine]) -> SettlementPlan:
    """Split a tagged visit into settlement groups (domain.md rules 1–6).

    Raises:
        PlanBlocked: the bill is empty, has duplicate line numbers or untagged lines.
    """
    all_lines = list(lines)
    _check_lines(all_lines)
    # A line's reason depends on the context and its tag only: worked out once per tag (the
    # first line with a tag that cannot be planned is the one named in the refusal).
    placed: dict[tuple[TagKind, str | None], tuple[Reason, tuple[GroupKind, str | None]]] = {}
    buckets: dict[tuple[GroupKind, str | None], list[PlannedLine]] = {}
    for line in all_lines:
        tag = (line.tag.kind, line.tag.disease_code)
        known = placed.get(tag)
        if known is None:
            reason = reason_for(ctx, line)
            known = placed[tag] = (reason, _group_key(line, reason))
        reason, group = known
        buckets.setdefault(group, []).append(PlannedLine(line, reason))
    groups = (
        SettlementGroup(kind, pilot_disease(code) if code else None, tuple(planned))
        for (kind, code), planned in buckets.items()
    )
    return SettlementPlan(tuple(sorted(groups, key=lambda g: group_order(g.kind, g.key))))
