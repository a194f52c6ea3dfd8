"""Shared fixtures for the settlement engine (owned by SERVICES): a real engine on a real SQLite file
in ``tmp_path`` talking to the in-process sandbox over loopback HTTP.

* ``engine_settings``: :class:`~app.config.Settings` for the reset ``sandbox``.
* ``engine``: :func:`app.wiring.build_engine` on ``tmp_path / "data"`` with cheap password hashing and
  a short reversal back-off; closed after the test.
* ``cashier`` / ``supervisor``: operators ``C001`` / ``S001`` (passwords :data:`CASHIER_PASSWORD`,
  :data:`SUPERVISOR_PASSWORD`) created in the engine's store.

Helpers: :func:`make_engine` (another engine on the same data folder: a restart),
:func:`demo_bill` (a visit from ``resources/demo_bills``), :func:`add_operators`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

from app.config import Settings, settings_from_mapping
from app.domain.operator import Operator, Role
from app.sandbox import SandboxServer, client_config
from app.services.bill_import import ImportedVisit, load_visit
from app.services.engine import Engine
from app.services.ports.clock import Clock
from app.services.recovery import Backoff
from app.wiring import build_engine

DEMO_BILLS = Path(__file__).resolve().parents[2] / "resources" / "demo_bills"
CASHIER_PASSWORD = "Cashier-pass-2026"
SUPERVISOR_PASSWORD = "Supervisor-pass-2026"
FAST_BACKOFF = Backoff(base_seconds=0.001, cap_seconds=0.01)


def sandbox_settings(server: SandboxServer, **overrides: Any) -> Settings:
    """Client settings for ``server`` (short read timeout so delay faults stay quick)."""
    config: dict[str, Any] = client_config(server)
    config["platform"]["read_timeout"] = overrides.pop("read_timeout", 2.0)
    config["platform"]["connect_timeout"] = overrides.pop("connect_timeout", 2.0)
    for key, value in overrides.items():
        config[key] = value
    return settings_from_mapping(config)


def production_settings(server: SandboxServer) -> Settings:
    """``server``'s configuration as a real (not training) window's: ``demo`` off, its loopback
    ``http://`` allowed by the setting a front-end processor on this PC would use."""
    config: dict[str, Any] = client_config(server)
    config["demo"] = False
    config["platform"]["allow_http_loopback"] = True
    return settings_from_mapping(config)


def make_engine(
    settings: Settings, data_dir: Path, *, clock: Clock | None = None, **kwargs: Any
) -> Engine:
    """An engine on ``data_dir`` the way the ``engine`` fixture builds it."""
    return build_engine(
        settings,
        data_dir,
        clock=clock,
        password_hasher=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
        reversal_backoff=kwargs.pop("reversal_backoff", FAST_BACKOFF),
        read_backoff_seconds=kwargs.pop("read_backoff_seconds", 0.01),
        **kwargs,
    )


def add_operators(engine: Engine) -> tuple[Operator, Operator]:
    """Create cashier C001 and supervisor S001 (idempotent) and return them."""
    with engine.uow_factory() as uow:
        if uow.operators.get("C001") is None:
            uow.operators.add("C001", "收费员甲", Role.CASHIER, CASHIER_PASSWORD)
        if uow.operators.get("S001") is None:
            uow.operators.add("S001", "主管乙", Role.SUPERVISOR, SUPERVISOR_PASSWORD)
        uow.commit()
    return engine.operator("C001"), engine.operator("S001")


def demo_bill(prefix: str) -> ImportedVisit:
    """The demo visit whose file name starts with ``prefix`` (e.g. ``"01"``)."""
    path = next(DEMO_BILLS.glob(f"{prefix}*.json"))
    return load_visit(path)


def fresh_visit(visit: ImportedVisit) -> ImportedVisit:
    """The same charges under a new outpatient number: another HIS visit. A visit's charges are
    settled once (issue #11 item 1), so tests that settle a demo bill again and again use this."""
    return replace(visit, outpatient_no=f"MZ{uuid.uuid4().hex[:16].upper()}")


def demo_bill_path(prefix: str) -> Path:
    """The path of a demo visit file."""
    return next(DEMO_BILLS.glob(f"{prefix}*.json"))


def ledger_by_msgid(server: SandboxServer) -> Mapping[str, dict[str, Any]]:
    """The sandbox ledger keyed by msgid."""
    return {row["msgid"]: row for row in server.ledger()}


@pytest.fixture
def engine_settings(sandbox: SandboxServer) -> Settings:
    """Settings for the reset sandbox."""
    return sandbox_settings(sandbox)


@pytest.fixture
def engine(engine_settings: Settings, tmp_path: Path) -> Iterator[Engine]:
    """A real engine (store in ``tmp_path / "data"``) talking to the sandbox."""
    built = make_engine(engine_settings, tmp_path / "data")
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def operators(engine: Engine) -> tuple[Operator, Operator]:
    """(cashier, supervisor) in the engine's store."""
    return add_operators(engine)


@pytest.fixture
def cashier(operators: tuple[Operator, Operator]) -> Operator:
    """Cashier C001."""
    return operators[0]


@pytest.fixture
def supervisor(operators: tuple[Operator, Operator]) -> Operator:
    """Supervisor S001."""
    return operators[1]
