"""The CLI progress bar (issue 18 part 2): drawn for a person at a terminal, never under ``--json`` or
when stdout is not a terminal; Ctrl+C asks the work to stop at a safe point."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import CliRunner
from helpers.engine_fixtures import SUPERVISOR_PASSWORD
from rich.console import Console

from app.cli.progress import TerminalProgress, terminal_progress, wants_progress
from app.errors import UserCancelled
from app.sandbox import SandboxServer
from app.services.ports.progress import Progress, ProgressStep


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_only_for_a_person_at_a_terminal() -> None:
    assert wants_progress(json_mode=False, stdout=_Terminal())
    assert not wants_progress(json_mode=True, stdout=_Terminal())
    assert not wants_progress(json_mode=False, stdout=io.StringIO())  # a pipe or a file
    with terminal_progress(json_mode=False, stdout=io.StringIO()) as sink:
        assert sink is None


def test_the_bar_shows_the_steps_and_ctrl_c_asks_to_stop_at_a_safe_point() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)

    with terminal_progress(json_mode=False, stdout=_Terminal(), console=console) as sink:
        assert isinstance(sink, TerminalProgress)
        steps = Progress(sink)
        steps.step("保存日结结果", 1, 2)  # not cancellable: labelled so
        sink.request_cancel()  # what the first Ctrl+C does
        steps.step("写入本地目录", 1, 4)  # not cancellable: goes on
        with pytest.raises(UserCancelled):
            steps.step("写入本地目录", 2, 4, cancellable=True)

    drawn = screen.getvalue()
    assert "已请求取消" in drawn
    assert "请稍候，不可中断" in drawn


def test_catalog_import_under_json_draws_no_bar(
    cli: CliRunner,
    sandbox: SandboxServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text(
        "hospital_code,national_code,name,unit_price,item_class\nH001,N001,苯磺酸氨氯地平片,3.50,01\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", SUPERVISOR_PASSWORD)

    code, document = cli("catalog", "import", str(path), "--operator", "S001")

    assert (code, document["imported"]) == (0, 1)
    assert "写入本地目录" not in capsys.readouterr().err


def test_a_step_is_a_plain_value() -> None:
    assert ProgressStep("x") == ProgressStep("x", 0, None, cancellable=False)
