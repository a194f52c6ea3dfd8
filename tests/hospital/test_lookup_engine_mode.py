"""The lighter engine of a command that only identifies (``eligibility``) is the full engine in
hospital mode: its recovery must resolve under the hospital's resolution claim, a gate installed with
the hospital services (issue 13 item 5); a stand-alone window gets the lighter one."""

from __future__ import annotations

from pathlib import Path

from argon2 import PasswordHasher
from helpers.engine_fixtures import sandbox_settings
from helpers.hospital_windows import open_window
from helpers.pg_fixtures import HospitalDb

from app.sandbox import SandboxServer
from app.services.engine import Engine
from app.services.lookup import LookupEngine
from app.wiring.lookup import build_lookup_engine

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def test_a_hospital_windows_lookup_engine_is_the_full_engine_with_the_resolution_gate(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path
) -> None:
    window = open_window("W01", sandbox, hospital_db, tmp_path / "w01", configured=True)
    settings, folder = window.engine.settings, window.engine.data_dir
    window.engine.close()

    lookup = build_lookup_engine(settings, folder, password_hasher=CHEAP)
    try:
        assert isinstance(lookup, Engine)
        # The hospital day close is built where the gate is installed (app/wiring/hospital.py).
        assert lookup.hospital_day_close is not None
        assert lookup.recovery._gate is not None
    finally:
        lookup.close()


def test_a_stand_alone_windows_lookup_engine_has_no_money_services(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    lookup = build_lookup_engine(
        sandbox_settings(sandbox), tmp_path / "data", password_hasher=CHEAP
    )
    try:
        assert isinstance(lookup, LookupEngine)
        assert not isinstance(lookup, Engine)
    finally:
        lookup.close()
