"""``settlement-window hospital …`` in English (``[ui] language = "en"``): every success line.

The same rule as ``tests/cli/test_cli_english.py``: stdout holds no Chinese once the data are removed
field by field (the operators' and patients' names, the diseases, the hospital's name).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tomli_w
from helpers.engine_fixtures import (
    SUPERVISOR_PASSWORD,
    add_operators,
    demo_bill,
    fresh_visit,
    make_engine,
)
from helpers.pg_fixtures import HospitalDb, hospital_test_url

from app.cli.main import main
from app.config import Settings, load_settings
from app.domain.disease import PILOT_DISEASES
from app.sandbox import SandboxServer, client_config
from app.services.engine import Engine
from app.store.hospital.key import create_hospital_key

CHINESE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _factory(settings: Settings, data_dir: Path) -> Engine:
    return make_engine(settings, data_dir)


def test_the_hospital_commands_speak_english(
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    key = tmp_path / "hospital.key"
    create_hospital_key(key)
    url = f"{hospital_test_url()}?options=-csearch_path%3D{hospital_db.schema}"
    document = client_config(sandbox)
    document["hospital_db"] = {"url": url, "hospital_key_file": str(key)}
    document["ui"] = {"language": "en"}
    config = tmp_path / "w01.toml"
    config.write_text(tomli_w.dumps(document), encoding="utf-8")
    data_dir = tmp_path / "w01"
    settings = load_settings(config)
    engine = make_engine(settings, data_dir)
    try:
        cashier, _ = add_operators(engine)
        engine.settle_visit(fresh_visit(demo_bill("01")), cashier)
    finally:
        engine.close()
    data = sorted(
        {
            "收费员甲",
            "主管乙",
            settings.hospital.name,
            *(d.label for d in PILOT_DISEASES.values()),
        },
        key=len,
        reverse=True,
    )
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", SUPERVISOR_PASSWORD)

    def run(*args: str) -> str:
        code = main(["--config", str(config), "--data-dir", str(data_dir), *args], _factory)
        captured = capsys.readouterr()
        assert code == 0, (args, captured.out, captured.err)
        text = captured.out
        for value in data:
            text = text.replace(value, "")
        assert not CHINESE.findall(text), (args, captured.out)
        return captured.out

    assert "schema" in run("hospital", "init-db", "--url", url)
    assert "still waiting" in run("hospital", "sync")
    assert "Window" in run("hospital", "status")
    run("hospital", "conflicts")
    run("hospital", "unresolved")
    assert "settlements in the hospital" in run("hospital", "history")
    assert "Hospital shift report" in run("hospital", "report", "shift", "--operator", "S001")
    assert "Hospital key" in run("hospital", "key-create", str(tmp_path / "new.key"))
