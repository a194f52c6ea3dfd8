"""The one-time code in the window: asked after a right password at login and at a supervisor's
authorisation, typed from the keyboard, wrong codes refused (S4).

Real window, real engine on SQLite, real sandbox; only the clock (the desk's FakeClock) and the
dialogs' answers are supplied by the test. The supervisor S001 gets an authenticator through the auth
service, and the test computes its codes like the phone app would.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from app.sandbox import SandboxServer
from app.services.totp import code_at
from app.ui.dialogs.credential_dialog import CredentialAnswer, CredentialDialog
from gui.desk import PASSWORDS, Desk
from gui.test_history import settle_qinghai, show_history

REQUIRED = {"second_factor_roles": ["supervisor", "admin"]}


def enrol_supervisor(desk: Desk) -> str:
    """An admin enrols S001's authenticator; returns the secret (the confirming step is used)."""
    auth = desk.engine.auth
    auth.init_admin("A001", "信息科管理员", "Admin-2026x")
    admin = auth.login("A001", "Admin-2026x", enrolling_self=True)
    enrolment = auth.begin_second_factor(admin, "S001")
    auth.confirm_second_factor(admin, "S001", code_at(enrolment.secret, desk.clock.now()))
    desk.clock.advance(timedelta(seconds=30))
    return enrolment.secret


@dataclass
class Asked:
    """Every call of ``CredentialDialog.ask``: (title, prompt, code, password, with_otp)."""

    calls: list[tuple[str, str, str, str, bool]] = field(default_factory=list)


def answer_with(
    monkeypatch: pytest.MonkeyPatch,
    first: CredentialAnswer | None,
    code_answer: Callable[[], str],
) -> Asked:
    """The dialog answers ``first`` when asked for a credential, and with the pre-filled code and
    password plus ``code_answer()`` when asked for the one-time code."""
    asked = Asked()

    def ask(
        cls: type,
        parent: object,
        title: str,
        prompt: str,
        code: str = "",
        *,
        password: str = "",
        with_otp: bool = False,
    ) -> CredentialAnswer | None:
        asked.calls.append((title, prompt, code, password, with_otp))
        if with_otp:
            return CredentialAnswer(code, password, code_answer())
        return first

    monkeypatch.setattr(CredentialDialog, "ask", classmethod(ask))
    return asked


def test_the_code_row_is_hidden_until_needed_and_typed_from_the_keyboard(
    qtbot: QtBot, chinese: Any
) -> None:
    plain = CredentialDialog("登录", "工号和密码")
    qtbot.addWidget(plain)
    assert not plain.otp_edit.isVisibleTo(plain)
    assert plain.answer().otp == ""

    dialog = CredentialDialog(
        "登录", "请输入动态验证码", "S001", password="secret-1", with_otp=True
    )
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.otp_edit.isVisibleTo(dialog)
    assert dialog.focusWidget() is dialog.otp_edit
    qtbot.keyClicks(dialog.otp_edit, "12a3 4567")  # only digits, at most six
    assert dialog.otp_edit.text() == "123456"
    qtbot.keyClick(dialog.otp_edit, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.answer() == CredentialAnswer("S001", "secret-1", "123456")


def test_a_supervisor_logs_in_with_password_then_code(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = open_desk(sandbox, operator=None, login=REQUIRED)
    window = desk.window
    secret = enrol_supervisor(desk)
    asked = answer_with(
        monkeypatch,
        CredentialAnswer("S001", PASSWORDS["S001"]),
        lambda: code_at(secret, desk.clock.now()),
    )
    with qtbot.waitSignal(window.operator_changed, timeout=10_000):
        window.ask_login()
    assert window.operator is not None
    assert window.operator.code == "S001"
    assert window.pages.currentWidget() is window.work_page
    # First the ordinary dialog, then the same one with the code row, code and password kept.
    assert [(c[2], c[3], c[4]) for c in asked.calls] == [
        ("", "", False),
        ("S001", PASSWORDS["S001"], True),
    ]
    assert "6 位" in asked.calls[1][1]  # the prompt is translated
    assert desk.errors() == []


def test_a_wrong_code_is_refused_and_counts_toward_the_lockout(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = open_desk(sandbox, operator=None, login=REQUIRED)
    window = desk.window
    secret = enrol_supervisor(desk)
    wrong = code_at(secret, desk.clock.now() + timedelta(minutes=10))
    answer_with(monkeypatch, CredentialAnswer("S001", PASSWORDS["S001"]), lambda: wrong)
    for attempt in range(1, 6):
        window.ask_login()
        qtbot.waitUntil(lambda n=attempt: len(desk.errors()) == n, timeout=10_000)
    codes = [m.code for m in desk.errors()]
    assert codes == ["second_factor_failed"] * 5
    assert "动态验证码不正确" in desk.errors()[0].text
    assert window.operator is None
    # Locked now: even the right code is refused until the lock ends.
    answer_with(
        monkeypatch,
        CredentialAnswer("S001", PASSWORDS["S001"]),
        lambda: code_at(secret, desk.clock.now()),
    )
    window.ask_login()
    qtbot.waitUntil(lambda: len(desk.errors()) == 6, timeout=10_000)
    assert desk.errors()[-1].code == "login_locked"


def test_an_unenrolled_supervisor_is_told_to_ask_it(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = open_desk(sandbox, operator=None, login=REQUIRED)
    window = desk.window
    asked = answer_with(monkeypatch, CredentialAnswer("S001", PASSWORDS["S001"]), lambda: "")
    window.ask_login()
    qtbot.waitUntil(lambda: bool(desk.errors()), timeout=10_000)
    (error,) = desk.errors()
    assert error.code == "second_factor_not_enrolled"
    assert "请联系信息科为您绑定验证器" in error.text
    assert [c[4] for c in asked.calls] == [False]  # no code asked: it would not help
    assert window.operator is None


def test_a_cancellation_asks_for_the_supervisors_code(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    monkeypatch: pytest.MonkeyPatch,
    confirm_everything: list[str],
) -> None:
    desk = open_desk(sandbox, operator="C001", login=REQUIRED)
    window = desk.window
    secret = enrol_supervisor(desk)
    settle_qinghai(qtbot, desk)
    show_history(qtbot, desk)
    used: list[str] = []

    def current_code() -> str:
        used.append(code_at(secret, desk.clock.now()))
        return used[-1]

    asked = answer_with(monkeypatch, CredentialAnswer("S001", PASSWORDS["S001"]), current_code)
    window.history_tab.cancel_selected()
    qtbot.waitUntil(lambda: sandbox.request_count("2208") == 1 and not window.busy, timeout=20_000)
    assert [c[4] for c in asked.calls] == [False, True]
    assert asked.calls[1][0] == "主管授权"
    assert not [m for m in desk.errors() if m.code != "second_factor_needed"]

    # The same code again (same 30 s) is a replay: refused before anything is sent.
    window.tabs.setCurrentWidget(window.history_tab)
    qtbot.waitUntil(lambda: window.history_tab.model.rowCount() >= 1, timeout=10_000)
    window.history_tab.table.selectRow(0)
    answer_with(monkeypatch, CredentialAnswer("S001", PASSWORDS["S001"]), lambda: used[0])
    window.history_tab.reissue_selected()
    qtbot.waitUntil(lambda: not window.busy and bool(desk.errors()), timeout=10_000)
    assert desk.errors()[-1].code == "second_factor_replayed"
