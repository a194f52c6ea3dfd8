"""Bad input on the command line: a typed error, exit 2, one JSON document, nothing sent."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.engine_fixtures import SUPERVISOR_PASSWORD, demo_bill_path, make_engine

from app.cli.main import main
from app.config import Settings, load_settings
from app.domain.operator import Role
from app.log import LOG_FILE_NAME
from app.sandbox import SandboxServer
from app.services.engine import Engine

CliRunner = Callable[..., tuple[int, dict[str, Any]]]


def engine_factory(settings: Settings, data_dir: Path) -> Engine:
    return make_engine(settings, data_dir)


@pytest.mark.parametrize(
    "voucher",
    [
        "1" * 100_000,
        "1234567890123\x07456789012345678",
        "\u202e1234567890123456789012345678",
        "12345678901234567890123456789",
    ],
    ids=["100000-digits", "control-character", "rtl-override", "29-digits"],
)
def test_a_malformed_voucher_is_refused_before_anything_is_sent(
    cli: CliRunner, sandbox: SandboxServer, voucher: str
) -> None:
    code, document = cli("eligibility", "--voucher", voucher, "--operator", "C001")

    assert code == 2
    assert document["error"].startswith("voucher")
    assert "电子凭证" in document["message"]
    assert sandbox.request_count("ec.query") == 0
    assert sandbox.request_count() == 0


# ------------------------------------------------------------------ inputs that used to crash


def _bill(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bill.json"
    path.write_text(text, encoding="utf-8")
    return path


def _no_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert "Traceback" not in capsys.readouterr().err


def test_an_astronomic_quantity_is_a_bill_format_error(
    cli: CliRunner, tmp_path: Path, sandbox: SandboxServer
) -> None:
    bill = json.loads(demo_bill_path("01").read_text(encoding="utf-8"))
    bill["lines"][0]["quantity"] = "1e999999999"

    code, document = cli(
        "settle", "--bill", str(_bill(tmp_path, json.dumps(bill))), "--yes", "--operator", "C001"
    )

    assert (code, document["error"]) == (2, "bill_format")
    assert "数量超出允许范围" in document["message"]
    assert sandbox.request_count() == 0


def test_a_200000_deep_nested_bill_is_a_bill_format_error(
    cli: CliRunner, tmp_path: Path, sandbox: SandboxServer
) -> None:
    deep = '{"lines": ' + "[" * 200_000 + "]" * 200_000 + "}"

    code, document = cli("settle", "--bill", str(_bill(tmp_path, deep)), "--yes")

    assert (code, document["error"]) == (2, "bill_format")
    assert "嵌套" in document["message"]


def test_a_data_dir_that_is_a_file_is_refused(
    cli_env: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, _ = cli_env
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x", encoding="utf-8")

    for command in (["journal", "list"], ["users", "list", "--as", "S001"]):
        code = main(
            ["--config", str(config), "--data-dir", str(a_file), "--json", *command],
            engine_factory,
        )
        captured = capsys.readouterr()
        document = json.loads(captured.out)
        assert (code, document["error"]) == (2, "not_a_folder"), command
        assert "不是文件夹" in document["message"]
        assert "Traceback" not in captured.err


def test_an_empty_card_string_is_an_input_error(cli: CliRunner, sandbox: SandboxServer) -> None:
    code, document = cli("eligibility", "--card-string", "", "--operator", "C001")

    assert code == 2
    assert document["error"] != "internal"
    assert "卡" in document["message"]
    assert sandbox.request_count() == 0


@pytest.mark.parametrize("where", ["below-a-file", "a-folder"])
def test_an_unwritable_export_output_is_one_json_error(
    cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    # Tests run as root, who may write anywhere: use paths nobody can write a file at.
    blocker = tmp_path / "plain-file"
    blocker.write_text("x", encoding="utf-8")
    output = blocker / "out.csv" if where == "below-a-file" else tmp_path
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", SUPERVISOR_PASSWORD)

    code, document = cli(
        "export", "settlements", "--start", "2026-11-23", "--output", str(output),
        "--as", "S001", "--admin-password", SUPERVISOR_PASSWORD,
    )  # fmt: skip

    assert code == 2
    assert document["ok"] is False
    assert str(tmp_path) in document["message"]


def test_usage_errors_under_json_are_one_json_document(
    cli_env: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config, _ = cli_env

    code = main(["--config", str(config), "--json", "settle", "--no-such-option"], engine_factory)

    document = json.loads(capsys.readouterr().out)
    assert (code, document["error"]) == (2, "usage")


def test_an_unexpected_failure_is_one_json_document_and_logged(
    cli_env: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config, data_dir = cli_env

    def broken_factory(_settings: Settings, _data_dir: Path) -> Engine:
        raise RuntimeError("simulated bug with certno=110105194912310021")

    code = main(
        ["--config", str(config), "--data-dir", str(data_dir), "--json", "journal", "list"],
        broken_factory,
    )

    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert (code, document["error"]) == (1, "internal")
    assert "Traceback" not in captured.err
    log_text = (data_dir / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "simulated bug" in log_text
    assert "110105194912310021" not in log_text


def test_ctrl_c_is_a_message_and_exit_5_not_a_traceback(
    cli_env: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config, data_dir = cli_env

    def interrupted(_settings: Settings, _data_dir: Path) -> Engine:
        raise KeyboardInterrupt

    code = main(
        ["--config", str(config), "--data-dir", str(data_dir), "--json", "journal", "list"],
        interrupted,
    )

    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert (code, document["error"]) == (5, "interrupted")
    assert "journal list" in document["message"]
    assert "Traceback" not in captured.err


def test_admin_results_under_json_say_ok_like_every_other_command(
    cli_env: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config, data_dir = cli_env
    engine = make_engine(load_settings(config), data_dir)
    with engine.uow_factory() as uow:
        uow.operators.add("A001", "信息科管理员", Role.ADMIN, "Admin-pass-2026")
        uow.commit()
    engine.close()

    code = main(
        ["--config", str(config), "--data-dir", str(data_dir), "--json",
         "users", "list", "--as", "A001", "--admin-password", "Admin-pass-2026"],
        engine_factory,
    )  # fmt: skip

    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert document["ok"] is True


# ------------------------------------------------------------------ no terminal for a password


@pytest.mark.parametrize(
    "args",
    [
        ["users", "list", "--as", "S001"],
        ["users", "init-admin", "A001", "--name", "信息科管理员"],
        ["backup", "create", "--as", "S001"],
    ],
    ids=["users-list", "users-init-admin", "backup-create"],
)
def test_an_admin_command_without_a_terminal_asks_for_password_stdin(
    cli: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
) -> None:
    """Run from a script (stdin not a terminal) without ``--password-stdin``: a usage error naming
    the option, exit 2 — it used to end in getpass's EOFError, reported as an internal error."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    code, document = cli(*args)

    assert code == 2, document
    assert document["error"] == "usage"
    assert "--password-stdin" in document["message"]
    assert "Traceback" not in capsys.readouterr().err


# ------------------------------------------------------------------ a file that is not JSON


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", "文件是空的"),
        ('{"identity":', "第 1 行第 13 列"),
        ('{\n  "a": 1,\n}', "第 3 行第 1 列"),
    ],
    ids=["empty", "cut-short", "trailing-comma"],
)
@pytest.mark.parametrize("command", ["settle", "catalog"])
def test_a_file_that_is_not_json_is_explained_in_chinese(
    cli: CliRunner,
    *,
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    command: str,
    text: str,
    where: str,
) -> None:
    """The parser's English words ("Expecting value: line 1 column 1 (char 0)") never reach the
    cashier or IT: the message says where the file breaks, in Chinese."""
    path = _bill(tmp_path, text)
    if command == "settle":
        args = ["settle", "--bill", str(path), "--yes", "--operator", "C001"]
    else:
        args = ["catalog", "import", str(path), "--operator", "S001"]
        monkeypatch.setenv("SW_OPERATOR_PASSWORD", SUPERVISOR_PASSWORD)

    code, document = cli(*args)

    assert code == 2, document
    assert where in document["message"]
    assert not re.search(r"[A-Za-z]{4,}", document["message"].replace("JSON", "")), document
    assert sandbox.request_count() == 0


# ------------------------------------------------------------------ settle without --yes in a script


def test_settle_without_yes_and_without_a_terminal_sends_nothing(
    cli: CliRunner, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A script that forgot ``--yes`` is told so before anything is sent; it used to identify the
    patient, register the visit (2201) and upload its lines (2204) first, then stop with exit 2 and
    leave the registration open."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    code, document = cli("settle", "--bill", str(demo_bill_path("01")), "--operator", "C001")

    assert code == 2, document
    assert document["error"] == "usage"
    assert "--yes" in document["message"]
    assert sandbox.request_count() == 0
    assert sandbox.open_visits() == []


class _Terminal(io.StringIO):
    """Typed answers, as at a terminal."""

    def isatty(self) -> bool:
        return True


def test_settle_at_a_terminal_asks_on_stderr_and_json_stays_one_document(
    cli: CliRunner, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ``--yes`` at a terminal each 2206 preview is confirmed; the question goes to stderr
    (it went to stdout, breaking ``--json``'s one document)."""
    monkeypatch.setattr("sys.stdin", _Terminal("y\n"))

    code, document = cli("settle", "--bill", str(demo_bill_path("01")), "--operator", "C001")

    assert code == 0, document
    assert document["settled"]["total"] == "179.63"
    assert sandbox.request_count("2207") == 1


def test_a_general_outpatient_line_without_a_diagnosis_is_refused_before_anything_is_sent(
    cli: CliRunner, sandbox: SandboxServer, tmp_path: Path
) -> None:
    """2203 of a general-outpatient group needs the visit's diagnosis (chronic groups use their
    disease). Without one the chronic groups were settled, then the general group failed at 2203
    with advice to re-read the card, exit 3 and part of the bill unsettled."""
    visit = json.loads(demo_bill_path("03").read_text(encoding="utf-8"))
    assert any(line.get("tag") == "general" for line in visit["lines"])
    visit.pop("diagnosis", None)
    path = _bill(tmp_path, json.dumps(visit, ensure_ascii=False))

    code, document = cli("settle", "--bill", str(path), "--yes", "--operator", "C001")

    assert code == 2, document
    assert document["error"] == "usage"
    assert "diagnosis" in document["message"]
    assert "诊断" in document["message"]
    assert sandbox.request_count() == 0
