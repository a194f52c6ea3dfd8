"""The console's password check started ahead (``app.store.login_ahead``, ``app.main.EngineWhenNeeded``):
the same answers as the store's own check, and the login around it unchanged — a wrong password is
refused and counted, a locked account stays locked, no patient query is sent for either."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError
from helpers.engine_fixtures import CASHIER_PASSWORD, make_engine

from app.cli.main import main
from app.config import database_path, load_settings
from app.main import EngineWhenNeeded
from app.sandbox import SandboxServer
from app.store.login_ahead import PrecheckedHasher, check_ahead, stored_hash

CHEAP = {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}


def _hash(password: str) -> str:
    return PasswordHasher(**CHEAP).hash(password)


def test_the_checked_pair_gets_the_same_answers_as_argon2() -> None:
    stored = _hash("right-password")

    assert PrecheckedHasher(stored, "right-password").verify(stored, "right-password") is True
    wrong = PrecheckedHasher(stored, "wrong-password")
    with pytest.raises(VerifyMismatchError):
        wrong.verify(stored, "wrong-password")
    # Asked again (the precomputed answer is used once), it is computed as usual.
    with pytest.raises(VerifyMismatchError):
        wrong.verify(stored, "wrong-password")


def test_another_hash_or_password_is_verified_as_usual() -> None:
    stored, other = _hash("right-password"), _hash("other-password")
    hasher = PrecheckedHasher(stored, "right-password")

    assert hasher.verify(other, "other-password") is True
    with pytest.raises(VerifyMismatchError):
        hasher.verify(stored, "other-password")
    # The library's default parameters, as the store's own hasher: rehashing is unchanged.
    default = PasswordHasher()
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (
        default.time_cost,
        default.memory_cost,
        default.parallelism,
    )
    assert hasher.check_needs_rehash(stored)


def test_the_stored_hash_is_read_only_from_a_real_store(
    cli_env: tuple[Path, Path], tmp_path: Path
) -> None:
    _config, data_dir = cli_env
    database = database_path(data_dir)

    found = stored_hash(database, "C001")
    assert found is not None
    assert PasswordHasher().verify(found, CASHIER_PASSWORD)
    assert stored_hash(database, "NOBODY") is None
    assert check_ahead(database, "NOBODY", "x") is None

    missing = tmp_path / "missing" / "store.sqlite3"
    assert stored_hash(missing, "C001") is None
    assert not missing.parent.exists()
    for content in (b"", b"not a database at all, just text" * 40):
        damaged = tmp_path / f"damaged-{len(content)}.sqlite3"
        damaged.write_bytes(content)
        assert stored_hash(damaged, "C001") is None
        # Nothing created or changed: the store refuses such a file itself, as before.
        assert damaged.read_bytes() == content
        assert sorted(p.name for p in tmp_path.glob(f"{damaged.name}*")) == [damaged.name]


def _eligibility(
    config: Path, data_dir: Path, sandbox: SandboxServer, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, Any]]:
    who = sandbox.identities()[0]
    argv = ["--config", str(config), "--data-dir", str(data_dir), "--json", "eligibility"]
    code = main([*argv, "--id-number", who["id_number"], "--operator", "C001"], EngineWhenNeeded())
    return code, json.loads(capsys.readouterr().out)


def _failed_attempts(config: Path, data_dir: Path) -> int:
    engine = make_engine(load_settings(config), data_dir)
    try:
        with engine.uow_factory() as uow:
            account = uow.operators.get("C001")
        assert account is not None
        return account.failed_attempts
    finally:
        engine.close()


def test_through_the_console_the_login_is_unchanged(
    cli_env: tuple[Path, Path],
    sandbox: SandboxServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config, data_dir = cli_env
    queries = sandbox.request_count("1101")
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", "Wrong-pass-2026")

    code, document = _eligibility(config, data_dir, sandbox, capsys)

    assert (code, document["error"]) == (3, "login_failed")
    assert _failed_attempts(config, data_dir) == 1
    assert sandbox.request_count("1101") == queries

    monkeypatch.setenv("SW_OPERATOR_PASSWORD", CASHIER_PASSWORD)
    code, document = _eligibility(config, data_dir, sandbox, capsys)

    assert code == 0, document
    assert _failed_attempts(config, data_dir) == 0
    assert sandbox.request_count("1101") == queries + 1


def test_a_locked_account_stays_locked_with_the_right_password(
    cli_env: tuple[Path, Path],
    sandbox: SandboxServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config, data_dir = cli_env
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", "Wrong-pass-2026")
    for _ in range(load_settings(config).login.max_failures):
        _eligibility(config, data_dir, sandbox, capsys)
    queries = sandbox.request_count("1101")
    monkeypatch.setenv("SW_OPERATOR_PASSWORD", CASHIER_PASSWORD)

    code, document = _eligibility(config, data_dir, sandbox, capsys)

    assert (code, document["error"]) == (3, "login_locked")
    assert sandbox.request_count("1101") == queries
