"""The first part of every engine's composition: store, platform client, recovery, login, eligibility.

:func:`app.wiring.build_engine` starts with :func:`open_lookup_parts` and adds the money services;
:func:`build_lookup_engine` stops there, for a console command that only identifies a patient
(``eligibility``): the same objects, wired by the same code, without importing the settlement,
cancel, day-close, catalogue, receipt, HIS and hospital modules (docs/performance.md, CLI start-up).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import Engine as SqlEngine

from app.config import Settings, effective_values
from app.errors import StoreError
from app.platform.client import PlatformClient
from app.services.auth import AuthService
from app.services.config_audit import record_config_change
from app.services.eligibility import EligibilityService
from app.services.his_results import recording_results
from app.services.journaling import JournaledCaller
from app.services.lookup import LookupEngine
from app.services.msgid_blocks import MsgidBlocks
from app.services.ports.clock import Clock, SystemClock
from app.services.ports.store import UnitOfWorkFactory
from app.services.recovery import DEFAULT_MAX_ATTEMPTS, Backoff, RecoveryService
from app.store import KeyProvider, Store
from app.store.integrity import damaged_store_error
from app.store.leases import FileLeases
from app.wiring.local import engine_auth, open_local_store, port_of

log = logging.getLogger(__name__)


@dataclass
class LookupParts:
    """What :func:`open_lookup_parts` opened; :meth:`close` releases it (the lease last)."""

    store: Store
    leases: FileLeases
    uow_factory: UnitOfWorkFactory
    client: PlatformClient
    caller: JournaledCaller
    recovery: RecoveryService
    auth: AuthService
    eligibility: EligibilityService
    operators_pool: SqlEngine | None

    def close(self) -> None:
        """Release the HTTP session, hospital mode's accounts pool, the database, then the lease
        (until then this process may still write journal rows)."""
        self.client.close()
        if self.operators_pool is not None:
            self.operators_pool.dispose()
        self.store.close()
        self.leases.close()


def open_lookup_parts(
    settings: Settings,
    data_dir: Path,
    *,
    clock: Clock,
    key_provider: KeyProvider | None = None,
    password_hasher: PasswordHasher | None = None,
    reversal_backoff: Backoff | None = None,
    max_reversal_attempts: int = DEFAULT_MAX_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
    read_backoff_seconds: float = 0.5,
) -> LookupParts:
    """Open the store (migrating it; refused when damaged), take this process's lease, audit a
    configuration change, and build the platform client, recovery, login and eligibility.

    The arguments are :func:`app.wiring.build_engine`'s. The units of work are Core first
    (:mod:`app.store.uow`): the lookup engine's path never imports ``sqlalchemy.orm``.

    Raises:
        StoreError: the database cannot be opened safely or is damaged.
    """
    store = open_local_store(
        data_dir, clock, key_provider=key_provider, password_hasher=password_hasher
    )
    if store.health != "ok":  # no money action on a damaged store (issue #11 item 4)
        store.close()
        raise damaged_store_error(store.health)
    try:
        # This process's lease: its journal rows are its own until it dies (docs/concurrency.md).
        leases = FileLeases(data_dir)
    except BaseException:
        store.close()
        raise
    try:
        # Every stored settlement also writes its HIS results to the outbox (same transaction).
        uow_factory = recording_results(port_of(store), clock)
        _audit_config_change(uow_factory, clock, settings)
        if settings.hospital_db.enabled:
            from app.wiring.hospital import window_msgid_slot  # noqa: PLC0415

            window_msgid_slot(uow_factory, settings, clock)
        hospital = settings.hospital
        read_msgids = MsgidBlocks(uow_factory, hospital.code, clock)
        client = PlatformClient(
            settings.platform,
            hospital,
            settings.window,
            read_msgids,
            clock,
            backoff_seconds=read_backoff_seconds,
        )
    except BaseException:
        leases.close()
        store.close()
        raise
    try:
        auth, operators_pool = engine_auth(settings, uow_factory, clock)
    except BaseException:
        client.close()
        leases.close()
        store.close()
        raise
    caller = JournaledCaller(
        uow_factory, clock, hospital.code, leases.owner_id, read_msgids=read_msgids
    )
    recovery = RecoveryService(
        client,
        uow_factory,
        clock,
        caller,
        ownership=leases,
        max_attempts=max_reversal_attempts,
        backoff=reversal_backoff,
        sleep=sleep,
    )
    eligibility = EligibilityService(
        client, uow_factory, clock, hospital, settings.cache_max_age_hours
    )
    return LookupParts(
        store=store,
        leases=leases,
        uow_factory=uow_factory,
        client=client,
        caller=caller,
        recovery=recovery,
        auth=auth,
        eligibility=eligibility,
        operators_pool=operators_pool,
    )


def build_lookup_engine(
    settings: Settings,
    data_dir: Path,
    *,
    clock: Clock | None = None,
    key_provider: KeyProvider | None = None,
    password_hasher: PasswordHasher | None = None,
) -> LookupEngine:
    """The engine of a command that only identifies: recovery, the login and eligibility over the
    same store and platform client as :func:`app.wiring.build_engine`'s.

    In hospital mode this is the full engine: its recovery resolves a row that may be in the
    hospital record only under the hospital's resolution claim, a gate installed with the hospital
    services (``app.wiring.hospital.install_resolution_gate``).

    Raises:
        StoreError: the database cannot be opened safely or is damaged.
    """
    clock = clock or SystemClock()
    if settings.hospital_db.enabled:
        from app.wiring.engine import build_engine  # noqa: PLC0415

        return build_engine(
            settings,
            data_dir,
            clock=clock,
            key_provider=key_provider,
            password_hasher=password_hasher,
        )
    parts = open_lookup_parts(
        settings,
        data_dir,
        clock=clock,
        key_provider=key_provider,
        password_hasher=password_hasher,
    )
    log.info("lookup engine ready (data dir %s)", data_dir)
    return LookupEngine(
        settings=settings,
        clock=clock,
        data_dir=data_dir,
        uow_factory=parts.uow_factory,
        eligibility=parts.eligibility,
        recovery=parts.recovery,
        auth=parts.auth,
        closer=parts.close,
    )


def _audit_config_change(uow_factory: UnitOfWorkFactory, clock: Clock, settings: Settings) -> None:
    """Settings are only read from the file, so a change shows at the next start: audit it.

    A database that cannot be written now (disk full) must not stop the window from starting for
    this; the fingerprints stay as they were, so the next start records the change.
    """
    try:
        record_config_change(uow_factory, clock, effective_values(settings))
    except StoreError as exc:
        log.warning("configuration change not recorded this time (%s)", exc.code)
