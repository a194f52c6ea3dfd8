"""One path from exceptions to messages: plain Chinese, platform words only quoted, bugs to the log."""

from __future__ import annotations

import logging
import sys

import pytest
from pytestqt.qtbot import QtBot

from app.errors import (
    InputError,
    OutcomeUnknown,
    PlatformCategory,
    PlatformFailure,
    PlatformMaintenance,
    PlatformRejected,
    UserCancelled,
)
from app.ui.errors import (
    Level,
    MessageBridge,
    ShownMessage,
    describe,
    install_excepthook,
    show_error,
)

HOSTILE = "<script>alert(1)</script>\x00\x1b[31m" + "长" * 300


def test_platform_text_is_only_a_cleaned_quoted_detail() -> None:
    failure = PlatformFailure("2207", "M1", HOSTILE)
    message = describe(
        PlatformRejected("平台拒绝了本次结算，请核对后重试。", failure, PlatformCategory.OTHER)
    )
    assert message is not None
    assert message.text == "平台拒绝了本次结算，请核对后重试。"
    assert HOSTILE not in message.detail
    assert "\x00" not in message.detail
    assert "\x1b" not in message.detail
    assert len(message.detail) <= 121


def test_kinds_map_to_levels() -> None:
    failure = PlatformFailure("1101")
    assert describe(UserCancelled()) is None
    shown = {
        "input": describe(InputError("数量不对，请改正。")),
        "maintenance": describe(PlatformMaintenance("今晚维护。", failure)),
        "unknown": describe(OutcomeUnknown("结果未知。", failure)),
        "bug": describe(ZeroDivisionError("division by zero")),
    }
    levels = {name: message.level for name, message in shown.items() if message is not None}
    assert levels == {
        "input": Level.INFO,
        "maintenance": Level.WARNING,
        "unknown": Level.WARNING,
        "bug": Level.BUG,
    }
    bug = shown["bug"]
    assert bug is not None
    assert "division" not in bug.text


def test_bridge_buffers_until_the_window_is_ready(qtbot: QtBot) -> None:
    bridge = MessageBridge()
    seen: list[ShownMessage] = []
    bridge.shown.connect(seen.append)
    show_error(bridge, InputError("请先读卡。"))
    assert seen == []
    bridge.flush()
    assert [m.text for m in seen] == ["请先读卡。"]


def test_uncaught_bug_is_logged_and_shown_once_per_kind(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    bridge = MessageBridge()
    bridge.flush()
    seen: list[ShownMessage] = []
    bridge.shown.connect(seen.append)
    install_excepthook(bridge)
    with caplog.at_level(logging.CRITICAL, logger="app.ui.errors"):
        for _ in range(2):
            try:
                raise KeyError("secret-detail")
            except KeyError as exc:
                sys.excepthook(type(exc), exc, exc.__traceback__)
    assert len(seen) == 1
    assert seen[0].level is Level.BUG
    assert "secret-detail" not in seen[0].text
    assert sum("KeyError" in r.getMessage() for r in caplog.records) == 2
