"""Build the engine of a data folder: store, platform client, devices and every service, wired once."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import Engine as SqlEngine

from app.config import (
    Settings,
)
from app.hardware.printer.pdf_file import PdfFilePrinter
from app.printing.deferred import DeferredReceiptRenderer
from app.services.cancel import CancelService
from app.services.catalogue import CatalogueService
from app.services.day_close import DayCloseService
from app.services.engine import Engine
from app.services.his import HisService, his_charge_check
from app.services.his_outbox import HisOutbox
from app.services.ports.clock import Clock, SystemClock
from app.services.ports.his import HisGateway
from app.services.receipts import ReceiptService
from app.services.recovery import DEFAULT_MAX_ATTEMPTS, Backoff
from app.services.settlement import SettlementService
from app.store import KeyProvider
from app.wiring.edges import his_gateway_for, his_lock_for, receipt_printer
from app.wiring.hospital import (
    charge_claims_for,
    hospital_cancel_for,
    hospital_day_close_for,
    hospital_use_cases_for,
    shared_catalogue_for,
)
from app.wiring.lookup import open_lookup_parts

log = logging.getLogger(__name__)


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
    parts = open_lookup_parts(
        settings,
        data_dir,
        clock=clock,
        key_provider=key_provider,
        password_hasher=password_hasher,
        reversal_backoff=reversal_backoff,
        max_reversal_attempts=max_reversal_attempts,
        sleep=sleep,
        read_backoff_seconds=read_backoff_seconds,
    )
    uow_factory, client, caller, recovery = (
        parts.uow_factory,
        parts.client,
        parts.caller,
        parts.recovery,
    )
    hospital = settings.hospital
    try:
        printer = receipt_printer(settings, data_dir)
        his_gateway = his_gateway or his_gateway_for(settings.his)
        claims, hospital_pool = charge_claims_for(
            settings, uow_factory, clock, his_lock_for(settings.his, his_gateway)
        )
    except BaseException:
        parts.close()
        raise
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
        eligibility=parts.eligibility,
        institution_code=hospital.code,
        authoriser=parts.auth.authorize_supervisor,
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
        hospital_cancel = hospital_cancel_for(
            settings, hospital_pool, cancellation, uow_factory, clock=clock, claims=claims
        )
        hospital_day_close = hospital_day_close_for(
            hospital_cancel,
            client,
            uow_factory,
            clock,
            caller=caller,
            recovery=recovery,
            window=settings.window.device_no,
        )
    except BaseException:
        parts.close()
        raise

    def close() -> None:
        _close_his(his_gateway)
        _dispose(hospital_pool)
        parts.close()  # the store, then the lease: until then journal rows may still be written

    log.info("engine ready (data dir %s)", data_dir)
    return Engine(
        settings=settings,
        clock=clock,
        data_dir=data_dir,
        uow_factory=uow_factory,
        eligibility=parts.eligibility,
        settlement=settlement,
        recovery=recovery,
        cancellation=cancellation,
        hospital_cancel=hospital_cancel,
        hospital_day_close=hospital_day_close,
        hospital=hospital_use_cases_for(
            hospital_cancel, settings, uow_factory, clock, pool=hospital_pool, recovery=recovery
        ),
        day_close=DayCloseService(client, uow_factory, clock, caller=caller, recovery=recovery),
        catalogue=CatalogueService(
            client,
            uow_factory,
            shared=shared_catalogue_for(hospital_pool),
            clock=clock,
        ),
        auth=parts.auth,
        closer=close,
        receipts=receipts,
        his=his,
        his_outbox=his_outbox,
        claims=claims,
    )


def _close_his(gateway: HisGateway | None) -> None:
    """Close the middle-table adapter's database pool (the other adapters hold nothing open)."""
    if gateway is None:
        return
    from app.his.middle import MiddleTablesHis  # noqa: PLC0415  (loaded when configured)

    if isinstance(gateway, MiddleTablesHis):
        gateway.close()


def _dispose(*pools: SqlEngine | None) -> None:
    for pool in pools:
        if pool is not None:
            pool.dispose()
