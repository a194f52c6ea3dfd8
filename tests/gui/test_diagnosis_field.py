"""The visit's diagnosis typed at a window without an HIS visit (the demo, typed bills).

General-outpatient lines need the visit's diagnosis for 2203. It came only from an HIS visit, so at a
window without one F8 refused every general line with advice the cashier could not follow. The
diagnosis field (Alt+D) takes a 医保版 ICD-10 code (its form checked locally) and a name; F8's refusal
points to it and puts the cursor there; the typed diagnosis goes to the bill and 2203 exactly as an
HIS visit's does. With an HIS visit its diagnosis is shown there, read-only.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.domain.bill import TagKind
from app.domain.visit import GroupState
from app.sandbox import SandboxServer
from app.ui.errors import ShownMessage
from app.ui.main_window import MainWindow
from gui.desk import Desk, insert_card
from gui.test_cashier_flow import add_by_typing, tag_row

# The completion popup under the offscreen platform (tests only): it cannot raise or grab.
pytestmark = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support grabbing the keyboard"
)

TWO_DISEASES = "李淑芬"  # 高血压 M03900 + 糖尿病 M01600
HEBEI = "张建国"  # his HIS visit: hypertension lines + a general line, diagnosis I10.x00


def identify_and_type_a_general_line(qtbot: QtBot, desk: Desk) -> None:
    """No HIS: the card is read, the cashier types one item and tags it general (G)."""
    window = desk.window
    insert_card(desk, TWO_DISEASES)
    with qtbot.waitSignal(window.identified, timeout=10_000):
        QTest.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: not window.busy, timeout=5_000)
    assert window.bill_model.rowCount() == 0  # nothing handed over: a typed bill
    add_by_typing(qtbot, window, "AMXLJN")  # 阿莫西林胶囊
    tag_row(window, 0, "G")
    assert window.settle_panel.pre_settle_button.isEnabled()


def refusals(desk: Desk) -> list[ShownMessage]:
    return [m for m in desk.messages if m.code.startswith("diagnosis")]


def press_f8_and_wait(qtbot: QtBot, window: MainWindow) -> None:
    QTest.keyClick(window, Qt.Key.Key_F8)
    qtbot.waitUntil(lambda: not window.busy, timeout=20_000)


def test_a_typed_bill_gets_its_diagnosis_in_the_field_and_settles_its_general_lines(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
) -> None:
    desk = open_desk(sandbox, his={"kind": "none"})
    window = desk.window
    field = window.bill_panel.diagnosis
    identify_and_type_a_general_line(qtbot, desk)

    sent = sandbox.request_count()
    press_f8_and_wait(qtbot, window)
    (refusal,) = refusals(desk)  # in the status line, as every input error
    assert refusal.code == "diagnosis_needed"
    assert "“诊断”栏" in refusal.text
    assert "Alt+D" in refusal.text
    assert sandbox.request_count() == sent  # nothing sent
    assert window.bill_id is None  # nothing saved
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field.code_edit, timeout=2_000)

    # The keyboard way: Alt+D reaches the code from anywhere; a known code fills in its name.
    window.bill_panel.bill_table.setFocus()
    QTest.keyClick(window, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field.code_edit, timeout=2_000)
    QTest.keyClicks(field.code_edit, "j06.900")
    QTest.keyClick(field.code_edit, Qt.Key.Key_Tab)
    assert field.code_edit.text() == "J06.900"  # the catalogue's form
    assert field.name_edit.text() == "急性上呼吸道感染"

    with qtbot.waitSignal(window.pre_settled, timeout=20_000):
        QTest.keyClick(window, Qt.Key.Key_F8)
    (general,) = [g for g in window.groups.values() if g.kind.value == TagKind.GENERAL.value]
    assert general.state is GroupState.PREVIEWED, general.failure
    assert window.bill_id is not None
    with desk.engine.uow_factory() as uow:
        bill = uow.bills.get(window.bill_id)
    assert bill is not None  # kept with the bill, as an HIS visit's diagnosis is (2203 sends it)
    assert (bill.diagnosis_code, bill.diagnosis_name) == ("J06.900", "急性上呼吸道感染")
    assert field.code_edit.isReadOnly()  # the bill was sent: no more editing

    with qtbot.waitSignal(window.settlement_finished, timeout=20_000):
        QTest.keyClick(window, Qt.Key.Key_F9)
    assert window.groups[general.group_key].state is GroupState.SETTLED


def test_a_malformed_code_is_refused_before_anything_is_sent(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
    confirm_everything: list[str],
) -> None:
    desk = open_desk(sandbox, his={"kind": "none"})
    window = desk.window
    field = window.bill_panel.diagnosis
    identify_and_type_a_general_line(qtbot, desk)
    QTest.keyClicks(field.code_edit, "J06.9?x")  # the field takes only the code's form
    assert field.code_edit.text() == "J06.9"
    field.name_edit.insert("急性上呼吸道感染")  # typed with an input method
    window.bill_panel.bill_table.setFocus()

    sent = sandbox.request_count()
    press_f8_and_wait(qtbot, window)
    (refusal,) = refusals(desk)
    assert refusal.code == "diagnosis_invalid"
    assert "J06.9" in refusal.text
    assert "Alt+D" in refusal.text
    assert sandbox.request_count() == sent
    qtbot.waitUntil(lambda: QApplication.focusWidget() is field.code_edit, timeout=2_000)


def test_a_common_diagnosis_is_picked_by_its_name(
    qtbot: QtBot, sandbox: SandboxServer, open_desk: Callable[..., Desk]
) -> None:
    desk = open_desk(sandbox, his={"kind": "none"})
    field = desk.window.bill_panel.diagnosis
    field.name_edit.setFocus()
    field.name_edit.insert("支气管")  # typed with an input method
    field.name_edit.completer().complete()
    popup = field.name_edit.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=2_000)
    QTest.keyClick(popup, Qt.Key.Key_Down)
    QTest.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: field.code_edit.text() == "J20.900", timeout=2_000)
    assert field.name_edit.text() == "急性支气管炎"
    diagnosis = field.diagnosis()
    assert diagnosis is not None
    assert (diagnosis.code, diagnosis.name) == ("J20.900", "急性支气管炎")


def test_the_his_visits_diagnosis_is_shown_read_only(
    qtbot: QtBot,
    sandbox: SandboxServer,
    open_desk: Callable[..., Desk],
) -> None:
    desk = open_desk(sandbox)  # the demo HIS
    window = desk.window
    field = window.bill_panel.diagnosis
    insert_card(desk, HEBEI)
    with qtbot.waitSignal(window.identified, timeout=10_000):
        QTest.keyClick(window, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: field.code_edit.text() == "I10.x00", timeout=10_000)
    assert field.name_edit.text() == "原发性高血压"
    assert field.code_edit.isReadOnly()
    assert field.name_edit.isReadOnly()
    assert field.source_label.isVisible()
    assert field.diagnosis() is None  # the HIS visit's is used, not a typed one

    QTest.keyClick(window, Qt.Key.Key_F12)  # next patient: nobody's diagnosis stays
    assert field.code_edit.text() == ""
    assert not field.code_edit.isReadOnly()
