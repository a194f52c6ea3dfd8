"""CLI start-up: ``--help`` imports no adapter library, and a command imports only what it needs
(the timings themselves are in benchmarks/cli_startup.py, printed, not asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.engine_fixtures import CASHIER_PASSWORD

from app.cli.parser import _config_path
from app.config import default_config_path
from app.sandbox import SandboxServer

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "pypinyin", "reportlab", "requests", "flask", "PySide6", "escpos", "stdnum")


def _modules_after(code: str, **env_vars: str) -> set[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    env = {**os.environ, "PYTHONPATH": str(ROOT), **env_vars}
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


# What a stand-alone window's ``eligibility`` must not load on its way to the first request: the
# catalogue's pinyin tables, the PDF library, the sandbox and its web framework, Qt, Alembic and
# the hospital record's PostgreSQL adapters (hospital mode is not configured), the HIS adapters (no
# HIS is configured) and the window's backend.
ELIGIBILITY_NEVER = {"pypinyin", "reportlab", "flask", "werkzeug", "PySide6", "stdnum", "alembic"}
ELIGIBILITY_NEVER_APP = (
    "app.sandbox",
    "app.ui",
    "app.printing.receipt_pdf",
    "app.store.hospital",
    "sqlalchemy.dialects.postgresql",
    "app.his",
    "app.workers",
    # Identifying needs the login, recovery and eligibility, not the money services' modules.
    "app.services.engine",
    "app.services.cancel",
    "app.services.day_close",
    "app.services.catalogue",
    "app.services.receipts",
    "app.services.hospital",
    "app.wiring.engine",
    "app.wiring.hospital",
    # The store opens through Core tables only (app.store.uow is Core first): no ORM, no mapped
    # classes.
    "sqlalchemy.orm",
    "app.store.models",
    "app.store.bill_cache",
    # Recovery withdraws abandoned visits with the settlement package's status rule, imported
    # only when there is one to withdraw.
    "app.services.settlement",
)


def test_the_real_eligibility_command_loads_only_what_it_needs(
    cli_env: tuple[Path, Path], sandbox: SandboxServer
) -> None:
    config, data_dir = cli_env
    who = sandbox.identities()[0]
    argv = [
        "--config", str(config), "--data-dir", str(data_dir), "--json",
        "eligibility", "--id-number", who["id_number"], "--operator", "C001",
    ]  # fmt: skip
    queries = sandbox.request_count("1101")

    # The program's own entry point and engine factory, as ``settlement-window`` runs them.
    loaded = _modules_after(
        f"from app.main import run\nassert run({argv!r}) == 0",
        SW_OPERATOR_PASSWORD=CASHIER_PASSWORD,
    )

    assert sandbox.request_count("1101") == queries + 1  # it did identify the patient
    assert not _top_level(loaded) & ELIGIBILITY_NEVER
    assert not {m for m in loaded if m.startswith(ELIGIBILITY_NEVER_APP)}
    # The password was checked while the engine loaded (app.main.EngineWhenNeeded).
    assert "app.store.login_ahead" in loaded


def test_the_help_language_is_read_from_the_default_configuration_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SETTLEMENT_WINDOW_CONFIG", raising=False)

    assert _config_path([]) == default_config_path()
