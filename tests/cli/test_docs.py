"""The examples of docs/cli.md and docs/bill-format.md, run exactly as written.

Blocks marked ``<!-- docs-test: NAME -->`` are extracted: the walk-through's two terminals run in
bash with the installed ``settlement-window`` command, in a fresh folder with the per-user folders
redirected into it; the bill example is settled after the sandbox catalogue was imported.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from helpers.engine_fixtures import CASHIER_PASSWORD, SUPERVISOR_PASSWORD, demo_bill_path

from app.sandbox import SandboxServer

ROOT = Path(__file__).resolve().parents[2]
CliRunner = Callable[..., tuple[int, dict[str, Any]]]


def docs_block(document: str, name: str) -> str:
    """The fenced block that follows ``<!-- docs-test: name -->`` in ``docs/<document>``."""
    text = (ROOT / "docs" / document).read_text(encoding="utf-8")
    match = re.search(
        rf"<!-- docs-test: {re.escape(name)} -->\s*```[a-z]*\n(.*?)\n```", text, re.DOTALL
    )
    assert match is not None, f"no block {name!r} in docs/{document}"
    return match.group(1)


def _shell_env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SW_", "SETTLEMENT_WINDOW"))}
    bin_dir = str(Path(sys.executable).parent)  # where `settlement-window` is installed
    env.update(
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
        XDG_DATA_HOME=str(folder / "xdg-data"),
        XDG_CONFIG_HOME=str(folder / "xdg-config"),
        PYTHONPATH=str(ROOT),
    )
    return env


def test_the_cli_walk_through_runs_as_written(tmp_path: Path) -> None:
    (tmp_path / "resources").symlink_to(ROOT / "resources")
    env = _shell_env(tmp_path)
    with subprocess.Popen(
        ["bash", "-c", docs_block("cli.md", "terminal-1")],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    ) as platform:  # fmt: skip
        try:
            assert platform.stdout is not None
            assert "监听" in platform.stdout.readline()
            assert "demo.toml" in platform.stdout.readline()

            done = subprocess.run(
                ["bash", "-e", "-c", docs_block("cli.md", "terminal-2")],
                cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
            )  # fmt: skip
        finally:
            os.killpg(platform.pid, signal.SIGTERM)
            platform.wait(timeout=60)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    out = done.stdout
    assert "李淑芬" in out
    assert "已结算：总额 179.63 = 统筹基金 129.63 + 个人账户 0.00 + 现金 50.00" in out
    assert "应向患者收取现金 50.00 元" in out
    assert "已撤销结算 400000000001" in out
    assert (tmp_path / "xdg-data").is_dir(), "the data folder stayed inside the test's folder"


def test_the_bill_format_example_settles_once_the_catalogue_is_imported(
    cli: CliRunner, tmp_path: Path, sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    bill = tmp_path / "bill.json"
    bill.write_text(docs_block("bill-format.md", "bill"), encoding="utf-8")

    code, refused = cli("settle", "--bill", str(bill), "--yes", "--operator", "C001")
    assert (code, refused["error"]) == (2, "line_not_in_catalogue")
    assert "catalog import" in refused["message"]

    monkeypatch.setenv("SW_OPERATOR_PASSWORD", SUPERVISOR_PASSWORD)
    catalogue = ROOT / "resources" / "sandbox" / "catalogue.json"
    code, _ = cli("catalog", "import", str(catalogue), "--operator", "S001")
    assert code == 0

    code, settled = cli("settle", "--bill", str(bill), "--yes", "--operator", "S001")
    assert code == 0, settled
    assert {g["state"] for g in settled["bill"]["groups"]} == {"settled"}
    assert json.loads(bill.read_text(encoding="utf-8"))["identity"]["id_number"] in {
        p["id_number"] for p in sandbox.identities()
    }


# Plays the person at the terminal: the password of whoever --operator names, as if typed when asked.
TYPIST = """
settlement-window() {
    case " $* " in
        *" --operator S001 "*) SW_OPERATOR_PASSWORD="$SUPERVISOR" command settlement-window "$@" ;;
        *) SW_OPERATOR_PASSWORD="$CASHIER" command settlement-window "$@" ;;
    esac
}
"""


def test_the_shift_report_commands_run_as_written(
    cli: CliRunner, cli_env: tuple[Path, Path], tmp_path: Path
) -> None:
    """docs/shift-report.md, "From the command line": the four commands, in order, on a window
    with one settlement today."""
    config, data_dir = cli_env
    code, settled = cli(
        "settle", "--bill", str(demo_bill_path("01")), "--yes", "--operator", "C001"
    )
    assert code == 0, settled
    window = tomllib.loads(config.read_text(encoding="utf-8"))
    window["data_dir"] = str(data_dir)
    (tmp_path / "window.toml").write_text(tomli_w.dumps(window), encoding="utf-8")
    env = {**_shell_env(tmp_path), "CASHIER": CASHIER_PASSWORD, "SUPERVISOR": SUPERVISOR_PASSWORD}

    done = subprocess.run(
        ["bash", "-e", "-c", TYPIST + docs_block("shift-report.md", "shift-report")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    out = done.stdout
    assert out.count("交班表 JB-W01-") >= 3
    assert "总额 179.63" in out  # today's settlement, in the cashier's own shift
    assert "已保存到 shift.pdf" in out
    assert (tmp_path / "shift.pdf").read_bytes().startswith(b"%PDF")
    assert len(list((data_dir / "reports").glob("*.pdf"))) == 2  # C001's day, every cashier's day
    assert "日结对账平衡" in out
