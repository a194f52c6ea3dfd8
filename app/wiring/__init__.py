"""The one composition: settings → store, platform client, devices, services, the window's backend.

The only place that knows both the adapters (``app.store``, ``app.platform``, ``app.hardware``,
``app.printing``) and the services. The window (``app.main``), the CLI (its engine and its admin
commands, which need only the local store) and the test fixtures all build through these functions,
so a wiring mistake shows in every one of them (``tests/admin/test_composition.py``):

* :func:`build_engine` — the engine of a data folder;
* :func:`open_local_store`, :func:`port_of`, :func:`auth_service` — the admin commands' store and
  login, with the same login policy as the engine (:func:`login_policy`);
* :func:`receipt_printer` — the configured printer, chosen here only;
* :func:`build_backend` — the window's backend over an engine;
* :func:`hospital_database`, :func:`hospital_link` — hospital mode (``[hospital_db]``): the shared
  PostgreSQL record and the sync of this window's outbox to it.

One module per part: :mod:`.engine` (the engine), :mod:`.local` (store and login), :mod:`.edges`
(HIS adapter, printer, probe, backend), :mod:`.hospital` (hospital mode), :mod:`.lookup` (the part
every engine starts with, and the lighter engine of a command that only identifies:
:func:`build_lookup_engine`).

The names below are loaded on first use (PEP 562): importing one part (``app.wiring.lookup``) does
not load the others' services (docs/performance.md, CLI start-up).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.wiring.edges import (
        PROBE_TIMEOUT_S,
        build_backend,
        his_gateway_for,
        his_lock_for,
        probe_for,
        receipt_printer,
    )
    from app.wiring.engine import build_engine
    from app.wiring.hospital import (
        HospitalLink,
        hospital_database,
        hospital_link,
        hospital_record,
        pull_shared,
        shared_operators_for,
        window_msgid_slot,
    )
    from app.wiring.local import auth_service, login_policy, open_local_store, port_of
    from app.wiring.lookup import build_lookup_engine

_HOME: dict[str, str] = {
    "PROBE_TIMEOUT_S": "app.wiring.edges",
    "build_backend": "app.wiring.edges",
    "his_gateway_for": "app.wiring.edges",
    "his_lock_for": "app.wiring.edges",
    "probe_for": "app.wiring.edges",
    "receipt_printer": "app.wiring.edges",
    "build_engine": "app.wiring.engine",
    "HospitalLink": "app.wiring.hospital",
    "hospital_database": "app.wiring.hospital",
    "hospital_link": "app.wiring.hospital",
    "hospital_record": "app.wiring.hospital",
    "pull_shared": "app.wiring.hospital",
    "shared_operators_for": "app.wiring.hospital",
    "window_msgid_slot": "app.wiring.hospital",
    "auth_service": "app.wiring.local",
    "login_policy": "app.wiring.local",
    "open_local_store": "app.wiring.local",
    "port_of": "app.wiring.local",
    "build_lookup_engine": "app.wiring.lookup",
}


def __getattr__(name: str) -> Any:
    """Load the module that defines ``name`` on first use."""
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module 'app.wiring' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)


__all__ = [
    "PROBE_TIMEOUT_S",
    "HospitalLink",
    "auth_service",
    "build_backend",
    "build_engine",
    "build_lookup_engine",
    "his_gateway_for",
    "his_lock_for",
    "hospital_database",
    "hospital_link",
    "hospital_record",
    "login_policy",
    "open_local_store",
    "port_of",
    "probe_for",
    "pull_shared",
    "receipt_printer",
    "shared_operators_for",
    "window_msgid_slot",
]
