"""``[his]`` in the configuration chooses the adapter; a missing address is a plain error."""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from app.cli.doctor import _Doctor
from app.config import settings_from_mapping
from app.errors import ConfigError
from app.his.folder import FolderHis
from app.his.http import HttpHis
from app.his.middle import MiddleTablesHis
from app.sandbox import SandboxServer, client_config
from app.services.doctor import Status
from app.wiring import his_gateway_for


def _settings(sandbox: SandboxServer, his: dict[str, Any]) -> Any:
    config = client_config(sandbox)
    config["his"] = his
    return settings_from_mapping(config)


def test_each_kind_builds_its_adapter(sandbox: SandboxServer, tmp_path: Path) -> None:
    assert his_gateway_for(_settings(sandbox, {}).his) is None
    http = _settings(sandbox, {"kind": "http", "url": "http://127.0.0.1:9/his/"}).his
    assert isinstance(his_gateway_for(http), HttpHis)
    folder = _settings(sandbox, {"kind": "folder", "folder": str(tmp_path)}).his
    assert isinstance(his_gateway_for(folder), FolderHis)
    middle = _settings(sandbox, {"kind": "middle", "url": f"sqlite:///{tmp_path}/m.db"}).his
    gateway = his_gateway_for(middle)
    assert isinstance(gateway, MiddleTablesHis)
    gateway.close()


def test_a_kind_without_its_address_is_refused_in_plain_words(sandbox: SandboxServer) -> None:
    with pytest.raises(ConfigError) as caught:
        his_gateway_for(_settings(sandbox, {"kind": "http"}).his)
    assert "his.url" in caught.value.text
    with pytest.raises(ConfigError):
        _settings(sandbox, {"kind": "soap"})
    with pytest.raises(ConfigError):
        _settings(sandbox, {"kind": "middle", "url": "sqlite://", "pending_table": "x;drop"})


def test_doctor_checks_the_configured_his(
    sandbox: SandboxServer, tmp_path: Path, his_server: Any
) -> None:
    def finding(his: dict[str, Any]) -> Any:
        with ExitStack() as stack:
            doctor = _Doctor(argparse.Namespace(), stack)
            doctor._settings = _settings(sandbox, his)
            return doctor.his_reachable()

    assert finding({}).status is Status.OK
    assert finding({"kind": "http", "url": his_server.url}).status is Status.OK
    down = finding({"kind": "http", "url": "http://127.0.0.1:9/his/", "timeout": 1.0})
    assert down.status is Status.ERROR
    assert "无法访问" in str(down.text)  # the finding is a catalogue message (English too)
