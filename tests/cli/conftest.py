"""CLI fixtures: a config file and data folder for the reset sandbox, and an in-process runner."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from helpers.engine_fixtures import (
    CASHIER_PASSWORD,
    SUPERVISOR_PASSWORD,
    add_operators,
    make_engine,
)

from app.cli.main import main
from app.config import Settings, load_settings
from app.sandbox import SandboxServer, client_config
from app.services.engine import Engine

CliRunner = Callable[..., tuple[int, dict[str, Any]]]


@pytest.fixture
def cli_env(
    sandbox: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path]:
    """(config file, data folder) with cashier C001 and supervisor S001 in the store."""
    config = client_config(sandbox)
    config["platform"]["read_timeout"] = 5.0
    path = tmp_path / "settlement-window.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    data_dir = tmp_path / "data"
    engine = make_engine(load_settings(path), data_dir)
    add_operators(engine)
    engine.close()
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", CASHIER_PASSWORD)
    monkeypatch.setenv("SW_SUPERVISOR_PASSWORD", SUPERVISOR_PASSWORD)
    return path, data_dir


def engine_factory(settings: Settings, data_dir: Path) -> Engine:
    """The engine the way the tests build it (cheap password hashing)."""
    return make_engine(settings, data_dir)


@pytest.fixture
def cli(cli_env: tuple[Path, Path], capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """Run a command in-process with ``--json``; returns the exit code and the one JSON document
    printed (the test fails if stdout holds anything else)."""
    config, data_dir = cli_env

    def run(*args: str) -> tuple[int, dict[str, Any]]:
        code = main(
            ["--config", str(config), "--data-dir", str(data_dir), "--json", *args],
            engine_factory,
        )
        out = capsys.readouterr().out
        return code, json.loads(out)

    return run
