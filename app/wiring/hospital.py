"""Hospital mode's part of the composition (``[hospital_db]``): the PostgreSQL record, the shared accounts,
catalogue and charge claims, the hospital cancel and day close, and the sync of this window's outbox.

The hospital record's adapters (SQLAlchemy's PostgreSQL dialect, about 40 ms) are imported inside the
functions: a stand-alone window's commands never load them (docs/performance.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine as SqlEngine

from app.config import (
    HospitalDbSettings,
    Settings,
)
from app.errors import ConfigError
from app.platform.client import PlatformClient
from app.services.cancel import CancelService
from app.services.charge_claims import ChargeClaimService
from app.services.engine import Engine
from app.services.his_lock_arbiter import HisLockArbiter
from app.services.hospital_cancel import HospitalCancelService
from app.services.hospital_conflicts import HospitalConflicts
from app.services.hospital_day_close import HospitalDayCloseService
from app.services.hospital_resolve import HospitalResolutionGate, HospitalResolveService
from app.services.hospital_slot import apply_msgid_slot
from app.services.hospital_sync import HospitalSync
from app.services.hospital_use_cases import DeadWindows, HospitalUseCases
from app.services.journaling import JournaledCaller
from app.services.ports.clock import Clock
from app.services.ports.his import HisChargeLock
from app.services.ports.store import UnitOfWorkFactory
from app.services.recovery import RecoveryService
from app.services.shared_operators import SharedOperators

if TYPE_CHECKING:
    # The hospital record's adapters (SQLAlchemy's PostgreSQL dialect, ≈ 40 ms) are imported where
    # hospital mode is built: a stand-alone window's commands never load them (docs/performance.md).
    from app.store.hospital.catalogue import PgSharedCatalogue
    from app.store.hospital.record import PgHospitalRecord
    from app.store.hospital.shared_heads import PgSharedHeads, SharedHeads


def shared_catalogue_for(pool: SqlEngine | None) -> PgSharedCatalogue | None:
    """Hospital mode: the catalogue shared in PostgreSQL; ``None`` for a stand-alone window."""
    if pool is None:
        return None
    from app.store.hospital.catalogue import PgSharedCatalogue  # noqa: PLC0415

    return PgSharedCatalogue(pool)


def charge_claims_for(
    settings: Settings,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    his_lock: HisChargeLock | None = None,
) -> tuple[ChargeClaimService, SqlEngine | None]:
    """The claims on HIS charges, hospital-wide in hospital mode (with the pool it opened, which
    the hospital cancel shares), arbitrated by the HIS's lock while PostgreSQL is away when the
    HIS offers it; the pool is ``None`` for a stand-alone window."""
    if not settings.hospital_db.enabled:
        return ChargeClaimService(uow_factory, clock), None
    from app.store.hospital.charge_claims import PgHospitalChargeClaims  # noqa: PLC0415
    from app.store.hospital.conflicts import PgClaimConflicts  # noqa: PLC0415

    pool = hospital_database(settings.hospital_db)
    hospital = PgHospitalChargeClaims(pool)
    window = settings.window.device_no
    arbiter = HisLockArbiter(his_lock, window) if his_lock is not None else None
    return ChargeClaimService(
        uow_factory, clock, hospital=hospital, window=window, his_lock=arbiter,
        conflicts=PgClaimConflicts(pool),
    ), pool  # fmt: skip


def hospital_cancel_for(
    settings: Settings,
    pool: SqlEngine | None,
    cancellation: CancelService,
    uow_factory: UnitOfWorkFactory,
    *,
    clock: Clock,
    claims: ChargeClaimService,
) -> HospitalCancelService | None:
    """Hospital mode: cancellations through the hospital's cancel claim (any window's settlement)
    on ``pool``; ``None`` for a stand-alone window."""
    if pool is None:
        return None
    from app.store.hospital.key import read_hospital_key  # noqa: PLC0415
    from app.store.hospital.record import PgHospitalRecord  # noqa: PLC0415

    try:
        key = read_hospital_key(Path(settings.hospital_db.hospital_key_file))
    except BaseException:
        pool.dispose()
        raise
    return HospitalCancelService(
        cancellation=cancellation,
        uow_factory=uow_factory,
        record=PgHospitalRecord(pool, key),
        clock=clock,
        window=settings.window.device_no,
        after_cancel=claims.release_cancelled_at_hospital,
        after_import=claims.adopt_his_charges,
    )


def hospital_day_close_for(
    hospital_cancel: HospitalCancelService | None,
    client: PlatformClient,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    caller: JournaledCaller,
    recovery: RecoveryService,
    window: str,
) -> HospitalDayCloseService | None:
    """Hospital mode: the whole hospital's day close over the same record as the cancel claims;
    the acting ``window`` first delivers its own outbox (its sync worker may be between rounds).
    ``recovery`` is switched to hospital mode here too (:func:`install_resolution_gate`)."""
    if hospital_cancel is None:
        return None
    install_resolution_gate(recovery, hospital_cancel, uow_factory, clock, window)
    return HospitalDayCloseService(
        gateway=client,
        uow_factory=uow_factory,
        clock=clock,
        caller=caller,
        recovery=recovery,
        record=hospital_cancel.record,
        sync=HospitalSync(uow_factory, hospital_cancel.record, clock, window),
    )


def install_resolution_gate(
    recovery: RecoveryService,
    hospital_cancel: HospitalCancelService | None,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    window: str,
) -> None:
    """Hospital mode: ``recovery`` resolves a row that may be in the hospital record only under the
    hospital's resolution claim (issue 13 item 5); nothing changes for a stand-alone window."""
    from app.store.hospital.record import PgHospitalRecord  # noqa: PLC0415

    if hospital_cancel is None or not isinstance(hospital_cancel.record, PgHospitalRecord):
        return
    recovery.use_gate(
        HospitalResolutionGate(
            uow_factory=uow_factory, journal=hospital_cancel.record, clock=clock, window=window
        )
    )


def hospital_use_cases_for(
    hospital_cancel: HospitalCancelService | None,
    settings: Settings,
    uow_factory: UnitOfWorkFactory,
    clock: Clock,
    *,
    pool: SqlEngine | None,
    recovery: RecoveryService,
) -> HospitalUseCases | None:
    """Hospital mode: the window's history of every window, import, overview, charge-claim
    conflicts, hospital-wide shift report and every window's unresolved calls, over the same
    record as the cancel claims (whether a window runs is probed on ``pool``, the record's, where
    the conflicts are read too); ``None`` for a stand-alone window."""
    if hospital_cancel is None or pool is None:
        return None
    from app.store.hospital.conflicts import PgClaimConflicts  # noqa: PLC0415
    from app.store.hospital.presence import WindowPresence  # noqa: PLC0415
    from app.store.hospital.record import PgHospitalRecord  # noqa: PLC0415

    record, window = hospital_cancel.record, settings.window.device_no
    if not isinstance(record, PgHospitalRecord):  # pragma: no cover - built by hospital_cancel_for
        return None
    presence = WindowPresence(pool)  # probes other windows' locks; holds none
    resolver = HospitalResolveService(
        uow_factory=uow_factory,
        journal=record,
        liveness=presence,
        recovery=recovery,
        clock=clock,
        window=window,
    )
    return HospitalUseCases(
        uow_factory,
        clock,
        record,
        window=window,
        hospital_name=settings.hospital.name,
        hospital_code=settings.hospital.code,
        dead_windows=DeadWindows(resolver, presence),
        conflicts=PgClaimConflicts(pool),
    )


def window_msgid_slot(
    uow_factory: UnitOfWorkFactory, settings: Settings, clock: Clock
) -> int | None:
    """Hospital mode: this window's msgid slot (stored locally; asked of the server only once)."""
    from app.store.hospital.slots import PgMsgidSlots  # noqa: PLC0415

    database: SqlEngine | None = None

    def claim(device_no: str, at: datetime) -> int:
        nonlocal database
        database = hospital_database(settings.hospital_db)
        return PgMsgidSlots(database).claim(device_no, at)

    try:
        return apply_msgid_slot(uow_factory, claim, settings.window.device_no, clock)
    finally:
        if database is not None:
            database.dispose()


def shared_operators_for(
    settings: Settings, clock: Clock
) -> tuple[SharedOperators | None, SqlEngine | None]:
    """Hospital mode: the hospital's operator accounts and their pool; ``(None, None)`` otherwise.
    Nothing connects here (a window whose server is down still starts and logs in)."""
    if not settings.hospital_db.enabled:
        return None, None
    from app.store.hospital.key import read_hospital_key  # noqa: PLC0415
    from app.store.hospital.operators import PgOperatorDirectory  # noqa: PLC0415

    key = read_hospital_key(Path(settings.hospital_db.hospital_key_file))
    database = hospital_database(settings.hospital_db)
    return SharedOperators(PgOperatorDirectory(database, key), clock), database


def hospital_database(hospital_db: HospitalDbSettings, *, url: str = "") -> SqlEngine:
    """An engine on the hospital database (``url`` overrides the configured one, e.g. the owner
    role's for ``hospital init-db``). Not connected yet: nothing here waits for the server."""
    target = url or hospital_db.url
    if not target:
        raise ConfigError(
            "未启用医院模式：请在配置文件的 [hospital_db] 中设置 url（见 docs/hospital-mode.md）。",
            code="config",
            detail={"key": "hospital_db.url"},
        )
    from app.store.hospital.connect import open_hospital_engine, read_password  # noqa: PLC0415

    password_file = Path(hospital_db.password_file) if hospital_db.password_file else None
    return open_hospital_engine(target, password=read_password(password_file))


@dataclass
class HospitalLink:
    """This window's link to the hospital record: the record, the sync of its outbox, the pool."""

    record: PgHospitalRecord
    sync: HospitalSync
    database: SqlEngine

    def close(self) -> None:
        """Close the pooled connections."""
        self.database.dispose()


def hospital_record(hospital_db: HospitalDbSettings) -> tuple[PgHospitalRecord, SqlEngine]:
    """The hospital record under the hospital key from ``hospital_key_file``."""
    from app.store.hospital.key import read_hospital_key  # noqa: PLC0415
    from app.store.hospital.record import PgHospitalRecord  # noqa: PLC0415

    key = read_hospital_key(Path(hospital_db.hospital_key_file))
    database = hospital_database(hospital_db)
    return PgHospitalRecord(database, key), database


def hospital_link(engine: Engine) -> HospitalLink | None:
    """Hospital mode for ``engine``'s window, or ``None`` when ``[hospital_db]`` is not set.

    Local-first: this touches only the local store (queuing switched on, existing records queued
    the first time); the server is first reached by the sync loop, so a window whose hospital
    server is down starts and settles as usual.
    """
    settings = engine.settings.hospital_db
    if not settings.enabled:
        return None
    from app.store.hospital.conflicts import PgClaimConflicts  # noqa: PLC0415
    from app.store.hospital.shared_heads import PgSharedHeads  # noqa: PLC0415

    record, database = hospital_record(settings)
    window = engine.settings.window.device_no
    # A delivered cancellation closes the charge conflicts it ends (read only for such a batch).
    conflicts = HospitalConflicts(
        PgClaimConflicts(database), engine.uow_factory, engine.clock, window=window
    )
    sync = HospitalSync(
        engine.uow_factory,
        record,
        engine.clock,
        window,
        pull=SharedPull(engine, PgSharedHeads(database)),
        after_apply=conflicts.after_delivery,
    )
    try:
        sync.enable()
    except BaseException:
        database.dispose()
        raise
    return HospitalLink(record, sync, database)


def pull_shared(engine: Engine) -> None:
    """Hospital mode: copy what the hospital shares once (operators, the catalogue) into this
    window's store.

    Raises:
        StoreError: the hospital database is unreachable (the local copies stay as they are).
    """
    engine.auth.pull_operators()
    engine.catalogue.pull_shared()
    if engine.claims is not None:  # claimed under the HIS lock while the server was away
        engine.claims.push_offline_claims()


class SharedPull:
    """The sync loop's pull of the shared data (:func:`pull_shared`), asked first whether anything
    shared changed: one query of both tables' newest versions (:class:`PgSharedHeads`); a table
    whose newest version is the one seen before this window's last complete pull is not pulled.
    An account made at one window still logs in at another after that window's next round."""

    def __init__(self, engine: Engine, heads: PgSharedHeads) -> None:
        """Pull into ``engine``'s store; ask ``heads`` what changed."""
        self._engine = engine
        self._heads = heads
        self._seen: SharedHeads | None = None  # read before the last complete pull

    def __call__(self) -> bool:
        """Pull what changed; whether anything may have been recorded here (``False``: nothing).

        Raises:
            StoreError: the hospital database is unreachable (the local copies stay as they are).
        """
        engine, seen = self._engine, self._seen
        heads = self._heads.read()  # before the pulls: a change committed meanwhile moves it
        operators = seen is None or heads.operators != seen.operators
        catalogue = seen is None or heads.catalogue != seen.catalogue
        merged = engine.auth.pull_operators(changed=operators)
        if catalogue:
            engine.catalogue.pull_shared()
        pushed = engine.claims.push_offline_claims() if engine.claims is not None else 0
        self._seen = heads
        return bool(operators or merged or pushed)
