"""The log-in page in front of the work page: log in (with a one-time code when the account has
an authenticator), lock (Ctrl+L, or idle), log out / switch user, and the idle timer.

:class:`app.ui.session.Session` decides who may take the window; this module shows it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QHBoxLayout, QPushButton, QWidget

from app.domain.operator import Operator
from app.errors import InputError, PermissionDenied, SecondFactorNeeded
from app.ui import supervisor
from app.ui.context import WindowContext
from app.ui.dialogs.credential_dialog import CredentialDialog
from app.ui.errors import show_error
from app.ui.session import Admission
from app.ui.shell import Chrome
from app.workers.runner import Lane, TaskHandle

if TYPE_CHECKING:
    from app.services.ports.clock import Clock

log = logging.getLogger(__name__)

# Input that counts as the operator being at the desk. A key bound to a shortcut (F2, F8, F9…)
# never arrives as KeyPress, only as ShortcutOverride, so that counts too.
_ACTIVITY_EVENTS = frozenset(
    {QEvent.Type.KeyPress, QEvent.Type.ShortcutOverride, QEvent.Type.MouseButtonPress}
)


class SessionButtons(QWidget):
    """Lock and log-out / switch user, always in sight at the right of the tabs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 2)
        self.lock_button = QPushButton(self.tr("Lock (Ctrl+L)"), self)
        self.lock_button.setObjectName("lockButton")
        self.logout_button = QPushButton(self.tr("Log out / switch user"), self)
        self.logout_button.setObjectName("logoutButton")
        row.addWidget(self.lock_button)
        row.addWidget(self.logout_button)


class SessionScreen(QObject):
    """Switches between the log-in page and the work page as operators come and go.

    Signals:
        entered(object): an :class:`Operator` logged in (fresh, unlocked or taking over).
        left(): the screen was locked or the operator logged out.
    """

    entered = Signal(object)
    left = Signal()

    def __init__(
        self,
        ctx: WindowContext,
        chrome: Chrome,
        work_page: QWidget,
        clock: Clock,
        idle_check_ms: int,
        *,
        bill_open: Callable[[], bool],
        clear_patient: Callable[[], None],
        parent: QWidget,
    ) -> None:
        """``bill_open`` tells whether a bill is being settled (no log-out then); ``clear_patient``
        takes the patient off the screen before someone else works at it."""
        super().__init__(parent)
        self._ctx = ctx
        self._chrome = chrome
        self._work_page = work_page
        self._clock = clock
        self._bill_open = bill_open
        self._clear_patient = clear_patient
        self._parent = parent
        self.last_activity = clock.monotonic()
        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(idle_check_ms)
        self.idle_timer.timeout.connect(self._check_idle)
        self.idle_timer.start()
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def stop(self) -> None:
        """The window closes: no idle checks, no activity tracking."""
        self.idle_timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def ask_login(self) -> None:
        """Ask for a code and password and log in (STORE lane)."""
        answer = CredentialDialog.ask(
            self._parent, self.tr("Log in"), self.tr("Operator code and password")
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
                show_error(self._ctx.bridge, exc)
                return
            again = supervisor.ask_one_time_code(self._parent, self.tr("Log in"), code, password)
            if again is not None:
                self.login(again.code, again.password, again.otp)

        return self._ctx.guard.submit(
            "login",
            lambda: self._ctx.backend.login(code, password, otp=otp),
            self._on_logged_in,
            lane=Lane.STORE,
            busy_text=self.tr("Checking password…"),
            on_failure=failed,
        )

    def _on_logged_in(self, operator: Operator) -> None:
        session = self._ctx.session
        try:
            admission = session.check_admission(operator)
        except PermissionDenied as exc:
            show_error(self._ctx.bridge, exc)  # the screen stays locked for its owner
            return
        if admission is Admission.TAKEOVER and session.locked_by is not None:
            self._ctx.bridge.info(
                self.tr("{name} was logged out by supervisor {supervisor}.").format(
                    name=session.locked_by.name, supervisor=operator.name
                )
            )
            self._clear_patient()
        session.admit(operator)
        self.last_activity = self._clock.monotonic()
        self._chrome.operator_label.setText(
            self.tr("Operator: {name} ({role})").format(
                name=operator.name, role=operator.role.label
            )
        )
        self._chrome.pages.setCurrentWidget(self._work_page)
        self.entered.emit(operator)

    def lock(self) -> None:
        """Hide everything behind the login page (idle lock or Ctrl+L); in-flight work continues.
        Only the same operator unlocks it, or a supervisor who logs them out."""
        locked = self._ctx.session.lock()
        if locked is None:
            return
        self._chrome.login_hint.setText(
            self.tr(
                "Locked by {name}. {name} presses Enter and types the password to continue; "
                "a supervisor may log {name} out instead."
            ).format(name=locked.name)
        )
        self._chrome.operator_label.setText(self.tr("Locked ({name})").format(name=locked.name))
        self._chrome.pages.setCurrentWidget(self._chrome.login_page)
        self.left.emit()

    def log_out(self) -> None:
        """Log out (or switch user): refused while a bill is being settled."""
        if self._ctx.session.operator is None:
            return
        if self._bill_open():
            show_error(
                self._ctx.bridge,
                InputError(
                    "当前病人的结算尚未完成，请先完成本单（或确认结果）后再注销。",
                    code="bill_open",
                ),
            )
            return
        self._clear_patient()
        self._ctx.session.log_out()
        self._chrome.login_hint.setText(self.tr("Logged out. Press Enter to log in."))
        self._chrome.operator_label.setText(self.tr("Not logged in"))
        self._chrome.pages.setCurrentWidget(self._chrome.login_page)
        self._chrome.login_button.setFocus()
        self.left.emit()

    def _check_idle(self) -> None:
        if self._ctx.session.operator is None:
            return
        # The login policy decides, as for every other login rule.
        if self._ctx.backend.idle_expired(self.last_activity, self._clock.monotonic()):
            log.info("idle lock")
            self.lock()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """Track activity for the idle lock (installed on the application; never consumes)."""
        if event.type() in _ACTIVITY_EVENTS:
            self.last_activity = self._clock.monotonic()
        return False
