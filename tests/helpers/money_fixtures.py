"""Fixtures for the money-safety tests (owned by MONEY): the CLI against the sandbox on a prepared
data folder.

* ``money_cli``: (config file, data folder) with cashier C001 and supervisor S001 in the store and
  ``SW_OPERATOR_PASSWORD`` set to the cashier's password.
* :func:`cli_engine_factory`: the engine factory in-process CLI runs use.
* :func:`run_json`: run the CLI in-process with ``--json``; (exit code, parsed document).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import tomli_w

from app.config import Settings, load_settings
from app.sandbox import SandboxServer, client_config
from app.services.engine import Engine
from helpers.engine_fixtures import CASHIER_PASSWORD, add_operators, make_engine


@pytest.fixture
def money_cli(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path]:
    """(config file, data folder) with C001 and S001."""
    config = client_config(sandbox)
    config["platform"]["read_timeout"] = 10.0
    path = tmp_path / "settlement-window.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    data_dir = tmp_path / "data"
    built = make_engine(load_settings(path), data_dir)
    add_operators(built)
    built.close()
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", CASHIER_PASSWORD)
    return path, data_dir


def cli_engine_factory(settings: Settings, data_dir: Path) -> Engine:
    """The engine the in-process CLI builds (cheap hashing, fast back-off)."""
    return make_engine(settings, data_dir)


def run_json(
    capsys: pytest.CaptureFixture[str], env: tuple[Path, Path], *args: str
) -> tuple[int, dict[str, Any]]:
    """Run ``settlement-window --json ARGS`` in-process; the exit code and the JSON document."""
    from app.cli.main import main  # noqa: PLC0415 - the CLI only where a test runs it

    config, data_dir = env
    argv = ["--config", str(config), "--data-dir", str(data_dir), "--json", *args]
    code = main(argv, cli_engine_factory)
    out = capsys.readouterr().out
    return code, json.loads(out) if out.strip() else {}
