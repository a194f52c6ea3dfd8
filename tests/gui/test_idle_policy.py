"""The idle lock is the login policy's rule (``LoginPolicy.idle_expired``), not a copy in the window."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from app.sandbox import SandboxServer
from gui.desk import Desk


def test_the_window_locks_when_the_engines_policy_says_so(
    qtbot: QtBot, sandbox: SandboxServer, open_desk: Callable[..., Desk]
) -> None:
    desk = open_desk(sandbox, ui={"idle_lock_minutes": 30})
    window = desk.window
    auth = desk.engine.auth
    # The engine's policy is the one that counts: give it a shorter idle time than the settings'.
    auth.policy = dataclasses.replace(auth.policy, idle_lock=timedelta(minutes=2))
    desk.clock.advance(timedelta(minutes=1))
    qtbot.wait(window.timing.idle_check_ms * 3)
    assert window.operator is not None
    desk.clock.advance(timedelta(minutes=1))
    with qtbot.waitSignal(window.operator_changed, timeout=5_000) as blocker:
        pass
    assert blocker.args == [None]
    assert window.pages.currentWidget() is window.login_page


def test_a_shortcut_key_counts_as_activity(
    qtbot: QtBot, sandbox: SandboxServer, open_desk: Callable[..., Desk]
) -> None:
    # F2/F8/F9 are shortcuts: Qt delivers them as ShortcutOverride, never as KeyPress. A cashier
    # working with function keys alone is at the desk all the same.
    desk = open_desk(sandbox)
    window = desk.window
    idle = timedelta(minutes=window.settings.idle_lock_minutes)
    desk.clock.advance(idle - timedelta(minutes=1))
    QTest.keyClick(window, Qt.Key.Key_F6)  # a harmless shortcut: focus the demo card picker
    desk.clock.advance(timedelta(minutes=2))  # past the idle time since login, not since F6
    qtbot.wait(window.timing.idle_check_ms * 3)
    assert window.operator is not None
    # The lock still comes once the full idle time has passed since that key.
    desk.clock.advance(idle - timedelta(minutes=2))
    with qtbot.waitSignal(window.operator_changed, timeout=5_000) as blocker:
        pass
    assert blocker.args == [None]
