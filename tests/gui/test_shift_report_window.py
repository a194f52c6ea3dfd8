"""The window's shift report and long work with a progress dialog (issue 18): progress is shown while
the window keeps running its event loop, Cancel works only where safe and changes nothing, the shift
report is made off the GUI thread and previewed (a cashier: their own shift)."""

from __future__ import annotations

import gc
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers.engine_fixtures import demo_bill
from pypdf import PdfReader
from pytestqt.qtbot import QtBot

from app.sandbox import SandboxServer
from app.ui.dialogs.credential_dialog import CredentialAnswer, CredentialDialog
from app.ui.shift_report_ui import ShiftReportActions, install_shift_report
from app.workers.shift_backend import EngineShiftBackend
from gui.conftest import Previews
from gui.desk import PASSWORDS, Desk, TickProbe


def _install(desk: Desk) -> ShiftReportActions:
    return install_shift_report(desk.window, EngineShiftBackend(desk.engine))


def _catalogue(tmp_path: Path, count: int) -> Path:
    lines = ["hospital_code,national_code,name,unit_price,item_class"]
    lines += [f"H{n:06d},N{n:06d},测试药品{n}号,{n % 90 + 1}.25,01" for n in range(count)]
    path = tmp_path / "catalogue.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_cashier_prints_their_own_shift_report_from_the_window(
    qtbot: QtBot,
    open_desk: Callable[..., Desk],
    sandbox: SandboxServer,
    previews: Previews,
) -> None:
    desk = open_desk(sandbox, operator="C001")
    desk.engine.settle_visit(demo_bill("01"), desk.engine.operator("C001"))
    actions = _install(desk)
    assert not actions.report_button.isHidden()
    assert actions.import_button.isHidden()  # a cashier does not import catalogues

    actions.report_button.click()

    qtbot.waitUntil(lambda: len(previews) == 1, timeout=15_000)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(previews[0])).pages)
    flat = text.replace("\n", "").replace(" ", "")
    assert "收费员日结单（交班表）" in flat
    assert "C001收费员甲" in flat
    assert "50.00" in flat
    assert previews.titles == [actions.last_report.sheet.report_no]  # type: ignore[union-attr]
    assert "-C001-" in previews.titles[0]


@pytest.mark.serial
def test_catalogue_import_shows_progress_stays_responsive_and_cancel_changes_nothing(
    qtbot: QtBot,
    open_desk: Callable[..., Desk],
    sandbox: SandboxServer,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    desk = open_desk(sandbox, operator="S001")
    actions = _install(desk)
    before = desk.engine.catalogue.count()
    path = _catalogue(tmp_path, 60_000)
    # As the window's start-up does (app/main.py, _freeze_start_up_objects): the long-lived heap is
    # kept out of later full collections, which would otherwise hold the GIL for most of a second
    # while the worker allocates the parsed items.
    gc.collect()
    gc.freeze()
    request.addfinalizer(gc.unfreeze)

    with TickProbe() as probe:
        actions.import_catalogue(path)
        progress = actions.last_progress
        assert progress is not None
        assert progress.dialog.isVisible()
        qtbot.waitUntil(
            lambda: any(s.label == "写入本地目录" and s.done > 0 for s in progress.steps),
            timeout=60_000,
        )
        assert progress.cancel_button.isEnabled()  # writing inside one transaction: safe to stop
        progress.cancel_button.click()
        qtbot.waitUntil(lambda: not progress.dialog.isVisible(), timeout=60_000)
    assert desk.engine.catalogue.count() == before  # rolled back
    assert "nothing was changed" in desk.window.statusBar().currentMessage() or (
        "未做任何改动" in desk.window.statusBar().currentMessage()
    )
    done = [s.done for s in progress.steps if s.label == "读取目录文件" and s.total]
    assert done == sorted(done)
    assert len(done) >= 10  # the bar moved while reading
    # The GUI thread kept running (R12 asks 100 ms; the bound is loose for a shared test machine).
    assert probe.max_gap < 0.5


def test_the_day_close_runs_with_a_progress_dialog(
    qtbot: QtBot,
    open_desk: Callable[..., Desk],
    sandbox: SandboxServer,
    confirm_everything: list[str],
) -> None:
    desk = open_desk(sandbox, operator="S001")
    desk.engine.settle_visit(demo_bill("01"), desk.engine.operator("C001"))
    actions = _install(desk)

    desk.window.journal_tab.day_close_button.click()

    qtbot.waitUntil(lambda: actions.last_day_close is not None, timeout=30_000)
    progress = actions.last_progress
    assert progress is not None
    assert [s.label[:10] for s in progress.steps] == ["总额对账（3201）", "保存日结结果"]
    assert not progress.dialog.isVisible()
    assert desk.window.journal_tab.day_close_label.text() == actions.last_day_close.summary()  # type: ignore[union-attr]


def test_catalogue_sync_runs_with_a_progress_dialog(
    qtbot: QtBot, open_desk: Callable[..., Desk], sandbox: SandboxServer
) -> None:
    desk = open_desk(sandbox, operator="S001")
    actions = _install(desk)
    assert not actions.sync_button.isHidden()

    actions.sync_button.click()

    qtbot.waitUntil(lambda: actions.last_sync is not None, timeout=30_000)
    progress = actions.last_progress
    assert progress is not None
    assert [s.label for s in progress.steps] == [
        "下载目录（1301）", "下载目录（1305）", "下载目录（1306）", "更新本地目录",
    ]  # fmt: skip
    assert not progress.dialog.isVisible()


def test_a_day_close_authorised_at_a_cashiers_window_runs_with_the_progress_dialog(
    qtbot: QtBot,
    open_desk: Callable[..., Desk],
    sandbox: SandboxServer,
    confirm_everything: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One day-close flow: the cashier's button asks a supervisor, then the same progress dialog
    as a supervisor's own day close runs it (issue 18 item 2)."""
    desk = open_desk(sandbox)  # logged in as the cashier C001
    desk.engine.settle_visit(demo_bill("01"), desk.engine.operator("C001"))
    actions = _install(desk)
    monkeypatch.setattr(
        CredentialDialog,
        "ask",
        classmethod(lambda cls, *a, **k: CredentialAnswer("S001", PASSWORDS["S001"])),
    )

    desk.window.journal_tab.day_close_button.click()

    qtbot.waitUntil(lambda: actions.last_day_close is not None, timeout=30_000)
    progress = actions.last_progress
    assert progress is not None
    assert [s.label[:10] for s in progress.steps] == ["总额对账（3201）", "保存日结结果"]
    assert sandbox.request_count("3201") >= 1
    assert not desk.errors()
    assert desk.window.journal_tab.day_close_label.text() == actions.last_day_close.summary()  # type: ignore[union-attr]


def test_the_day_close_summary_is_in_the_windows_language(
    qtbot: QtBot,
    open_desk: Callable[..., Desk],
    sandbox: SandboxServer,
    confirm_everything: list[str],
) -> None:
    """An English window (``[ui] language = "en"``) showed "2026-12-08 日结对账平衡，共 1 个对账组。"."""
    desk = open_desk(sandbox, operator="S001")
    desk.window.bridge.language = "en"
    desk.engine.settle_visit(demo_bill("01"), desk.engine.operator("C001"))
    actions = _install(desk)

    desk.window.journal_tab.day_close_button.click()

    qtbot.waitUntil(lambda: actions.last_day_close is not None, timeout=30_000)
    text = desk.window.journal_tab.day_close_label.text()
    assert text == actions.last_day_close.summary("en")  # type: ignore[union-attr,call-arg]
    assert "balances" in text
