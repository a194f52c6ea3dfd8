"""Hospital mode in the real window: two windows of one hospital (W01 and W02), each on its own local
store, one sandbox, one hospital record on the real PostgreSQL (the ``hospital_windows`` fixture in
:mod:`gui.conftest` opens them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from helpers.pg_fixtures import HospitalDb, hospital_test_url

from app.sandbox import SandboxServer
from app.ui.tabs.hospital_tab import HospitalTab, install_hospital_tabs
from app.wiring import HospitalLink, hospital_link
from app.workers.hospital_backend import HospitalWindowBackend
from gui.desk import Desk

HospitalDesk = tuple[Desk, HospitalTab, HospitalLink]


def open_hospital_desk(
    open_desk: Callable[..., Desk],
    sandbox: SandboxServer,
    db: HospitalDb,
    *,
    key: Path,
    name: str,
    links: list[HospitalLink],
    operator: str = "C001",
) -> HospitalDesk:
    """A window ``name`` in hospital mode, logged in as ``operator``; its link joins ``links``."""
    url = f"{hospital_test_url()}?options=-csearch_path%3D{db.schema}"
    desk = open_desk(
        sandbox,
        operator=operator,
        window={"device_no": name},
        hospital_db={"url": url, "hospital_key_file": str(key)},
    )
    backend = HospitalWindowBackend.for_engine(desk.engine)
    assert backend is not None, "hospital mode is on for this engine"
    link = hospital_link(desk.engine)
    assert link is not None
    links.append(link)
    return desk, install_hospital_tabs(desk.window, backend), link


def send(*desks: tuple[Desk, HospitalLink]) -> None:
    """Every window delivers what it holds and then reports that nothing is left, as the sync
    worker does in the background (its clock moves on between the two)."""
    for desk, link in desks:
        report = link.sync.drain()
        assert report.drained, report
        desk.clock.advance(timedelta(seconds=1))
        assert link.sync.sync_once().pending == 0
