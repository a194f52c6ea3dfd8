"""``report shift`` and ``day-close --print`` (issue 18 part 3)."""

from __future__ import annotations

import io
import stat
import time
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import CliRunner, engine_factory
from helpers.engine_fixtures import CASHIER_PASSWORD, SUPERVISOR_PASSWORD, demo_bill_path
from pypdf import PdfReader

from app.cli.main import main
from app.sandbox import SandboxServer


def _text(pdf: Path) -> str:
    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    return "".join(page.extract_text() for page in reader.pages).replace("\n", "").replace(" ", "")


def _settle(cli: CliRunner, prefix: str) -> dict[str, object]:
    code, document = cli(
        "settle", "--bill", str(demo_bill_path(prefix)), "--yes", "--operator", "C001"
    )
    assert code == 0, document
    return document


def test_a_cashier_sees_their_shift_as_json_and_prints_it_as_pdf(
    cli: CliRunner, cli_env: tuple[Path, Path], sandbox: SandboxServer, tmp_path: Path
) -> None:
    _settle(cli, "01")
    _settle(cli, "13")

    code, shown = cli("report", "shift", "--operator", "C001")
    assert code == 0
    report = shown["shift_report"]
    assert report["operators"] == ["C001"]
    assert report["total"]["count"] == 2
    # the Qinghai case pays 50.00 in cash; the Tianjin visit is paid from the account
    assert report["total"]["cash"] == "50.00"
    assert "pdf" not in shown  # looking is not printing

    target = tmp_path / "out" / "shift.pdf"
    code, printed = cli(
        "report", "shift", "--operator", "C001", "--format", "thermal80", "--output", str(target)
    )
    assert code == 0
    assert printed["pdf"] == str(target)
    assert printed["print_no"] == 1
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert "收费员日结单（交班表）" in _text(target)
    assert "50.00" in _text(target)

    code, again = cli("report", "shift", "--operator", "C001", "--format", "a4")
    assert code == 0
    assert again["print_no"] == 2
    assert Path(str(again["pdf"])).parent == cli_env[1] / "reports"
    assert "补打第2次打印" in _text(Path(str(again["pdf"])))


def test_a_cashier_may_not_print_someone_elses_shift(
    cli: CliRunner, sandbox: SandboxServer
) -> None:
    code, refused = cli("report", "shift", "--operator", "C001", "--cashier", "S001")

    assert code == 3
    assert refused["error"] == "shift_report_permission"


@pytest.mark.parametrize(
    ("option", "value"), [("--date", "2026-13-01"), ("--from", "8点"), ("--to", "25:00")]
)
def test_bad_dates_and_times_say_what_to_type(
    cli: CliRunner, sandbox: SandboxServer, option: str, value: str
) -> None:
    code, refused = cli("report", "shift", "--operator", "C001", option, value)

    assert code == 2
    assert "YYYY-MM-DD" in refused["message"] or "HH:MM" in refused["message"]


def test_day_close_print_files_the_whole_days_report(
    cli: CliRunner, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _settle(cli, "01")
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", SUPERVISOR_PASSWORD)
    target = tmp_path / "day.pdf"

    code, closed = cli("day-close", "--operator", "S001", "--print", "--output", str(target))

    assert code == 0
    assert closed["report"]["balanced"] is True
    assert closed["shift_report"]["pdf"] == str(target)
    text = _text(target)
    assert "已日结，对账平衡" in text
    assert "C001收费员甲" in text
    assert "财务科收款人签字" in text


def test_an_output_file_needs_a_pdf_format(cli: CliRunner, sandbox: SandboxServer) -> None:
    code, refused = cli("report", "shift", "--operator", "C001", "--output", "shift.pdf")

    assert code == 2
    assert "--format a4" in refused["message"]


def test_records_made_after_the_day_close_say_the_close_no_longer_covers_the_day(
    cli: CliRunner,
    cli_env: tuple[Path, Path],
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _settle(cli, "01")
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", SUPERVISOR_PASSWORD)
    code, closed = cli("day-close", "--operator", "S001")
    assert code == 0, closed
    code, before = cli("report", "shift", "--operator", "S001")
    assert code == 0
    assert before["shift_report"]["reconciliation"]["covers_day"] is True
    assert before["shift_report"]["reconciliation"]["changed_after_close"]["count"] == 0
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", CASHIER_PASSWORD)
    time.sleep(1.05)  # record times are compared to the second: a later second, as in the field
    _settle(cli, "13")  # after the close
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", SUPERVISOR_PASSWORD)

    code, after = cli("report", "shift", "--operator", "S001")
    assert code == 0
    recon = after["shift_report"]["reconciliation"]
    assert recon["state"] == "balanced"  # what the close found, and now also that it is outdated
    assert recon["covers_day"] is False
    late = Decimal(after["shift_report"]["total"]["total"]) - Decimal(
        before["shift_report"]["total"]["total"]
    )
    assert recon["changed_after_close"] == {"count": 1, "total": str(late)}

    config, data_dir = cli_env
    code = main(["--config", str(config), "--data-dir", str(data_dir), "report", "shift",
                 "--operator", "S001"], engine_factory)  # fmt: skip
    text = capsys.readouterr().out
    assert code == 0
    assert f"日结后又有 1 笔变动（合计 ¥{late}），日结结果不再覆盖全天，请重新日结" in text

    target = cli_env[1] / "late.pdf"
    code, printed = cli("report", "shift", "--operator", "S001", "--format", "a4",
                        "--output", str(target))  # fmt: skip
    assert code == 0, printed
    assert "日结后又有1笔变动" in _text(target)

    # A day close may be run again: the latest close counts and covers the day again.
    code, again = cli("day-close", "--operator", "S001")
    assert code == 0, again
    code, reclosed = cli("report", "shift", "--operator", "S001")
    assert reclosed["shift_report"]["reconciliation"]["covers_day"] is True
    assert reclosed["shift_report"]["reconciliation"]["changed_after_close"]["count"] == 0
