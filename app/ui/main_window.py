"""The cashier window: identify → bill → pre-settle → settle → receipts, keyboard first.

The window only composes its parts, each one concern in its own module (Electrum's tabs, Anki's
screens): the log-in page (:mod:`~app.ui.session_screen`), identify (:mod:`~app.ui.identify`), the
bill (:mod:`~app.ui.bill_editor`, :mod:`~app.ui.catalogue_search`), F8/F9 (:mod:`~app.ui.settle_actions`
over :mod:`~app.ui.settle_flow`), printing (:mod:`~app.ui.receipt_actions`), offline self-pay
(:mod:`~app.ui.offline_self_pay`), the platform and recovery (:mod:`~app.ui.connection_monitor`), and
the tabs (:mod:`~app.ui.work_page`). Every blocking call goes through the one
:class:`~app.ui.action_guard.ActionGuard` onto the runner and comes back in one callback on the GUI
thread; after anything changes, :meth:`MainWindow.refresh_actions` asks each part to enable its own
controls (each also refuses actions the operator's role does not allow).

Keys: F2 read card · F3 ID number · F4 add item · F6 demo cards · F7 load HIS visits · 1–9 / G / 0
tag the selected lines · Enter edits a quantity or price · Alt+D the visit's diagnosis · F8
pre-settle · F9 settle · F10 receipt preview · F12 next patient · Ctrl+L lock.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QMainWindow

from app.domain.operator import Action, Operator
from app.ui import errors as ui_errors
from app.ui.action_guard import MONEY_KEYS, ActionGuard
from app.ui.bill_editor import BillEditor
from app.ui.catalogue_search import CatalogueSearch
from app.ui.connection_monitor import ConnectionMonitor
from app.ui.context import WindowContext
from app.ui.desk_state import DeskState
from app.ui.errors import Level, MessageBridge, ShownMessage
from app.ui.identify import IdentifyController
from app.ui.models.bill_model import BillModel
from app.ui.models.catalogue_model import CatalogueModel
from app.ui.models.group_model import GroupModel
from app.ui.offline_self_pay import OfflineSelfPay
from app.ui.platform_status import PlatformStatus
from app.ui.receipt_actions import ReceiptActions
from app.ui.session import Session
from app.ui.session_screen import SessionScreen
from app.ui.settle_actions import SettleActions
from app.ui.settle_flow import SettleFlow
from app.ui.shell import Chrome, window_title
from app.ui.timing import Timing
from app.ui.work_page import WorkPage
from app.workers.backend import CashierBackend, Connection
from app.workers.pending_backend import BackendSlot
from app.workers.runner import TaskHandle, TaskRunner

if TYPE_CHECKING:
    from app.config import Settings
    from app.services.eligibility import EligibilityView
    from app.services.ports.clock import Clock
    from app.services.settlement import GroupResult


class MainWindow(QMainWindow):
    """The settlement window.

    Signals:
        identified(object): an eligibility answer arrived (shown, or hidden when the cache is too old).
        search_answered(int): a catalogue search's answer was shown (how many items).
        pre_settled(object): the previews are shown (a tuple of ``GroupResult``).
        group_settled(object): a ``GroupResult`` moved on (settled, failed, unknown).
        settlement_finished(): every group has a definite outcome.
        receipts_ready(object): tuple of ``PrintedReceipt``.
        lock_changed(bool): the bill was locked (unknown outcome) or unlocked.
        connection_changed(object): a new :class:`Connection`.
        operator_changed(object): an :class:`Operator` logged in, or ``None`` on lock/log-out.
        ready(): the background start-up finished; logging in is possible.
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
        slot = backend if isinstance(backend, BackendSlot) else BackendSlot(backend)
        self.runner = runner
        self.bridge = bridge
        self.clock = clock
        self.demo = demo
        self.timing = timing or Timing()
        self.state = DeskState(settings)
        self.session = Session(self)
        self.guard = ActionGuard(runner, bridge, self)
        self.context = WindowContext(
            slot, self.guard, bridge, self.session, self._on_platform_failure
        )
        self.flow = SettleFlow(self.context, self)
        self.bill_model = BillModel(self)
        self.group_model = GroupModel(self)
        self.catalogue_model = CatalogueModel(self)
        self.setWindowTitle(window_title())
        self._build(starting=starting)
        self._compose()
        self._connect()
        self.work_page.apply_role()
        self.refresh_actions()
        self.bridge.shown.connect(self._on_bridge_shown)
        self.bridge.cleared.connect(self.statusBar().clearMessage)
        self.bridge.flush()
        self.starting_text = self.tr("Starting…")
        self.is_ready = not starting

    def mark_ready(self, settings: Settings) -> None:
        """The background start-up finished: take the final settings and allow logging in."""
        self.state.settings = settings  # demo: the sandbox's, known only now
        self.is_ready = True
        self.login_button.setEnabled(True)
        self.login_hint.setText(self.tr("Press Enter to log in."))
        self.login_button.setFocus()
        self.ready.emit()

    # ================================================================= layout and composition
    def _build(self, *, starting: bool) -> None:
        self.chrome = chrome = Chrome(self, demo=self.demo, starting=starting)
        self.platform_status = PlatformStatus(
            chrome.connection_label, chrome.unresolved_label, chrome.maintenance_label
        )
        self.pages = chrome.pages
        self.login_page = chrome.login_page
        self.login_hint = chrome.login_hint
        self.login_button = chrome.login_button
        self.work_page = WorkPage(
            self.context, self.bill_model, self.group_model, self.catalogue_model, self
        )
        self.tabs = self.work_page.tabs
        self.lock_button = self.work_page.lock_button
        self.logout_button = self.work_page.logout_button
        self.identify_panel = self.work_page.cashier_page.identify_panel
        self.bill_panel = self.work_page.cashier_page.bill_panel
        self.settle_panel = self.work_page.cashier_page.settle_panel
        self.history_tab = self.work_page.history_tab
        self.journal_tab = self.work_page.journal_tab
        self.pages.addWidget(self.work_page)
        self.setCentralWidget(chrome.central)

    def _compose(self) -> None:
        ctx, state, flow = self.context, self.state, self.flow
        self.monitor = ConnectionMonitor(
            ctx, state, self.platform_status, flow=flow, timing=self.timing, parent=self
        )
        self.bill = BillEditor(
            ctx,
            state,
            flow,
            bill_model=self.bill_model,
            group_model=self.group_model,
            bill_panel=self.bill_panel,
            settle_panel=self.settle_panel,
            parent=self,
        )
        self.search = CatalogueSearch(
            ctx,
            self.runner,
            self.bill_panel,
            model=self.catalogue_model,
            add_item=self.bill.add_item,
            debounce_ms=self.timing.search_debounce_ms,
            parent=self,
        )
        self.identify = IdentifyController(
            ctx,
            state,
            flow,
            bill=self.bill,
            panel=self.identify_panel,
            clock=self.clock,
            parent=self,
        )
        self.receipts = ReceiptActions(
            ctx, state, flow, group_model=self.group_model, panel=self.settle_panel, parent=self
        )
        self.settling = SettleActions(
            ctx,
            state,
            flow,
            bill=self.bill,
            group_model=self.group_model,
            panel=self.settle_panel,
            print_receipts=lambda: self.receipts.print_receipts(reprint=False, unissued_only=True),
            on_locked=self.monitor.retry_soon,
            parent=self,
        )
        self.offline = OfflineSelfPay(
            ctx, state, flow, bill=self.bill, panel=self.settle_panel, parent=self
        )
        self.login_screen = SessionScreen(
            ctx,
            self.chrome,
            self.work_page,
            self.clock,
            self.timing.idle_check_ms,
            bill_open=self._bill_open,
            clear_patient=self.identify.clear_patient,
            parent=self,
        )

    def _connect(self) -> None:
        self.login_button.clicked.connect(self.ask_login)
        self.lock_button.clicked.connect(self.lock)
        self.logout_button.clicked.connect(self.log_out)
        self.login_screen.entered.connect(self._on_entered)
        self.login_screen.left.connect(self._on_left)
        self.settle_panel.next_button.clicked.connect(self.identify.next_patient)
        self.identify_panel.slip_button.clicked.connect(self.receipts.eligibility_slip)
        self.identify.identified.connect(self.identified)
        self.search.answered.connect(self.search_answered)
        self.settling.pre_settled.connect(self.pre_settled)
        self.settling.group_settled.connect(self.group_settled)
        self.settling.settlement_finished.connect(self.settlement_finished)
        self.settling.lock_changed.connect(self.lock_changed)
        self.receipts.receipts_ready.connect(self.receipts_ready)
        self.flow.offline_collected.connect(self.offline_collected)
        self.monitor.changed.connect(self._on_connection)
        self.journal_tab.recover_requested.connect(self.monitor.run_recovery)
        self.journal_tab.resolved.connect(self.journal_resolved)
        self.history_tab.refunded.connect(self.refunded)
        self.journal_tab.resolved.connect(lambda _state: self.check_connection())
        self.history_tab.printed.connect(self.receipts.on_printed)
        for changed in (
            self.guard.changed,
            self.bill.changed,
            self.identify.changed,
            self.settling.changed,
        ):
            changed.connect(self.refresh_actions)
        self.runner.busy_changed.connect(self.chrome.busy_label.setText)
        shortcuts: list[tuple[str, Callable[[], object]]] = [
            ("F2", self.read_card),
            ("F3", self.identify_panel.id_edit.setFocus),
            ("F4", self.bill_panel.search_edit.setFocus),
            ("F6", self.identify.focus_demo_cards),
            ("F7", self.identify_panel.his_panel.request_load),
            ("F8", self.pre_settle),
            ("F9", self.settle),
            ("F10", self.receipts.preview_receipt),
            ("F12", self.identify.next_patient),
            ("Ctrl+L", self.lock),
        ]
        for key, slot in shortcuts:
            QShortcut(QKeySequence(key), self).activated.connect(slot)

    # ================================================================= roles and the enable matrix
    def refresh_actions(self) -> None:
        """Each part enables exactly what may be done now and says why the rest cannot."""
        self.settling.refresh()
        self.receipts.refresh()
        self.offline.refresh()
        self.identify.refresh()
        self.bill.refresh()

    def _on_entered(self, operator: Operator) -> None:
        self.work_page.apply_role()
        self.operator_changed.emit(operator)
        self.monitor.start()
        self.refresh_actions()

    def _on_left(self) -> None:
        self.operator_changed.emit(None)
        self.refresh_actions()

    def _on_connection(self, connection: Connection) -> None:
        self.connection_changed.emit(connection)
        self.refresh_actions()

    def _on_platform_failure(self, exc: BaseException) -> None:
        self.monitor.platform_failure(exc)  # the monitor is built after the context

    def _bill_open(self) -> bool:
        """A bill is being settled: no log-out until it is done."""
        return self.guard.any_running(MONEY_KEYS) or (
            bool(self.flow.groups) and not self.flow.finished
        )

    # ================================================================= what the window offers
    def read_card(self) -> None:
        """F2: read the card, then identify."""
        self.identify.read_card()

    def on_voucher_scanned(self, code: str) -> None:
        """A scanner burst anywhere in the window: an e-voucher code."""
        self.identify.on_voucher_scanned(code)

    def set_demo_cards(self, labels: Sequence[str], insert: Callable[[str | None], None]) -> None:
        """Demo mode: choose which simulated card is in the reader (then F2 reads it)."""
        self.identify_panel.set_demo_cards(labels, insert)

    def pre_settle(self) -> TaskHandle | None:
        """F8: save the bill, then pre-settle each group in turn."""
        return self.settling.pre_settle()

    def settle(self) -> None:
        """F9: confirm the previews, then settle each group."""
        self.settling.settle()

    def ask_login(self) -> None:
        """Ask for a code and password and log in."""
        self.login_screen.ask_login()

    def login(self, code: str, password: str, otp: str = "") -> TaskHandle | None:
        """Check the credential; on success open the work page."""
        return self.login_screen.login(code, password, otp)

    def lock(self) -> None:
        """Ctrl+L: hide everything behind the login page; in-flight work continues."""
        self.login_screen.lock()

    def log_out(self) -> None:
        """Log out (or switch user): refused while a bill is being settled."""
        self.login_screen.log_out()

    def check_connection(self) -> None:
        """Probe the platform and count unresolved rows."""
        self.monitor.check()

    def can(self, action: Action) -> bool:
        """Whether the logged-in operator's role allows ``action``."""
        return self.session.can(action)

    @property
    def settings(self) -> Settings:
        """The window's settings."""
        return self.state.settings

    @property
    def operator(self) -> Operator | None:
        """Who is working at the window (``None`` while locked or logged out)."""
        return self.session.operator

    @property
    def eligibility(self) -> EligibilityView | None:
        """The identified patient's eligibility (``None``: nobody on screen)."""
        return self.state.eligibility

    @property
    def connection(self) -> Connection | None:
        """The platform as last checked."""
        return self.state.connection

    @property
    def busy(self) -> bool:
        """Whether any window action is in flight."""
        return self.guard.busy

    @property
    def groups(self) -> dict[str, GroupResult]:
        """The bill's groups as last reported (empty before the bill is saved)."""
        return self.flow.groups

    @property
    def bill_id(self) -> str | None:
        """The saved bill on screen."""
        return self.flow.bill_id

    # ================================================================= messages and closing
    def _on_bridge_shown(self, message: ShownMessage) -> None:
        if message.level is Level.INFO:
            self.statusBar().showMessage(message.text, 15_000)
            return
        self.statusBar().showMessage(message.text, 30_000)
        ui_errors.present(self, message)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Stop timers; the runner's owner waits for workers."""
        self.monitor.stop()
        self.search.stop()
        self.login_screen.stop()
        super().closeEvent(event)
