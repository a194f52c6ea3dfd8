"""The idle lock is the login policy's rule (``LoginPolicy.idle_expired``), not a copy in the window."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta

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
