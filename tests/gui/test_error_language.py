"""Errors from the services are worded in the window's language (the message catalogue's English)."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.domain.bill import FeeLine
from app.errors import InputError, PlatformCategory, PlatformFailure, PlatformRejected
from app.messages import ENGLISH
from app.messages import bill as bill_words
from app.ui.errors import MessageBridge, ShownMessage, describe, show_error


def _missing_code() -> InputError:
    try:
        FeeLine.create(
            line_no="7", hospital_code=" ", national_code="", name="x", unit_price="1", quantity="1"
        )
    except InputError as exc:
        return exc
    raise AssertionError("a line without a hospital code was accepted")


def test_a_service_error_reads_chinese_by_default_and_english_in_an_english_window() -> None:
    error = _missing_code()
    chinese = describe(error)
    english = describe(error, ENGLISH)
    assert chinese is not None
    assert english is not None
    assert chinese.text == "第 7 行缺少院内项目编码。"
    assert english.text == "Line 7 has no hospital item code."
    assert chinese.code == english.code == "line_code"


def test_the_platform_words_stay_as_the_platform_wrote_them_in_either_language() -> None:
    failure = PlatformFailure("2207", "M1", "参保人信息不存在")
    error = PlatformRejected(bill_words.LINE_NO_MISSING(), failure, PlatformCategory.PERSON)
    english = describe(error, ENGLISH)
    assert english is not None
    assert english.text == "A fee line has no line number; check the data the HIS sent."
    assert english.detail == "参保人信息不存在"


def test_the_bridge_words_errors_in_its_language(qtbot: QtBot) -> None:
    bridge = MessageBridge(language=ENGLISH)
    seen: list[ShownMessage] = []
    bridge.shown.connect(seen.append)
    bridge.flush()
    show_error(bridge, _missing_code())
    assert [message.text for message in seen] == ["Line 7 has no hospital item code."]
