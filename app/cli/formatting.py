"""Readable text of the services' results for the console: Chinese, or English with ``[ui] language
= "en"`` (the words from :mod:`app.messages.console`; data stays as the platform or the catalogue
spells it)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from app.domain.money import format_yuan, money_sum
from app.messages import CHINESE, Listing, Message, Template
from app.messages import auth as auth_words
from app.messages import console as words
from app.messages import day_close as day_close_words
from app.messages import eligibility as eligibility_words
from app.messages import shift_report as shift_words

if TYPE_CHECKING:  # annotations only: a command imports the services it runs, not every command's
    from app.domain.catalogue import CatalogueItem
    from app.domain.plan import GroupKind
    from app.domain.settlement import SettlementTotals
    from app.services.day_close import DayCloseReport
    from app.services.eligibility import EligibilityView
    from app.services.recovery import QueueRow
    from app.services.settlement import BillResult, GroupResult

LOCAL_ZONE = ZoneInfo("Asia/Shanghai")
ZERO_YUAN = Decimal("0.00")

GROUP_STATE_LABELS: dict[str, Template] = {
    "planned": words.STATE_PLANNED,
    "registered": words.STATE_REGISTERED,
    "visit_uploaded": words.STATE_VISIT_UPLOADED,
    "fees_uploaded": words.STATE_FEES_UPLOADED,
    "previewed": words.STATE_PREVIEWED,
    "settled": words.STATE_SETTLED,
    "failed": words.STATE_FAILED,
    "unknown": words.STATE_UNKNOWN,
    # Headless, nothing was collected: the cashier still has to take the cash shown.
    "self_pay_collected": words.STATE_SELF_PAY_COLLECTED,
    "cancelled": words.STATE_CANCELLED,
}
_KIND_WORDS: dict[str, Template] = {
    "general": words.KIND_GENERAL,
    "chronic": words.KIND_CHRONIC,
    "self_pay": words.KIND_SELF_PAY,
}
_QUALIFICATION_STATES: dict[str, Template] = {
    "valid": eligibility_words.STATE_VALID,
    "expired": eligibility_words.STATE_EXPIRED,
    "not_yet_valid": eligibility_words.STATE_NOT_YET_VALID,
}


def eligibility_text(view: EligibilityView, language: str = CHINESE) -> str:
    """The patient's identity, insurance and qualifications (names, insurance types, provinces and
    diseases as the platform spells them)."""
    person = view.person
    lines = [
        words.PERSON(name=person.name, id_number=view.masked_id, person_no=person.person_no).render(
            language
        )
    ]
    if view.from_cache:
        lines.append(words.FROM_CACHE(notice=view.notice).render(language))
    row = view.settlement_insurance
    if row is None:
        lines.append(words.NO_INSURANCE().render(language))
    else:
        scope = words.SCOPE_CROSS() if view.cross_province else words.SCOPE_LOCAL()
        lines.append(
            words.INSURANCE(
                type_name=row.type_name, province=view.insured_province, scope=scope
            ).render(language)
        )
    for q in view.qualifications:
        state = _QUALIFICATION_STATES.get(q.state.value)
        marks = Listing(
            (
                state() if state is not None else q.state_label,
                words.PILOT() if q.pilot else words.NOT_PILOT(),
                words.OPENED() if q.opened_here else words.NOT_OPENED(),
            ),
            chinese_separator="，",
        )
        until = q.valid_to.isoformat() if q.valid_to else words.OPEN_ENDED()
        line = words.QUALIFICATION(
            code=q.code, name=q.name, valid_from=q.valid_from, until=until, marks=marks
        ).render(language)
        lines.append(line + (words.SETTLEABLE().render(language) if q.settleable else ""))
    if not view.qualifications:
        lines.append(words.NO_QUALIFICATIONS().render(language))
    return "\n".join(lines)


def totals_text(totals: SettlementTotals, language: str = CHINESE) -> str:
    """``总额 T = 统筹基金 F + 个人账户 A + 现金 C`` (+ 医院负担 when the hospital carries a part)."""
    return split_text(
        totals.total, totals.fund, totals.account, totals.cash, totals.hospital, language=language
    )


def split_text(
    total: Decimal,
    fund: Decimal,
    account: Decimal,
    cash: Decimal,
    hospital: Decimal,
    *,
    language: str = CHINESE,
) -> str:
    """The one way every summary shows money: the parts that add up to the total."""
    text = words.SPLIT(
        total=format_yuan(total),
        fund=format_yuan(fund),
        account=format_yuan(account),
        cash=format_yuan(cash),
    ).render(language)
    if hospital:
        text += words.SPLIT_HOSPITAL(hospital=format_yuan(hospital)).render(language)
    return text


def group_label_text(group: GroupResult, language: str = CHINESE) -> str:
    """The group's name: the stored label in Chinese; in English the kind's word translated and
    the disease as the catalogue names it (as the English window shows it)."""
    if language == CHINESE:
        return group.label
    return category_text(group.kind, group.disease_code, language)


def category_text(kind: GroupKind, disease_code: str | None, language: str = CHINESE) -> str:
    """A fee category with its disease (:func:`group_label`), the kind's word in ``language``."""
    from app.domain.plan import group_label  # noqa: PLC0415 - not on eligibility's path

    word = kind_label(kind.value, kind.label, language)
    return group_label(kind, disease_code or None, kind_text=lambda _: word)


def group_text(group: GroupResult, language: str = CHINESE) -> str:
    """One group with its state, money and reasons (a reason or failure is the group's record,
    kept in the words it was written in)."""
    state = GROUP_STATE_LABELS.get(group.state.value)
    lines = [
        words.GROUP_HEAD(
            label=group_label_text(group, language),
            count=len(group.line_nos),
            total=format_yuan(group.total),
            state=state() if state is not None else group.state.value,
        ).render(language)
    ]
    if group.totals is not None:
        lines.append("    " + totals_text(group.totals, language))
        if group.settlement_id:
            lines.append(
                words.GROUP_SETTLEMENT_ID(settlement_id=group.settlement_id).render(language)
            )
    elif group.preview is not None:
        lines.append(
            words.GROUP_PREVIEW(split=totals_text(group.preview, language)).render(language)
        )
    if group.preview_differences:
        fields = Listing(tuple(group.preview_differences))
        lines.append(words.GROUP_PREVIEW_DIFFERS(fields=fields).render(language))
    if group.reason:
        lines.append(words.GROUP_REASON(reason=group.reason).render(language))
    if group.failure and group.state.value != "settled":
        lines.append(words.GROUP_FAILURE(failure=group.failure).render(language))
    return "\n".join(lines)


def bill_text(bill: BillResult, language: str = CHINESE) -> str:
    """A bill with every group, the split fund + account + cash = total, and the cash due."""
    lines = [words.BILL_HEAD(bill_id=bill.bill_id, total=format_yuan(bill.total)).render(language)]
    lines.extend(group_text(g, language) for g in bill.groups)
    lines.append(money_summary(bill, language))
    return "\n".join(lines)


def money_summary(bill: BillResult, language: str = CHINESE) -> str:
    """What was settled as fund + account + cash (= its total), what is left unsettled, and the
    cash the patient must now be asked for (self-pay groups included: nothing was collected here).
    """
    split = settled_split(bill)
    settled = split_text(
        split["total"],
        split["fund"],
        split["account"],
        split["cash"],
        split["hospital"],
        language=language,
    )
    text = words.SETTLED_SUMMARY(split=settled).render(language)
    left = bill.total - split["total"]
    if left:
        text += words.LEFT_UNSETTLED(amount=format_yuan(left)).render(language)
    return text + words.CASH_DUE(amount=format_yuan(split["cash"])).render(language)


def settled_split(bill: BillResult) -> dict[str, Decimal]:
    """Total, fund, account, cash and hospital share over the bill's settled or collected groups."""
    done = [g.totals for g in bill.groups if g.totals is not None]
    return {
        name: money_sum(getattr(t, name) for t in done)
        for name in ("total", "fund", "account", "cash", "hospital")
    }


def journal_text(rows: Sequence[QueueRow], language: str = CHINESE) -> str:
    """Unresolved journal rows (the last error is the row's record, as it was written)."""
    if not rows:
        return words.JOURNAL_EMPTY().render(language)
    lines = [words.JOURNAL_HEAD(count=len(rows)).render(language)]
    for row in rows:
        amount = format_yuan(row.amount) if row.amount is not None else "-"
        when = row.created_at.astimezone(LOCAL_ZONE).strftime("%m-%d %H:%M:%S")
        state = row.state.value
        if row.awaiting:  # hospital mode: may be resolved elsewhere; not reversed here meanwhile
            state = (
                words.JOURNAL_AT_WINDOW(window=row.awaiting_window).render(language)
                if row.awaiting_window
                else words.JOURNAL_AWAITING().render(language)
            )
        lines.append(
            words.JOURNAL_ROW(
                msgid=row.msgid,
                infno=row.infno,
                state=state,
                amount=amount,
                person=row.masked_person_no,
                when=when,
                attempts=row.attempts,
                error=row.last_error,
            ).render(language)
        )
    return "\n".join(lines)


def day_close_text(report: DayCloseReport, language: str = CHINESE) -> str:
    """Reconciliation groups, discrepancies and the shift report."""
    lines = [report.summary(language)]
    for g in report.groups:
        verdict = words.BALANCED() if g.balanced else words.UNBALANCED()
        lines.append(
            words.RECONCILIATION_GROUP(
                insurance_type=g.insurance_type,
                clearing_type=g.clearing_type,
                agency=g.clearing_agency,
                count=g.count,
                total=format_yuan(g.total),
                fund=format_yuan(g.fund),
                verdict=verdict,
            ).render(language)
        )
    for d in report.discrepancies:
        lines.append(
            words.DISCREPANCY(
                kind=discrepancy_label(d.kind.value, d.kind.label, language),
                settlement_id=d.settlement_id,
                msgid=d.msgid or "-",
                total=format_yuan(d.total),
                journal_state=d.journal_state,
            ).render(language)
        )
    shift = report.shift
    lines.append(words.SHIFT_HEAD().render(language))
    for line in shift.lines:
        split = split_text(
            line.total, line.fund, line.account, line.cash, ZERO_YUAN, language=language
        )
        lines.append(
            words.SHIFT_LINE(
                operator=line.operator_code,
                kind=entry_label(line.kind.value, line.kind.label, language),
                count=line.count,
                split=split,
            ).render(language)
        )
    total = split_text(
        shift.total, shift.fund, shift.account, shift.cash, ZERO_YUAN, language=language
    )
    lines.append(words.SHIFT_TOTAL(split=total, reversals=shift.reversals).render(language))
    return "\n".join(lines)


def items_text(items: Sequence[CatalogueItem], language: str = CHINESE) -> str:
    """Search results (names, specifications and classes as the catalogue gives them)."""
    if not items:
        return words.NO_ITEMS().render(language)
    return "\n".join(
        f"{i.hospital_code}  {i.national_code}  {i.name}  {i.spec}  {format_yuan(i.unit_price)}  "
        f"{i.item_class.label}"
        for i in items
    )


_ENTRY_KINDS: dict[str, Template] = {
    "settlement": shift_words.ENTRY_SETTLEMENT,
    "resettlement": shift_words.ENTRY_RESETTLEMENT,
    "cancellation": shift_words.ENTRY_CANCELLATION,
    "partial_refund": shift_words.ENTRY_PARTIAL_REFUND,
    "self_pay": shift_words.ENTRY_SELF_PAY,
    "self_pay_refund": shift_words.ENTRY_SELF_PAY_REFUND,
}
_DISCREPANCIES: dict[str, Template] = {
    "0": day_close_words.KIND_BALANCED,
    "1": day_close_words.KIND_CENTRE_ONLY,
    "2": day_close_words.KIND_HOSPITAL_ONLY,
    "3": day_close_words.KIND_AMOUNTS_DIFFER,
}
_ROLES: dict[str, Template] = auth_words.ROLES


def _labelled(table: dict[str, Template], value: str, chinese: str, language: str) -> str:
    """An enum's label: the domain's Chinese one, or the catalogue's words in ``language``."""
    template = table.get(value)
    return template().render(language) if template is not None else chinese


def entry_label(value: str, chinese: str, language: str = CHINESE) -> str:
    """A shift-report entry kind (医保结算, 结算撤销 …) in ``language``."""
    return _labelled(_ENTRY_KINDS, value, chinese, language)


def kind_label(value: str, chinese: str, language: str = CHINESE) -> str:
    """A group kind / fee category (普通门诊, 门诊慢特病, 全额自费) in ``language``."""
    return _labelled(_KIND_WORDS, value, chinese, language)


def discrepancy_label(value: str, chinese: str, language: str = CHINESE) -> str:
    """A 3202 result row's kind in ``language``."""
    return _labelled(_DISCREPANCIES, value, chinese, language)


def role_message(value: str) -> Message | str:
    """An operator role's words (both languages); its value when unknown."""
    template = _ROLES.get(value)
    return template() if template is not None else value


def role_label(value: str, chinese: str, language: str = CHINESE) -> str:
    """An operator role (收费员, 收费主管 …) in ``language``."""
    return _labelled(_ROLES, value, chinese, language)
