"""The hospital day close at a window in hospital mode shows its steps in the progress dialog, and
Cancel stops it at a safe point (issue 18 item 2): two real windows, one sandbox, the hospital record
on the real PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

from helpers.engine_fixtures import demo_bill, fresh_visit
from pytestqt.qtbot import QtBot

from app.messages import hospital_window as words
from app.sandbox import SandboxServer
from app.ui.shift_report_ui import install_shift_report
from app.workers.shift_backend import EngineShiftBackend
from gui.hospital_desks import HospitalDesk, send

TOTALS = "全院总额对账（3201）"


def test_the_hospital_day_close_shows_its_steps_and_stops_at_a_safe_point(
    qtbot: QtBot,
    sandbox: SandboxServer,
    *,
    hospital_windows: Callable[..., tuple[HospitalDesk, HospitalDesk]],
    confirm_everything: list[str],
) -> None:
    (w1, _, link1), (w2, _, link2) = hospital_windows(second_operator="S001")
    cashier = w1.engine.operator("C001")
    w1.engine.settle_visit(fresh_visit(demo_bill("01")), cashier)  # insurance 390
    w1.engine.settle_visit(fresh_visit(demo_bill("02")), cashier)  # insurance 310
    send((w1, link1), (w2, link2))
    actions = install_shift_report(w2.window, EngineShiftBackend(w2.engine))
    w2.window.tabs.setCurrentWidget(w2.window.journal_tab)

    # Cancel while the first 3201 is on its way (the platform answers it after a second): it runs
    # to its end and the day close stops before the next group's 3201, storing nothing.
    sandbox.set_faults([{"infno": "3201", "kind": "latency", "params": {"seconds": 1.0}}])
    before = sandbox.request_count("3201")
    w2.window.journal_tab.day_close_button.click()
    progress = actions.last_progress
    assert progress is not None
    qtbot.waitUntil(lambda: any(s.label.startswith(TOTALS) for s in progress.steps), timeout=30_000)
    assert progress.dialog.isVisible()
    assert progress.dialog.labelText().startswith(TOTALS)
    assert progress.cancel_button.isEnabled()  # 3201 is a query: safe to stop
    progress.cancel_button.click()
    qtbot.waitUntil(lambda: not progress.dialog.isVisible(), timeout=30_000)
    qtbot.waitUntil(lambda: not w2.window.busy, timeout=30_000)
    assert actions.last_day_close is None
    assert sandbox.request_count("3201") - before == 1, "stopped before the second group's 3201"
    assert [s.label for s in progress.steps][:2] == [
        str(words.STEP_DELIVER()),
        str(words.STEP_WINDOWS()),
    ]
    assert str(words.STEP_SAVE()) not in [s.label for s in progress.steps]
    with w2.engine.uow_factory() as uow:
        assert uow.day_closes.get(w2.engine.today()) is None
    assert not w2.errors(), [e.text for e in w2.errors()]

    # Again without the delay: every step is shown, in order, and the day is closed.
    sandbox.set_faults([])
    w2.window.journal_tab.day_close_button.click()
    qtbot.waitUntil(lambda: actions.last_day_close is not None, timeout=30_000)
    progress = actions.last_progress
    assert progress is not None
    assert [s.label for s in progress.steps] == [
        str(words.STEP_DELIVER()),
        str(words.STEP_WINDOWS()),
        str(words.STEP_TOTAL(insutype="310", clr_type="11")),
        str(words.STEP_TOTAL(insutype="390", clr_type="11")),
        str(words.STEP_SAVE()),
    ]
    assert [s.cancellable for s in progress.steps] == [True, True, True, True, False]
    assert not progress.dialog.isVisible()
    text = w2.window.journal_tab.day_close_label.text()
    assert "全院 1 个窗口日结对账平衡" in text, text
