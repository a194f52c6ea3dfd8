"""docs/his-integration.md says what the reference HIS and the adapters do: its sample requests
get exactly its sample answers, its command runs as written, its DDL is the published one."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import requests

from app.his.middle import ddl_statements
from app.sandbox.his.demo import demo_his
from app.sandbox.his.http import HisHttpServer

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "his-integration.md").read_text("utf-8")


def _blocks(tag: str) -> dict[str, str]:
    found = re.findall(rf"```(?:json|sh) {tag} ?(\S*)\n(.*?)```", DOC, re.S)
    return {name: body for name, body in found}


def test_the_sample_requests_get_the_sample_answers() -> None:
    requests_ = _blocks("his-request")
    answers = _blocks("his-answer")
    assert list(requests_) == ["unpaid-visits", "charges/current", "results"]
    with HisHttpServer(demo_his()) as server, requests.Session() as http:
        for call, body in requests_.items():
            sent = json.loads(body)
            headers = {"Idempotency-Key": sent["key"]} if call == "results" else {}
            answer = http.post(server.url + call, json=sent, headers=headers, timeout=5)
            assert answer.status_code == 200
            assert answer.json() == json.loads(answers[call]), call
        again = http.post(
            server.url + "results",
            json=json.loads(requests_["results"]),
            headers={"Idempotency-Key": json.loads(requests_["results"])["key"]},
            timeout=5,
        ).json()
        assert again["ack"]["duplicate"] is True
        assert len(server.his.applied()) == 1


def test_the_documented_command_runs_as_written(tmp_path: Path) -> None:
    (command,) = _blocks("his-run").values()
    argv = shlex.split(command.strip())
    assert argv[0] == "python"
    done = subprocess.run(
        [sys.executable, *argv[1:]],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PYTHONPATH": str(ROOT), "PATH": ""},
    )
    assert done.returncode == 0, done.stderr
    assert "已同步 14 个就诊。" in done.stdout
    assert (tmp_path / "his-exchange" / "in" / "MZ202611230001.json").is_file()
    assert (tmp_path / "his-middle.db").is_file()


def test_the_documented_ddl_has_the_published_columns() -> None:
    published = ddl_statements((ROOT / "resources" / "his" / "middle-tables.sql").read_text())
    for statement in published:
        if not statement.startswith("CREATE TABLE"):
            continue
        table = statement.split()[2]
        shown = DOC[DOC.index(f"CREATE TABLE {table} (") :]
        shown = shown[: shown.index(");")]
        columns = re.findall(r"\n\s+(\w+)\s+[A-Z]", statement)
        assert columns
        assert columns == re.findall(r"\n\s+(\w+)\s+[A-Z]", shown), table
