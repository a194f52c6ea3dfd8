"""Hospital mode: the hospital day close reports its steps and stops only at safe points (issue 18
item 2) — against the sandbox and a real PostgreSQL hospital record."""

from __future__ import annotations

import pytest
from helpers.engine_fixtures import demo_bill, fresh_visit
from helpers.hospital_windows import Window, day_close_at, sync_all, today

from app.domain.journal import JournalState
from app.errors import UserCancelled
from app.messages import hospital_window as words
from app.sandbox import SandboxServer
from app.services.day_close import day_bounds
from app.services.ports.clock import SystemClock
from app.services.ports.progress import ProgressStep


class Steps:
    """A sink that records what it is shown and asks to stop once ``stop_at`` has been shown."""

    def __init__(self, stop_at: str | None = None) -> None:
        self.shown: list[ProgressStep] = []
        self._stop_at = stop_at
        self._stop = False

    def update(self, step: ProgressStep) -> None:
        self.shown.append(step)
        if self._stop_at is not None and step.label.startswith(self._stop_at):
            self._stop = True

    def cancel_requested(self) -> bool:
        return self._stop

    def labels(self) -> list[str]:
        return [s.label for s in self.shown]


def an_unbalanced_day(w1: Window, w2: Window) -> None:
    """Both windows settle and deliver; then W02 settles once more without delivering, so the
    platform holds a settlement the hospital record misses: the first group (insurance 310) does
    not balance (9101/3202), the second (390) does."""
    w1.engine.settle_visit(fresh_visit(demo_bill("01")), w1.cashier)
    w2.engine.settle_visit(fresh_visit(demo_bill("02")), w2.cashier)
    sync_all([w1, w2])
    w2.engine.settle_visit(fresh_visit(demo_bill("02")), w2.cashier)  # never delivered


def calls(sandbox: SandboxServer) -> dict[str, int]:
    return {infno: sandbox.request_count(infno) for infno in ("3201", "9101", "3202")}


def test_the_steps_arrive_in_order_one_per_call(
    two_windows: tuple[Window, Window], sandbox: SandboxServer
) -> None:
    w1, w2 = two_windows
    an_unbalanced_day(w1, w2)
    before = calls(sandbox)
    steps = Steps()

    report = day_close_at(w1).close(today(), w1.supervisor, steps)

    assert not report.balanced
    expected = [str(words.STEP_DELIVER()), str(words.STEP_WINDOWS())]
    for group in report.groups:
        key = {"insutype": group.insurance_type, "clr_type": group.clearing_type}
        expected.append(str(words.STEP_TOTAL(**key)))
        if not group.balanced:
            expected.append(str(words.STEP_DETAIL(**key)))
    expected.append(str(words.STEP_SAVE()))
    assert steps.labels() == expected
    after = calls(sandbox)
    totals = [s for s in steps.shown if s.label.startswith("全院总额对账（3201）")]
    details = [s for s in steps.shown if s.label.startswith("全院明细对账")]
    assert after["3201"] - before["3201"] == len(totals) == len(report.groups)
    assert after["3202"] - before["3202"] == len(details) >= 1
    assert [s.done for s in totals] == list(range(len(report.groups)))
    assert {s.total for s in totals} == {len(report.groups)}
    # Cancel is offered before the delivery, the windows check and each 3201; never while the
    # journaled 9101/3202 or the storing run.
    assert [s.cancellable for s in steps.shown] == [
        s.label.startswith(("上传本窗口", "检查各窗口", "全院总额对账")) for s in steps.shown
    ]
    assert steps.shown[-1] == ProgressStep(str(words.STEP_SAVE()), len(totals), len(totals))


def test_cancel_during_the_detail_check_stops_after_3202_has_its_outcome(
    two_windows: tuple[Window, Window], sandbox: SandboxServer
) -> None:
    w1, w2 = two_windows
    an_unbalanced_day(w1, w2)
    before = calls(sandbox)
    started = SystemClock().now()
    steps = Steps(stop_at="全院明细对账")  # Cancel pressed while 9101/3202 are on their way

    with pytest.raises(UserCancelled):
        day_close_at(w1).close(today(), w1.supervisor, steps)

    after = calls(sandbox)
    assert after["9101"] - before["9101"] >= 1
    assert after["3202"] - before["3202"] == 1, "the detail check ran to its end, then it stopped"
    assert after["3201"] - before["3201"] == 1, "stopped before the second group's 3201"
    assert steps.labels()[2:] == [
        str(words.STEP_TOTAL(insutype="310", clr_type="11")),
        str(words.STEP_DETAIL(insutype="310", clr_type="11")),
        str(words.STEP_TOTAL(insutype="390", clr_type="11")),  # the safe point where it stopped
    ]
    with w1.engine.uow_factory() as uow:
        assert list(uow.journal.unresolved()) == []
        rows = [e for e in uow.journal.between(started, SystemClock().now()) if e.infno == "3202"]
        assert [e.state for e in rows] == [JournalState.OK]
        assert uow.day_closes.get(today()) is None, "nothing stored"
        events = [row.event for row in uow.audit.between(*day_bounds(today()))]
    assert "hospital_day_close" not in events


def test_cancel_before_it_starts_sends_nothing(
    two_windows: tuple[Window, Window], sandbox: SandboxServer
) -> None:
    w1, w2 = two_windows
    an_unbalanced_day(w1, w2)
    before = calls(sandbox)
    steps = Steps(stop_at="")  # every label starts with "": Cancel pressed at once

    with pytest.raises(UserCancelled):
        day_close_at(w1).close(today(), w1.supervisor, steps)

    assert steps.labels() == [str(words.STEP_DELIVER())]
    assert calls(sandbox) == before
    with w1.engine.uow_factory() as uow:
        assert uow.day_closes.get(today()) is None
