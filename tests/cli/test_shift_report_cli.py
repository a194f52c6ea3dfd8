"""``report shift`` and ``day-close --print`` (issue 18 part 3)."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import pytest
from conftest import CliRunner
from helpers.engine_fixtures import SUPERVISOR_PASSWORD, demo_bill_path
from pypdf import PdfReader

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
