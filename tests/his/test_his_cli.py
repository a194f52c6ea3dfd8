"""``settlement-window his status`` and ``his deliver`` against the reference HIS."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from helpers.engine_fixtures import add_operators, make_engine

from app.cli.main import main
from app.config import Settings, load_settings
from app.domain.his import ChargeStatus
from app.sandbox import SandboxServer, client_config
from app.sandbox.his.http import HisHttpServer
from app.services.engine import Engine

QINGHAI_ID = "630120197003151227"


def _engine_factory(settings: Settings, data_dir: Path) -> Engine:
    return make_engine(settings, data_dir)


def test_status_lists_what_waits_and_deliver_sends_it(
    sandbox: SandboxServer,
    his_server: HisHttpServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = client_config(sandbox)
    config["his"] = {"kind": "http", "url": his_server.url, "timeout": 2.0}
    path = tmp_path / "settlement-window.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    data = tmp_path / "data"
    engine = make_engine(load_settings(path), data)
    cashier, _ = add_operators(engine)
    assert engine.his is not None
    visit = engine.his.load(engine.his.unpaid_for_person(QINGHAI_ID))
    engine.settle_visit(visit, cashier)
    engine.close()

    def run(*args: str) -> tuple[int, dict[str, Any]]:
        code = main(
            ["--config", str(path), "--data-dir", str(data), "--json", *args], _engine_factory
        )
        return code, json.loads(capsys.readouterr().out)

    his_server.his.faults.set(down=True)
    code, out = run("his", "deliver")
    assert code == 4
    assert len(out["pending"]) == len(visit.lines)
    code, out = run("his", "status")
    assert code == 4
    assert out["pending"][0]["attempts"] == 1

    his_server.his.faults.set()
    code, out = run("his", "deliver")
    assert code == 0
    assert out["delivered"] == len(visit.lines)
    assert out["pending"] == []
    assert all(his_server.his.status(line.line_no) is ChargeStatus.PAID for line in visit.lines)


def test_deliver_without_a_his_says_so(
    sandbox: SandboxServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "settlement-window.toml"
    path.write_text(tomli_w.dumps(client_config(sandbox)), encoding="utf-8")
    data = tmp_path / "data"
    engine = make_engine(load_settings(path), data)
    add_operators(engine)
    engine.close()
    code = main(
        ["--config", str(path), "--data-dir", str(data), "--json", "his", "deliver"],
        _engine_factory,
    )
    out = capsys.readouterr()
    assert code != 0
    assert "[his] kind = none" in out.out + out.err
