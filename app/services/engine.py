"""The settlement engine: the one typed use-case API of the program.

Built by :func:`app.wiring.build_engine`. The CLI and the window's adapter
(:class:`app.workers.engine_backend.EngineBackend`) call only the methods below — each use case once,
here; they never reach the services behind it (``tests/unit/test_architecture.py``). Every method
is synchronous (call it from a worker thread, never the GUI thread), returns frozen values and raises
only :class:`app.errors.AppError` subclasses for expected failures. The service fields are the
composition's wiring, not API (see docs/architecture.md for the layers).

Typical use::

    engine = build_engine(settings, data_dir)
    summary = engine.start()                       # recovery before anything else (RecoverySummary)
    view = engine.identify(identity, operator)     # EligibilityView (live, or cached when offline)
    bill = engine.open_bill(visit, view, operator) # BillResult with planned groups
    bill = engine.settle(bill.bill_id, operator, confirm=lambda group: True)
    engine.cancel(settlement_id, operator, SupervisorApproval(code, password))
    report = engine.close_day(day, supervisor)     # DayCloseReport
    engine.close()

Step by step instead of :meth:`settle` (what the window does): :meth:`preview` → show
``GroupResult.preview`` → :meth:`confirm` (:func:`app.domain.lifecycle.next_step` says which step
comes next).

The window's adapter adds only the window's concerns (the platform's state as last seen, the HIS
hand-off of the patient on screen, the card reader); anything that reads the store is a method here
(the workers open no unit of work).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time
from pathlib import Path

from app.domain.bill import FeeLine
from app.domain.catalogue import CatalogueItem
from app.domain.his import HisVisit
from app.domain.journal import JournalState
from app.domain.operator import Action, Operator, allows
from app.domain.shift_report import ShiftReport
from app.errors import ConfigError, DeviceError, InputError, PermissionDenied, RecoveryPending
from app.messages import Template
from app.messages import engine as engine_words
from app.messages import settlement as words
from app.services.bill_import import ImportedVisit
from app.services.cancel import CancelResult, CancelService, RefundResult, SupervisorApproval
from app.services.catalogue import CatalogueService, SyncResult
from app.services.charge_claims import ChargeClaimService
from app.services.day_close import LOCAL_ZONE, DayCloseReport, DayCloseService
from app.services.day_settlements import DaySettlements
from app.services.eligibility import EligibilityView
from app.services.his import HisService
from app.services.his_outbox import HisOutbox
from app.services.hospital_cancel import HospitalCancelService
from app.services.hospital_day_close import HospitalDayCloseReport, HospitalDayCloseService
from app.services.hospital_history import HospitalHistory
from app.services.hospital_use_cases import (
    HospitalHistoryRows,
    HospitalOverview,
    HospitalUseCases,
    UnresolvedCall,
)
from app.services.lookup import LookupEngine
from app.services.offline import OfflineCollection, OfflineSelfPayService
from app.services.ports.claim_conflicts import ClaimConflict
from app.services.ports.his import OutboxItem
from app.services.ports.progress import ProgressSink
from app.services.receipts import PrintedReceipt, ReceiptService
from app.services.recovery import QueueRow
from app.services.settled_row import SettledRow
from app.services.settlement import BillResult, ConfirmCallback, GroupResult, SettlementService
from app.services.shift_report import RenderedShiftReport, ShiftReportRenderer, ShiftReportService

HIS_RESULTS_LISTED = 10_000
HIS_DELIVERY_PASSES = 20


@dataclass
class Engine(LookupEngine):
    """The use cases over the services, settings and clock it is built with (see the module
    docstring); the fields are the composition's wiring, the methods are the API. Recovery, the
    login and identification are :class:`LookupEngine`'s."""

    settlement: SettlementService
    cancellation: CancelService
    day_close: DayCloseService
    catalogue: CatalogueService
    receipts: ReceiptService | None = None
    his: HisService | None = None  # the HIS hand-off, when a HIS is configured
    his_outbox: HisOutbox | None = None
    # Hospital mode: cancellations go through the hospital's cancel claim (any window's settlement).
    hospital_cancel: HospitalCancelService | None = None
    # Hospital mode: the day close reconciles every window's settlements (issue 13 item 6).
    hospital_day_close: HospitalDayCloseService | None = None
    # Hospital mode: the window's history of every window, import, overview and hospital-wide report.
    hospital: HospitalUseCases | None = None
    # The claims on HIS charges (hospital mode: pushes those taken under the HIS lock on reconnect).
    claims: ChargeClaimService | None = None

    # ------------------------------------------------------------------ life cycle

    def today(self) -> date:
        """The local date now (Asia/Shanghai): the day a day close or a shift report is about."""
        return self.clock.now().astimezone(LOCAL_ZONE).date()

    # ------------------------------------------------------------------ money

    def open_bill(
        self, visit: ImportedVisit, view: EligibilityView, operator: Operator
    ) -> BillResult:
        """A planned bill for a visit and a live eligibility view."""
        return self.settlement.open_bill(visit, view, operator)

    def settle(
        self, bill_id: str, operator: Operator, confirm: ConfirmCallback | None = None
    ) -> BillResult:
        """Settle every open group (``confirm`` sees each 2206 preview)."""
        return self.settlement.settle(bill_id, operator, confirm)

    def preview(self, bill_id: str, group_key: str, operator: Operator) -> GroupResult:
        """2201 → 2206 for one group (resuming where it stands); the preview to show."""
        return self.settlement.preview(bill_id, group_key, operator)

    def confirm(self, bill_id: str, group_key: str, operator: Operator) -> GroupResult:
        """2207 for a previewed group."""
        return self.settlement.confirm(bill_id, group_key, operator)

    def collect_self_pay(self, bill_id: str, group_key: str, operator: Operator) -> GroupResult:
        """A full-self-pay group, recorded locally (no platform call)."""
        return self.settlement.collect_self_pay(bill_id, group_key, operator)

    def settle_visit(
        self,
        visit: ImportedVisit,
        operator: Operator,
        confirm: ConfirmCallback | None = None,
        *,
        use_account: bool = True,
    ) -> BillResult:
        """Identify (live only), open and settle in one go (the CLI's ``settle --bill``);
        ``use_account=False``: the patient declines paying from the personal account."""
        view = self.eligibility.identify(visit.identity, operator)
        if view.from_cache:
            # The platform's own failure (exit 4 on the CLI): a cached answer cannot be settled.
            if view.offline_reason is not None:
                raise view.offline_reason
            raise InputError(view.notice or words.OFFLINE(), code="offline")
        return self.settlement.open_and_settle(
            visit, view, operator, confirm, use_account=use_account
        )

    def collect_offline_self_pay(
        self, visit: ImportedVisit, view: EligibilityView, operator: Operator
    ) -> OfflineCollection:
        """Platform unreachable: collect the whole visit as 全额自费 from cached eligibility."""
        offline = OfflineSelfPayService(
            self.uow_factory,
            self.clock,
            self.settings.hospital.code,
            window_no=self.settings.window.device_no,
        )
        return offline.collect(visit, view, operator)

    def bill(self, bill_id: str) -> BillResult:
        """A bill's current state."""
        return self.settlement.bill(bill_id)

    def cancel(
        self, settlement_id: str, operator: Operator, approval: SupervisorApproval
    ) -> CancelResult:
        """Cancel a settlement with a supervisor's authorisation."""
        return self._cancels().cancel(settlement_id, operator, approval)

    def partial_refund(
        self,
        settlement_id: str,
        returned_line_nos: Collection[str],
        operator: Operator,
        approval: SupervisorApproval,
    ) -> RefundResult:
        """Cancel and re-settle the kept lines as a linked bill."""
        return self._cancels().partial_refund(settlement_id, returned_line_nos, operator, approval)

    def settled_today(self) -> tuple[SettledRow, ...]:
        """This window's settlements of today (local day), newest first, for the history list."""
        return self._day_settlements().today()

    def settlement_people(self, settlement_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Masked person number and patient name of each settlement this store knows."""
        return self._day_settlements().people(settlement_ids)

    def settlement_lines(self, settlement_id: str) -> tuple[FeeLine, ...]:
        """The fee lines one settlement covers, in bill order (what a partial refund picks from)."""
        return self._day_settlements().lines(settlement_id)

    def _day_settlements(self) -> DaySettlements:
        return DaySettlements(self.uow_factory, self.clock)

    def _cancels(self) -> CancelService | HospitalCancelService:
        return self.hospital_cancel if self.hospital_cancel is not None else self.cancellation

    # ------------------------------------------------------------------ catalogue and HIS

    def search_catalogue(self, text: str, limit: int = 50) -> tuple[CatalogueItem, ...]:
        """The cached catalogue's items matching ``text`` (code, name or pinyin initials)."""
        return self.catalogue.search(text, limit)

    def import_catalogue(self, path: Path, progress: ProgressSink | None = None) -> int:
        """Import a catalogue file (cancellable until the commit); the number of items."""
        return self.catalogue.import_file(path, progress)

    def sync_catalogue(
        self, operator: Operator, progress: ProgressSink | None = None
    ) -> SyncResult:
        """Download 1301/1305/1306 and apply them (cancellable between downloads)."""
        return self.catalogue.sync(operator, progress)

    def has_his(self) -> bool:
        """Whether a HIS is configured."""
        return self.his is not None

    def his_visits(self, id_number: str) -> Sequence[HisVisit]:
        """The patient's unpaid HIS visits by ID number (none without a HIS)."""
        return self.his.unpaid_for_person(id_number) if self.his is not None else ()

    def load_his_visits(self, visits: Sequence[HisVisit]) -> ImportedVisit | None:
        """The picked HIS visits merged into one visit for the bill (``None`` without a HIS)."""
        if self.his is None or not visits:
            return None
        return self.his.load(visits)

    def his_pending(self) -> int | None:
        """HIS results not yet delivered (``None`` without a HIS outbox)."""
        return self.his_outbox.pending_count() if self.his_outbox is not None else None

    def his_results(self) -> tuple[OutboxItem, ...]:
        """The results the HIS has not acknowledged yet (waiting or refused), oldest first."""
        with self.uow_factory() as uow:
            return tuple(uow.his.due(self.clock.now(), HIS_RESULTS_LISTED))

    def deliver_his_results(self, *, refused_too: bool = False) -> int:
        """Deliver now, pass after pass, until nothing more is acknowledged (``refused_too``: send
        the results the HIS refused again); the number delivered.

        Raises:
            ConfigError: no HIS is configured.
        """
        if self.his_outbox is None:
            raise ConfigError(engine_words.HIS_NOT_CONFIGURED(), code="config")
        delivered = 0
        for _ in range(HIS_DELIVERY_PASSES):
            self.his_outbox.retry_now(refused_too=refused_too)
            done = self.his_outbox.deliver_due()
            delivered += done.delivered
            if done.pending == 0 or not done.delivered:
                break
        return delivered

    # ------------------------------------------------------------------ receipts

    def print_receipts(
        self,
        bill_id: str,
        operator: Operator,
        *,
        reprint: bool = False,
        unissued_only: bool = False,
    ) -> tuple[PrintedReceipt, ...]:
        """Issue (or copy, ``reprint``) and print a bill's receipts (``unissued_only``: only the
        settlements without a receipt yet)."""
        receipts = self._receipts()
        return tuple(
            receipts.issue_for_bill(bill_id, operator, reprint=reprint, unissued_only=unissued_only)
        )

    def receipt_preview(self, settlement_id: str) -> bytes:
        """The settlement's live receipt, rendered only."""
        return self._receipts().preview_pdf(settlement_id)

    def copy_receipt(self, settlement_id: str, operator: Operator) -> PrintedReceipt:
        """补打 of one settlement's live receipt."""
        service = self._receipts()
        live = self._live_receipt(service, settlement_id, engine_words.COPY_NO_RECEIPT, "copy")
        return service.copy(live, operator)

    def reissue_receipt(
        self, settlement_id: str, operator: Operator, supervisor: Operator
    ) -> PrintedReceipt:
        """重打 of the settlement's live receipt (a new number; the old one voided), authorised by
        ``supervisor`` (see :meth:`authorize_supervisor`)."""
        service = self._receipts()
        live = self._live_receipt(
            service, settlement_id, engine_words.REISSUE_NO_RECEIPT, "reissue"
        )
        return service.reissue(live, operator, supervisor)

    def refund_receipts(
        self, result: RefundResult, operator: Operator
    ) -> tuple[PrintedReceipt, ...]:
        """The refund receipt (部分退费), then the receipts of the re-settled lines."""
        service = self._receipts()
        printed = [service.issue(result.cancellation.cancellation_id, operator, refund=True)]
        if result.resettled is not None and any(g.settlement_id for g in result.resettled.groups):
            printed.extend(service.issue_for_bill(result.resettled.bill_id, operator))
        return tuple(printed)

    def eligibility_slip(self, view: EligibilityView, operator: Operator) -> bytes:
        """The eligibility slip PDF."""
        return self._receipts().eligibility_slip_pdf(view, operator)

    def _receipts(self) -> ReceiptService:
        if self.receipts is None:
            raise DeviceError(engine_words.RECEIPTS_NOT_CONFIGURED())
        return self.receipts

    @staticmethod
    def _live_receipt(
        service: ReceiptService, settlement_id: str, missing: Template, what: str
    ) -> str:
        live = [r for r in service.receipts_for(settlement_id) if not r.voided_by]
        if not live:
            raise InputError(missing(settlement_id=settlement_id), code=f"{what}_no_receipt")
        return live[-1].receipt_no

    # ------------------------------------------------------------------ shift report

    def shift_report(
        self,
        viewer: Operator,
        day: date,
        *,
        operator_code: str | None = None,
        start: time | None = None,
        end: time | None = None,
    ) -> ShiftReport:
        """The report of ``operator_code``'s shift on ``day`` at this window (``None``: the
        viewer's own, or for a supervisor everyone's), from what the store holds now.

        Raises:
            PermissionDenied: a cashier asked for someone else's shift.
        """
        service = self._shift_reports()
        scope = service.scope(viewer, day=day, operator_code=operator_code, start=start, end=end)
        return service.report(scope)

    def render_shift_report(
        self, report: ShiftReport, viewer: Operator, renderer: ShiftReportRenderer
    ) -> RenderedShiftReport:
        """The report's PDF, audited as a print (补打 after the first)."""
        return self._shift_reports().render(report, viewer, renderer)

    def _shift_reports(self) -> ShiftReportService:
        return ShiftReportService.for_engine(self)

    # ------------------------------------------------------------------ journal and day close

    def journal(self) -> tuple[QueueRow, ...]:
        """Unresolved journal rows (escalated included)."""
        return self.recovery.unresolved()

    def resolve(self, msgid: str, supervisor: Operator) -> JournalState:
        """A supervisor retries an escalated reversal; returns the row's new state."""
        return self.recovery.resolve_escalated(msgid, supervisor)

    def close_day(
        self, day: date, operator: Operator, progress: ProgressSink | None = None
    ) -> DayCloseReport:
        """Withdraw the day's abandoned visits, then reconcile and store the day close
        (``progress``: see :mod:`app.services.ports.progress`).

        Raises:
            RecoveryPending: a registration is still open (in another running program, or its
                withdrawal got no answer); the day close lists none left open.
        """
        if allows(operator.role, Action.DAY_CLOSE):  # else the day close refuses, touching nothing
            visits = self.recovery.close_abandoned_visits()
            if visits.left_open:
                raise RecoveryPending(
                    words.VISITS_OPEN(
                        open=visits.left_open,
                        busy=visits.elsewhere + visits.in_use,
                        failed=visits.failed,
                    ),
                    detail={"open_visits": str(visits.left_open)},
                )
        return self.day_close.close(day, operator, progress)

    def close_today(
        self,
        operator: Operator,
        progress: ProgressSink | None = None,
        *,
        approval: SupervisorApproval | None = None,
    ) -> DayCloseReport | HospitalDayCloseReport:
        """The window's day close of today: the whole hospital's in hospital mode (it reconciles
        every window's records at once; ``progress`` sees its steps too), else :meth:`close_day`. ``approval``: a
        supervisor's own credential when the logged-in ``operator`` is not one.

        Raises:
            PermissionDenied: the approval is the operator's own, or the credential is wrong.
        """
        closer = operator
        if approval is not None:
            if approval.code == operator.code:
                raise PermissionDenied(engine_words.DAY_CLOSE_SELF(), code="day_close_self")
            closer = self.login(approval.code, approval.password, approval.otp)
        day = self.today()
        if self.hospital_day_close is not None:
            return self.hospital_day_close.close(day, closer, progress)
        return self.close_day(day, closer, progress)

    # ------------------------------------------------------------------ hospital mode

    def in_hospital_mode(self) -> bool:
        """Whether this window works in hospital mode (its ``hospital_*`` use cases are there)."""
        return self.hospital is not None

    def hospital_history(self, window: str | None = None) -> HospitalHistoryRows:
        """Hospital mode: today's settlements of every window (or of ``window``), newest first."""
        return self._hospital().history(self.today(), window, self.settlement_people)

    def hospital_day(self, day: date, window: str | None = None) -> HospitalHistory:
        """Hospital mode: ``day``'s settlements of every window (or of ``window``), as the hospital
        record and this window's unsynced rows hold them."""
        return self._hospital().day(day, window)

    def hospital_prepare(self, settlement_id: str) -> None:
        """Hospital mode: bring another window's settlement, bill and receipts here (补打, 重打,
        partial refund work on this window's store); this window's own: only receipts voided
        elsewhere."""
        self._hospital().prepare(settlement_id)

    def hospital_overview(self) -> HospitalOverview:
        """Hospital mode: every window today (``hospital status``'s figures; no personal data).

        Raises:
            StoreError: the hospital database is unreachable.
        """
        return self._hospital().overview(self.today())

    def hospital_conflicts(self, *, include_handled: bool = False) -> tuple[ClaimConflict, ...]:
        """Hospital mode: offline charge-claim conflicts not yet handled (``include_handled``:
        every one), newest first, with both bills' settlements.

        Raises:
            StoreError: the hospital database is unreachable.
        """
        return self._hospital().conflicts(include_handled=include_handled)

    def handle_hospital_conflict(
        self, conflict_id: int, supervisor: Operator, note: str
    ) -> ClaimConflict:
        """Hospital mode: a supervisor marks a charge-claim conflict handled, saying what was done
        (audited at this window; nothing is refunded by it).

        Raises:
            PermissionDenied: not a supervisor.
            InputError: no note, no such conflict, handled already, or the server is unreachable.
        """
        return self._hospital().handle_conflict(conflict_id, supervisor, note)

    def hospital_shift_report(
        self,
        viewer: Operator,
        day: date,
        window: str | None = None,
        operator_code: str | None = None,
        *,
        start: time | None = None,
        end: time | None = None,
    ) -> ShiftReport:
        """Hospital mode: the hospital-wide shift report of ``day`` (or of one window / operator,
        or of the hours ``start`` to ``end``).

        Raises:
            PermissionDenied: the viewer is not a supervisor.
        """
        return self._hospital().shift_report(
            viewer, day, window, operator_code, start=start, end=end
        )

    def render_hospital_shift_report(
        self, report: ShiftReport, viewer: Operator, renderer: ShiftReportRenderer
    ) -> RenderedShiftReport:
        """Hospital mode: the hospital-wide report's PDF, audited at this window as a print."""
        return self._hospital().render_shift_report(report, viewer, renderer)

    def hospital_close_day(
        self, day: date, operator: Operator, progress: ProgressSink | None = None
    ) -> HospitalDayCloseReport:
        """Hospital mode: the whole hospital's day close of ``day`` (refused naming the windows not
        ready; ``progress``: see :mod:`app.services.ports.progress`)."""
        if self.hospital_day_close is None:
            raise ConfigError(engine_words.NOT_HOSPITAL_MODE(), code="config")
        return self.hospital_day_close.close(day, operator, progress)

    def hospital_unresolved(self) -> tuple[UnresolvedCall, ...]:
        """Hospital mode: every window's calls without a definite outcome, each with whether its
        window runs (``hospital unresolved``).

        Raises:
            StoreError: the hospital database is unreachable.
        """
        return self._hospital().unresolved()

    def hospital_resolve(self, msgid: str, supervisor: Operator) -> JournalState:
        """Hospital mode: a supervisor resolves a dead window's call ``msgid`` at this window; returns
        the row's state here (``hospital resolve``).

        Raises:
            PermissionDenied: the operator may not resolve journal rows.
            InputError: no such unresolved row, it is this window's own, its window is running,
                another window is resolving it, or the hospital database is unreachable.
        """
        return self._hospital().resolve(msgid, supervisor)

    def _hospital(self) -> HospitalUseCases:
        if self.hospital is None:
            raise ConfigError(engine_words.NOT_HOSPITAL_MODE(), code="config")
        return self.hospital
