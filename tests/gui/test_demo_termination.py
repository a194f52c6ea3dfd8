"""``--demo`` ended by SIGTERM leaves no temporary folders behind (issue #11 item 20).

A real process: ``python -m app --demo`` offscreen, with its own temporary folder, ended by SIGTERM
once its engine is ready.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.log import LOG_FILE_NAME

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 90.0


def _engine_ready(tmp: Path) -> bool:
    for log_file in tmp.glob(f"sw-demo-*/logs/{LOG_FILE_NAME}"):
        try:
            if "engine ready" in log_file.read_text(encoding="utf-8", errors="replace"):
                return True
        except OSError:
            continue
    return False


@pytest.mark.skipif(os.name != "posix", reason="SIGTERM")
def test_sigterm_ends_the_demo_and_removes_its_temporary_folders(tmp_path: Path) -> None:
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "QT_QPA_PLATFORM": "offscreen"}
    errors = tmp_path / "stderr.txt"
    with errors.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "app", "--demo"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not _engine_ready(tmp):
            assert process.poll() is None, errors.read_text(encoding="utf-8", errors="replace")
            assert time.monotonic() < deadline, "the demo did not start"
            time.sleep(0.2)
        assert list(tmp.glob("sw-demo-*"))
        assert list(tmp.glob("sandbox-state-*"))

        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert code == 0, errors.read_text(encoding="utf-8", errors="replace")
    assert sorted(p.name for p in tmp.iterdir()) == []
