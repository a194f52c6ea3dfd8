"""Identify the patient: card (F2), e-voucher scan, or typed ID number (F3) → 1101 + 5301 on the
NETWORK lane, with the saved copy offline (hidden when older than the configured age). Then the
visit's fee lines: from the HIS when one is configured (one waiting visit loads by itself; F7 loads
the picked ones), otherwise from the registration hand-off. F12 clears the desk for the next one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from app.domain.bill import FeeLine
from app.domain.his import HisVisit
from app.domain.operator import Action
from app.domain.person import RegistrationStatus
from app.domain.plan import PlanContext
from app.errors import AppError, InputError
from app.services.bill_import import IdentityInput, IdentityKind
from app.ui.action_guard import MONEY_KEYS
from app.ui.bill_editor import BillEditor
from app.ui.context import WindowContext
from app.ui.desk_state import DeskState
from app.ui.errors import show_error
from app.ui.format import age_text
from app.ui.panels.identify_panel import IdentifyPanel
from app.ui.panels.settle_panel import UNKNOWN_OUTCOME_TEXT
from app.ui.settle_flow import SettleFlow
from app.workers.runner import Lane, TaskHandle

if TYPE_CHECKING:
    from app.services.eligibility import EligibilityView
    from app.services.ports.clock import Clock


class IdentifyController(QObject):
    """Who the patient is, and the lines of their visit.

    Signals:
        identified(object): an eligibility answer arrived (shown, or hidden when the cache is too old).
        changed(): the patient on screen changed (controls may need enabling or disabling).
    """

    identified = Signal(object)
    changed = Signal()

    def __init__(
        self,
        ctx: WindowContext,
        state: DeskState,
        flow: SettleFlow,
        *,
        bill: BillEditor,
        panel: IdentifyPanel,
        clock: Clock,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._state = state
        self._flow = flow
        self._bill = bill
        self._panel = panel
        self._clock = clock
        panel.read_card_button.clicked.connect(self.read_card)
        panel.id_edit.returnPressed.connect(self._on_id_entered)
        panel.his_panel.load_requested.connect(self._load_his_visits)

    # ------------------------------------------------------------------ identify
    def read_card(self) -> None:
        """F2: read the card on the DEVICE lane, then identify."""
        if self._ctx.guarded(Action.IDENTIFY) is None:
            return
        self._ctx.guard.submit(
            "read_card",
            self._ctx.backend.read_card,
            lambda raw: self.identify(IdentityInput(IdentityKind.CARD_STRING, raw)),
            lane=Lane.DEVICE,
            busy_text=self.tr("Reading card…"),
        )

    def on_voucher_scanned(self, code: str) -> None:
        """A scanner burst anywhere in the window: an e-voucher code."""
        if self._ctx.session.operator is not None:
            self.identify(IdentityInput(IdentityKind.VOUCHER, code.strip()))

    def _on_id_entered(self) -> None:
        from app.validation.id_number import parse_id_number  # noqa: PLC0415  (stdnum is slow to load)

        try:
            number = parse_id_number(self._panel.id_edit.text())
        except InputError as exc:
            show_error(self._ctx.bridge, exc)
            return
        self._panel.id_edit.clear()
        self.identify(IdentityInput(IdentityKind.ID_NUMBER, str(number)))

    def identify(self, identity: IdentityInput) -> TaskHandle | None:
        """1101 + 5301 on the NETWORK lane (the engine falls back to the cache when offline)."""
        operator = self._ctx.guarded(Action.IDENTIFY)
        if operator is None:
            return None
        if self._flow.groups and not self._flow.finished:
            show_error(
                self._ctx.bridge,
                InputError(
                    self.tr(
                        "The current patient's settlement is not finished; finish this bill "
                        "before identifying the next patient."
                    ),
                    code="bill_open",
                ),
            )
            return None
        return self._ctx.guard.submit(
            "identify",
            lambda: self._ctx.backend.identify(operator, identity),
            self._on_identified,
            lane=Lane.NETWORK,
            busy_text=self.tr("Querying the platform…"),
            on_failure=self._on_identify_failed,
        )

    def _on_identify_failed(self, exc: BaseException) -> None:
        """The previous patient must not stay on screen when the next one could not be identified."""
        self._clear(his=True)
        self._ctx.platform_failure(exc)

    def _on_identified(self, view: EligibilityView) -> None:
        self._ctx.bridge.overtaken()  # e.g. "no card reader" from before the ID number was typed
        now = self._clock.now()
        self._bill.reset()
        max_age = timedelta(hours=self._state.settings.cache_max_age_hours)
        if view.from_cache and now - view.fetched_at > max_age:
            self._state.eligibility = None
            self._panel.patient_view.show_hidden_cache(age_text(view.fetched_at, now))
            self.changed.emit()
            self.identified.emit(view)
            return
        self._state.eligibility = view
        self._panel.patient_view.show_eligibility(view, now)
        self._bill.set_patient(self._plan_context(view))
        self.identified.emit(view)
        if self._ctx.session.can(Action.EDIT_BILL) and self._ctx.backend.has_his():
            self._ask_his(view)
        elif self._ctx.session.can(Action.EDIT_BILL):
            self._ctx.guard.submit(
                "hand_off",
                lambda: self._ctx.backend.hand_off(view),
                self._on_handed_lines,
                lane=Lane.STORE,
                busy_text=self.tr("Loading the visit's fee lines…"),
            )
        self.changed.emit()

    def _plan_context(self, view: EligibilityView) -> PlanContext:
        return PlanContext(
            person=view.person,
            hospital=self._ctx.backend.hospital,
            day=self._clock.now().date(),
            registration=RegistrationStatus.UNKNOWN,
        )

    # ------------------------------------------------------------------ the HIS panel
    def _ask_his(self, view: EligibilityView) -> None:
        """The patient's unpaid HIS visits (NETWORK lane); a silent HIS never blocks the bill."""
        his_panel = self._panel.his_panel
        his_panel.show()
        his_panel.show_loading()
        self._ctx.guard.submit(
            "his_visits",
            lambda: self._ctx.backend.his_visits(view),
            self._on_his_visits,
            lane=Lane.NETWORK,
            busy_text=self.tr("Asking the HIS for unpaid visits…"),
            on_failure=lambda exc: his_panel.show_unavailable(
                exc.text if isinstance(exc, AppError) else type(exc).__name__
            ),
        )

    def _on_his_visits(self, visits: Sequence[HisVisit]) -> None:
        self._panel.his_panel.show_visits(visits)
        if len(visits) == 1 and not self._bill.model.lines:
            self._load_his_visits(list(visits))  # one visit waiting: no keystroke needed

    def _load_his_visits(self, visits: list[HisVisit]) -> None:
        view = self._state.eligibility
        if view is None:
            return
        self._ctx.guard.submit(
            "his_load",
            lambda: self._ctx.backend.load_his_visits(view, visits),
            self._on_his_lines,
            lane=Lane.STORE,
            busy_text=self.tr("Loading the visit's fee lines…"),
        )

    def _on_his_lines(self, lines: tuple[FeeLine, ...]) -> None:
        self._panel.his_panel.show_loaded(self._bill.add_lines(lines))
        self._show_his_diagnosis()

    def _on_handed_lines(self, lines: tuple[FeeLine, ...]) -> None:
        self._bill.take_lines(lines)
        self._show_his_diagnosis()

    def _show_his_diagnosis(self) -> None:
        """The loaded visit's diagnosis goes in the diagnosis field (read-only)."""
        view = self._state.eligibility
        if view is not None:
            self._bill.show_his_diagnosis(self._ctx.backend.his_diagnosis(view))

    # ------------------------------------------------------------------ clearing
    def next_patient(self) -> None:
        """F12: clear the window for the next patient (refused while the bill is locked)."""
        if self._flow.locked:
            show_error(
                self._ctx.bridge,
                InputError(UNKNOWN_OUTCOME_TEXT + "。结果确认前请勿离开本单。", code="bill_locked"),
            )
            return
        if self._ctx.guard.any_running(MONEY_KEYS):
            return
        self._clear(his=True)
        self._panel.id_edit.setFocus()

    def clear_patient(self) -> None:
        """Nobody's patient stays on screen for the next operator."""
        self._clear(his=False)

    def _clear(self, *, his: bool) -> None:
        self._state.eligibility = None
        self._bill.reset()
        self._panel.patient_view.clear()
        if his:
            self._panel.his_panel.clear()
        self.changed.emit()

    def focus_demo_cards(self) -> None:
        """Demo only: F6 moves to the simulated reader's card picker (arrow keys choose, F2 reads)."""
        if self._panel.demo_cards.isVisible():
            self._panel.demo_cards.setFocus()
            self._ctx.bridge.info(
                self.tr("Simulated card reader selected: ↑/↓ choose a card, F2 reads it.")
            )

    def refresh(self) -> None:
        """The card can be read by whoever is logged in, once at a time."""
        self._panel.read_card_button.setEnabled(
            self._ctx.session.operator is not None and not self._ctx.guard.running("identify")
        )
