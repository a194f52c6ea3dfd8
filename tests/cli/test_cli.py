"""The headless CLI on the same services: a subprocess settles the seeds' case; in-process commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.engine_fixtures import (
    CASHIER_PASSWORD,
    SUPERVISOR_PASSWORD,
    demo_bill_path,
    make_engine,
)
from helpers.sandbox_fixtures import SandboxClient, Visit, person

from app.cli.main import main
from app.config import Settings
from app.sandbox import SandboxServer
from app.services.engine import Engine

ROOT = Path(__file__).resolve().parents[2]


def _factory(settings: Settings, data_dir: Path) -> Engine:
    return make_engine(settings, data_dir)


def run_cli(
    capsys: pytest.CaptureFixture[str], env: tuple[Path, Path], *args: str
) -> tuple[int, dict[str, Any]]:
    """Run in-process with ``--json``; return the exit code and the parsed document."""
    config, data_dir = env
    code = main(["--config", str(config), "--data-dir", str(data_dir), "--json", *args], _factory)
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}


def test_settlement_window_settle_bill_in_a_subprocess_settles_the_qinghai_case(
    cli_env: tuple[Path, Path], sandbox: SandboxServer
) -> None:
    config, data_dir = cli_env
    command = [
        sys.executable, "-m", "app", "--config", str(config), "--data-dir", str(data_dir),
        "--json", "settle", "--bill", str(demo_bill_path("01")), "--yes", "--operator", "C001",
    ]  # fmt: skip
    env = {**os.environ, "SW_OPERATOR_PASSWORD": CASHIER_PASSWORD, "PYTHONPATH": str(ROOT)}

    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, env=env, check=False
    )

    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    (group,) = document["bill"]["groups"]
    assert group["state"] == "settled"
    assert group["totals"]["fund"] == "129.63"
    assert group["totals"]["cash"] == "50.00"
    assert document["cash_due"] == "50.00"
    assert [r["setl_id"] for r in sandbox.ledger()] == [group["settlement_id"]]


def test_settle_prints_chinese_for_people(
    cli_env: tuple[Path, Path], capsys: pytest.CaptureFixture[str], sandbox: SandboxServer
) -> None:
    config, data_dir = cli_env
    code = main(
        ["--config", str(config), "--data-dir", str(data_dir), "settle", "--bill",
         str(demo_bill_path("07")), "--yes", "--operator", "C001"],
        _factory,
    )  # fmt: skip

    out = capsys.readouterr().out
    assert code == 0
    assert "全额自费" in out
    assert "未办理跨省异地就医备案" in out


def test_eligibility_json_masks_the_id_number(
    cli_env: tuple[Path, Path], capsys: pytest.CaptureFixture[str], sandbox: SandboxServer
) -> None:
    who = next(p for p in sandbox.identities() if p["name"] == "李淑芬")

    code, document = run_cli(
        capsys, cli_env, "eligibility", "--id-number", who["id_number"], "--operator", "C001"
    )

    assert code == 0
    assert document["id_number"] != who["id_number"]
    assert who["id_number"][-4:] == document["id_number"][-4:]
    assert {q["code"] for q in document["qualifications"]} == {"M03900", "M01600"}


def test_cancel_journal_and_day_close_commands(
    cli_env: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    sandbox: SandboxServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, settled = run_cli(
        capsys,
        cli_env,
        "settle",
        "--bill",
        str(demo_bill_path("03")),
        "--yes",
        "--operator",
        "C001",
    )
    assert code == 0
    first = settled["bill"]["groups"][0]["settlement_id"]

    code, cancelled = run_cli(
        capsys, cli_env, "cancel", first, "--operator", "C001", "--supervisor", "S001"
    )
    assert code == 0
    assert cancelled["cancellation"]["original_settlement_id"] == first

    code, journal = run_cli(capsys, cli_env, "journal", "list")
    assert (code, journal["unresolved"]) == (0, [])

    monkeypatch.setenv("SW_OPERATOR_PASSWORD", SUPERVISOR_PASSWORD)
    code, closed = run_cli(capsys, cli_env, "day-close", "--operator", "S001")
    assert code == 0
    assert closed["report"]["balanced"] is True


def test_unresolved_journal_gives_exit_code_5(
    cli_env: tuple[Path, Path], capsys: pytest.CaptureFixture[str], sandbox: SandboxServer
) -> None:
    sandbox.set_faults(
        [
            {"infno": "2207", "kind": "drop_after", "nth": [1]},
            {"infno": "2601", "kind": "http_error_before", "probability": 1.0},
        ]
    )
    code, document = run_cli(
        capsys,
        cli_env,
        "settle",
        "--bill",
        str(demo_bill_path("01")),
        "--yes",
        "--operator",
        "C001",
    )
    assert code == 5
    assert (document["ok"], document["exit_code"]) == (False, 5)  # an unknown outcome is no success
    assert document["bill"]["groups"][0]["state"] == "unknown"

    code, document = run_cli(capsys, cli_env, "journal", "list")
    assert code == 5
    # The 2207 and the reversal attempt whose own answer was lost.
    assert sorted(row["infno"] for row in document["unresolved"]) == ["2207", "2601"]

    code, document = run_cli(
        capsys,
        cli_env,
        "settle",
        "--bill",
        str(demo_bill_path("02")),
        "--yes",
        "--operator",
        "C001",
    )
    assert code == 5
    assert document["error"] == "recovery_pending"

    sandbox.set_faults([])
    code, document = run_cli(capsys, cli_env, "journal", "resolve")
    assert code == 0
    assert document["summary"]["reversed"] == 1


def test_usage_and_config_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere.toml"
    code = main(["--config", str(missing), "--json", "journal", "list"], _factory)
    document = json.loads(capsys.readouterr().out)
    assert code == 2
    assert document["error"] == "config"

    bad = tmp_path / "bad.toml"
    bad.write_text('[platform]\nurl = "ftp://x"\n', encoding="utf-8")
    assert main(["--config", str(bad), "journal", "list"], _factory) == 2
    assert "platform" in capsys.readouterr().err


def test_catalog_import_and_search(
    cli_env: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = ROOT / "resources" / "sandbox" / "catalogue.json"
    code, refused = run_cli(
        capsys, cli_env, "catalog", "import", str(shipped), "--operator", "C001"
    )
    assert (code, refused["error"]) == (3, "permission")
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", SUPERVISOR_PASSWORD)
    code, imported = run_cli(
        capsys, cli_env, "catalog", "import", str(shipped), "--operator", "S001"
    )
    assert code == 0
    assert imported["imported"] > 0

    code, found = run_cli(capsys, cli_env, "catalog", "search", "H11010500001XY0001")
    assert code == 0
    assert [item["name"] for item in found["items"]] == ["苯磺酸氨氯地平片"]


def test_his_status_without_a_his_says_none_is_configured(
    cli_env: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """With ``[his] kind = none`` there is nothing to report back; ``his status`` said "结算结果已
    全部回传 HIS" (as if a HIS had acknowledged everything) while ``his deliver`` said none is
    configured."""
    config, data_dir = cli_env
    base = ["--config", str(config), "--data-dir", str(data_dir)]

    code = main([*base, "his", "status"], _factory)
    out = capsys.readouterr().out
    assert code == 0
    assert "未配置 HIS" in out
    assert "已全部回传" not in out

    code = main([*base, "--json", "his", "status"], _factory)
    document = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (document["his"], document["pending"]) == ("none", [])


def test_a_day_close_that_does_not_balance_says_not_ok_with_its_exit_code_3(
    cli_env: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
    sandbox: SandboxServer,
    sandbox_client: SandboxClient,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Field test: ``--json`` said ``"ok": true`` beside exit code 3 (docs/cli.md: ``ok`` only with
    exit 0). A settlement on the platform that this store never saw makes its day not balance."""
    code, _ = run_cli(
        capsys,
        cli_env,
        "settle",
        "--bill",
        str(demo_bill_path("01")),
        "--yes",
        "--operator",
        "C001",
    )
    assert code == 0
    lost = Visit(sandbox_client, person(sandbox, "赵龘"))  # a settlement this store never saw
    lost.open([("H11010500001XY0022", "38.50", "1")])
    assert lost.settle()["infcode"] == 0
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", SUPERVISOR_PASSWORD)

    code, closed = run_cli(capsys, cli_env, "day-close", "--operator", "S001")

    assert code == 3, closed
    assert closed["report"]["balanced"] is False
    assert closed["ok"] is False
