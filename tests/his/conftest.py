"""Fixtures for the HIS hand-off: the reference HIS on loopback HTTP and an engine wired to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.engine_fixtures import add_operators, make_engine

from app.config import Settings
from app.domain.operator import Operator
from app.his.http import HttpHis
from app.sandbox.his import ReferenceHis
from app.sandbox.his.demo import demo_his
from app.sandbox.his.http import HisHttpServer
from app.services.engine import Engine


@pytest.fixture
def reference_his() -> ReferenceHis:
    """A fresh reference HIS with every demo visit unpaid."""
    return demo_his()


@pytest.fixture
def his_server(reference_his: ReferenceHis) -> Iterator[HisHttpServer]:
    """The reference HIS over HTTP on loopback."""
    with HisHttpServer(reference_his) as server:
        yield server


@pytest.fixture
def his_engine(
    engine_settings: Settings, tmp_path: Path, his_server: HisHttpServer
) -> Iterator[Engine]:
    """A real engine whose HIS is the reference HIS through the HTTP adapter."""
    built = make_engine(
        engine_settings,
        tmp_path / "data",
        his_gateway=HttpHis(his_server.url, connect_timeout=1.0, read_timeout=1.0),
    )
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def his_operators(his_engine: Engine) -> tuple[Operator, Operator]:
    """(cashier, supervisor) in the HIS engine's store."""
    return add_operators(his_engine)
