"""``settlement-window hospital day-close`` draws a progress bar for a person at a terminal and none
under ``--json`` or without a terminal (issue 18 item 2). The terminal is a real pseudo-terminal."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

from helpers.engine_fixtures import (
    SUPERVISOR_PASSWORD,
    add_operators,
    demo_bill,
    fresh_visit,
    make_engine,
)
from helpers.pg_fixtures import HospitalDb

from app.config import load_settings
from app.messages import hospital_window as words
from app.sandbox import SandboxServer
from hospital.test_cross_window_cancel_cli import ROOT, window_config
from hospital.test_dead_window_cli import run

LABELS = (str(words.STEP_DELIVER()), "全院总额对账（3201）", str(words.STEP_SAVE()))


def run_on_a_terminal(config: Path, data_dir: Path, *args: str) -> tuple[int, str]:
    """The command with stdout and stderr on a 200-column pseudo-terminal; its exit code and all it
    wrote there."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 200, 0, 0))
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "--config", str(config), "--data-dir", str(data_dir), *args],
        stdin=subprocess.DEVNULL,
        stdout=slave,
        stderr=slave,
        cwd=ROOT,
        env={
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "SW_OPERATOR_PASSWORD": SUPERVISOR_PASSWORD,
            "TERM": "xterm-256color",
        },
    )
    os.close(slave)
    written = bytearray()
    try:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the command ended and closed the terminal
                break
            if not chunk:
                break
            written.extend(chunk)
    finally:
        os.close(master)
    return process.wait(timeout=120), written.decode("utf-8", errors="replace")


def test_a_bar_on_a_terminal_none_under_json(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path
) -> None:
    config = window_config(tmp_path, sandbox, hospital_db.schema, "W01")
    engine = make_engine(load_settings(config), tmp_path / "W01")
    try:
        cashier, _ = add_operators(engine)
        engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
        engine.settle_visit(fresh_visit(demo_bill("02")), cashier)
    finally:
        engine.close()
    code, synced, err = run(config, tmp_path / "W01", "hospital", "sync")
    assert code == 0, (synced, err)

    code, closed, err = run(config, tmp_path / "W01", "hospital", "day-close", "--operator", "S001")

    assert code == 0, (closed, err)
    assert closed["report"]["balanced"] is True
    assert closed["report"]["windows"] == ["W01"]
    assert not [label for label in LABELS if label in err], err  # --json: no bar

    code, shown = run_on_a_terminal(
        config, tmp_path / "W01", "hospital", "day-close", "--operator", "S001"
    )

    assert code == 0, shown
    assert all(label in shown for label in LABELS), shown
    assert "全院 1 个窗口日结对账平衡" in shown  # the result itself follows the bar
