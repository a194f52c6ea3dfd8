"""A sweep of wrong command lines and files: each ends in one JSON document with a typed error and
exit 2 — never an internal error, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.engine_fixtures import SUPERVISOR_PASSWORD, make_engine

from app.cli.main import main
from app.config import Settings
from app.services.engine import Engine

DEEP = "<a 100,000-deep JSON file>"
CASES: list[list[str]] = [
    ["settle", "--bill", "/nonexistent.json", "--yes", "--operator", "C001"],
    ["settle", "--bill", "/", "--yes", "--operator", "C001"],  # a folder
    ["catalog", "import", "/nonexistent.json", "--operator", "S001"],
    ["catalog", "import", DEEP, "--operator", "S001"],
    ["catalog", "import", "/etc/hostname", "--operator", "S001"],
    ["catalog", "search", "x", "--limit", "-1"],
    ["catalog", "search", "x", "--limit", "99999999999999999999"],
    ["cancel", "abc", "--supervisor", "S001", "--operator", "C001"],
    ["day-close", "--date", "2026-13-01", "--operator", "S001"],
    ["export", "settlements", "--start", "bad", "--output", "/nonexistent/x.csv",
     "--as", "S001", "--admin-password", SUPERVISOR_PASSWORD],
    ["backup", "check", "/nonexistent"],
    ["eligibility", "--id-number", "", "--operator", "C001"],
    ["eligibility", "--voucher", "", "--operator", "C001"],
    ["eligibility", "--card-string", "\x00" * 10, "--operator", "C001"],
    ["journal", "resolve", "nonexistent-msgid", "--operator", "S001"],
    ["users", "add", "X1", "--name", "x", "--role", "nope", "--as", "S001",
     "--admin-password", SUPERVISOR_PASSWORD],
]  # fmt: skip


def _factory(settings: Settings, data_dir: Path) -> Engine:
    return make_engine(settings, data_dir)


@pytest.mark.parametrize("args", CASES, ids=[" ".join(c[:4]) for c in CASES])
def test_a_wrong_input_is_a_typed_error_in_one_json_document(
    cli_env: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    args: list[str],
) -> None:
    config, data_dir = cli_env
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    args = [str(deep) if a == DEEP else a for a in args]
    if "--operator" in args and args[args.index("--operator") + 1] == "S001":
        monkeypatch.setenv("SW_OPERATOR_PASSWORD", SUPERVISOR_PASSWORD)

    code = main(["--config", str(config), "--data-dir", str(data_dir), "--json", *args], _factory)

    captured = capsys.readouterr()
    document = json.loads(captured.out)
    assert code == 2, document
    assert document["ok"] is False
    assert document["error"] != "internal"
    assert document["message"]
    assert "Traceback" not in captured.err
