"""docs/hospital-mode.md as written: every block marked ``<!-- run -->`` is run in order by bash
against the real PostgreSQL (roles and database renamed uniquely, ``settlement-window`` is
``python -m app``), then the least-privilege claims are checked as the window's role."""

from __future__ import annotations

import json
import os
import re
import secrets
import stat
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import tomli_w

from app.sandbox import SandboxServer, client_config

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "hospital-mode.md"
NAMES = re.compile(r"\bsw_(hospital|owner|window|record)\b")
BLOCK = re.compile(r"<!-- run -->\n```sh\n(.*?)```", re.S)
TOML = re.compile(r"```toml\n(.*?)```", re.S)


@pytest.fixture
def suffix() -> Iterator[str]:
    tag = secrets.token_hex(4)
    yield tag
    with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as admin:
        for db in (f"sw_hospital_{tag}",):
            admin.execute(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        for role in (f"sw_owner_{tag}", f"sw_window_{tag}"):
            admin.execute(f"DROP ROLE IF EXISTS {role}")


def unique(text: str, tag: str) -> str:
    return NAMES.sub(lambda m: f"{m.group(0)}_{tag}", text)


def shim(folder: Path) -> dict[str, str]:
    """``settlement-window`` on PATH, as the installed program would be."""
    folder.mkdir()
    script = folder / "settlement-window"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m app "$@"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return {
        **os.environ,
        "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(ROOT),
    }


def window_config(doc: str, sandbox: SandboxServer, tag: str) -> dict[str, Any]:
    config: dict[str, Any] = client_config(sandbox)
    config.update(tomllib.loads(unique(TOML.search(doc).group(1), tag)))  # type: ignore[union-attr]
    return config


def test_every_command_of_the_hospital_mode_doc_runs_as_written(
    suffix: str, sandbox: SandboxServer, tmp_path: Path
) -> None:
    doc = DOC.read_text(encoding="utf-8")
    env = shim(tmp_path / "bin")
    work = tmp_path / "it"
    work.mkdir()
    (work / "w01.toml").write_text(
        tomli_w.dumps(window_config(doc, sandbox, suffix)), encoding="utf-8"
    )
    blocks = [unique(block, suffix) for block in BLOCK.findall(doc)]
    assert len(blocks) >= 6

    for block in blocks:
        done = subprocess.run(
            ["bash", "-e", "-c", block],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"{block}\n{done.stdout}\n{done.stderr}"

    doctor = {c["key"]: c for c in json.loads((work / "doctor.json").read_text())["checks"]}
    assert doctor["hospital_db"]["status"] == "ok", doctor["hospital_db"]
    restored = json.loads((work / "status-after-restore.json").read_text())
    (w01,) = restored["windows"]
    assert w01["device_no"] == "W01"
    assert w01["pending"] == 0
    _window_role_is_least_privilege(suffix)


def _window_role_is_least_privilege(tag: str) -> None:
    conninfo = f"host=127.0.0.1 user=sw_window_{tag} dbname=sw_hospital_{tag}"
    attempts = {
        "delete": "DELETE FROM hospital_records",
        "delete a charge conflict": "DELETE FROM hospital_claim_conflicts",
        "rewrite a charge conflict": "UPDATE hospital_claim_conflicts SET other_bill_id = 'x'",
        "handle a charge conflict twice": (
            "UPDATE hospital_claim_conflicts SET handled_by = 'S002', handled_at = now()"
        ),
        "rewrite audit": "UPDATE hospital_records SET version = version + 1 WHERE kind = 'audit'",
        "re-encrypt audit (owner only)": (
            "SELECT set_config('settlement_window.rekey', 'on', false);"
            "UPDATE hospital_records SET key_id = 'x' WHERE kind = 'audit'"
        ),
        "ddl": "CREATE TABLE intruder (x int)",
        "schema version": "UPDATE alembic_version SET version_num = 'x'",
    }
    with psycopg.connect(conninfo, autocommit=True) as window:
        audit_rows = window.execute("SELECT COUNT(*) FROM hospital_records WHERE kind = 'audit'")
        assert audit_rows.fetchone() > (0,)
        # What a window does with a charge conflict: record one, and mark it handled once.
        window.execute(
            'INSERT INTO hospital_claim_conflicts ("window", bill_id, operator_code, other_window, '
            "other_bill_id, outpatient_no, line_nos, detected_at) "
            "VALUES ('W01', 'b1', 'C001', 'W02', 'b2', 'MZ1', '[]', now())"
        )
        window.execute(
            "UPDATE hospital_claim_conflicts SET handled_at = now(), handled_by = 'S001', "
            "handled_window = 'W02', handled_note = 'checked'"
        )
        for statement in attempts.values():  # each key says what the window must not be able to do
            with pytest.raises(psycopg.Error):
                window.execute(statement)
