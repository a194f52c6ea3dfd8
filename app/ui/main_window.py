"""The cashier window: identify → bill → pre-settle → settle → receipts, keyboard first.

The window holds the flow's state and connects widgets to the runner; every blocking call goes through
:class:`app.workers.runner.TaskRunner` and comes back in exactly one callback on the GUI thread. Money
actions are guarded twice: their controls are hidden/disabled for roles that may not use them, and the
slots themselves refuse with :class:`app.errors.PermissionDenied` (registration desks, S3).

Keys: F2 read card · F3 type ID number · F4 add item · 1–9 tag selection with the patient's diseases ·
G general outpatient · 0 clear tag · Enter on a quantity/price cell edits it · F8 pre-settle ·
F9 settle · F10 receipts · F12 next patient · Ctrl+L lock.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QKeyEvent,
    QKeySequence,
    QShortcut,
)
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.bill import FeeLine, Tag, TagKind
from app.domain.catalogue import CatalogueItem
from app.domain.his import HisVisit
from app.domain.lifecycle import Phase
from app.domain.money import ZERO
from app.domain.operator import Action, Operator
from app.domain.person import RegistrationStatus
from app.domain.plan import PlanContext
from app.domain.visit import GroupState
from app.errors import (
    AppError,
    InputError,
    PermissionDenied,
    PlatformMaintenance,
    SecondFactorNeeded,
)
from app.services.bill_import import IdentityInput, IdentityKind
from app.ui import errors as ui_errors
from app.ui import supervisor
from app.ui.action_guard import ActionGuard
from app.ui.context import WindowContext
from app.ui.dialogs.confirm_dialog import ConfirmDialog
from app.ui.dialogs.credential_dialog import CredentialDialog
from app.ui.errors import Level, MessageBridge, ShownMessage, show_error
from app.ui.format import age_text, breakdown, cash_due_text, screen_text, yuan
from app.ui.his_panel import HisPanel
from app.ui.models.bill_model import BillColumn, BillModel, StoredRoute, tag_label
from app.ui.models.catalogue_model import CatalogueModel
from app.ui.models.group_model import GroupModel, group_figures
from app.ui.panels.bill_panel import BillPanel
from app.ui.panels.settle_panel import UNKNOWN_OUTCOME_TEXT, SettlePanel
from app.ui.platform_status import PlatformStatus
from app.ui.session import Admission, Session
from app.ui.settle_flow import SettleFlow
from app.ui.shell import Chrome, window_title
from app.ui.tabs.history_tab import HistoryTab
from app.ui.tabs.journal_tab import JournalTab
from app.ui.views.patient_view import PatientView
from app.workers.backend import CashierBackend, Connection
from app.workers.pending_backend import BackendSlot
from app.workers.runner import Lane, TaskHandle, TaskRunner

if TYPE_CHECKING:
    from app.config import Settings
    from app.services.eligibility import EligibilityView
    from app.services.ports.clock import Clock
    from app.services.receipts import PrintedReceipt
    from app.services.recovery import RecoverySummary
    from app.services.settlement import BillResult, GroupResult

log = logging.getLogger(__name__)
T = TypeVar("T")

FOCUS_COLOUR = "#1565c0"
FOCUS_FRAME_STYLE = (
    "QComboBox { border: 1px solid #8a8a8a; padding: 3px; }"
    f"QComboBox:focus {{ border: 3px solid {FOCUS_COLOUR}; padding: 1px; }}"
)
SEARCH_DEBOUNCE_MS = 200
SEARCH_LIMIT = 50
CONNECTION_POLL_MS = 15_000
RECOVERY_RETRY_MS = 3_000
IDLE_CHECK_MS = 1_000
# Input that counts as the operator being at the desk. A key bound to a shortcut (F2, F8, F9…)
# never arrives as KeyPress, only as ShortcutOverride, so that counts too.
_ACTIVITY_EVENTS = frozenset(
    {QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride, QEvent.Type.MouseButtonPress}
)
MONEY_KEYS = frozenset({"open_bill", "preview", "settle", "reload", "offline_self_pay"})


@dataclass(frozen=True)
class Timing:
    """Intervals the window uses (tests shorten them)."""

    search_debounce_ms: int = SEARCH_DEBOUNCE_MS
    connection_poll_ms: int = CONNECTION_POLL_MS
    recovery_retry_ms: int = RECOVERY_RETRY_MS
    idle_check_ms: int = IDLE_CHECK_MS


def show_pdf_preview(
    parent: QWidget, pdf: bytes, printer_name: str, *, title: str, printable: bool = False
) -> bool:
    """The on-screen preview of a receipt or slip (tests replace this one function)."""
    from app.ui.print_preview import ReceiptPreviewDialog  # noqa: PLC0415  (QtPrintSupport is slow to load)

    return ReceiptPreviewDialog.ask(parent, pdf, printer_name, title=title, printable=printable)


class MainWindow(QMainWindow):
    """The settlement window.

    Signals:
        identified(object): an eligibility answer arrived (shown, or hidden when the cache is too old).
        pre_settled(object): a :class:`PreSettlement` arrived.
        group_settled(object): a :class:`GroupSettlement` moved on (settled, failed, unknown).
        settlement_finished(): every group has a definite outcome.
        receipts_ready(object): tuple of receipt PDF paths.
        lock_changed(bool): the bill was locked (unknown outcome) or unlocked.
        connection_changed(object): a new :class:`Connection`.
        operator_changed(object): an :class:`Operator` logged in, or ``None`` on lock.
        refunded(object): a partial refund's :class:`RefundResult` arrived.
        journal_resolved(str): an escalated row was retried; its new state.
        offline_collected(object): an :class:`OfflineCollection` (offline full self-pay) was stored.
    """

    identified = Signal(object)
    search_answered = Signal(int)
    pre_settled = Signal(object)
    group_settled = Signal(object)
    settlement_finished = Signal()
    receipts_ready = Signal(object)
    lock_changed = Signal(bool)
    connection_changed = Signal(object)
    operator_changed = Signal(object)
    ready = Signal()
    refunded = Signal(object)
    journal_resolved = Signal(str)
    offline_collected = Signal(object)

    def __init__(
        self,
        backend: CashierBackend | BackendSlot,
        runner: TaskRunner,
        bridge: MessageBridge,
        clock: Clock,
        settings: Settings,
        *,
        demo: bool = False,
        timing: Timing | None = None,
        starting: bool = False,
    ) -> None:
        super().__init__()
        self._backend_slot = backend if isinstance(backend, BackendSlot) else BackendSlot(backend)
        self.runner = runner
        self.bridge = bridge
        self.clock = clock
        self.settings = settings
        self.demo = demo
        self.timing = timing or Timing()
        self.session = Session(self)
        self.eligibility: EligibilityView | None = None
        self.connection: Connection | None = None
        self.startup_recovery_done = False
        self.guard = ActionGuard(runner, bridge, self)
        self._was_locked = False
        self.context = WindowContext(
            self._backend_slot, self.guard, bridge, self.session, self._on_platform_failure
        )
        self.flow = SettleFlow(self.context, self)
        self.flow.bill_shown.connect(self._show_bill)
        self.flow.group_changed.connect(self._update_group)
        self.flow.run_finished.connect(self._on_run_finished)
        self.flow.offline_collected.connect(self.offline_collected)
        self._search_generation = 0
        self._last_activity = clock.monotonic()
        self._max_cache_age = timedelta(hours=settings.cache_max_age_hours)

        self.bill_model = BillModel(self)
        self.group_model = GroupModel(self)
        self.catalogue_model = CatalogueModel(self)

        self.setWindowTitle(window_title())
        self._build(starting=starting)
        self._connect()
        self._apply_role()
        self._refresh_actions()
        self.bridge.shown.connect(self._on_bridge_shown)
        self.bridge.flush()
        self.starting_text = self.tr("Starting…")
        self.is_ready = not starting

    def mark_ready(self, settings: Settings) -> None:
        """The background start-up finished: take the final settings and allow logging in."""
        self.apply_settings(settings)
        self.is_ready = True
        self.login_button.setEnabled(True)
        self.login_hint.setText(self.tr("Press Enter to log in."))
        self.login_button.setFocus()
        self.ready.emit()

    def apply_settings(self, settings: Settings) -> None:
        """Settings that were not known when the window was first shown (demo: the sandbox's)."""
        self.settings = settings
        self._max_cache_age = timedelta(hours=settings.cache_max_age_hours)

    # ================================================================= layout
    def _build(self, *, starting: bool) -> None:
        chrome = Chrome(self, demo=self.demo, starting=starting)
        self.demo_banner = chrome.demo_banner
        self.connection_label = chrome.connection_label
        self.unresolved_label = chrome.unresolved_label
        self.operator_label = chrome.operator_label
        self.busy_label = chrome.busy_label
        self.maintenance_label = chrome.maintenance_label
        self.platform_status = PlatformStatus(
            chrome.connection_label, chrome.unresolved_label, chrome.maintenance_label
        )
        self.pages = chrome.pages
        self.login_page = chrome.login_page
        self.login_hint = chrome.login_hint
        self.login_button = chrome.login_button
        self.work_page = self._build_work_page()
        self.pages.addWidget(self.work_page)
        self.setCentralWidget(chrome.central)

    def _build_work_page(self) -> QWidget:
        page = QWidget(self)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tabs = QTabWidget(page)
        self.tabs.setObjectName("tabs")
        self.tabs.setCornerWidget(self._build_session_buttons(page))
        self.tabs.addTab(self._build_cashier_tab(), self.tr("Window"))
        self.history_tab = HistoryTab(self.context, page)
        self.tabs.addTab(self.history_tab, self.tr("Today's settlements"))
        self.journal_tab = JournalTab(self.context, page)
        self.tabs.addTab(self.journal_tab, self.tr("Unresolved calls / day close"))
        layout.addWidget(self.tabs)
        return page

    def _build_session_buttons(self, page: QWidget) -> QWidget:
        """Lock and log-out / switch user, always in sight at the right of the tabs."""
        corner = QWidget(page)
        row = QHBoxLayout(corner)
        row.setContentsMargins(0, 0, 0, 2)
        self.lock_button = QPushButton(self.tr("Lock (Ctrl+L)"), corner)
        self.lock_button.setObjectName("lockButton")
        self.logout_button = QPushButton(self.tr("Log out / switch user"), corner)
        self.logout_button.setObjectName("logoutButton")
        row.addWidget(self.lock_button)
        row.addWidget(self.logout_button)
        return corner

    def _build_cashier_tab(self) -> QWidget:
        tab = QWidget(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, tab)
        self._build_identify_panel(splitter)
        self.bill_panel = BillPanel(self.bill_model, self.catalogue_model, self, splitter)
        self.settle_panel = SettlePanel(self.group_model, splitter)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 6)
        splitter.setStretchFactor(2, 4)
        splitter.setSizes([270, 640, 440])
        layout = QVBoxLayout(tab)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        return tab

    def _build_identify_panel(self, splitter: QSplitter) -> None:
        left = QWidget(splitter)
        left_layout = QVBoxLayout(left)
        identify_row = QHBoxLayout()
        self.read_card_button = QPushButton(self.tr("Read card (F2)"), left)
        self.read_card_button.setObjectName("readCardButton")
        self.id_edit = QLineEdit(left)
        self.id_edit.setObjectName("idEdit")
        self.id_edit.setPlaceholderText(self.tr("ID number, Enter (F3)"))
        self.id_edit.setMaxLength(18)
        self.id_edit.setMaximumWidth(320)  # 18 characters; no wider on the registration desk
        identify_row.addWidget(self.read_card_button)
        identify_row.addWidget(self.id_edit, 1)
        left_layout.addLayout(identify_row)
        self.patient_view = PatientView(left)
        left_layout.addWidget(self.patient_view, 1)
        self.his_panel = HisPanel(left)  # shown once identification finds a configured HIS
        self.his_panel.hide()
        self.his_panel.load_requested.connect(self._load_his_visits)
        left_layout.addWidget(self.his_panel)
        self.demo_cards = QComboBox(left)
        self.demo_cards.setObjectName("demoCards")
        self.demo_cards.setToolTip(self.tr("Demo: which card is in the simulated reader"))
        # F6 moves here: the focus must be seen, not guessed (a thick frame, not a dotted line).
        self.demo_cards.setStyleSheet(FOCUS_FRAME_STYLE)
        self.demo_cards.hide()
        left_layout.addWidget(self.demo_cards)
        self.slip_button = QPushButton(self.tr("Eligibility slip"), left)
        self.slip_button.setObjectName("slipButton")
        left_layout.addWidget(self.slip_button)

    # ================================================================= wiring
    def _connect(self) -> None:
        self.login_button.clicked.connect(self.ask_login)
        self.lock_button.clicked.connect(self.lock)
        self.logout_button.clicked.connect(self.log_out)
        self.read_card_button.clicked.connect(self.read_card)
        self.id_edit.returnPressed.connect(self._on_id_entered)
        self.bill_panel.search_edit.textChanged.connect(self._on_search_text_changed)
        self.bill_panel.search_edit.returnPressed.connect(self._add_first_result)
        self.bill_panel.search_results.activated.connect(self._on_result_activated)
        self.settle_panel.pre_settle_button.clicked.connect(self.pre_settle)
        self.settle_panel.settle_button.clicked.connect(self.settle)
        self.settle_panel.receipt_button.clicked.connect(self.preview_receipt)
        self.settle_panel.group_copy_button.clicked.connect(self.copy_selected_group)
        self.settle_panel.next_button.clicked.connect(self.next_patient)
        self.slip_button.clicked.connect(self.eligibility_slip)
        self.settle_panel.offline_self_pay_button.clicked.connect(self.collect_offline_self_pay)
        self.journal_tab.recover_requested.connect(self.run_recovery)
        self.journal_tab.resolved.connect(lambda _state: self.check_connection())
        self.history_tab.printed.connect(self._on_receipts)
        self.guard.changed.connect(self._refresh_actions)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.bill_model.lines_changed.connect(self._on_lines_changed)
        self.bill_model.edit_refused.connect(self._show_exception)
        self.runner.busy_changed.connect(self.busy_label.setText)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(self.timing.search_debounce_ms)
        self._search_timer.timeout.connect(self._run_search)
        self._connection_timer = QTimer(self)
        self._connection_timer.setInterval(self.timing.connection_poll_ms)
        self._connection_timer.timeout.connect(self.check_connection)
        self._recovery_timer = QTimer(self)
        self._recovery_timer.setSingleShot(True)
        self._recovery_timer.setInterval(self.timing.recovery_retry_ms)
        self._recovery_timer.timeout.connect(self.run_recovery)
        self._idle_timer = QTimer(self)
        self._idle_timer.setInterval(self.timing.idle_check_ms)
        self._idle_timer.timeout.connect(self._check_idle)
        self._idle_timer.start()

        shortcuts: list[tuple[str, Callable[[], object]]] = [
            ("F2", self.read_card),
            ("F3", self.id_edit.setFocus),
            ("F4", self.bill_panel.search_edit.setFocus),
            ("F6", self._focus_demo_cards),
            ("F7", self.his_panel.request_load),
            ("F8", self.pre_settle),
            ("F9", self.settle),
            ("F10", self.preview_receipt),
            ("F12", self.next_patient),
            ("Ctrl+L", self.lock),
        ]
        for key, slot in shortcuts:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.activated.connect(slot)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def _focus_demo_cards(self) -> None:
        """Demo only: F6 moves to the simulated reader's card picker (arrow keys choose, F2 reads)."""
        if self.demo_cards.isVisible():
            self.demo_cards.setFocus()
            self.bridge.info(
                self.tr("Simulated card reader selected: ↑/↓ choose a card, F2 reads it.")
            )

    def set_demo_cards(self, labels: Sequence[str], insert: Callable[[str | None], None]) -> None:
        """Demo mode: choose which simulated card is in the reader (then F2 reads it)."""
        self.demo_cards.clear()
        self.demo_cards.addItem(self.tr("(no card in the reader)"), None)
        for label in labels:
            self.demo_cards.addItem(
                self.tr("Card in reader: {name}").format(name=screen_text(label)), label
            )
        self.demo_cards.currentIndexChanged.connect(
            lambda index: insert(self.demo_cards.itemData(index))
        )
        self.demo_cards.show()

    # ================================================================= helpers
    def _show_exception(self, exc: BaseException) -> None:
        show_error(self.bridge, exc)

    @property
    def backend(self) -> CashierBackend:
        """The use cases (refuses politely while the window is still starting)."""
        return self._backend_slot.get()

    @property
    def operator(self) -> Operator | None:
        """Who is working at the window (``None`` while locked or logged out)."""
        return self.session.operator

    def _guarded(self, action: Action) -> Operator | None:
        try:
            return self.session.require(action)
        except PermissionDenied as exc:
            show_error(self.bridge, exc)
            return None

    def can(self, action: Action) -> bool:
        """Whether the logged-in operator's role allows ``action``."""
        return self.session.can(action)

    @property
    def busy(self) -> bool:
        """Whether any window action is in flight."""
        return self.guard.busy

    @property
    def locked_by_unknown(self) -> bool:
        """A group's outcome is unknown: no new money action on this bill."""
        return self.flow.locked

    @property
    def groups(self) -> dict[str, GroupResult]:
        """The bill's groups as last reported (empty before the bill is saved)."""
        return self.flow.groups

    @property
    def bill_id(self) -> str | None:
        """The saved bill on screen."""
        return self.flow.bill_id

    @property
    def online(self) -> bool:
        """The platform was reachable at the last check and is not in maintenance."""
        return (
            self.connection is not None
            and self.connection.online
            and not self.connection.maintenance_text
        )

    def _plan_context(self) -> PlanContext | None:
        if self.eligibility is None:
            return None
        return PlanContext(
            person=self.eligibility.person,
            hospital=self.backend.hospital,
            day=self.clock.now().date(),
            registration=RegistrationStatus.UNKNOWN,
        )

    # ================================================================= login, lock, idle
    def ask_login(self) -> None:
        """Ask for a code and password and log in (STORE lane)."""
        answer = CredentialDialog.ask(
            self, self.tr("Log in"), self.tr("Operator code and password")
        )
        if answer is None:
            return
        self.login(answer.code, answer.password)

    def login(self, code: str, password: str, otp: str = "") -> TaskHandle | None:
        """Check the credential on the STORE lane; on success open the work page.

        An account with an authenticator is then asked for its one-time code (the code and
        password stay filled in) and the check runs again with it.
        """

        def failed(exc: BaseException) -> None:
            if not isinstance(exc, SecondFactorNeeded):
                show_error(self.bridge, exc)
                return
            again = supervisor.ask_one_time_code(self, self.tr("Log in"), code, password)
            if again is not None:
                self.login(again.code, again.password, again.otp)

        return self.guard.submit(
            "login",
            lambda: self.backend.login(code, password, otp=otp),
            self._on_logged_in,
            lane=Lane.STORE,
            busy_text=self.tr("Checking password…"),
            on_failure=failed,
        )

    def _on_logged_in(self, operator: Operator) -> None:
        try:
            admission = self.session.check_admission(operator)
        except PermissionDenied as exc:
            show_error(self.bridge, exc)  # the screen stays locked for its owner
            return
        if admission is Admission.TAKEOVER and self.session.locked_by is not None:
            self.bridge.info(
                self.tr("{name} was logged out by supervisor {supervisor}.").format(
                    name=self.session.locked_by.name, supervisor=operator.name
                )
            )
            self._clear_patient()
        self.session.admit(operator)
        self._last_activity = self.clock.monotonic()
        self.operator_label.setText(
            self.tr("Operator: {name} ({role})").format(
                name=operator.name, role=operator.role.label
            )
        )
        self.pages.setCurrentWidget(self.work_page)
        self._apply_role()
        self.operator_changed.emit(operator)
        self.check_connection()
        self._connection_timer.start()
        if not self.startup_recovery_done and self.can(Action.SETTLE):
            self.run_recovery()
        else:
            self.startup_recovery_done = True
        self._refresh_actions()

    def lock(self) -> None:
        """Hide everything behind the login page (idle lock or Ctrl+L); in-flight work continues.
        Only the same operator unlocks it, or a supervisor who logs them out."""
        locked = self.session.lock()
        if locked is None:
            return
        self.login_hint.setText(
            self.tr(
                "Locked by {name}. {name} presses Enter and types the password to continue; "
                "a supervisor may log {name} out instead."
            ).format(name=locked.name)
        )
        self.operator_label.setText(self.tr("Locked ({name})").format(name=locked.name))
        self.pages.setCurrentWidget(self.login_page)
        self.operator_changed.emit(None)
        self._refresh_actions()

    def log_out(self) -> None:
        """Log out (or switch user): refused while a bill is being settled."""
        if self.operator is None:
            return
        if self.guard.any_running(MONEY_KEYS) or (self.groups and not self.flow.finished):
            show_error(
                self.bridge,
                InputError(
                    "当前病人的结算尚未完成，请先完成本单（或确认结果）后再注销。",
                    code="bill_open",
                ),
            )
            return
        self._clear_patient()
        self.session.log_out()
        self.login_hint.setText(self.tr("Logged out. Press Enter to log in."))
        self.operator_label.setText(self.tr("Not logged in"))
        self.pages.setCurrentWidget(self.login_page)
        self.login_button.setFocus()
        self.operator_changed.emit(None)
        self._refresh_actions()

    def _clear_patient(self) -> None:
        """Nobody's patient stays on screen for the next operator."""
        self.eligibility = None
        self._reset_bill()
        self.patient_view.clear()

    def _check_idle(self) -> None:
        if self.operator is None:
            return
        # The login policy decides, as for every other login rule.
        if self.backend.idle_expired(self._last_activity, self.clock.monotonic()):
            log.info("idle lock")
            self.lock()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Track activity for the idle lock; tag keys on the bill table."""
        if event.type() in _ACTIVITY_EVENTS:
            self._last_activity = self.clock.monotonic()
        if (
            watched is self.bill_panel.bill_table
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and self._on_bill_key(event)
        ):
            return True
        return super().eventFilter(watched, event)

    # ================================================================= roles
    def _apply_role(self) -> None:
        """Registration desks see identify and eligibility only; money controls are hidden too."""
        money = self.can(Action.EDIT_BILL)
        self.tabs.setTabText(
            0, self.tr("Window") if money or self.operator is None else self.tr("Eligibility")
        )
        self.bill_panel.setVisible(money)
        self.settle_panel.setVisible(money)
        self.tabs.setTabVisible(self.tabs.indexOf(self.history_tab), self.can(Action.VIEW_HISTORY))
        self.tabs.setTabVisible(self.tabs.indexOf(self.journal_tab), self.can(Action.VIEW_JOURNAL))
        self.slip_button.setVisible(self.can(Action.PRINT_ELIGIBILITY_SLIP) and not money)
        self.history_tab.apply_role()
        self.journal_tab.apply_role()

    def _blocking_reason(self) -> str:
        """Why direct settlement cannot start now ("" when it can)."""
        if self.locked_by_unknown:
            return UNKNOWN_OUTCOME_TEXT
        if self.operator is not None and not self.startup_recovery_done:
            return self.tr("Settlement is enabled once the unresolved calls have been checked.")
        if self.connection is not None and self.connection.maintenance_text:
            return self.tr(
                "The platform is in maintenance: direct settlement is not possible until it ends."
            )
        if self.connection is not None and not self.connection.online:
            return self.tr(
                "Offline: direct settlement is disabled until the platform is reachable. The patient may pay the whole bill as full self-pay and claim it back at the insured place."
            )
        if self.eligibility is not None and self.eligibility.from_cache:
            return self.tr("Eligibility is from the saved copy; read the card again when online.")
        if any(line.tag.kind is TagKind.UNTAGGED for line in self.bill_model.lines):
            return self.tr("Tag every line (1–9 disease, G general) before pre-settling.")
        return ""

    def _refresh_actions(self) -> None:
        """Enable exactly what may be done now, and say why the rest cannot."""
        has_lines = bool(self.bill_model.lines)
        unknown = self.locked_by_unknown
        flight = bool(self.guard.any_running(MONEY_KEYS))
        reason = self._blocking_reason()
        settled = self.flow.all_paid
        sent = bool(self.groups)
        ready_for_settle = self.flow.ready_to_settle
        self.settle_panel.pre_settle_button.setEnabled(
            self.can(Action.PRE_SETTLE) and has_lines and not reason and not flight and not sent
        )
        self.settle_panel.settle_button.setEnabled(
            self.can(Action.SETTLE)
            and ready_for_settle
            and not unknown
            and not flight
            and self.online
            and not settled
        )
        self.settle_panel.receipt_button.setEnabled(
            self.can(Action.PRINT_RECEIPT) and settled and not self.guard.running("receipts")
        )
        self.settle_panel.group_copy_button.setEnabled(
            self.can(Action.COPY_RECEIPT) and settled and not self.guard.running("receipts")
        )
        self.settle_panel.offline_self_pay_button.setVisible(self._offline_self_pay_possible())
        self.settle_panel.offline_self_pay_button.setEnabled(
            self.can(Action.COLLECT_SELF_PAY)
            and has_lines
            and not unknown
            and not flight
            and not sent
        )
        self.read_card_button.setEnabled(
            self.operator is not None and not self.guard.running("identify")
        )
        editable = not unknown and not flight and not sent
        self.bill_model.set_locked(not editable)
        self.bill_panel.search_edit.setEnabled(editable)
        self.settle_panel.lock_label.setVisible(unknown)
        self.settle_panel.reason_label.setText("" if unknown else reason)

    # ================================================================= identify
    def read_card(self) -> None:
        """F2: read the card on the DEVICE lane, then identify."""
        if self._guarded(Action.IDENTIFY) is None:
            return
        self.guard.submit(
            "read_card",
            self.backend.read_card,
            lambda raw: self.identify(IdentityInput(IdentityKind.CARD_STRING, raw)),
            lane=Lane.DEVICE,
            busy_text=self.tr("Reading card…"),
        )

    def on_voucher_scanned(self, code: str) -> None:
        """A scanner burst anywhere in the window: an e-voucher code."""
        if self.operator is not None:
            self.identify(IdentityInput(IdentityKind.VOUCHER, code.strip()))

    def _on_id_entered(self) -> None:
        from app.validation.id_number import parse_id_number  # noqa: PLC0415  (stdnum is slow to load)

        try:
            number = parse_id_number(self.id_edit.text())
        except InputError as exc:
            show_error(self.bridge, exc)
            return
        self.id_edit.clear()
        self.identify(IdentityInput(IdentityKind.ID_NUMBER, str(number)))

    def identify(self, identity: IdentityInput) -> TaskHandle | None:
        """1101 + 5301 on the NETWORK lane (the engine falls back to the cache when offline)."""
        operator = self._guarded(Action.IDENTIFY)
        if operator is None:
            return None
        if self.groups and not self.flow.finished:
            show_error(
                self.bridge,
                InputError(
                    "当前病人的结算尚未完成，请先完成本单后再识别下一位病人。", code="bill_open"
                ),
            )
            return None
        return self.guard.submit(
            "identify",
            lambda: self.backend.identify(operator, identity),
            self._on_identified,
            lane=Lane.NETWORK,
            busy_text=self.tr("Querying the platform…"),
            on_failure=self._on_identify_failed,
        )

    def _on_identify_failed(self, exc: BaseException) -> None:
        """The previous patient must not stay on screen when the next one could not be identified."""
        self.eligibility = None
        self._reset_bill()
        self.patient_view.clear()
        self.his_panel.clear()
        self._refresh_actions()
        self._on_platform_failure(exc)

    def _on_platform_failure(self, exc: BaseException) -> None:
        if isinstance(exc, PlatformMaintenance):
            self._show_maintenance(exc.failure.platform_text or exc.text)
        show_error(self.bridge, exc)

    def _on_identified(self, view: EligibilityView) -> None:
        now = self.clock.now()
        self._reset_bill()
        if view.from_cache and now - view.fetched_at > self._max_cache_age:
            self.eligibility = None
            self.patient_view.show_hidden_cache(age_text(view.fetched_at, now))
            self._refresh_actions()
            self.identified.emit(view)
            return
        self.eligibility = view
        self.patient_view.show_eligibility(view, now)
        self.bill_model.set_context(self._plan_context())
        self._update_tag_hint()
        self.identified.emit(view)
        if self.can(Action.EDIT_BILL) and self.backend.has_his():
            self._ask_his(view)
        elif self.can(Action.EDIT_BILL):
            self.guard.submit(
                "hand_off",
                lambda: self.backend.hand_off(view),
                self._on_hand_off,
                lane=Lane.STORE,
                busy_text=self.tr("Loading the visit's fee lines…"),
            )
        self._refresh_actions()

    def _on_hand_off(self, lines: tuple[FeeLine, ...]) -> None:
        if lines and not self.bill_model.lines:
            self.bill_model.set_lines(lines)
            self.bill_panel.bill_table.setFocus()
            self.bill_panel.bill_table.selectRow(0)

    # ----------------------------------------------------------------- the HIS panel
    def _ask_his(self, view: EligibilityView) -> None:
        """The patient's unpaid HIS visits (NETWORK lane); a silent HIS never blocks the bill."""
        self.his_panel.show()
        self.his_panel.show_loading()
        self.guard.submit(
            "his_visits",
            lambda: self.backend.his_visits(view),
            self._on_his_visits,
            lane=Lane.NETWORK,
            busy_text=self.tr("Asking the HIS for unpaid visits…"),
            on_failure=lambda exc: self.his_panel.show_unavailable(
                exc.text if isinstance(exc, AppError) else type(exc).__name__
            ),
        )

    def _on_his_visits(self, visits: Sequence[HisVisit]) -> None:
        self.his_panel.show_visits(visits)
        if len(visits) == 1 and not self.bill_model.lines:
            self._load_his_visits(list(visits))  # one visit waiting: no keystroke needed

    def _load_his_visits(self, visits: list[HisVisit]) -> None:
        view = self.eligibility
        if view is None:
            return
        self.guard.submit(
            "his_load",
            lambda: self.backend.load_his_visits(view, visits),
            self._on_his_lines,
            lane=Lane.STORE,
            busy_text=self.tr("Loading the visit's fee lines…"),
        )

    def _on_his_lines(self, lines: tuple[FeeLine, ...]) -> None:
        known = {line.line_no for line in self.bill_model.lines}
        fresh = [line for line in lines if line.line_no not in known]
        self.bill_model.set_lines([*self.bill_model.lines, *fresh])
        self.his_panel.show_loaded(len(fresh))
        if fresh:
            self.bill_panel.bill_table.setFocus()
            self.bill_panel.bill_table.selectRow(0)

    def _tag_choices(self) -> list[Tag]:
        if self.eligibility is None:
            return []
        codes: list[str] = []
        for q in self.eligibility.qualifications:
            if q.code not in codes:
                codes.append(q.code)
        return [Tag.disease(code) for code in codes]

    def _update_tag_hint(self) -> None:
        parts = [f"{n} = {tag_label(tag)}" for n, tag in enumerate(self._tag_choices(), start=1)]
        parts.append(self.tr("G = general outpatient"))
        parts.append(self.tr("0 = clear"))
        self.bill_panel.tag_hint.setText(self.tr("Tag the selected lines: ") + "　".join(parts))

    def _on_bill_key(self, event: QKeyEvent) -> bool:
        """Digit/G/0 on the bill table tag the selected rows; everything else goes to the table."""
        if (
            self.bill_panel.bill_table.state() == QAbstractItemView.State.EditingState
            or self.groups
        ):
            return False
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            current = self.bill_panel.bill_table.currentIndex()
            if current.isValid() and current.column() in (BillColumn.QUANTITY, BillColumn.PRICE):
                self.bill_panel.bill_table.edit(current)
                return True
            return False
        text = event.text().upper()
        choices = self._tag_choices()
        tag: Tag | None = None
        if text == "G":
            tag = Tag.general()
        elif text == "0":
            tag = Tag.untagged()
        elif text.isdigit() and 1 <= int(text) <= len(choices):
            tag = choices[int(text) - 1]
        if tag is None:
            return False
        rows = {index.row() for index in self.bill_panel.bill_table.selectionModel().selectedRows()}
        self.tag_rows(sorted(rows), tag)
        return True

    def tag_rows(self, rows: Sequence[int], tag: Tag) -> None:
        """Tag lines (refused once the bill has been sent)."""
        if self._guarded(Action.EDIT_BILL) is None or self.groups:
            return
        self.bill_model.tag_rows(rows, tag)

    # ================================================================= catalogue search
    def _on_search_text_changed(self, text: str) -> None:
        self._search_generation += 1
        if not text.strip():
            self._search_timer.stop()
            self.catalogue_model.set_items([])
            self.bill_panel.search_results.hide()
            return
        self._search_timer.start()

    def _run_search(self) -> None:
        text = self.bill_panel.search_edit.text().strip()
        generation = self._search_generation

        def search() -> tuple[CatalogueItem, ...]:
            if generation != self._search_generation:
                # The cashier typed on while this search waited for the STORE lane: skip it, so a
                # slow query (a full scan of 500,000 names) does not delay the newer one.
                return ()
            return tuple(self.backend.search_catalogue(text, SEARCH_LIMIT))

        def shown(items: tuple[CatalogueItem, ...]) -> None:
            if generation != self._search_generation:
                return  # the cashier kept typing; an older answer must not replace a newer one
            self.catalogue_model.set_items(items)
            self.bill_panel.search_results.setVisible(self.catalogue_model.rowCount() > 0)
            if self.catalogue_model.rowCount():
                self.bill_panel.search_results.setCurrentIndex(self.catalogue_model.index(0, 0))
            self.search_answered.emit(len(items))

        self.runner.submit(search, shown, self._show_exception, lane=Lane.STORE)

    def _add_first_result(self) -> None:
        index = self.bill_panel.search_results.currentIndex()
        item = self.catalogue_model.item(index.row() if index.isValid() else 0)
        if item is not None:
            self.add_item(item)

    def _on_result_activated(self, index: QModelIndex) -> None:
        item = self.catalogue_model.item(index.row())
        if item is not None:
            self.add_item(item)

    def add_item(self, item: CatalogueItem, quantity: str = "1") -> None:
        """Add a catalogue item as a new line (quantity editable with F2 on the cell)."""
        if self._guarded(Action.EDIT_BILL) is None or self.groups:
            return
        try:
            line = FeeLine.create(
                line_no=self.bill_model.next_line_no(),
                hospital_code=item.hospital_code,
                national_code=item.national_code,
                name=item.name,
                unit_price=item.unit_price,
                quantity=quantity,
                spec=item.spec,
            )
            self.bill_model.add_line(line)
        except AppError as exc:
            show_error(self.bridge, exc)
            return
        self.bill_panel.search_edit.clear()
        self.bill_panel.search_results.hide()
        self.bill_panel.bill_table.selectRow(self.bill_model.rowCount() - 1)

    # ================================================================= bill and groups
    def _on_lines_changed(self) -> None:
        if not self.groups:
            self.group_model.show_live_totals(self.bill_model.group_totals())
        self._update_sums()
        self._refresh_actions()

    def _update_sums(self) -> None:
        """fund + account + cash = total once every group's split is known, and the cash due in
        large type; before that only the total (the platform decides the split)."""
        total = self.bill_model.total
        reasons = self.group_model.self_pay_reasons()
        self.settle_panel.self_pay_note.setText(
            "\n".join(
                self.tr("{group}: {reason}").format(group=label, reason=reason)
                for label, reason in reasons
            )
        )
        if not self.group_model.figures_complete:
            self.settle_panel.cash_due_label.clear()
            self.settle_panel.sums_label.setText(
                self.tr("Total {total} (the split is known after pre-settlement, F8)").format(
                    total=yuan(total)
                )
                if self.bill_model.lines
                else ""
            )
            return
        fund, account, cash = self.group_model.sums()
        self.settle_panel.sums_label.setText(breakdown(total, fund, account, cash))
        self.settle_panel.cash_due_label.setText(cash_due_text(cash))

    def _show_routes(self) -> None:
        """Relabel the lines with the group the saved bill put them in."""
        self.bill_model.set_routes(
            {
                line_no: StoredRoute(group.label, group.is_self_pay, group.reason)
                for group in self.groups.values()
                for line_no in group.line_nos
            }
        )

    def _show_bill(self, bill: BillResult) -> None:
        was_locked = self._was_locked
        self._was_locked = self.locked_by_unknown
        self.group_model.show_groups(bill.groups)
        self._show_routes()
        self._update_sums()
        self._refresh_actions()
        if self.locked_by_unknown != was_locked:
            self.lock_changed.emit(self.locked_by_unknown)

    def _update_group(self, group: GroupResult) -> None:
        was_locked = self._was_locked
        self._was_locked = self.locked_by_unknown
        self.group_model.update_group(group)
        self._show_routes()
        self._update_sums()
        self.group_settled.emit(group)
        if self.locked_by_unknown != was_locked:
            self.lock_changed.emit(self.locked_by_unknown)
            if self.locked_by_unknown:
                self._recovery_timer.start()

    def pre_settle(self) -> TaskHandle | None:
        """F8: save the bill, then pre-settle each group in turn (self-pay groups make no call)."""
        operator = self._guarded(Action.PRE_SETTLE)
        view = self.eligibility
        if operator is None or view is None or not self.settle_panel.pre_settle_button.isEnabled():
            return None
        return self.flow.open_and_preview(operator, view, self.bill_model.lines)

    def settle(self) -> None:
        """F9: confirm the previews, then settle each group; a failed group leaves the others."""
        operator = self._guarded(Action.SETTLE)
        if (
            operator is None
            or not self.settle_panel.settle_button.isEnabled()
            or self.bill_id is None
        ):
            return
        if ConfirmDialog.ask(self, self.tr("Settle"), self._settle_question()):
            self.flow.settle(operator)

    def _settle_question(self) -> str:
        """Each group to settle as fund + account + cash = total, then the cash to collect."""
        lines: list[str] = []
        cash = ZERO
        for group in self.groups.values():
            figures = group_figures(group)
            if group.state not in (GroupState.PREVIEWED, GroupState.PLANNED) or figures is None:
                continue
            cash += figures.cash
            split = breakdown(figures.total, figures.fund, figures.account, figures.cash)
            lines.append(f"{group.label}：{split}")
        return "\n".join([self.tr("Settle these groups?"), "", *lines, "", cash_due_text(cash)])

    def _on_run_finished(self, phase: str) -> None:
        """F8's run: the previews are shown; F9's run: announce, and print when all was paid."""
        self._refresh_actions()
        if phase == Phase.PREVIEW:
            self.pre_settled.emit(tuple(self.groups.values()))
            self.settle_panel.settle_button.setFocus()
            return
        if self.flow.finished:
            self._announce_settled()
            self.settlement_finished.emit()
            if self.flow.all_paid and self.can(Action.PRINT_RECEIPT):
                self.print_receipts(reprint=False)

    def _announce_settled(self) -> None:
        """The status line repeats the split and the cash to collect once the bill is done."""
        if self.group_model.figures_complete:
            fund, account, cash = self.group_model.sums()
            self.bridge.info(
                breakdown(fund + account + cash, fund, account, cash) + "　" + cash_due_text(cash)
            )

    def next_patient(self) -> None:
        """F12: clear the window for the next patient (refused while the bill is locked)."""
        if self.locked_by_unknown:
            show_error(
                self.bridge,
                InputError(UNKNOWN_OUTCOME_TEXT + "。结果确认前请勿离开本单。", code="bill_locked"),
            )
            return
        if self.guard.any_running(MONEY_KEYS):
            return
        self.eligibility = None
        self._reset_bill()
        self.patient_view.clear()
        self.his_panel.clear()
        self.id_edit.setFocus()
        self._refresh_actions()

    def _close_cell_editor(self) -> None:
        """Drop an open quantity/price edit before the lines are replaced (nothing is committed)."""
        editor = self.bill_panel.bill_table.focusWidget()
        if (
            self.bill_panel.bill_table.state() == QAbstractItemView.State.EditingState
            and editor is not None
        ):
            self.bill_panel.bill_table.closeEditor(
                editor, QAbstractItemDelegate.EndEditHint.RevertModelCache
            )

    def _reset_bill(self) -> None:
        self._close_cell_editor()
        self.flow.reset()
        self._was_locked = False
        self.bill_model.set_context(None)
        self.bill_model.set_lines([])
        self.group_model.show_live_totals([])
        self.bill_model.set_routes({})
        self.settle_panel.sums_label.clear()
        self.settle_panel.cash_due_label.clear()
        self.settle_panel.self_pay_note.clear()

    # ================================================================= receipts
    def print_receipts(self, *, reprint: bool, bill_id: str | None = None) -> TaskHandle | None:
        """Issue/print the receipts (PRINT lane); a reprint is a marked copy (补打).

        Args:
            reprint: print copies of the receipts already issued.
            bill_id: another bill than the one on screen (from the history).
        """
        operator = self._guarded(Action.COPY_RECEIPT if reprint else Action.PRINT_RECEIPT)
        target = bill_id or self.bill_id
        if operator is None or target is None:
            return None
        return self.guard.submit(
            "receipts",
            lambda: self.backend.receipts(operator, target, reprint=reprint),
            self._on_receipts,
            lane=Lane.PRINT,
            busy_text=self.tr("Printing receipts…"),
        )

    def _on_receipts(self, printed: tuple[PrintedReceipt, ...]) -> None:
        self.receipts_ready.emit(printed)
        numbers = "、".join(p.receipt_no for p in printed)
        self.bridge.info(self.tr("Receipts printed: {numbers}").format(numbers=numbers))

    def _selected_group(self) -> GroupResult | None:
        """The group selected in the groups table (the first settled one if none is)."""
        rows = self.settle_panel.group_table.selectionModel().selectedRows()
        current = self.settle_panel.group_table.currentIndex()
        row = rows[0].row() if rows else (current.row() if current.isValid() else -1)
        keys = [r.key for r in self.group_model.rows]
        if 0 <= row < len(keys) and keys[row] in self.groups:
            return self.groups[keys[row]]
        return next((g for g in self.groups.values() if g.settlement_id), None)

    def preview_receipt(self) -> TaskHandle | None:
        """F10: the selected group's receipt on screen. Prints nothing and counts nothing."""
        operator = self._guarded(Action.PRINT_RECEIPT)
        group = self._selected_group()
        if operator is None or group is None or not self.settle_panel.receipt_button.isEnabled():
            return None
        settlement_id = group.settlement_id
        title = self.tr("Receipt preview: {group}").format(group=group.label)
        return self.guard.submit(
            "receipt_preview",
            lambda: self.backend.receipt_preview(settlement_id),
            lambda pdf: show_pdf_preview(self, pdf, self.settings.printer.name, title=title),
            lane=Lane.PRINT,
            busy_text=self.tr("Preparing the preview…"),
        )

    def copy_selected_group(self) -> TaskHandle | None:
        """补打 of the selected group's receipt: a deliberate, counted copy marked as such."""
        operator = self._guarded(Action.COPY_RECEIPT)
        group = self._selected_group()
        if operator is None or group is None or not group.settlement_id:
            return None
        settlement_id = group.settlement_id
        return self.guard.submit(
            "receipts",
            lambda: (self.backend.copy_receipt(operator, settlement_id),),
            self._on_receipts,
            lane=Lane.PRINT,
            busy_text=self.tr("Printing a copy…"),
        )

    def eligibility_slip(self) -> None:
        """Registration desk: the eligibility slip (no money involved), in the print preview."""
        operator = self._guarded(Action.PRINT_ELIGIBILITY_SLIP)
        view = self.eligibility
        if operator is None or view is None:
            return
        self.guard.submit(
            "slip",
            lambda: self.backend.eligibility_slip(operator, view),
            lambda pdf: show_pdf_preview(
                self,
                pdf,
                self.settings.printer.name,
                title=self.tr("Eligibility slip (资格查询单) preview"),
                printable=True,
            ),
            lane=Lane.PRINT,
            busy_text=self.tr("Preparing the eligibility slip…"),
        )

    # ================================================================= connection and recovery
    def check_connection(self) -> None:
        """Probe the platform and count unresolved rows (NETWORK lane)."""
        self.guard.submit(
            "connection",
            self.backend.connection,
            self.show_connection,
            lane=Lane.NETWORK,
            busy_text="",
        )

    def show_connection(self, connection: Connection) -> None:
        """Update the always-visible connection state."""
        self.connection = connection
        self.platform_status.show(connection, usable=self.online)
        self.connection_changed.emit(connection)
        self._refresh_actions()

    def _show_maintenance(self, text: str) -> None:
        self.platform_status.show_maintenance(text)

    def run_recovery(self) -> TaskHandle | None:
        """Resolve unknown outcomes (NETWORK lane); retried on a timer while any remain."""
        if self.operator is None:
            return None
        return self.guard.submit(
            "recovery",
            self.backend.recover,
            self._on_recovered,
            lane=Lane.NETWORK,
            busy_text=self.tr("Confirming unresolved settlements…"),
            on_failure=self._on_recovery_failed,
        )

    def _on_recovered(self, summary: RecoverySummary) -> None:
        if summary.clear:
            self.startup_recovery_done = True
        if summary.examined:
            self.bridge.info(summary.text())
        if self.bill_id is not None:
            bill_id = self.bill_id
            self.guard.submit(
                "reload",
                lambda: self.backend.bill(bill_id),
                self.flow.show,
                lane=Lane.STORE,
                busy_text="",
            )
        # Calls another program has in flight are its own; retry so they are picked up if it ends.
        if not summary.clear or summary.elsewhere or self.locked_by_unknown:
            self._recovery_timer.start()
        self.check_connection()
        self._refresh_actions()

    def _on_recovery_failed(self, exc: BaseException) -> None:
        log.info("recovery attempt failed: %s", type(exc).__name__)
        self._recovery_timer.start()

    # ================================================================= history, journal, day close
    def _on_tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.history_tab:
            self.history_tab.refresh()
        elif self.tabs.widget(index) is self.journal_tab:
            self.journal_tab.refresh()

    # ================================================================= offline full self-pay
    def _offline_self_pay_possible(self) -> bool:
        """The platform is unreachable and the patient is known from the saved copy."""
        return (
            self.can(Action.COLLECT_SELF_PAY)
            and self.eligibility is not None
            and self.eligibility.from_cache
        )

    def collect_offline_self_pay(self) -> TaskHandle | None:
        """Offline: the patient pays the whole bill (全额自费) and claims it back at home."""
        operator = self._guarded(Action.COLLECT_SELF_PAY)
        view = self.eligibility
        if (
            operator is None
            or view is None
            or not self._offline_self_pay_possible()
            or not self.settle_panel.offline_self_pay_button.isEnabled()
        ):
            return None
        lines = self.bill_model.lines
        if not ConfirmDialog.ask(
            self,
            self.tr("Full self-pay"),
            self.tr(
                "The platform cannot be reached. Collect the whole bill, {total}, in cash as full "
                "self-pay? Nothing is sent to the platform; the patient claims it back at the "
                "insured place with the receipt."
            ).format(total=yuan(self.bill_model.total)),
        ):
            return None
        return self.flow.collect_offline(operator, view, lines)

    # ================================================================= messages
    def _on_bridge_shown(self, message: ShownMessage) -> None:
        if message.level is Level.INFO:
            self.statusBar().showMessage(message.text, 15_000)
            return
        self.statusBar().showMessage(message.text, 30_000)
        ui_errors.present(self, message)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Stop timers; the runner's owner waits for workers."""
        for timer in (
            self._connection_timer,
            self._recovery_timer,
            self._idle_timer,
            self._search_timer,
        ):
            timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        super().closeEvent(event)
