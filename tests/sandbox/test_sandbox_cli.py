"""The ``sandbox`` subcommand: loopback guard, ``--write-config`` and a real process."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
import requests
from helpers.sandbox_fixtures import CALL_PATH, parse_json, sign_headers

from app.sandbox import SandboxServer, client_config
from app.sandbox.cli import is_loopback, register, run

ROOT = Path(__file__).resolve().parents[2]
ALL_INTERFACES = ".".join(["0"] * 4)  # the guard exists to refuse exactly this


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    return parser.parse_args(["sandbox", *argv])


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        (ALL_INTERFACES, False),
        ("192.168.1.5", False),
    ],
)
def test_loopback_detection(host: str, expected: bool) -> None:
    assert is_loopback(host) is expected


def test_non_loopback_host_is_refused_without_the_flag() -> None:
    assert run(_args("--host", ALL_INTERFACES, "--port", "0")) == 2


def test_defaults() -> None:
    args = _args()
    assert (args.host, args.port, args.seed, args.state, args.write_config) == (
        "127.0.0.1",
        8080,
        0,
        None,
        None,
    )
    assert args.handler is run


def test_client_config_has_the_documented_schema(sandbox: SandboxServer) -> None:
    config = client_config(sandbox)
    assert config["platform"] == {
        "url": sandbox.url, "ec_url": sandbox.ec_url, "passid": sandbox.passid, "token": sandbox.token,
        "connect_timeout": 5.0, "read_timeout": 30.0,
    }  # fmt: skip
    assert config["hospital"] == {
        "code": "H11010500001", "name": "演示肿瘤医院（虚构）", "admdvs": "110105",
        "opened_diseases": ["M03900", "M01600", "M00500", "M07801", "M08301"], "general_outpatient_open": True,
    }  # fmt: skip
    assert config["window"] == {"device_no": "W01"}


def test_docs_show_the_client_config_the_sandbox_writes(sandbox: SandboxServer) -> None:
    """docs/sandbox.md prints the file ``--write-config`` writes: every key, nothing else (it left
    out ``demo`` and ``[login]``)."""
    text = (ROOT / "docs" / "sandbox.md").read_text(encoding="utf-8")
    block = text.split("Client configuration written by `--write-config`", 1)[1]
    documented = tomllib.loads(block.split("```toml\n", 1)[1].split("```", 1)[0])
    written = client_config(sandbox)
    documented["platform"]["url"] = written["platform"]["url"]
    documented["platform"]["ec_url"] = written["platform"]["ec_url"]
    assert documented == written


def test_the_process_serves_and_writes_a_usable_config(tmp_path: Path) -> None:
    config_file = tmp_path / "client.toml"
    state = tmp_path / "state.sqlite3"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app.sandbox",
            "--port",
            "0",
            "--seed",
            "3",
            "--state",
            str(state),
            "--write-config",
            str(config_file),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not config_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        config = tomllib.loads(config_file.read_text(encoding="utf-8"))
        platform = config["platform"]
        hospital = config["hospital"]
        envelope = {
            "infno": "9001", "msgid": f"{hospital['code']}{time.strftime('%Y%m%d%H%M%S')}0001",
            "mdtrtarea_admvs": hospital["admdvs"], "insuplc_admdvs": "", "recer_sys_code": "YBXT",
            "infver": "V1.0", "opter_type": "1", "opter": "OP1", "opter_name": "甲",
            "inf_time": time.strftime("%Y-%m-%d %H:%M:%S"), "fixmedins_code": hospital["code"],
            "fixmedins_name": hospital["name"], "input": {"signIn": {"opter_no": "OP1", "ip": "127.0.0.1"}},
        }  # fmt: skip
        response = requests.post(
            platform["url"] + CALL_PATH,
            json=envelope,
            headers=sign_headers(platform["passid"], platform["token"]),
            timeout=5,
        )
        assert parse_json(response.text)["infcode"] == 0
        assert state.exists()
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
