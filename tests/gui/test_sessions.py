"""Sessions: visible lock and log-out, a lock only its owner (or a supervisor) lifts, the registration
desk's tab, day close from a cashier's window, and where F6 puts the focus."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.sandbox import SandboxServer
from app.ui.dialogs.credential_dialog import CredentialAnswer, CredentialDialog
from app.ui.main_window import MainWindow
from app.ui.panels.identify_panel import FOCUS_COLOUR
from gui.desk import PASSWORDS, Desk, insert_card
from gui.test_history import settle_qinghai

QINGHAI = "马秀兰"


def identify(qtbot: QtBot, desk: Desk, name: str) -> None:
    insert_card(desk, name)
    with qtbot.waitSignal(desk.window.identified, timeout=10_000):
        desk.window.read_card()
    qtbot.waitUntil(lambda: not desk.window.busy, timeout=10_000)


def try_login(qtbot: QtBot, window: MainWindow, code: str) -> None:
    window.login(code, PASSWORDS[code])
    qtbot.waitUntil(lambda: not window.busy, timeout=10_000)


def test_lock_and_log_out_are_visible_buttons(
    qtbot: QtBot, sandbox: SandboxServer, open_desk: Callable[..., Desk]
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    assert window.lock_button.isVisible()
    assert window.logout_button.isVisible()
    assert window.lock_button.text() == "锁屏（Ctrl+L）"
    assert window.logout_button.text() == "注销 / 切换用户"
    identify(qtbot, desk, QINGHAI)
    window.logout_button.click()
    assert window.operator is None
    assert window.pages.currentWidget() is window.login_page
    assert window.eligibility is None  # nobody's patient is left for the next operator
    try_login(qtbot, window, "S001")  # a switch of user, not an unlock
    assert window.operator is not None
    assert window.operator.code == "S001"


def test_a_lock_is_lifted_by_its_owner_not_by_another_operator(
    qtbot: QtBot, sandbox: SandboxServer, open_desk: Callable[..., Desk]
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    identify(qtbot, desk, QINGHAI)
    QTest.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.pages.currentWidget() is window.login_page
    assert "收费员甲" in window.login_hint.text()

    try_login(qtbot, window, "R001")  # 挂号员丙 knows their own password: not enough
    assert window.operator is None
    assert window.pages.currentWidget() is window.login_page
    assert [m.code for m in desk.errors()] == ["locked_by_other"]

    try_login(qtbot, window, "C001")
    assert window.operator is not None
    assert window.operator.code == "C001"
    assert window.eligibility is not None  # the owner finds the patient where they left it
    assert window.eligibility.person.name == QINGHAI


def test_a_supervisor_lifts_a_lock_by_logging_the_operator_out(
    qtbot: QtBot, sandbox: SandboxServer, open_desk: Callable[..., Desk]
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    identify(qtbot, desk, QINGHAI)
    window.lock_button.click()
    try_login(qtbot, window, "S001")
    assert window.operator is not None
    assert window.operator.code == "S001"
    assert window.eligibility is None  # the cashier's screen was cleared: they are logged out
    assert any("收费员甲" in m.text and "注销" in m.text for m in desk.messages)
    window.lock_button.click()
    try_login(qtbot, window, "C001")  # the cashier no longer owns the (supervisor's) lock
    assert window.operator is None
    assert desk.errors()[-1].code == "locked_by_other"


def test_the_registration_desks_tab_is_not_called_cashier(
    qtbot: QtBot, sandbox: SandboxServer, open_desk: Callable[..., Desk]
) -> None:
    desk = open_desk(sandbox, operator="R001")
    assert desk.window.tabs.tabText(0) == "资格查询"
    cashier = open_desk(sandbox, operator="C001")
    assert cashier.window.tabs.tabText(0) == "收费"


def test_a_supervisor_closes_the_day_from_a_cashiers_window(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    settle_qinghai(qtbot, desk)
    prompts: list[str] = []

    def ask(cls: type, parent: object, title: str, prompt: str, code: str = "") -> CredentialAnswer:
        prompts.append(prompt)
        return CredentialAnswer("S001", PASSWORDS["S001"])

    monkeypatch.setattr(CredentialDialog, "ask", classmethod(ask))
    window.tabs.setCurrentWidget(window.journal_tab)
    assert window.journal_tab.day_close_button.isVisible()
    window.journal_tab.day_close_button.click()
    qtbot.waitUntil(lambda: bool(window.journal_tab.day_close_label.text()), timeout=20_000)
    assert len(prompts) == 1
    assert "平衡" in window.journal_tab.day_close_label.text()
    assert sandbox.request_count("3201") >= 1
    assert desk.errors() == []


def test_a_cashier_cannot_close_the_day_with_their_own_password(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    monkeypatch.setattr(
        CredentialDialog,
        "ask",
        classmethod(lambda cls, *a, **k: CredentialAnswer("C001", PASSWORDS["C001"])),
    )
    window.journal_tab.day_close()
    qtbot.waitUntil(lambda: bool(desk.errors()), timeout=10_000)
    assert sandbox.request_count("3201") == 0
    assert desk.errors()[-1].code == "day_close_self"


def _has_colour(window: MainWindow, colour: str) -> bool:
    image = window.identify_panel.demo_cards.grab().toImage()
    wanted = QColor(colour)
    return any(
        image.pixelColor(x, image.height() // 2) == wanted for x in range(min(6, image.width()))
    )


def test_f6_shows_where_the_focus_went(
    qtbot: QtBot, sandbox: SandboxServer, open_desk: Callable[..., Desk]
) -> None:
    desk = open_desk(sandbox)
    window = desk.window
    qtbot.waitExposed(window)
    window.identify_panel.id_edit.setFocus()
    qtbot.waitUntil(window.identify_panel.id_edit.hasFocus, timeout=2_000)
    assert not _has_colour(window, FOCUS_COLOUR)
    QTest.keyClick(window, Qt.Key.Key_F6)
    qtbot.waitUntil(window.identify_panel.demo_cards.hasFocus, timeout=2_000)
    assert _has_colour(window, FOCUS_COLOUR)  # a thick, coloured frame around the card list
    assert any("F2" in m.text for m in desk.messages)
