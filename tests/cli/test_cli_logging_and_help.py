"""The CLI logs through the window's redacted log file; its help and the sandbox speak Chinese."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers.engine_fixtures import demo_bill_path, make_engine

from app.cli.main import main
from app.log import LOG_FILE_NAME
from app.sandbox import SandboxServer

CliRunner = Callable[..., tuple[int, dict[str, Any]]]
ROOT = Path(__file__).resolve().parents[2]
ARGPARSE_ENGLISH = ("usage:", "positional arguments", "options:", "show this help message")


def test_a_cli_command_writes_the_redacted_log_file(
    cli: CliRunner, cli_env: tuple[Path, Path], sandbox: SandboxServer
) -> None:
    _, data_dir = cli_env
    who = next(p for p in sandbox.identities() if p["name"] == "李淑芬")

    code, _ = cli("eligibility", "--id-number", who["id_number"], "--operator", "C001")

    assert code == 0
    text = (data_dir / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "eligibility fetched for" in text
    assert who["id_number"] not in text
    assert who["id_number"][-4:] in text


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["eligibility", "--help"], ["backup", "create", "--help"], ["users", "--help"]],
)
def test_help_is_entirely_chinese_by_default(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "none.toml"

    code = main(["--config", str(missing), *argv])

    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("用法：")
    assert "显示本帮助并退出" in out
    for english in ARGPARSE_ENGLISH:
        assert english not in out


def test_help_follows_the_configured_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "en.toml"
    config.write_text('[ui]\nlanguage = "en"\n', encoding="utf-8")

    assert main(["--config", str(config), "--help"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("usage:")
    assert "show this help message and exit" in out
    assert "identify a patient" in out
    assert "print one JSON document" in out
    assert "查询参保人" not in out


def test_a_usage_error_is_explained_in_chinese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["--config", str(tmp_path / "none.toml"), "settle"])

    err = capsys.readouterr().err
    assert code == 2
    assert "缺少必需的参数：--bill" in err
    assert "required" not in err


def test_the_sandbox_says_where_it_listens_and_which_config_it_wrote(tmp_path: Path) -> None:
    config = tmp_path / "client.toml"
    command = [sys.executable, "-m", "app", "sandbox", "--port", "0", "--write-config", str(config)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as process:
        try:
            assert process.stdout is not None
            listening = process.stdout.readline()
            written = process.stdout.readline()
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)

    assert "已在 http://127.0.0.1:" in listening
    assert "Ctrl+C" in listening
    assert str(config) in written
    assert config.exists()


def test_the_sandbox_speaks_the_configured_english(tmp_path: Path) -> None:
    english = tmp_path / "english.toml"
    english.write_text('[ui]\nlanguage = "en"\n', encoding="utf-8")
    config = tmp_path / "client.toml"
    command = [
        sys.executable, "-m", "app", "--config", str(english),
        "sandbox", "--port", "0", "--write-config", str(config),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    ) as process:
        try:
            assert process.stdout is not None
            listening = process.stdout.readline()
            written = process.stdout.readline()
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)

    assert listening.startswith("The sandbox platform"), listening
    assert "listens at http://127.0.0.1:" in listening
    assert written.startswith("Client configuration written to"), written
    assert not re.search(r"[\u4e00-\u9fff]", listening + written)


def test_the_standalone_sandbox_logs_through_the_redaction(
    capsys: pytest.CaptureFixture[str],
) -> None:
    import logging  # noqa: PLC0415

    from app.sandbox.__main__ import configure_logging  # noqa: PLC0415

    root = logging.getLogger()
    before = list(root.handlers)
    saved_level = root.level
    try:
        root.handlers = []
        configure_logging()
        # Not under app.sandbox, whose level the in-process sandbox turns down.
        logging.getLogger("test.sandbox_entry").warning("certno=110105194912310021 reached")
        err = capsys.readouterr().err
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers = before
        root.setLevel(saved_level)
    assert "reached" in err
    assert "110105194912310021" not in err


def _command_paths() -> list[list[str]]:
    """Every command and subcommand, as the words before ``--help``."""
    import argparse  # noqa: PLC0415

    from app.cli.main import build_parser  # noqa: PLC0415

    paths: list[list[str]] = [[]]

    def walk(parser: argparse.ArgumentParser, prefix: list[str]) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    paths.append([*prefix, name])
                    walk(sub, [*prefix, name])

    walk(build_parser(every_command=True), [])
    return paths


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "(top)")
def test_every_help_is_english_when_the_configuration_says_so(
    path: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "en.toml"
    config.write_text('[ui]\nlanguage = "en"\n', encoding="utf-8")

    assert main(["--config", str(config), *path, "--help"]) == 0

    out = capsys.readouterr().out
    untranslated = [line.strip() for line in out.splitlines() if re.search("[\u4e00-\u9fff]", line)]
    assert not untranslated, f"add English for these to app/cli/help_en.py: {untranslated}"


@pytest.mark.parametrize(
    "case",
    [
        # A data folder where SQLite's settings do not hold (a network share): refused once.
        ("read_pragmas", lambda _raw: {"journal_mode": "delete"}, "安全设置没有生效"),
        # Another program holds the database: one line, not a log line and then the error.
        ("quick_check", "database is locked", "正被占用"),
    ],
)
def test_a_store_refusal_is_said_once_on_the_console(
    case: tuple[str, Any, str],
    cli_env: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target, effect, words = case
    config, data_dir = cli_env
    if isinstance(effect, str):
        message = effect

        def effect(_raw: object) -> None:
            raise sqlite3.OperationalError(message)

    monkeypatch.setattr(f"app.store.db.{target}", effect)

    code = main(
        ["--config", str(config), "--data-dir", str(data_dir), "journal", "list"],
        make_engine,
    )

    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 1
    assert len(lines) == 1, err
    assert lines[0].startswith("错误：")
    assert words in lines[0]
    # The log file still has SQLite's own account of it.
    log_text = (data_dir / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert "app.store.db" in log_text


def test_a_provincial_answers_unread_details_are_said_once(
    cli_env: tuple[Path, Path], capsys: pytest.CaptureFixture[str], sandbox: SandboxServer
) -> None:
    # In a province's dialect the 2206 preview and the 2207 settlement carry the same blank
    # fund row: the warning came twice on the console. The log file keeps both.
    config, data_dir = cli_env
    sandbox.set_faults([{"infno": "*", "kind": "variant", "params": {"variant": "province"}}])
    argv = ["--config", str(config), "--data-dir", str(data_dir), "settle", "--bill"]

    code = main([*argv, str(demo_bill_path("01")), "--yes", "--operator", "C001"], make_engine)

    err = capsys.readouterr().err
    said = [line for line in err.splitlines() if "details not read" in line]
    assert code == 0, err
    assert len(said) == 1, err
    log_text = (data_dir / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")
    assert log_text.count("details not read") == 2
