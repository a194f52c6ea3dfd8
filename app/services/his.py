"""The HIS hand-off at the window: the patient's unpaid visits in, a re-check before money moves.

* :meth:`HisService.unpaid_visits` asks the HIS for the patient's unpaid visits and hides lines this
  window has already settled (their result may still be on its way to the HIS).
* :meth:`HisService.load` remembers the picked visits' lines as loaded (price, quantity, version)
  and turns them into one visit for the bill.
* :meth:`HisService.check_lines` runs just before 2207 (and before a self-pay collection): a line
  already paid here, or changed, withdrawn or paid in the HIS since it was loaded, stops the
  settlement with a message naming the line. The HIS being down stops only HIS lines, and only for
  the platform settlement (a self-pay collection goes on: the patient pays at the window).

Results travel back through the outbox (:mod:`app.services.his_results`, :mod:`app.services.his_outbox`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

from app.domain.bill import FeeLine
from app.domain.his import HisChargeLine, HisVisit, PatientKey, PatientKeyKind, changed_lines
from app.errors import InputError
from app.messages import Listing
from app.messages import his as words
from app.services.bill_import import IdentityInput, IdentityKind, ImportedVisit
from app.services.ports.clock import Clock
from app.services.ports.his import HisGateway, HisUnavailable
from app.services.ports.store import UnitOfWorkFactory

log = logging.getLogger(__name__)


class HisService:
    """Unpaid visits from the HIS, and the check that they are still payable as loaded."""

    def __init__(self, gateway: HisGateway, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        """Bind the HIS adapter, the store and the clock."""
        self._gateway = gateway
        self._uow_factory = uow_factory
        self._clock = clock

    @property
    def gateway(self) -> HisGateway:
        """The HIS adapter (the outbox delivers through it too)."""
        return self._gateway

    def unpaid_visits(self, key: PatientKey) -> list[HisVisit]:
        """The patient's unpaid visits, without lines already settled at this window.

        Raises:
            HisUnavailable: the HIS did not answer (the window says so and carries on without it).
        """
        visits = list(self._gateway.unpaid_visits(key))
        ids = [line.charge_id for visit in visits for line in visit.lines]
        with self._uow_factory() as uow:
            loaded = uow.his.loaded(ids)
        paid_here = {cid for cid, charge in loaded.items() if charge.paid_setl_id}
        shown = []
        for visit in visits:
            lines = tuple(line for line in visit.lines if line.charge_id not in paid_here)
            if lines:
                shown.append(replace(visit, lines=lines))
        return shown

    def unpaid_for_person(self, id_number: str) -> list[HisVisit]:
        """:meth:`unpaid_visits` by ID number (what identification always yields)."""
        return self.unpaid_visits(PatientKey(PatientKeyKind.ID_NUMBER, id_number))

    def load(self, visits: Sequence[HisVisit]) -> ImportedVisit:
        """Remember the picked visits' lines and merge them into one visit for the bill.

        The first visit gives the outpatient number, department, doctor and diagnosis (2201 carries
        one of each); every line keeps its HIS charge id as its line number.
        """
        if not visits:
            raise InputError(words.NOTHING_PICKED(), code="his_nothing_picked")
        now = self._clock.now()
        with self._uow_factory() as uow:
            for visit in visits:
                uow.his.note_loaded(visit.visit_no, visit.lines, now)
            uow.commit()
        first = visits[0]
        return ImportedVisit(
            identity=IdentityInput(IdentityKind.ID_NUMBER, first.id_number),
            outpatient_no=first.visit_no,
            dept_code=first.dept_code,
            dept_name=first.dept_name,
            doctor_code=first.doctor_code,
            doctor_name=first.doctor_name,
            lines=tuple(line.to_fee_line() for visit in visits for line in visit.lines),
            diagnosis_code=first.diagnosis_code,
            diagnosis_name=first.diagnosis_name,
            visit_time=first.visit_time,
        )

    def check_lines(self, lines: Sequence[FeeLine], *, require_his: bool = True) -> None:
        """Refuse to settle HIS lines that are paid here, or no longer payable as loaded.

        ``require_his=False`` (a self-pay collection) lets the lines through when the HIS cannot be
        asked; the paid-here check always applies.

        Raises:
            InputError: naming the lines and what to do.
        """
        with self._uow_factory() as uow:
            loaded = uow.his.loaded([line.line_no for line in lines])
        if not loaded:
            return
        paid = [
            words.PAID_ITEM(charge=cid, setl_id=c.paid_setl_id)
            for cid, c in loaded.items()
            if c.paid_setl_id
        ]
        if paid:
            raise InputError(
                words.PAID_HERE(charges=Listing(tuple(paid))),
                code="his_paid_here",
            )
        edited = [
            line.line_no
            for line in lines
            if line.line_no in loaded
            and (line.quantity, line.unit_price)
            != (loaded[line.line_no].line.quantity, loaded[line.line_no].line.unit_price)
        ]
        if edited:
            raise InputError(
                words.LINE_EDITED(charges=Listing(tuple(edited))),
                code="his_line_edited",
            )
        self._compare_with_his([c.line for c in loaded.values()], require_his=require_his)

    def _compare_with_his(self, lines: Sequence[HisChargeLine], *, require_his: bool) -> None:
        try:
            current = self._gateway.current_charges([line.charge_id for line in lines])
        except HisUnavailable as exc:
            if not require_his:
                log.info("HIS not reachable for the re-check; self-pay goes on (%s)", exc.code)
                return
            raise InputError(
                words.UNVERIFIED(),
                code="his_unverified",
            ) from exc
        problems = changed_lines(lines, current)
        if problems:
            raise InputError(
                words.CHANGED(
                    problems=Listing(
                        tuple(reason for _, reason in problems),
                        chinese_separator="；",
                        english_separator="; ",
                    )
                ),
                code="his_changed",
                detail={"charges": ",".join(cid for cid, _ in problems)},
            )


def his_charge_check(his: HisService) -> Callable[[Sequence[FeeLine], bool], None]:
    """:meth:`HisService.check_lines` as the settlement service's ``charge_check``."""

    def check(lines: Sequence[FeeLine], require_his: bool) -> None:
        his.check_lines(lines, require_his=require_his)

    return check
