"""The window's :class:`~app.workers.backend.CashierBackend` over the settlement engine.

A thin thread adapter: it calls only :class:`app.services.engine.Engine`'s use cases (never a
service behind it — ``tests/unit/test_architecture.py``) and the card reader, and keeps what the
window shows about the platform (online, maintenance notice) from the outcome of the calls it
forwards plus a cheap reachability probe. It holds no money logic of its own and reads no store
itself. Its only state besides that is the HIS hand-off context of the last
:data:`HANDED_VISITS_KEPT` patients (bounded), kept until their bill is opened.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from app.domain.bill import FeeLine, general_lines_without_diagnosis
from app.domain.catalogue import CatalogueItem
from app.domain.his import HisVisit
from app.domain.hospital import HospitalProfile
from app.domain.operator import Action, Operator
from app.errors import (
    DeviceError,
    InputError,
    OutcomeUnknown,
    PlatformMaintenance,
    PlatformUnavailable,
)
from app.messages import window as words
from app.services.bill_import import IdentityInput, IdentityKind, ImportedVisit
from app.services.cancel import CancelResult, RefundResult, SupervisorApproval
from app.services.day_close import DayCloseReport
from app.services.eligibility import EligibilityView
from app.services.engine import Engine
from app.services.hospital_day_close import HospitalDayCloseReport
from app.services.offline import OfflineCollection
from app.services.ports.devices import CardReader
from app.services.receipts import PrintedReceipt
from app.services.recovery import QueueRow, RecoverySummary
from app.services.settlement import BillResult, GroupResult
from app.validation.diagnosis import MAX_NAME, is_diagnosis_code, normalized_diagnosis_code
from app.workers.backend import Connection, Diagnosis, SettledRow, SupervisorCredential

log = logging.getLogger(__name__)

HANDED_VISITS_KEPT = 8
T = TypeVar("T")

HandOff = Callable[[EligibilityView], ImportedVisit | None]
Probe = Callable[[], bool]


@dataclass(frozen=True)
class WindowDefaults:
    """Visit context used when the cashier builds a bill without a HIS hand-off."""

    dept_code: str = "MZ"
    dept_name: str = "门诊"
    doctor_code: str = "D000"
    doctor_name: str = "门诊医生"


class EngineBackend:
    """Adapts the engine, the card reader and the receipt output to the window's needs."""

    def __init__(
        self,
        engine: Engine,
        *,
        card_reader: CardReader | None,
        hand_off: HandOff | None = None,
        probe: Probe | None = None,
        defaults: WindowDefaults | None = None,
    ) -> None:
        self._engine = engine
        self._card_reader = card_reader
        self._hand_off = hand_off
        self._probe = probe
        self._defaults = defaults or WindowDefaults()
        # The HIS context of the patients handed over recently (the window works on one at a time;
        # a few are kept so going back to the previous patient still finds theirs). Bounded.
        self._visits: OrderedDict[str, ImportedVisit] = OrderedDict()
        self._lock = threading.Lock()
        self._online: bool | None = None
        self._maintenance_text = ""

    @property
    def hospital(self) -> HospitalProfile:
        """This hospital's profile."""
        return self._engine.settings.hospital

    # ------------------------------------------------------------------ platform state
    def _observed(self, call: Callable[[], T]) -> T:
        """Run a platform-facing call and remember what it said about the platform."""
        try:
            result = call()
        except PlatformMaintenance as exc:
            self._note(online=True, maintenance=exc.failure.platform_text or exc.text)
            raise
        except (PlatformUnavailable, OutcomeUnknown):
            self._note(online=False)
            raise
        if isinstance(result, EligibilityView) and result.from_cache:
            self._note(online=False)
        else:
            self._note(online=True)
        return result

    def _note(self, *, online: bool, maintenance: str = "") -> None:
        with self._lock:
            self._online = online
            self._maintenance_text = maintenance

    def connection(self) -> Connection:
        """Probe reachability, count unresolved journal rows."""
        if self._probe is not None:
            reachable = self._probe()
            with self._lock:
                if not reachable:
                    self._online = False
                elif self._online is None or not self._online:
                    self._online = True
        with self._lock:
            online, maintenance = bool(self._online), self._maintenance_text
        return Connection(
            online=online,
            unresolved=len(self._engine.journal()),
            checked_at=self._engine.clock.now(),
            maintenance_text=maintenance,
            his_pending=self._engine.his_pending(),
        )

    # ------------------------------------------------------------------ people
    def idle_expired(self, last_activity: float, now: float) -> bool:
        """The auth service's idle rule (``ui.idle_lock_minutes``)."""
        return self._engine.idle_expired(last_activity, now)

    def login(self, code: str, password: str, *, otp: str = "") -> Operator:
        """Password (and one-time code) check with lockout (the auth service)."""
        return self._engine.login(code, password, otp)

    def read_card(self) -> str:
        """The inserted card's raw string."""
        if self._card_reader is None:
            raise DeviceError(words.NO_CARD_READER())
        return self._card_reader.read_card()

    def identify(self, operator: Operator, identity: IdentityInput) -> EligibilityView:
        """1101 + 5301 (cache fallback inside the engine)."""
        return self._observed(lambda: self._engine.identify(identity, operator))

    def search_catalogue(self, text: str, limit: int) -> Sequence[CatalogueItem]:
        """The cached catalogue."""
        return self._engine.search_catalogue(text, limit)

    def hand_off(self, view: EligibilityView) -> tuple[FeeLine, ...]:
        """The HIS hand-off lines for this patient, if the HIS has a visit waiting."""
        visit = self._hand_off(view) if self._hand_off is not None else None
        if visit is None:
            return ()
        self._remember(view.person.person_no, visit)
        return visit.lines

    def has_his(self) -> bool:
        """Whether a HIS is configured."""
        return self._engine.has_his()

    def _remember(self, person_no: str, visit: ImportedVisit) -> None:
        with self._lock:
            self._visits[person_no] = visit
            self._visits.move_to_end(person_no)
            while len(self._visits) > HANDED_VISITS_KEPT:
                self._visits.popitem(last=False)

    def his_visits(self, view: EligibilityView) -> Sequence[HisVisit]:
        """The patient's unpaid HIS visits (by ID number)."""
        return self._engine.his_visits(view.person.id_number)

    def load_his_visits(
        self, view: EligibilityView, visits: Sequence[HisVisit]
    ) -> tuple[FeeLine, ...]:
        """Remember the picked visits; the bill keeps the first one's outpatient context."""
        visit = self._engine.load_his_visits(visits)
        if visit is None:
            return ()
        self._remember(view.person.person_no, visit)
        return visit.lines

    def his_diagnosis(self, view: EligibilityView) -> Diagnosis | None:
        """The diagnosis of the HIS visit loaded for this patient, if it has one."""
        with self._lock:
            handed = self._visits.get(view.person.person_no)
        if handed is None or not handed.diagnosis_code.strip():
            return None
        return Diagnosis(handed.diagnosis_code, handed.diagnosis_name)

    # ------------------------------------------------------------------ money
    def open_bill(
        self,
        operator: Operator,
        view: EligibilityView,
        lines: Sequence[FeeLine],
        diagnosis: Diagnosis | None = None,
    ) -> BillResult:
        """Save and plan the bill with the lines as the cashier left them.

        ``diagnosis`` is the one typed at the window; the HIS visit's, when it has one, is used
        instead. Either goes to the bill and from there to 2203, the same way.

        Raises:
            InputError: general-outpatient lines and no diagnosis, or a typed diagnosis whose
                code is malformed or has no name: refused before anything is saved or sent.
        """
        visit = self._visit(view, lines, diagnosis)
        general = general_lines_without_diagnosis(visit.lines, visit.diagnosis_code)
        if general:
            raise InputError(
                words.DIAGNOSIS_NEEDED(lines="、".join(general)), code="diagnosis_needed"
            )
        return self._engine.open_bill(visit, view, operator)

    def collect_offline_self_pay(
        self, operator: Operator, view: EligibilityView, lines: Sequence[FeeLine]
    ) -> OfflineCollection:
        """The whole bill as 全额自费 from the cached eligibility (no platform call)."""
        return self._engine.collect_offline_self_pay(self._visit(view, lines), view, operator)

    def _visit(
        self, view: EligibilityView, lines: Sequence[FeeLine], typed: Diagnosis | None = None
    ) -> ImportedVisit:
        """The visit as the cashier left it, with the HIS hand-off's context when there was one."""
        with self._lock:
            handed = self._visits.get(view.person.person_no)
        defaults = self._defaults
        diagnosis = self.his_diagnosis(view) or _checked(typed)
        visit = ImportedVisit(
            identity=handed.identity
            if handed
            else IdentityInput(IdentityKind.ID_NUMBER, view.person.id_number),
            outpatient_no=handed.outpatient_no if handed else "",
            dept_code=handed.dept_code if handed else defaults.dept_code,
            dept_name=handed.dept_name if handed else defaults.dept_name,
            doctor_code=handed.doctor_code if handed else defaults.doctor_code,
            doctor_name=handed.doctor_name if handed else defaults.doctor_name,
            lines=tuple(lines),
            diagnosis_code=diagnosis.code if diagnosis else "",
            diagnosis_name=diagnosis.name if diagnosis else "",
            visit_time=handed.visit_time if handed else None,
        )
        return visit

    def preview(self, operator: Operator, bill_id: str, group_key: str) -> GroupResult:
        """2201 → 2206 for one group."""
        return self._observed(lambda: self._engine.preview(bill_id, group_key, operator))

    def confirm(self, operator: Operator, bill_id: str, group_key: str) -> GroupResult:
        """2207 for one group."""
        return self._observed(lambda: self._engine.confirm(bill_id, group_key, operator))

    def collect_self_pay(self, operator: Operator, bill_id: str, group_key: str) -> GroupResult:
        """A full-self-pay group, recorded locally."""
        return self._engine.collect_self_pay(bill_id, group_key, operator)

    def bill(self, bill_id: str) -> BillResult:
        """The bill as stored now."""
        return self._engine.bill(bill_id)

    def recover(self) -> RecoverySummary:
        """One recovery pass (one attempt per row; the window retries on a timer)."""
        return self._observed(lambda: self._engine.start(wait=False))

    def receipts(
        self, operator: Operator, bill_id: str, *, reprint: bool, unissued_only: bool = False
    ) -> tuple[PrintedReceipt, ...]:
        """Issue (or copy) and print a bill's receipts (``unissued_only``: those not issued yet)."""
        return self._engine.print_receipts(
            bill_id, operator, reprint=reprint, unissued_only=unissued_only
        )

    def receipt_preview(self, settlement_id: str) -> bytes:
        """The live receipt, rendered only."""
        return self._engine.receipt_preview(settlement_id)

    def copy_receipt(self, operator: Operator, settlement_id: str) -> PrintedReceipt:
        """补打 of one settlement's live receipt."""
        return self._engine.copy_receipt(settlement_id, operator)

    def eligibility_slip(self, operator: Operator, view: EligibilityView) -> bytes:
        """The eligibility slip PDF."""
        return self._engine.eligibility_slip(view, operator)

    def today(self) -> tuple[SettledRow, ...]:
        """Today's settlements (local day), newest first."""
        return self._engine.settled_today()

    def cancel(
        self,
        operator: Operator,
        settlement_id: str,
        supervisor_code: str,
        password: str,
        *,
        otp: str = "",
    ) -> CancelResult:
        """2208 with the supervisor's credential."""
        approval = SupervisorApproval(supervisor_code, password, otp)
        return self._observed(lambda: self._engine.cancel(settlement_id, operator, approval))

    def journal(self) -> tuple[QueueRow, ...]:
        """Unresolved journal rows."""
        return self._engine.journal()

    def resolve(
        self,
        operator: Operator,
        msgid: str,
        supervisor_code: str,
        password: str,
        *,
        otp: str = "",
    ) -> str:
        """A supervisor's own credential (lockout applies), then one reversal attempt."""
        del operator  # whoever is logged in; the supervisor acts under their own code
        supervisor = self._engine.login(supervisor_code, password, otp)
        return self._observed(lambda: self._engine.resolve(msgid, supervisor))

    def settlement_lines(self, settlement_id: str) -> tuple[FeeLine, ...]:
        """The lines of the settlement's group, in bill order."""
        return self._engine.settlement_lines(settlement_id)

    def reissue(
        self,
        operator: Operator,
        settlement_id: str,
        supervisor_code: str,
        password: str,
        *,
        otp: str = "",
    ) -> tuple[PrintedReceipt, ...]:
        """重打 the settlement's live receipt, authorised by another person's supervisor credential."""
        supervisor = self._engine.authorize_supervisor(
            Action.REISSUE_RECEIPT, supervisor_code, password, otp, requested_by=operator
        )
        return (self._engine.reissue_receipt(settlement_id, operator, supervisor),)

    def partial_refund(
        self,
        operator: Operator,
        settlement_id: str,
        returned_line_nos: Sequence[str],
        supervisor_code: str,
        password: str,
        *,
        otp: str = "",
    ) -> RefundResult:
        """Cancel (2208) and re-settle what the patient keeps, with the supervisor's credential."""
        approval = SupervisorApproval(supervisor_code, password, otp)
        return self._observed(
            lambda: self._engine.partial_refund(
                settlement_id, tuple(returned_line_nos), operator, approval
            )
        )

    def refund_receipts(
        self, operator: Operator, result: RefundResult
    ) -> tuple[PrintedReceipt, ...]:
        """The refund receipt (部分退费), then the receipts of the re-settled lines."""
        return self._engine.refund_receipts(result, operator)

    def day_close(
        self, operator: Operator, supervisor: SupervisorCredential | None = None
    ) -> DayCloseReport | HospitalDayCloseReport:
        """Reconcile today (local day), as the logged-in supervisor or the one who authorised it."""
        approval = (
            SupervisorApproval(supervisor.code, supervisor.password, supervisor.otp)
            if supervisor is not None
            else None
        )
        return self._observed(lambda: self._engine.close_today(operator, approval=approval))


def _checked(typed: Diagnosis | None) -> Diagnosis | None:
    """A typed diagnosis in the catalogue's form (``None`` when nothing was typed).

    Raises:
        InputError: the code is not a 医保版 ICD-10 code's form, or the name is missing or long.
    """
    if typed is None or not (typed.code.strip() or typed.name.strip()):
        return None
    code, name = normalized_diagnosis_code(typed.code), typed.name.strip()
    if not is_diagnosis_code(code):
        raise InputError(words.DIAGNOSIS_CODE_FORM(code=code), code="diagnosis_invalid")
    if not name or len(name) > MAX_NAME:
        raise InputError(
            words.DIAGNOSIS_NAME_NEEDED(code=code, max=MAX_NAME), code="diagnosis_invalid"
        )
    return Diagnosis(code, name)
