"""The unit of work: one Session, one ``BEGIN IMMEDIATE`` transaction per ``with`` (style.md §3.5).

Usage (services)::

    with uow_factory() as uow:
        msgid = uow.msgids.next_msgid(code, clock.now())
        uow.journal.add(entry)
        uow.commit()          # durable when this returns (WAL + synchronous=FULL)

Leaving the block without ``commit()`` rolls back. A unit of work belongs to the thread that made it; the
factory may be called from any thread (connections are handed out one at a time by the pool). Environment
failures (disk full, read-only, locked) surface as :class:`~app.errors.StoreError`.

Never open a second unit of work while one is open on the same thread: on a single-connection store the
inner one waits for the outer one's connection and fails after the pool timeout (``store_busy``). Never
hold a unit of work across a network call either — commit the journal row, leave the block, then send.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import TracebackType
from typing import TYPE_CHECKING, Self

from argon2 import PasswordHasher

from app.services.ports.charge_claims import ChargeClaimRepository
from app.services.ports.his import HisRepository
from app.services.ports.hospital import RecordImporter, ReplicaOutbox
from app.services.ports.store import (
    AuditLog,
    BillRepository,
    CatalogueRepository,
    ConfigFingerprints,
    DayCloseRepository,
    JournalRepository,
    MsgIdRepository,
    OperatorRepository,
    PersonCache,
    ReceiptRepository,
    SettlementRepository,
    UnitOfWork,
    UnitOfWorkFactory,
)
from app.store.bill_cache import CachedBillRepository
from app.store.db import Store, environment_errors, store_error_from
from app.store.deferred import Write
from app.store.replica_import import SqlRecordImporter
from app.store.replica_outbox import SqlReplicaOutbox
from app.store.repositories.audit import SqlAuditLog
from app.store.repositories.bills import SqlBillRepository
from app.store.repositories.catalogue import SqlCatalogueRepository
from app.store.repositories.charge_claims import SqlChargeClaimRepository
from app.store.repositories.config_state import SqlConfigFingerprints
from app.store.repositories.day_closes import SqlDayCloseRepository
from app.store.repositories.his import SqlHisRepository
from app.store.repositories.journal import SqlJournalRepository
from app.store.repositories.msgids import SqlMsgIdRepository
from app.store.repositories.operators import SqlOperatorRepository
from app.store.repositories.persons import SqlPersonCache
from app.store.repositories.receipts import SqlReceiptRepository
from app.store.repositories.settlements import SqlSettlementRepository

log = logging.getLogger(__name__)


class SqlUnitOfWork:
    """:class:`~app.services.ports.store.UnitOfWork` over the store's SQLite file."""

    def __init__(self, store: Store, hasher: PasswordHasher) -> None:
        """Bind every repository to one new Session of ``store``."""
        session = store.sessions()
        self._session = session
        self._checkpointer = store.checkpointer
        self._deferred = store.deferred
        self._riders: tuple[Write, ...] = ()
        self._committed = False
        # Typed as the ports: the UnitOfWork protocol's attributes are invariant.
        self._msgids = SqlMsgIdRepository(session)
        self.msgids: MsgIdRepository = self._msgids
        self.journal: JournalRepository = SqlJournalRepository(session)
        self.persons: PersonCache = SqlPersonCache(session, store.cipher)
        self.catalogue: CatalogueRepository = SqlCatalogueRepository(
            session, name_index=store.catalogue_name_index
        )
        self._bills = CachedBillRepository(
            SqlBillRepository(session, store.cipher), session, store.bill_cache
        )
        self.bills: BillRepository = self._bills
        self.settlements: SettlementRepository = SqlSettlementRepository(session)
        self.receipts: ReceiptRepository = SqlReceiptRepository(session)
        self.operators: OperatorRepository = SqlOperatorRepository(session, hasher, store.clock)
        self.audit: AuditLog = SqlAuditLog(session, store.cipher)
        self.day_closes: DayCloseRepository = SqlDayCloseRepository(session)
        self.config_state: ConfigFingerprints = SqlConfigFingerprints(session)
        self.claims: ChargeClaimRepository = SqlChargeClaimRepository(session)
        self.his: HisRepository = SqlHisRepository(session)
        self.replica: ReplicaOutbox = SqlReplicaOutbox(session)
        self.imports: RecordImporter = SqlRecordImporter(session, store.cipher)

    def __enter__(self) -> Self:
        """Begin: take the write lock now (``BEGIN IMMEDIATE``), not at the first write."""
        with environment_errors():
            self._session.connection()
        self._checkpointer.begin()
        self._apply_deferred()
        return self

    def _apply_deferred(self) -> None:
        """Apply the writes waiting for a commit (app.store.deferred) first, so this unit of work
        reads what they wrote; they leave the queue when it commits."""
        self._riders = self._deferred.pending()
        for write in self._riders:
            try:
                write(self)
            except Exception:  # advisory only: a write that cannot be applied is given up
                log.exception("deferred write given up")
                self._deferred.done((write,))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed and release the connection."""
        try:
            with environment_errors():
                self._session.close()
        finally:
            self._checkpointer.end(committed=self._committed)
            mapped = None if exc is None else store_error_from(exc)
            if mapped is not None:
                raise mapped from exc

    def commit(self) -> None:
        """Commit (with the msgid counters issued in it); durable when this returns."""
        with environment_errors():
            self._msgids.flush()
            self._session.commit()
        self._committed = True
        self._deferred.done(self._riders)
        self._msgids.forget()  # a later transaction of this unit of work reads them afresh
        self._bills.committed()


class SqlUnitOfWorkFactory:
    """:class:`~app.services.ports.store.UnitOfWorkFactory`: a fresh unit of work per call."""

    def __init__(self, store: Store, hasher: PasswordHasher | None = None) -> None:
        """Make units of work on ``store``; ``hasher`` defaults to argon2id with library defaults."""
        self._store = store
        self._hasher = hasher or PasswordHasher()

    def __call__(self) -> SqlUnitOfWork:
        """A new unit of work (use it in one ``with`` block on one thread)."""
        return SqlUnitOfWork(self._store, self._hasher)

    def defer(self, write: Callable[[UnitOfWork], None]) -> None:
        """Have ``write`` ride on the next unit of work that commits (advisory data only; see
        :mod:`app.store.deferred`)."""
        self._store.deferred.add(write)


if TYPE_CHECKING:

    def _implements_the_port(factory: SqlUnitOfWorkFactory) -> UnitOfWorkFactory:
        return factory  # mypy proves the structural match here
