"""Registration desk, offline, maintenance, unknown outcome, idle lock and catalogue search."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import BytesIO

from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.domain.operator import Action
from app.domain.visit import GroupState
from app.sandbox import SandboxServer
from app.ui.panels.settle_panel import UNKNOWN_OUTCOME_TEXT
from gui.conftest import Previews
from gui.desk import Desk, insert_card

QINGHAI = "马秀兰"


def identify(qtbot: QtBot, desk: Desk, name: str) -> None:
    insert_card(desk, name)
    with qtbot.waitSignal(desk.window.identified, timeout=10_000):
        QTest.keyClick(desk.window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: not desk.window.busy, timeout=10_000)


def time_passes_at_work(desk: Desk, delta: timedelta) -> None:
    """Move the clock while the operator keeps working: a click at the end of the period, before
    the event loop runs again, so the idle lock (tested on its own below) does not log them out."""
    desk.clock.advance(delta)
    QTest.mouseClick(desk.window.chrome.connection_label, Qt.MouseButton.LeftButton)


def test_registration_desk_sees_eligibility_and_no_money_action(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    previews: Previews,
) -> None:
    desk = open_desk(sandbox, operator="R001")
    window = desk.window
    identify(qtbot, desk, "刘桂英")  # qualification for a disease this hospital has not opened
    assert "本院未开通" in window.identify_panel.patient_view.plain_text()
    assert not window.bill_panel.isVisible()
    assert not window.settle_panel.isVisible()
    assert window.identify_panel.slip_button.isVisible()
    assert not window.tabs.isTabVisible(window.tabs.indexOf(window.history_tab))
    assert window.bill_model.rowCount() == 0  # no hand-off is even loaded
    # Hidden AND refused: the keys and slots do nothing but explain.
    QTest.keyClick(window, Qt.Key.Key_F8)
    QTest.keyClick(window, Qt.Key.Key_F9)
    window.pre_settle()
    window.settle()
    window.receipts.print_receipts(reprint=False)
    qtbot.wait(100)
    assert sandbox.request_count("2201") == 0
    assert sandbox.request_count("2207") == 0
    device_prompts = {"device_prompt", "device_done"}  # "请插入社保卡" while the card is read
    assert {m.code for m in desk.messages} - device_prompts == {"role_refused"}
    assert not window.can(Action.SETTLE)
    window.identify_panel.slip_button.click()  # the optional eligibility slip
    qtbot.waitUntil(lambda: bool(previews), timeout=10_000)
    assert previews[0].startswith(b"%PDF")
    assert previews.titles == ["资格查询单预览"]  # not called a receipt


def test_offline_start_shows_the_cache_with_its_age_and_refuses_settlement(
    qtbot: QtBot, open_desk: Callable[..., Desk]
) -> None:
    server = SandboxServer().start()
    desk = open_desk(server)
    window = desk.window
    identify(qtbot, desk, QINGHAI)  # online once: the answer is cached
    server.stop()
    time_passes_at_work(desk, timedelta(hours=2))
    window.check_connection()
    qtbot.waitUntil(lambda: window.connection is not None and not window.connection.online)
    assert "离线" in window.chrome.connection_label.text()
    identify(qtbot, desk, QINGHAI)
    assert window.eligibility is not None
    assert window.eligibility.from_cache
    text = window.identify_panel.patient_view.plain_text()
    assert "离线" in text
    assert "2 小时 0 分钟前" in text
    assert not window.settle_panel.pre_settle_button.isEnabled()
    assert "离线" in window.settle_panel.reason_label.text()
    time_passes_at_work(desk, timedelta(hours=window.settings.cache_max_age_hours))
    QTest.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: bool(desk.errors()), timeout=10_000)
    assert window.eligibility is None  # past the maximum age the cache is not shown
    assert "马秀兰" not in window.identify_panel.patient_view.plain_text()
    assert desk.errors()[-1].code == "platform_unavailable"
    assert "不能再显示" in desk.errors()[-1].text
    assert server.request_count("2207") == 0


def test_maintenance_notice_is_shown_as_such(
    qtbot: QtBot, sandbox: SandboxServer, open_desk: Callable[..., Desk]
) -> None:
    desk = open_desk(sandbox)
    sandbox.set_maintenance(True, window="今日 22:00 至次日 02:00")
    insert_card(desk, QINGHAI)
    QTest.keyClick(desk.window, Qt.Key.Key_F2)
    qtbot.waitUntil(desk.window.chrome.maintenance_label.isVisible, timeout=10_000)
    sandbox.set_maintenance(False)
    assert "维护" in desk.window.chrome.maintenance_label.text()
    assert "22:00" in desk.window.chrome.maintenance_label.text()
    shown = desk.errors()
    assert shown
    assert "维护" in shown[-1].text
    assert "Traceback" not in shown[-1].text


def test_unknown_outcome_locks_the_bill_until_recovery_resolves_it(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    identify(qtbot, desk, QINGHAI)
    with qtbot.waitSignal(window.pre_settled, timeout=20_000):
        window.pre_settle()
    # The settlement's answer is lost, and so is every reversal attempt for now.
    sandbox.set_faults(
        [
            {"infno": "2207", "kind": "drop_after", "nth": [1]},
            {"infno": "2601", "kind": "refuse", "probability": 1.0},
            {"infno": "5203", "kind": "refuse", "probability": 1.0},
        ]
    )
    window.monitor.recovery_timer.setInterval(60_000)
    with qtbot.waitSignal(window.lock_changed, timeout=20_000) as locked:
        window.settle()
    assert locked.args == [True]
    assert window.settle_panel.lock_label.isVisible()
    assert window.settle_panel.lock_label.text() == UNKNOWN_OUTCOME_TEXT
    assert not window.settle_panel.settle_button.isEnabled()
    assert not window.settle_panel.pre_settle_button.isEnabled()
    window.settle()
    window.identify.next_patient()  # refused: the cashier cannot leave the bill
    assert window.bill_id is not None
    assert sandbox.request_count("2207") == 1
    sandbox.set_faults([])
    with qtbot.waitSignal(window.lock_changed, timeout=20_000) as unlocked:
        window.monitor.run_recovery()
    assert unlocked.args == [False]
    assert not window.settle_panel.lock_label.isVisible()
    (group,) = window.groups.values()
    assert group.state is not GroupState.UNKNOWN
    assert sandbox.request_count("2207") == 1  # never re-sent: recovery reversed or confirmed it


def test_idle_lock_hides_the_window_after_the_configured_minutes(
    qtbot: QtBot, sandbox: SandboxServer, open_desk: Callable[..., Desk]
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    identify(qtbot, desk, QINGHAI)
    desk.clock.advance(timedelta(minutes=window.settings.idle_lock_minutes))
    with qtbot.waitSignal(window.operator_changed, timeout=5_000) as blocker:
        pass
    assert blocker.args == [None]
    assert window.pages.currentWidget() is window.login_page
    assert not window.can(Action.SETTLE)


def test_catalogue_search_answers_while_typing_and_drops_stale_answers(
    qtbot: QtBot, sandbox: SandboxServer, open_desk: Callable[..., Desk]
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    identify(qtbot, desk, QINGHAI)
    answers: list[int] = []
    window.search_answered.connect(answers.append)
    window.bill_panel.search_edit.setFocus()
    qtbot.keyClicks(window.bill_panel.search_edit, "YSEJ")
    qtbot.waitUntil(lambda: bool(answers), timeout=5_000)
    assert len(answers) == 1  # debounced: one search for four keystrokes
    item = window.catalogue_model.item(0)
    assert item is not None
    assert item.name == "盐酸二甲双胍片"
    window.bill_panel.search_edit.clear()
    qtbot.keyClicks(window.bill_panel.search_edit, "AMXL")
    qtbot.waitUntil(lambda: len(answers) == 2, timeout=5_000)
    first = window.catalogue_model.item(0)
    assert first is not None
    assert first.name == "阿莫西林胶囊"


def test_offline_the_whole_bill_can_be_collected_as_full_self_pay(
    qtbot: QtBot, open_desk: Callable[..., Desk], confirm_everything: list[str]
) -> None:
    server = SandboxServer().start()
    desk = open_desk(server)
    window = desk.window
    identify(qtbot, desk, QINGHAI)
    assert not window.settle_panel.offline_self_pay_button.isVisible()  # online: settle normally
    server.stop()
    window.check_connection()
    qtbot.waitUntil(lambda: window.connection is not None and not window.connection.online)
    identify(qtbot, desk, QINGHAI)
    qtbot.waitUntil(lambda: window.bill_model.rowCount() > 0, timeout=10_000)
    assert "全额自费" in window.settle_panel.reason_label.text()
    assert not window.settle_panel.pre_settle_button.isEnabled()
    assert window.settle_panel.offline_self_pay_button.isVisible()
    assert window.settle_panel.offline_self_pay_button.isEnabled()
    sent_before = server.request_count()

    with qtbot.waitSignal(window.receipts_ready, timeout=20_000) as printed:
        window.settle_panel.offline_self_pay_button.click()

    (receipt,) = printed.args[0]
    assert receipt.data.settlement_id.startswith("ZF")
    assert receipt.data.totals.cash == receipt.data.totals.total == window.bill_model.total
    assert receipt.data.totals.fund == 0
    assert "申请报销" in receipt.data.category.notice
    assert "医保平台无法连接" in receipt.data.category.notice
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(receipt.pdf)).pages)
    assert "全额自费" in text
    assert "报销" in text
    assert "全额自费" in confirm_everything[-1]
    assert server.request_count() == sent_before
    assert (
        not window.settle_panel.offline_self_pay_button.isEnabled()
    )  # no second collection of this bill
