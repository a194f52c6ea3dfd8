"""The settlement engine: the one object the window and the CLI use.

Built by :func:`app.wiring.build_engine`. Every method is synchronous (call it from a worker thread,
never the GUI thread), returns frozen values and raises only :class:`app.errors.AppError` subclasses
for expected failures. The services are also reachable as attributes for less common use.

Typical use::

    engine = build_engine(settings, data_dir)
    summary = engine.start()                       # recovery before anything else (RecoverySummary)
    view = engine.identify(identity, operator)     # EligibilityView (live, or cached when offline)
    bill = engine.open_bill(visit, view, operator) # BillResult with planned groups
    bill = engine.settle(bill.bill_id, operator, confirm=lambda group: True)
    engine.cancel(settlement_id, operator, SupervisorApproval(code, password))
    report = engine.close_day(day, supervisor)     # DayCloseReport
    engine.close()

Step by step instead of :meth:`settle`: ``engine.settlement.preview(bill_id, key, operator)`` →
show ``GroupResult.preview`` → ``engine.settlement.confirm(bill_id, key, operator)``
(:func:`app.domain.lifecycle.next_step` says which step comes next).

The window reaches the engine through :class:`app.workers.engine_backend.EngineBackend`, which adds
only the window's concerns (the platform's state as last seen, the HIS hand-off of the patient on
screen, the card reader, printing); anything that reads the store is a method here or a service's
(the workers open no unit of work — ``tests/unit/test_architecture.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from app.config import Settings
from app.domain.bill import FeeLine
from app.domain.journal import JournalState
from app.domain.operator import Action, Operator, allows
from app.errors import InputError, PermissionDenied, RecoveryPending
from app.messages import settlement as words
from app.services.auth import AuthService
from app.services.bill_import import IdentityInput, ImportedVisit
from app.services.cancel import CancelResult, CancelService, RefundResult, SupervisorApproval
from app.services.catalogue import CatalogueService
from app.services.day_close import DayCloseReport, DayCloseService
from app.services.day_settlements import DaySettlements
from app.services.eligibility import EligibilityService, EligibilityView
from app.services.his import HisService
from app.services.his_outbox import HisOutbox
from app.services.hospital_cancel import HospitalCancelService
from app.services.hospital_day_close import HospitalDayCloseService
from app.services.offline import OfflineCollection, OfflineSelfPayService
from app.services.ports.clock import Clock
from app.services.ports.progress import ProgressSink
from app.services.ports.store import UnitOfWorkFactory
from app.services.receipts import ReceiptService
from app.services.recovery import QueueRow, RecoveryService, RecoverySummary
from app.services.settled_row import SettledRow
from app.services.settlement import BillResult, ConfirmCallback, SettlementService


@dataclass
class Engine:
    """Services, settings and clock bundled (see the module docstring for the API)."""

    settings: Settings
    clock: Clock
    data_dir: Path
    uow_factory: UnitOfWorkFactory
    eligibility: EligibilityService
    settlement: SettlementService
    recovery: RecoveryService
    cancellation: CancelService
    day_close: DayCloseService
    catalogue: CatalogueService
    auth: AuthService
    closer: Callable[[], None]
    receipts: ReceiptService | None = None
    his: HisService | None = None  # the HIS hand-off, when a HIS is configured
    his_outbox: HisOutbox | None = None
    # Hospital mode: cancellations go through the hospital's cancel claim (any window's settlement).
    hospital_cancel: HospitalCancelService | None = None
    # Hospital mode: the day close reconciles every window's settlements (issue 13 item 6).
    hospital_day_close: HospitalDayCloseService | None = None

    # ------------------------------------------------------------------ life cycle

    def start(self, *, wait: bool = True) -> RecoverySummary:
        """Resolve every unresolved journal row before any settlement (reliability.md §2.2).

        ``wait=False`` gives each row one attempt instead of retrying reversals with back-off.
        """
        return self.recovery.recover_all(wait=wait)

    def close(self) -> None:
        """Release the database and the HTTP session."""
        self.closer()

    # ------------------------------------------------------------------ people

    def operator(self, code: str) -> Operator:
        """An active operator by code (the CLI acts as a stored operator).

        Raises:
            PermissionDenied: unknown or disabled code.
        """
        with self.uow_factory() as uow:
            account = uow.operators.get(code)
        if account is None or not account.active:
            raise PermissionDenied(words.OPERATOR_UNKNOWN(code=code))
        return account.operator

    def identify(self, identity: IdentityInput, operator: Operator) -> EligibilityView:
        """Identification and eligibility (cache fallback when offline)."""
        return self.eligibility.identify(identity, operator)

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
        bill = self.settlement.open_bill(visit, view, operator)
        return self.settlement.settle(bill.bill_id, operator, confirm, use_account=use_account)

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
