"""Several windows of one hospital in one test: each a real engine on its own data folder, all on one
sandbox and one hospital schema on the real PostgreSQL (hospital mode switched on in each).

* ``two_windows``: windows ``W01`` and ``W02`` (each with cashier C001 and supervisor S001).

Helpers: :func:`open_window` (one more window), :func:`sync_all` (every window drains its outbox).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from app.domain.operator import Operator
from app.sandbox import SandboxServer
from app.services.cancel import SupervisorApproval
from app.services.day_close import LOCAL_ZONE
from app.services.engine import Engine
from app.services.hospital_cancel import HospitalCancelService
from app.services.hospital_day_close import HospitalDayCloseService
from app.services.hospital_sync import HospitalSync
from app.services.ports.clock import SystemClock
from app.store.hospital.record import PgHospitalRecord
from helpers.engine_fixtures import (
    SUPERVISOR_PASSWORD,
    add_operators,
    make_engine,
    sandbox_settings,
)
from helpers.pg_fixtures import HOSPITAL_KEY, HospitalDb

APPROVAL = SupervisorApproval("S001", SUPERVISOR_PASSWORD)


@dataclass
class Window:
    """One window of the hospital."""

    name: str
    engine: Engine
    record: PgHospitalRecord
    sync: HospitalSync
    cashier: Operator
    supervisor: Operator

    def cancels(self) -> HospitalCancelService:
        """This window's cross-window cancel service."""
        if self.engine.hospital_cancel is not None:
            return self.engine.hospital_cancel  # configured: the one the window itself uses
        return HospitalCancelService(
            cancellation=self.engine.cancellation,
            uow_factory=self.engine.uow_factory,
            record=self.record,
            clock=SystemClock(),
            window=self.name,
        )


def open_window(
    name: str,
    sandbox: SandboxServer,
    db: HospitalDb,
    folder: Path,
    *,
    configured: bool = False,
    **engine_kwargs: Any,
) -> Window:
    """A window ``name`` on ``folder``, in hospital mode on ``db``. ``configured``: hospital mode
    switched on by ``[hospital_db]`` in the window's settings, as a real window runs (hospital-wide
    charge claims, cancels through the engine); otherwise only the record and the sync are wired.
    ``engine_kwargs`` go to the engine (e.g. ``his_gateway``)."""
    extra: dict[str, Any] = {}
    if configured:
        key = folder.parent / "hospital.key"
        if not key.exists():
            key.write_bytes(HOSPITAL_KEY)
            key.chmod(0o600)
        url = f"{db.url}?options=-csearch_path%3D{db.schema}"
        extra["hospital_db"] = {"url": url, "hospital_key_file": str(key)}
    settings = sandbox_settings(sandbox, window={"device_no": name}, **extra)
    engine = make_engine(settings, folder, **engine_kwargs)
    cashier, supervisor = add_operators(engine)
    with engine.uow_factory() as uow:
        uow.msgids.use_window_slot(int(name[1:]))  # windows of one hospital share its msgid space
        uow.commit()
    record = PgHospitalRecord(db.engine, HOSPITAL_KEY)
    sync = HospitalSync(engine.uow_factory, record, SystemClock(), name)
    sync.enable()
    return Window(name, engine, record, sync, cashier, supervisor)


def sync_all(windows: Sequence[Window]) -> None:
    """Every window delivers everything it holds."""
    for window in windows:
        report = window.sync.drain()
        assert report.drained, report


@pytest.fixture
def two_windows(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path
) -> Iterator[tuple[Window, Window]]:
    """W01 and W02 of one hospital."""
    w1 = open_window("W01", sandbox, hospital_db, tmp_path / "w01")
    w2 = open_window("W02", sandbox, hospital_db, tmp_path / "w02")
    try:
        yield w1, w2
    finally:
        w1.engine.close()
        w2.engine.close()


def today() -> date:
    """The hospital's calendar day now (the day close's and the reports' day)."""
    return datetime.now(LOCAL_ZONE).date()


def day_close_at(window: Window) -> HospitalDayCloseService:
    """The hospital-wide day close run at ``window``, built over its engine's parts."""
    alone = window.engine.day_close
    return HospitalDayCloseService(
        gateway=alone._gateway,
        uow_factory=window.engine.uow_factory,
        clock=SystemClock(),
        caller=alone._caller,
        recovery=alone._recovery,
        record=window.record,
        sync=window.sync,
    )
