"""Full self-pay (全额自费) while the platform cannot be reached.

When the platform is down, settlement refuses the cached eligibility (the cache is never used for
money). A patient who does not want to wait may still pay the whole bill in cash: the bill is stored
with one ``self_pay`` group collected locally, under the project's self-pay convention (settlement ID
``ZF`` + a local number, ``med_type`` "", fund = account = 0, total = cash = full self-pay), and its
receipt tells the patient to claim it back at the insured place. No platform call is made at all.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from app.domain.bill import FeeLine
from app.domain.money import money_sum
from app.domain.operator import Action, Operator
from app.domain.plan import GroupKind
from app.domain.settlement import SettlementRecord, full_self_pay_split, full_self_pay_totals
from app.domain.visit import BillStatus, GroupSettlement, GroupState
from app.errors import InputError
from app.messages import offline as words
from app.services.auth import authorize
from app.services.bill_import import ImportedVisit
from app.services.charge_claims import ChargeClaimService
from app.services.eligibility import EligibilityView
from app.services.ports.clock import Clock
from app.services.ports.store import StoredSettlement, UnitOfWork, UnitOfWorkFactory
from app.services.settlement import SELF_PAY_KEY, SELF_PAY_PREFIX, new_bill

log = logging.getLogger(__name__)

OFFLINE_REASON = str(words.REASON())  # stored with the bill: a record, in Chinese
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class OfflineCollection:
    """What was collected: the stored bill and its one self-pay settlement."""

    bill_id: str
    settlement_id: str
    total: Decimal
    line_nos: tuple[str, ...]
    reason: str


class OfflineSelfPayService:
    """Collects a whole bill as full self-pay from cached eligibility, without the platform.

    Args:
        uow_factory: the store.
        clock: wall clock.
        institution_code: this hospital's code (prefix of the local number).
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        institution_code: str,
        window_no: str = "",
    ) -> None:
        self._window_no = window_no
        self._uow_factory = uow_factory
        self._clock = clock
        self._institution_code = institution_code

    def collect(
        self, visit: ImportedVisit, view: EligibilityView, operator: Operator
    ) -> OfflineCollection:
        """Store the visit as a bill paid in full by the patient; no platform call.

        Args:
            visit: the HIS hand-off (every line is collected).
            view: the patient's eligibility from the offline cache.
            operator: the cashier collecting the money.

        Raises:
            PermissionDenied: the operator may not collect money.
            InputError: the view is live (settle normally), the bill is empty, or a line is not in
                the local catalogue and has no name.
        """
        authorize(operator, Action.COLLECT_SELF_PAY)
        if not view.from_cache:
            raise InputError(
                words.PLATFORM_REACHABLE(),
                code="platform_reachable",
            )
        if not visit.lines:
            raise InputError(words.EMPTY_BILL(), code="empty_bill")
        with self._uow_factory() as uow:
            lines = _named_lines(uow, visit.lines)
            now = self._clock.now()
            local_no = uow.msgids.next_msgid(self._institution_code, now)
            bill = new_bill(visit, view, lines, now, status=BillStatus.SETTLED)
            # A charge is paid once, offline too: claimed in the collection's own transaction.
            refusal = ChargeClaimService(self._uow_factory, self._clock).claim_within(
                uow, bill, [line.line_no for line in lines], operator.code
            )
            if refusal is not None:
                raise refusal
            record = SettlementRecord(
                settlement_id=SELF_PAY_PREFIX + local_no,
                visit_id="",
                msgid=local_no,
                med_type="",
                disease_code=None,
                insurance_type=bill.insurance_type,
                settled_at=now,
                totals=full_self_pay_totals(money_sum(line.amount for line in lines)),
                splits=tuple(full_self_pay_split(line.line_no, line.amount) for line in lines),
            )
            group = GroupSettlement(
                bill_id=bill.bill_id,
                group_key=SELF_PAY_KEY,
                state=GroupState.SELF_PAY_COLLECTED,
                kind=GroupKind.SELF_PAY,
                disease_code=None,
                line_nos=tuple(line.line_no for line in lines),
                record=record,
                self_pay_reason=OFFLINE_REASON,
            )
            uow.bills.save(bill)
            uow.bills.save_group(group)
            uow.bills.set_status(bill.bill_id, BillStatus.SETTLED)
            uow.settlements.add(
                StoredSettlement(
                    record=record,
                    bill_id=bill.bill_id,
                    group_key=SELF_PAY_KEY,
                    operator_code=operator.code,
                    window=self._window_no,
                )
            )
            uow.audit.append(
                now,
                operator.code,
                "offline_self_pay",
                "ok",
                f"{len(lines)} lines",
                bill_id=bill.bill_id,
                msgid=local_no,
            )
            uow.commit()
        log.info("offline full self-pay %s collected (%d lines)", record.settlement_id, len(lines))
        return OfflineCollection(
            bill_id=bill.bill_id,
            settlement_id=record.settlement_id,
            total=record.totals.total,
            line_nos=group.line_nos,
            reason=OFFLINE_REASON,
        )


def _named_lines(uow: UnitOfWork, lines: Sequence[FeeLine]) -> tuple[FeeLine, ...]:
    """Lines with name/national code from the cached catalogue where the HIS left them out."""
    named: list[FeeLine] = []
    for line in lines:
        if line.name:
            named.append(line)
            continue
        item = uow.catalogue.get(line.hospital_code)
        if item is None:
            raise InputError(
                words.LINE_NOT_IN_CATALOGUE(line_no=line.line_no, code=line.hospital_code),
                code="line_not_in_catalogue",
            )
        named.append(
            replace(
                line,
                name=item.name,
                national_code=line.national_code or item.national_code,
                spec=line.spec or item.spec,
            )
        )
    return tuple(named)
