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
(HIS adapter, printer, probe, backend), :mod:`.hospital` (hospital mode).
"""

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

__all__ = [
    "PROBE_TIMEOUT_S",
    "HospitalLink",
    "auth_service",
    "build_backend",
    "build_engine",
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
