"""CLI start-up: ``--help`` imports no adapter library, and a command imports only what it needs
(the timings themselves are in benchmarks/cli_startup.py, printed, not asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli.parser import _config_path
from app.config import default_config_path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "pypinyin", "reportlab", "requests", "flask", "PySide6", "escpos", "stdnum")


def _modules_after(code: str) -> set[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def _top_level(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_help_imports_no_adapter_library() -> None:
    loaded = _modules_after(
        "from app.main import run\ntry:\n    run(['--help'])\nexcept SystemExit:\n    pass"
    )

    assert not _top_level(loaded) & set(HEAVY)
    assert not {m for m in loaded if m.startswith(("app.store", "app.services", "app.wiring"))}


def test_eligibility_loads_neither_pinyin_tables_nor_pdf_library_nor_sandbox() -> None:
    loaded = _modules_after("import app.cli.eligibility, app.cli.context, app.wiring")

    assert not _top_level(loaded) & {"pypinyin", "reportlab", "flask", "PySide6", "stdnum"}
    assert not {m for m in loaded if m.startswith(("app.sandbox", "app.ui"))}


def test_the_help_language_is_read_from_the_default_configuration_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SETTLEMENT_WINDOW_CONFIG", raising=False)

    assert _config_path([]) == default_config_path()
