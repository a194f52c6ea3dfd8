"""The one composition: settings → store, platform client, devices, services, the window's backend.

The only place that knows both the adapters (``app.store``, ``app.platform``, ``app.hardware``,
``app.printing``) and the services. The window (``app.main``), the CLI (its engine and its admin
commands, which need only the local store) and the test fixtures all build through these functions,
so a wiring mistake shows in every one of them (``tests/unit/test_composition.py``):

* :func:`build_engine` — the engine of a data folder;
* :func:`open_local_store`, :func:`port_of`, :func:`auth_service` — the admin commands' store and
  login, with the same login policy as the engine (:func:`login_policy`);
* :func:`receipt_printer` — the configured printer, chosen here only;
* :func:`build_backend` — the window's backend over an engine;
* :func:`hospital_database`, :func:`hospital_link` — hospital mode (``[hospital_db]``): the shared
  PostgreSQL record and the sync of this window's outbox to it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from sqlalchemy import Engine as SqlEngine

from app.config import (
    HisSettings,
    HospitalDbSettings,
    Settings,
    database_path,
    effective_values,
)
from app.errors import ConfigError, StoreError
from app.hardware.factory import make_receipt_printer
from app.hardware.printer.pdf_file import PdfFilePrinter
from app.his.folder import FolderHis
from app.his.http import HttpHis
from app.his.middle import MiddleTablesHis
from app.platform.client import PlatformClient
from app.printing.deferred import DeferredReceiptRenderer
from app.private_files import secure_data_folder
from app.services.auth import AuthService, LoginPolicy
from app.services.cancel import CancelService
from app.services.catalogue import CatalogueService
from app.services.charge_claims import ChargeClaimService
from app.services.config_audit import record_config_change
from app.services.day_close import DayCloseService
from app.services.eligibility import EligibilityService
from app.services.engine import Engine
from app.services.his import HisService, his_charge_check
from app.services.his_lock_arbiter import HisLockArbiter
from app.services.his_outbox import HisOutbox
from app.services.his_results import recording_results
from app.services.hospital_cancel import HospitalCancelService
from app.services.hospital_day_close import HospitalDayCloseService
from app.services.hospital_slot import apply_msgid_slot
from app.services.hospital_sync import HospitalSync
from app.services.journaling import JournaledCaller
from app.services.ports.clock import Clock, SystemClock
from app.services.ports.devices import CardReader, ReceiptPrinter
from app.services.ports.his import HisChargeLock, HisGateway
from app.services.ports.store import UnitOfWorkFactory
from app.services.receipts import ReceiptService
from app.services.recovery import DEFAULT_MAX_ATTEMPTS, Backoff, RecoveryService
from app.services.settlement import SettlementService
from app.services.shared_operators import SharedOperators
from app.store import KeyProvider, Store, default_key_provider, open_store
from app.store.integrity import damaged_store_error
from app.store.leases import FileLeases
from app.workers.engine_backend import EngineBackend, HandOff

if TYPE_CHECKING:
    # The hospital record's adapters (SQLAlchemy's PostgreSQL dialect, ≈ 40 ms) are imported where
    # hospital mode is built: a stand-alone window's commands never load them (docs/performance.md).
    from app.store.hospital.catalogue import PgSharedCatalogue
    from app.store.hospital.record import PgHospitalRecord

PROBE_TIMEOUT_S = 1.0

log = logging.getLogger(__name__)


class MsgidBlocks:
    """Msgids for read-only calls, reserved a few at a time in one committed transaction.

    Each reservation is durable before any of its msgids is used, so a msgid is never reused, even
    after a crash (unused reserved ones are simply skipped). A block older than ``max_age`` seconds
    is dropped so that the time part of a msgid stays close to the time it is sent.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        institution_code: str,
        clock: Clock,
        *,
        block: int = 8,
        max_age: float = 5.0,
    ):
        """Reserve ``block`` msgids per transaction from the store's counter."""
        self._uow_factory = uow_factory
        self._institution = institution_code
        self._clock = clock
        self._block = block
        self._max_age = max_age
        self._reserved: list[str] = []
        self._reserved_at = 0.0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        """The next msgid."""
        with self._lock:
            stale = self._clock.monotonic() - self._reserved_at > self._max_age
            if not self._reserved or stale:
                self._reserved = self._reserve()
                self._reserved_at = self._clock.monotonic()
            return self._reserved.pop(0)

    def _reserve(self) -> list[str]:
        with self._uow_factory() as uow:
            now = self._clock.now()
            msgids = [uow.msgids.next_msgid(self._institution, now) for _ in range(self._block)]
            uow.commit()
        return msgids


def build_engine(
    settings: Settings,
    data_dir: Path,
    *,
    clock: Clock | None = None,
    key_provider: KeyProvider | None = None,
    password_hasher: PasswordHasher | None = None,
    reversal_backoff: Backoff | None = None,
    max_reversal_attempts: int = DEFAULT_MAX_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
    read_backoff_seconds: float = 0.5,
    his_gateway: HisGateway | None = None,
) -> Engine:
    """Open the store (migrating it), build the platform client and every service.

    Args:
        settings: validated settings.
        data_dir: the data folder (database, key file).
        clock: the clock (tests pass a fake one); defaults to the system clock.
        key_provider: where the data key comes from; defaults to the key file in ``data_dir``.
        password_hasher: argon2id parameters for operator passwords (tests pass cheap ones).
        reversal_backoff: back-off between reversal attempts during recovery.
        max_reversal_attempts: failed reversals before a row is escalated to a supervisor.
        sleep: how recovery waits between attempts.
        read_backoff_seconds: base back-off between attempts of read-only platform calls.
        his_gateway: the hospital information system's adapter (``app.his``), if there is one.

    Raises:
        StoreError: the database cannot be opened safely.
    """
    clock = clock or SystemClock()
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
            window_msgid_slot(uow_factory, settings, clock)
        hospital = settings.hospital
        client = PlatformClient(
            settings.platform,
            hospital,
            settings.window,
            MsgidBlocks(uow_factory, hospital.code, clock),
            clock,
            backoff_seconds=read_backoff_seconds,
        )
        printer = receipt_printer(settings, data_dir)
        his_gateway = his_gateway or his_gateway_for(settings.his)
        claims, hospital_pool = _charge_claims(
            settings, uow_factory, clock, his_lock_for(settings.his, his_gateway)
        )
    except BaseException:
        leases.close()
        store.close()
        raise
    caller = JournaledCaller(uow_factory, clock, hospital.code, leases.owner_id)
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
    auth, operators_pool = _auth(settings, uow_factory, clock)
    eligibility = EligibilityService(
        client, uow_factory, clock, hospital, settings.cache_max_age_hours
    )
    his = HisService(his_gateway, uow_factory, clock) if his_gateway is not None else None
    settlement = SettlementService(
        gateway=client,
        uow_factory=uow_factory,
        clock=clock,
        hospital=hospital,
        caller=caller,
        recovery=recovery,
        window_no=settings.window.device_no,
        charge_check=his_charge_check(his) if his is not None else None,
        claims=claims,
    )
    his_outbox = HisOutbox(his.gateway, uow_factory, clock) if his is not None else None
    cancellation = CancelService(
        gateway=client,
        uow_factory=uow_factory,
        clock=clock,
        caller=caller,
        recovery=recovery,
        settlement=settlement,
        eligibility=eligibility,
        institution_code=hospital.code,
        authoriser=auth.authorize_supervisor,
        window_no=settings.window.device_no,
        deliver_results=his_outbox.deliver_due if his_outbox is not None else None,
    )

    receipts = ReceiptService(
        uow_factory,
        clock,
        hospital,
        DeferredReceiptRenderer(settings.printer.layout),  # reportlab loads at first print
        printer,
        archive=PdfFilePrinter,
        window_no=settings.window.device_no,
    )

    try:
        hospital_cancel = _hospital_cancel(
            settings, hospital_pool, cancellation, uow_factory, clock=clock, claims=claims
        )
        hospital_day_close = _hospital_day_close(
            hospital_cancel,
            client,
            uow_factory,
            clock,
            caller=caller,
            recovery=recovery,
            window=settings.window.device_no,
        )
    except BaseException:
        client.close()
        store.close()
        leases.close()
        raise

    def close() -> None:
        client.close()
        if isinstance(his_gateway, MiddleTablesHis):
            his_gateway.close()
        _dispose(hospital_pool, operators_pool)
        store.close()
        leases.close()  # last: until here this process may still write journal rows

    log.info("engine ready (data dir %s)", data_dir)
    return Engine(
        settings=settings,
        clock=clock,
        data_dir=data_dir,
        uow_factory=uow_factory,
        eligibility=eligibility,
        settlement=settlement,
        recovery=recovery,
        cancellation=cancellation,
        hospital_cancel=hospital_cancel,
        hospital_day_close=hospital_day_close,
        day_close=DayCloseService(client, uow_factory, clock, caller=caller, recovery=recovery),
        catalogue=CatalogueService(
            client,
            uow_factory,
            shared=_shared_catalogue(hospital_pool),
            clock=clock,
        ),
        auth=auth,
        closer=close,
        receipts=receipts,
        his=his,
        his_outbox=his_outbox,
        claims=claims,
    )


def _dispose(*pools: SqlEngine | None) -> None:
    for pool in pools:
        if pool is not None:
            pool.dispose()


def _shared_catalogue(pool: SqlEngine | None) -> PgSharedCatalogue | None:
    """Hospital mode: the catalogue shared in PostgreSQL; ``None`` for a stand-alone window."""
    if pool is None:
        return None
    from app.store.hospital.catalogue import PgSharedCatalogue  # noqa: PLC0415

    return PgSharedCatalogue(pool)


def his_lock_for(his: HisSettings, gateway: HisGateway | None) -> HisChargeLock | None:
    """The HIS's lock (lock-then-pay) when the adapter has it and ``[his] lock`` says the HIS
    offers it; ``None`` otherwise."""
    if gateway is None or not his.lock or not isinstance(gateway, HisChargeLock):
        return None
    return gateway


def _charge_claims(
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

    pool = hospital_database(settings.hospital_db)
    hospital = PgHospitalChargeClaims(pool)
    window = settings.window.device_no
    arbiter = HisLockArbiter(his_lock, window) if his_lock is not None else None
    return ChargeClaimService(
        uow_factory, clock, hospital=hospital, window=window, his_lock=arbiter
    ), pool


def _hospital_cancel(
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


def _hospital_day_close(
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
    the acting ``window`` first delivers its own outbox (its sync worker may be between rounds)."""
    if hospital_cancel is None:
        return None
    return HospitalDayCloseService(
        gateway=client,
        uow_factory=uow_factory,
        clock=clock,
        caller=caller,
        recovery=recovery,
        record=hospital_cancel.record,
        sync=HospitalSync(uow_factory, hospital_cancel.record, clock, window),
    )


def his_gateway_for(his: HisSettings) -> HisGateway | None:
    """The configured HIS adapter (``[his] kind``), or ``None`` when the window has no HIS.

    Raises:
        ConfigError: the kind needs an address or folder that is not set.
    """
    if his.kind == "none":
        return None
    if his.kind == "folder":
        if not his.folder:
            raise ConfigError("配置项 his.folder 不能为空（his.kind = folder）。", code="config")
        return FolderHis(Path(his.folder))
    if not his.url:
        raise ConfigError(f"配置项 his.url 不能为空（his.kind = {his.kind}）。", code="config")
    if his.kind == "http":
        return HttpHis(his.url, token=his.token, read_timeout=his.timeout)
    return MiddleTablesHis(
        his.url,
        pending_table=his.pending_table,
        results_table=his.results_table,
        timeout=his.timeout,
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


def open_local_store(
    data_dir: Path,
    clock: Clock,
    *,
    key_provider: KeyProvider | None = None,
    password_hasher: PasswordHasher | None = None,
) -> Store:
    """The store of ``data_dir`` (created 0700 if missing, migrated), with its key.

    Raises:
        StoreError: the folder cannot be created or the database cannot be opened safely.
    """
    try:
        secure_data_folder(data_dir)
    except OSError:
        raise StoreError(
            f"无法创建数据目录 {data_dir}，请检查权限或磁盘。", code="data_dir_create"
        ) from None
    return open_store(
        database_path(data_dir),
        key_provider or default_key_provider(data_dir),
        clock,
        password_hasher=password_hasher,
    )


def port_of(store: Store) -> UnitOfWorkFactory:
    """The store's unit-of-work factory as the services' port.

    The store's unit of work binds concrete repository classes, narrower than the port's mutable
    attributes (which mypy treats as invariant); the structure is the same.
    """
    return cast(UnitOfWorkFactory, store.uow_factory())


def login_policy(settings: Settings) -> LoginPolicy:
    """``[login]`` and ``ui.idle_lock_minutes`` as the auth service's policy."""
    return LoginPolicy.of(
        settings.login.max_failures,
        settings.login.lockout_minutes,
        settings.idle_lock_minutes,
        settings.login.second_factor_roles,
    )


def auth_service(store: Store, settings: Settings, clock: Clock | None = None) -> AuthService:
    """Login and user management over ``store``, with the engine's policy (the admin commands);
    in hospital mode on the hospital's accounts (the pool lives as long as the process)."""
    clock = clock or SystemClock()
    shared, _pool = shared_operators_for(settings, clock)
    return AuthService(port_of(store), clock, login_policy(settings), shared=shared)


def _auth(
    settings: Settings, uow_factory: UnitOfWorkFactory, clock: Clock
) -> tuple[AuthService, SqlEngine | None]:
    """The engine's login and accounts (hospital-wide in hospital mode), and the pool to close."""
    shared, pool = shared_operators_for(settings, clock)
    return AuthService(uow_factory, clock, login_policy(settings), shared=shared), pool


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


def receipt_printer(settings: Settings, data_dir: Path) -> ReceiptPrinter:
    """The configured receipt printer; the only place the printer is chosen.

    ``pdf`` saves each receipt in ``data_dir/receipts``; ``escpos`` sends it to the thermal printer;
    ``system`` sends it to the operating system's printer ``printer.name`` (the default one when
    empty), the same pages the window's preview shows.
    """
    if settings.printer.kind == "system":
        # Qt's print support is loaded only when this kind is configured.
        from app.printing.system_printer import SystemReceiptPrinter  # noqa: PLC0415

        return SystemReceiptPrinter(settings.printer.name)
    return make_receipt_printer(settings, data_dir / "receipts")


def probe_for(url: str) -> Callable[[], bool]:
    """A cheap reachability check: can a TCP connection be opened to the platform's host?"""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 80)

    def probe() -> bool:
        import socket  # noqa: PLC0415  (not on the way to the window's first paint)

        try:
            with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
                return True
        except OSError:
            return False

    return probe


def build_backend(
    engine: Engine, *, card_reader: CardReader | None, hand_off: HandOff | None = None
) -> EngineBackend:
    """The window's backend over ``engine`` (receipts and the HIS through the engine's use cases)
    with a probe of the configured platform."""
    return EngineBackend(
        engine,
        card_reader=card_reader,
        hand_off=hand_off,
        probe=probe_for(engine.settings.platform.url),
    )


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
    record, database = hospital_record(settings)
    sync = HospitalSync(
        engine.uow_factory,
        record,
        engine.clock,
        engine.settings.window.device_no,
        pull=lambda: pull_shared(engine),
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
