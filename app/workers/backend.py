"""What the window needs from the layers below it, as one typed Protocol.

The composition root (:mod:`app.main`) builds an :class:`app.workers.engine_backend.EngineBackend`
over the settlement engine, the device adapters and the receipt service. Every method is synchronous
and blocking; the window only ever calls them through :class:`app.workers.runner.TaskRunner` on the
lane named in the method's docstring. Results are frozen values (the services' own result types);
failures are :class:`app.errors.AppError` subclasses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

from app.services.settled_row import SettledRow

if TYPE_CHECKING:
    from app.domain.bill import FeeLine
    from app.domain.catalogue import CatalogueItem
    from app.domain.his import HisVisit
    from app.domain.hospital import HospitalProfile
    from app.domain.operator import Operator
    from app.services.bill_import import IdentityInput
    from app.services.cancel import CancelResult, RefundResult
    from app.services.day_close import DayCloseReport
    from app.services.eligibility import EligibilityView
    from app.services.hospital_day_close import HospitalDayCloseReport
    from app.services.offline import OfflineCollection
    from app.services.receipts import PrintedReceipt
    from app.services.recovery import QueueRow, RecoverySummary
    from app.services.settlement import BillResult, GroupResult

__all__ = ["CashierBackend", "Connection", "Diagnosis", "SettledRow", "SupervisorCredential"]


@dataclass(frozen=True)
class Connection:
    """The platform as last seen, and the journal rows still open.

    Attributes:
        online: the last probe reached the platform.
        unresolved: journal rows whose outcome is still being established.
        checked_at: when this was established (aware UTC).
        maintenance_text: the platform's downtime notice, if it is in maintenance.
        his_pending: HIS results not yet acknowledged (``None`` without a HIS).
    """

    online: bool
    unresolved: int
    checked_at: datetime
    maintenance_text: str = ""
    his_pending: int | None = None  # results waiting for the HIS; None: no HIS configured


@dataclass(frozen=True)
class SupervisorCredential:
    """A supervisor's own credential, typed at this window to authorise an action."""

    code: str
    password: str
    otp: str = ""


@dataclass(frozen=True)
class Diagnosis:
    """A visit's diagnosis (2203 ``diseinfo``): the 医保版 ICD-10 code and its name."""

    code: str
    name: str


class CashierBackend(Protocol):
    """Blocking operations behind the window (each names its lane).

    Wherever a credential is checked (``login`` and the supervisor's authorisations), ``otp`` is
    the one-time code of an account with an authenticator; without it such an account raises
    :class:`app.errors.SecondFactorNeeded` before anything else happens, and the window asks.
    """

    @property
    def hospital(self) -> HospitalProfile:
        """This hospital's profile (no I/O)."""
        ...

    def idle_expired(self, last_activity: float, now: float) -> bool:
        """Whether the login policy locks the screen now (monotonic seconds; no I/O)."""
        ...

    def login(self, code: str, password: str, *, otp: str = "") -> Operator:
        """STORE. Check a password and, for accounts with an authenticator, the one-time code
        (lockout applies); SecondFactorNeeded when the code is missing, PermissionDenied when
        refused."""
        ...

    def read_card(self) -> str:
        """DEVICE. The card library's raw string for the inserted card."""
        ...

    def identify(self, operator: Operator, identity: IdentityInput) -> EligibilityView:
        """NETWORK. 1101 + 5301, falling back to the cache when the platform cannot be reached."""
        ...

    def search_catalogue(self, text: str, limit: int) -> Sequence[CatalogueItem]:
        """STORE. Cached catalogue by hospital code, name or pinyin initials."""
        ...

    def hand_off(self, view: EligibilityView) -> tuple[FeeLine, ...]:
        """STORE. The HIS hand-off lines of this patient's current visit (empty when none)."""
        ...

    def has_his(self) -> bool:
        """Whether a HIS is configured (no I/O)."""
        ...

    def his_visits(self, view: EligibilityView) -> Sequence[HisVisit]:
        """NETWORK. The patient's unpaid HIS visits; HisUnavailable when the HIS does not answer."""
        ...

    def load_his_visits(
        self, view: EligibilityView, visits: Sequence[HisVisit]
    ) -> tuple[FeeLine, ...]:
        """STORE. Remember the picked visits as loaded; their lines for the bill."""
        ...

    def his_diagnosis(self, view: EligibilityView) -> Diagnosis | None:
        """The diagnosis of the HIS visit loaded for this patient, if it has one (no I/O)."""
        ...

    def open_bill(
        self,
        operator: Operator,
        view: EligibilityView,
        lines: Sequence[FeeLine],
        diagnosis: Diagnosis | None = None,
    ) -> BillResult:
        """STORE. Save the bill and plan its groups (nothing is sent yet). ``diagnosis``: the
        one the cashier typed, used when no HIS visit gives one; InputError when general lines
        have no diagnosis or the typed one is malformed."""
        ...

    def preview(self, operator: Operator, bill_id: str, group_key: str) -> GroupResult:
        """NETWORK. 2201 → 2203 → 2204 → 2206 for one group."""
        ...

    def confirm(self, operator: Operator, bill_id: str, group_key: str) -> GroupResult:
        """NETWORK. 2207 for one previewed group (UNKNOWN state when the outcome is unknown)."""
        ...

    def collect_self_pay(self, operator: Operator, bill_id: str, group_key: str) -> GroupResult:
        """STORE. Record a full-self-pay group (no platform call)."""
        ...

    def bill(self, bill_id: str) -> BillResult:
        """STORE. Where each group of a bill stands now (after recovery, for instance)."""
        ...

    def recover(self) -> RecoverySummary:
        """NETWORK. Resolve unknown outcomes (query/reversal), one attempt per row."""
        ...

    def connection(self) -> Connection:
        """NETWORK. Probe the platform and count unresolved journal rows."""
        ...

    def receipts(
        self, operator: Operator, bill_id: str, *, reprint: bool, unissued_only: bool = False
    ) -> tuple[PrintedReceipt, ...]:
        """PRINT. Issue (or copy, 补打) and print the receipts of a bill (``unissued_only``: only
        the settlements without a receipt yet)."""
        ...

    def receipt_preview(self, settlement_id: str) -> bytes:
        """PRINT. The settlement's receipt as issued, as PDF for the screen (nothing printed or
        counted)."""
        ...

    def copy_receipt(self, operator: Operator, settlement_id: str) -> PrintedReceipt:
        """PRINT. 补打 the settlement's live receipt (a counted copy, marked as such)."""
        ...

    def eligibility_slip(self, operator: Operator, view: EligibilityView) -> bytes:
        """PRINT. The registration desk's eligibility slip as PDF (no money, no number)."""
        ...

    def today(self) -> tuple[SettledRow, ...]:
        """STORE. Today's settlements, newest first."""
        ...

    def cancel(
        self,
        operator: Operator,
        settlement_id: str,
        supervisor_code: str,
        password: str,
        *,
        otp: str = "",
    ) -> CancelResult:
        """NETWORK. 2208 with a supervisor's authorisation (``otp``: their one-time code)."""
        ...

    def journal(self) -> tuple[QueueRow, ...]:
        """STORE. Unresolved journal rows."""
        ...

    def day_close(
        self, operator: Operator, supervisor: SupervisorCredential | None = None
    ) -> DayCloseReport | HospitalDayCloseReport:
        """NETWORK. 3201/3202 for today; refused while rows are unresolved. ``supervisor``: the
        supervisor who closes the day at a cashier's window (their credential is checked). In
        hospital mode the whole hospital's day close (refused naming windows not ready)."""
        ...

    def settlement_lines(self, settlement_id: str) -> tuple[FeeLine, ...]:
        """STORE. The fee lines one settlement covers (for choosing what the patient returns)."""
        ...

    def reissue(
        self,
        operator: Operator,
        settlement_id: str,
        supervisor_code: str,
        password: str,
        *,
        otp: str = "",
    ) -> tuple[PrintedReceipt, ...]:
        """PRINT. 重打: void the settlement's receipt number and print a new one (supervisor)."""
        ...

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
        """NETWORK. Cancel the settlement and re-settle the lines the patient keeps (supervisor)."""
        ...

    def refund_receipts(
        self, operator: Operator, result: RefundResult
    ) -> tuple[PrintedReceipt, ...]:
        """PRINT. The refund receipt of the cancellation, then the re-settlement's receipts."""
        ...

    def resolve(
        self,
        operator: Operator,
        msgid: str,
        supervisor_code: str,
        password: str,
        *,
        otp: str = "",
    ) -> str:
        """NETWORK. A supervisor (own credential) retries an escalated row; returns its new state."""
        ...

    def collect_offline_self_pay(
        self, operator: Operator, view: EligibilityView, lines: Sequence[FeeLine]
    ) -> OfflineCollection:
        """STORE. Platform unreachable: the whole bill as 全额自费 (no platform call)."""
        ...
