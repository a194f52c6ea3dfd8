"""F8 pre-settle and F9 settle on the cashier tab: what the buttons may do now and why not, the
confirmation that adds up (fund + account + cash = total, then the cash to collect), and the
bill's lock while an outcome is unknown. :class:`app.ui.settle_flow.SettleFlow` runs the steps."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from app.domain.bill import TagKind
from app.domain.lifecycle import PAID, Phase
from app.domain.money import ZERO
from app.domain.operator import Action
from app.domain.visit import GroupState
from app.errors import AppError
from app.ui.action_guard import MONEY_KEYS
from app.ui.bill_editor import BillEditor
from app.ui.context import WindowContext
from app.ui.desk_state import DeskState
from app.ui.dialogs.confirm_dialog import ConfirmDialog
from app.ui.errors import Level, ShownMessage
from app.ui.format import breakdown, cash_due_text, yuan
from app.ui.models.group_labels import group_text
from app.ui.models.group_model import GroupModel, group_figures
from app.ui.panels.settle_panel import UNKNOWN_OUTCOME_TEXT, SettlePanel
from app.ui.settle_flow import SettleFlow
from app.workers.runner import TaskHandle

if TYPE_CHECKING:
    from app.services.settlement import BillResult, GroupResult

# Refusals of F8 that the diagnosis field answers (app.workers.engine_backend).
DIAGNOSIS_REFUSALS = frozenset({"diagnosis_needed", "diagnosis_invalid"})


class SettleActions(QObject):
    """The pre-settle and settle buttons and what the flow reports back.

    Signals:
        pre_settled(object): the previews are shown (a tuple of ``GroupResult``).
        group_settled(object): a ``GroupResult`` moved on (settled, failed, unknown).
        settlement_finished(): every group has a definite outcome.
        lock_changed(bool): the bill was locked (unknown outcome) or unlocked.
        changed(): a run ended (controls may need enabling or disabling).
    """

    pre_settled = Signal(object)
    group_settled = Signal(object)
    settlement_finished = Signal()
    lock_changed = Signal(bool)
    changed = Signal()

    def __init__(
        self,
        ctx: WindowContext,
        state: DeskState,
        flow: SettleFlow,
        *,
        bill: BillEditor,
        group_model: GroupModel,
        panel: SettlePanel,
        print_receipts: Callable[[], object],
        on_locked: Callable[[], None],
        parent: QWidget,
    ) -> None:
        """``print_receipts`` issues the receipts of the groups paid (not yet issued); ``on_locked`` runs when an
        outcome becomes unknown (recovery retries)."""
        super().__init__(parent)
        self._ctx = ctx
        self._state = state
        self._flow = flow
        self._bill = bill
        self._groups = group_model
        self._panel = panel
        self._print_receipts = print_receipts
        self._on_locked = on_locked
        self._parent = parent
        self._was_locked = False
        bill.cleared.connect(self._forget_lock)
        flow.bill_shown.connect(self._show_bill)
        flow.group_changed.connect(self._update_group)
        flow.run_finished.connect(self._on_run_finished)
        flow.open_refused.connect(self._on_open_refused)
        panel.pre_settle_button.clicked.connect(self.pre_settle)
        panel.settle_button.clicked.connect(self.settle)

    def pre_settle(self) -> TaskHandle | None:
        """F8: save the bill, then pre-settle each group in turn (self-pay groups make no call)."""
        operator = self._ctx.guarded(Action.PRE_SETTLE)
        view = self._state.eligibility
        if operator is None or view is None or not self._panel.pre_settle_button.isEnabled():
            return None
        return self._flow.open_and_preview(
            operator, view, self._bill.model.lines, self._bill.diagnosis()
        )

    def _on_open_refused(self, exc: BaseException) -> None:
        """A refusal about the diagnosis puts the cursor in the diagnosis field."""
        if isinstance(exc, AppError) and exc.code in DIAGNOSIS_REFUSALS:
            self._bill.focus_diagnosis()

    def settle(self) -> None:
        """F9: confirm the previews, then settle each group; a failed group leaves the others."""
        operator = self._ctx.guarded(Action.SETTLE)
        if (
            operator is None
            or not self._panel.settle_button.isEnabled()
            or self._flow.bill_id is None
        ):
            return
        if ConfirmDialog.ask(self._parent, self.tr("Settle"), self._settle_question()):
            self._flow.settle(operator)

    def _settle_question(self) -> str:
        """Each group to settle as fund + account + cash = total, then the cash to collect."""
        lines: list[str] = []
        refused: list[str] = []
        cash = ZERO
        for group in self._flow.groups.values():
            if group.state is GroupState.FAILED:
                refused.append(self._not_settled(group))
                continue
            figures = group_figures(group)
            if group.state not in (GroupState.PREVIEWED, GroupState.PLANNED) or figures is None:
                continue
            cash += figures.cash
            split = breakdown(figures.total, figures.fund, figures.account, figures.cash)
            lines.append(f"{group_text(group.kind, group.disease_code)}：{split}")
        question = [self.tr("Settle these groups?"), "", *lines, "", cash_due_text(cash)]
        if refused:
            question += ["", self.tr("Not settled:"), *refused]
        return "\n".join(question)

    def _not_settled(self, group: GroupResult) -> str:
        """A failed group as "label: amount not settled — why"."""
        label, amount = group_text(group.kind, group.disease_code), yuan(group.total)
        if not group.failure:
            return self.tr("{group}: {amount} not settled").format(group=label, amount=amount)
        return self.tr("{group}: {amount} not settled ({reason})").format(
            group=label, amount=amount, reason=group.failure
        )

    # ------------------------------------------------------------------ what the flow reports
    def _forget_lock(self) -> None:
        """No bill on screen: nothing is locked."""
        self._was_locked = False

    def _show_bill(self, bill: BillResult) -> None:
        was_locked = self._was_locked
        self._was_locked = self._flow.locked
        self._bill.show_groups(bill.groups)
        self.changed.emit()
        if self._flow.locked != was_locked:
            self.lock_changed.emit(self._flow.locked)

    def _update_group(self, group: GroupResult) -> None:
        was_locked = self._was_locked
        self._was_locked = self._flow.locked
        self._bill.update_group(group)
        self.group_settled.emit(group)
        if self._flow.locked != was_locked:
            self.lock_changed.emit(self._flow.locked)
            if self._flow.locked:
                self._on_locked()

    def _on_run_finished(self, phase: str) -> None:
        """F8's run: the previews are shown; F9's run: announce, print what was paid, and tell
        about the groups not settled in one dialog."""
        self.changed.emit()
        if phase == Phase.PREVIEW:
            self.pre_settled.emit(tuple(self._flow.groups.values()))
            self._panel.settle_button.setFocus()
            refused = [g for g in self._flow.groups.values() if g.state is GroupState.FAILED]
            if refused:
                self._announce_not_previewed(refused)
            return
        groups = list(self._flow.groups.values())
        paid = [g for g in groups if g.state in PAID]
        failed = [g for g in groups if g.state is GroupState.FAILED]
        printing = False
        if self._flow.finished:
            self._announce_settled()
            self.settlement_finished.emit()
            printing = bool(paid) and self._ctx.session.can(Action.PRINT_RECEIPT)
            if printing:
                # The settled groups are paid for even when another group was refused.
                self._print_receipts()
        if failed:
            self._announce_refused(failed, paid, printing=printing)

    def _announce_not_previewed(self, refused: list[GroupResult]) -> None:
        """One dialog for the groups refused at pre-settlement (F8), each with its amount and the
        platform's words; the others can still be settled with F9."""
        text = [self.tr("Not pre-settled:"), *map(self._not_settled, refused), ""]
        if len(refused) < len(self._flow.groups):
            text.append(
                self.tr(
                    "What to do: act on the platform's message above. F9 settles the other "
                    "groups; these are not settled."
                )
            )
        else:
            text.append(
                self.tr(
                    "What to do: act on the platform's message above; nothing of this bill was "
                    "settled."
                )
            )
        self._ctx.bridge.post(ShownMessage(Level.WARNING, "\n".join(text), "presettle_refused"))

    def _announce_refused(
        self, failed: list[GroupResult], paid: list[GroupResult], *, printing: bool
    ) -> None:
        """One dialog for the groups not settled: each with its amount and the platform's own
        words, what to do, and the money of the groups that did settle."""
        text = [self.tr("Not settled:"), *map(self._not_settled, failed), ""]
        text.append(
            self.tr(
                "What to do: act on the platform's message above, then read the card again and "
                "settle the lines not settled as a new bill; if that is not possible, these charges "
                "cannot be settled directly."
            )
        )
        if paid:
            total = fund = account = cash = ZERO
            for group in paid:
                figures = group_figures(group)
                if figures is None:
                    continue
                total += figures.total
                fund += figures.fund
                account += figures.account
                cash += figures.cash
            text += [
                "",
                self.tr("Settled:"),
                breakdown(total, fund, account, cash),
                cash_due_text(cash),
            ]
            if printing:
                text.append(self.tr("Their receipts are printed."))
        else:
            text += ["", self.tr("Nothing of this bill was settled; no cash is due for it.")]
        self._ctx.bridge.post(ShownMessage(Level.WARNING, "\n".join(text), "settlement_refused"))

    def _announce_settled(self) -> None:
        """The status line repeats the split and the cash to collect once the bill is done."""
        if self._groups.figures_complete:
            fund, account, cash = self._groups.sums()
            self._ctx.bridge.info(
                breakdown(fund + account + cash, fund, account, cash) + "　" + cash_due_text(cash)
            )

    # ------------------------------------------------------------------ the enable matrix
    def blocking_reason(self) -> str:
        """Why direct settlement cannot start now ("" when it can)."""
        state = self._state
        connection = state.connection
        if self._flow.locked:
            return UNKNOWN_OUTCOME_TEXT
        if self._ctx.session.operator is not None and not state.startup_recovery_done:
            return self.tr("Settlement is enabled once the unresolved calls have been checked.")
        if connection is not None and connection.maintenance_text:
            return self.tr(
                "The platform is in maintenance: direct settlement is not possible until it ends."
            )
        if connection is not None and not connection.online:
            return self.tr(
                "Offline: direct settlement is disabled until the platform is reachable. The patient may pay the whole bill as full self-pay and claim it back at the insured place."
            )
        if state.eligibility is not None and state.eligibility.from_cache:
            return self.tr("Eligibility is from the saved copy; read the card again when online.")
        if any(line.tag.kind is TagKind.UNTAGGED for line in self._bill.model.lines):
            return self.tr("Tag every line (1–9 disease, G general) before pre-settling.")
        return ""

    def refresh(self) -> None:
        """F8 once the bill is complete and nothing blocks it; F9 once previews are ready online."""
        can = self._ctx.session.can
        unknown = self._flow.locked
        flight = self._ctx.guard.any_running(MONEY_KEYS)
        reason = self.blocking_reason()
        self._panel.pre_settle_button.setEnabled(
            can(Action.PRE_SETTLE)
            and bool(self._bill.model.lines)
            and not reason
            and not flight
            and not self._flow.groups
        )
        self._panel.settle_button.setEnabled(
            can(Action.SETTLE)
            and self._flow.ready_to_settle
            and not unknown
            and not flight
            and self._state.online
            and not self._flow.all_paid
        )
        self._panel.lock_label.setVisible(unknown)
        self._panel.reason_label.setText("" if unknown else reason)
