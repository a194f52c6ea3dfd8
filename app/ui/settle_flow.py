"""The Qt side of the bill lifecycle: drives :func:`app.domain.lifecycle.next_step` on the runner.

F8 runs the PREVIEW phase (every direct group up to its 2206 preview), F9 the SETTLE phase (confirm
each preview, collect the full-self-pay groups). Each step is one backend call through the window's
in-flight guard; a step that raises is shown, the bill's truth is read back, and the run goes on
with the next step (the failed one is not retried in the same run). The window only shows what
this controller reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QObject, Signal

from app.domain import lifecycle
from app.domain.bill import FeeLine
from app.domain.lifecycle import Phase, Step, StepKind
from app.domain.money import ZERO
from app.domain.operator import Operator
from app.ui.context import WindowContext
from app.ui.format import breakdown
from app.ui.models.group_labels import group_text
from app.workers.runner import Lane, TaskHandle

if TYPE_CHECKING:
    from app.services.eligibility import EligibilityView
    from app.services.offline import OfflineCollection
    from app.services.settlement import BillResult, GroupResult
    from app.workers.backend import Diagnosis


class SettleFlow(QObject):
    """The bill on screen and its run.

    Signals:
        bill_shown(object): the whole bill (``BillResult``) is known afresh.
        group_changed(object): one group (``GroupResult``) moved on.
        run_finished(str): a phase's run is over (``Phase`` value).
        offline_collected(object): an ``OfflineCollection`` (offline full self-pay) was stored.
        open_refused(object): the bill was not saved (the exception, already shown).
    """

    bill_shown = Signal(object)
    group_changed = Signal(object)
    run_finished = Signal(str)
    offline_collected = Signal(object)
    open_refused = Signal(object)

    def __init__(self, ctx: WindowContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self.bill_id: str | None = None
        self.groups: dict[str, GroupResult] = {}
        self._attempted: set[Step] = set()

    # ------------------------------------------------------------------ state
    @property
    def locked(self) -> bool:
        """A group's outcome is unknown."""
        return lifecycle.locked(self.groups.values())

    @property
    def finished(self) -> bool:
        """Every group has a definite outcome."""
        return lifecycle.finished(list(self.groups.values()))

    @property
    def all_paid(self) -> bool:
        """Every group was settled or collected."""
        return lifecycle.all_paid(list(self.groups.values()))

    @property
    def ready_to_settle(self) -> bool:
        """Something can be confirmed or collected."""
        return lifecycle.ready_to_settle(self.groups.values())

    def show(self, bill: BillResult) -> None:
        """Take the bill as stored now."""
        self.bill_id = bill.bill_id
        self.groups = {g.group_key: g for g in bill.groups}
        self.bill_shown.emit(bill)

    def update(self, group: GroupResult) -> None:
        """Take one group as it stands now."""
        self.groups[group.group_key] = group
        self.group_changed.emit(group)

    def reset(self) -> None:
        """No bill on screen."""
        self.bill_id = None
        self.groups = {}
        self._attempted = set()

    # ------------------------------------------------------------------ runs
    def open_and_preview(
        self,
        operator: Operator,
        view: EligibilityView,
        lines: Sequence[FeeLine],
        diagnosis: Diagnosis | None = None,
    ) -> TaskHandle | None:
        """Save the bill (groups planned), then preview its direct groups."""
        backend = self._ctx.backend

        def opened(bill: BillResult) -> None:
            self.show(bill)
            self._start(operator, Phase.PREVIEW)

        def refused(exc: BaseException) -> None:
            self._ctx.platform_failure(exc)
            self.open_refused.emit(exc)

        return self._ctx.guard.submit(
            "open_bill",
            lambda: backend.open_bill(operator, view, lines, diagnosis),
            opened,
            lane=Lane.STORE,
            busy_text=QCoreApplication.translate("SettleFlow", "Saving the bill…"),
            on_failure=refused,
        )

    def collect_offline(
        self, operator: Operator, view: EligibilityView, lines: Sequence[FeeLine]
    ) -> TaskHandle | None:
        """Offline: the whole bill as 全额自费 from the saved eligibility (no platform call); the
        run then ends as a settle run does (receipts)."""
        backend = self._ctx.backend

        def collected(done: OfflineCollection) -> None:
            self._ctx.bridge.info(
                QCoreApplication.translate("SettleFlow", "Full self-pay {id}: {split}.").format(
                    id=done.settlement_id, split=breakdown(done.total, ZERO, ZERO, done.total)
                )
            )
            self.offline_collected.emit(done)
            self._ctx.guard.submit(
                "reload",
                lambda: backend.bill(done.bill_id),
                self._offline_shown,
                lane=Lane.STORE,
                busy_text="",
            )

        return self._ctx.guard.submit(
            "offline_self_pay",
            lambda: backend.collect_offline_self_pay(operator, view, lines),
            collected,
            lane=Lane.STORE,
            busy_text=QCoreApplication.translate("SettleFlow", "Recording the full self-pay…"),
        )

    def _offline_shown(self, bill: BillResult) -> None:
        self.show(bill)
        self.run_finished.emit(Phase.SETTLE.value)

    def settle(self, operator: Operator) -> None:
        """Confirm every preview and collect every self-pay group."""
        self._start(operator, Phase.SETTLE)

    def _start(self, operator: Operator, phase: Phase) -> None:
        self._attempted = set()
        self._next(operator, phase)

    def _next(self, operator: Operator, phase: Phase) -> None:
        bill_id = self.bill_id
        step = lifecycle.next_step(list(self.groups.values()), self._attempted, phase)
        if step is None or bill_id is None:
            self.run_finished.emit(phase.value)
            return
        self._attempted.add(step)
        group = self.groups[step.group_key]
        work, lane, key, text = self._work(operator, bill_id, step)
        self._ctx.guard.submit(
            key,
            work,
            lambda result: self._stepped(operator, phase, result),
            lane=lane,
            busy_text=text.format(group=group_text(group.kind, group.disease_code)),
            on_failure=lambda exc: self._step_failed(operator, phase, exc),
        )

    def _work(
        self, operator: Operator, bill_id: str, step: Step
    ) -> tuple[Callable[[], GroupResult], Lane, str, str]:
        backend, key = self._ctx.backend, step.group_key
        if step.kind is StepKind.PREVIEW:
            return (
                lambda: backend.preview(operator, bill_id, key),
                Lane.NETWORK,
                "preview",
                QCoreApplication.translate("SettleFlow", "Pre-settling {group}…"),
            )
        if step.kind is StepKind.CONFIRM:
            return (
                lambda: backend.confirm(operator, bill_id, key),
                Lane.NETWORK,
                "settle",
                QCoreApplication.translate("SettleFlow", "Settling {group}…"),
            )
        return (
            lambda: backend.collect_self_pay(operator, bill_id, key),
            Lane.STORE,
            "settle",
            QCoreApplication.translate("SettleFlow", "Settling {group}…"),
        )

    def _stepped(self, operator: Operator, phase: Phase, group: GroupResult) -> None:
        self.update(group)
        # A refused group is told once, with the others, when the run ends (SettleActions).
        if group.is_self_pay and phase is Phase.PREVIEW:
            # 未备案 turned the bill into full self-pay: every group may have changed.
            self._reload(operator, phase)
            return
        self._next(operator, phase)

    def _step_failed(self, operator: Operator, phase: Phase, exc: BaseException) -> None:
        """A step raised: show it, read the bill's truth back, go on with the next step."""
        self._ctx.platform_failure(exc)
        self._reload(operator, phase)

    def _reload(self, operator: Operator, phase: Phase) -> None:
        bill_id = self.bill_id
        if bill_id is None:
            return
        backend = self._ctx.backend

        def reloaded(bill: BillResult) -> None:
            self.show(bill)
            self._next(operator, phase)

        self._ctx.guard.submit(
            "reload", lambda: backend.bill(bill_id), reloaded, lane=Lane.STORE, busy_text=""
        )
