"""A unit of work that opens no ORM session unless it must: the identification path's store.

``eligibility`` (and the recovery and login before it) reads and writes the operators, the audit
log, the configuration fingerprints, the person cache, the msgid counters and the journal; their
repositories use Core statements over :mod:`app.store.tables` only. :class:`CoreUnitOfWork` gives
them one Core connection in one ``BEGIN IMMEDIATE`` transaction, exactly as
:class:`app.store.uow.SqlUnitOfWork` does through its ORM session, so a command that only
identifies a patient never imports ``sqlalchemy.orm`` or :mod:`app.store.models`
(docs/performance.md, CLI start-up).

The other repositories (bills, settlements, receipts …: recovery of a settlement interrupted by a
crash needs them) are still there: the first use of one binds an ORM session to the very same
connection and transaction (``join_transaction_mode="control_fully"``), so they read what the Core
statements wrote and commit with them. The rules of :mod:`app.store.uow` hold unchanged: one unit
of work per thread at a time, durable when :meth:`CoreUnitOfWork.commit` returns, rolled back when
left without it, never held across a network call.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self, cast

from argon2 import PasswordHasher
from sqlalchemy.engine import Connection

from app.store.db import Store, environment_errors, store_error_from
from app.store.deferred import Write
from app.store.repositories.audit import SqlAuditLog
from app.store.repositories.config_state import SqlConfigFingerprints
from app.store.repositories.journal import SqlJournalRepository
from app.store.repositories.msgids import SqlMsgIdRepository
from app.store.repositories.operators import SqlOperatorRepository
from app.store.repositories.persons import SqlPersonCache

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from sqlalchemy.orm import Session

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
    )
    from app.store.crypto import FieldCipher

log = logging.getLogger(__name__)


class CoreSession:
    """One connection of the store's pool and its transaction, begun (``BEGIN IMMEDIATE``, the
    engine's ``begin`` event) on first use — what the Core repositories work in."""

    def __init__(self, store: Store) -> None:
        """Nothing is taken from the pool yet."""
        self._store = store
        self._connection: Connection | None = None

    def connection(self) -> Connection:
        """The connection, in a transaction (a new one after a commit)."""
        if self._connection is None:
            self._connection = self._store.engine.connect()
        if not self._connection.in_transaction():
            self._connection.begin()
        return self._connection

    def commit(self) -> None:
        """Commit the transaction, if one is open."""
        if self._connection is not None and self._connection.in_transaction():
            self._connection.commit()

    def close(self) -> None:
        """Roll back what was not committed and give the connection back to the pool."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()


class CoreUnitOfWork:
    """:class:`~app.services.ports.store.UnitOfWork` over the store's SQLite file, Core first."""

    def __init__(self, store: Store, hasher: PasswordHasher) -> None:
        """Bind the Core repositories to one new :class:`CoreSession` of ``store``."""
        self._store = store
        self._core = CoreSession(store)
        self._session: Session | None = None
        self._riders: tuple[Write, ...] = ()
        self._committed = False
        core = self._core
        self._msgids = SqlMsgIdRepository(core)
        # Typed as the ports: the UnitOfWork protocol's attributes are invariant.
        self.msgids: MsgIdRepository = self._msgids
        self.journal: JournalRepository = SqlJournalRepository(core)
        self.persons: PersonCache = SqlPersonCache(core, store.cipher)
        self.operators: OperatorRepository = SqlOperatorRepository(core, hasher, store.clock)
        self.audit: AuditLog = SqlAuditLog(core, store.cipher)
        self.config_state: ConfigFingerprints = SqlConfigFingerprints(core)

        # The repositories written for the ORM: made (with the session) when first used.
        cipher, name_index = store.cipher, store.catalogue_name_index
        self.catalogue: CatalogueRepository = self._on_first_use(
            lambda s: _catalogue(s, name_index)
        )
        self._bills = _OnFirstUse(lambda: _bills(self._orm_session(), store))
        self.bills: BillRepository = cast("BillRepository", self._bills)
        self.settlements: SettlementRepository = self._on_first_use(_settlements)
        self.receipts: ReceiptRepository = self._on_first_use(_receipts)
        self.day_closes: DayCloseRepository = self._on_first_use(_day_closes)
        self.claims: ChargeClaimRepository = self._on_first_use(_claims)
        self.his: HisRepository = self._on_first_use(_his)
        self.replica: ReplicaOutbox = self._on_first_use(_replica)
        self.imports: RecordImporter = self._on_first_use(lambda s: _imports(s, cipher))

    def _on_first_use(self, make: Callable[[Session], object]) -> Any:
        return _OnFirstUse(lambda: make(self._orm_session()))

    def _orm_session(self) -> Session:
        """An ORM session on this unit of work's connection and transaction (made on first use)."""
        if self._session is None:
            from sqlalchemy.orm import Session  # noqa: PLC0415 - only when an ORM repository is used

            with environment_errors():
                connection = self._core.connection()
            self._session = Session(
                bind=connection,
                expire_on_commit=False,
                autoflush=True,
                join_transaction_mode="control_fully",
            )
        return self._session

    # ------------------------------------------------------------ the transaction

    def __enter__(self) -> Self:
        """Begin: take the write lock now (``BEGIN IMMEDIATE``), not at the first write."""
        with environment_errors():
            self._core.connection()
        self._store.checkpointer.begin()
        self._apply_deferred()
        return self

    def _apply_deferred(self) -> None:
        """Apply the writes waiting for a commit (app.store.deferred) first, so this unit of work
        reads what they wrote; they leave the queue when it commits."""
        self._riders = self._store.deferred.pending()
        for write in self._riders:
            try:
                write(self)
            except Exception:  # advisory only: a write that cannot be applied is given up
                log.exception("deferred write given up")
                self._store.deferred.done((write,))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed and release the connection."""
        try:
            with environment_errors():
                if self._session is not None:
                    self._session.close()
                self._core.close()
        finally:
            self._store.checkpointer.end(committed=self._committed)
            mapped = None if exc is None else store_error_from(exc)
            if mapped is not None:
                raise mapped from exc

    def commit(self) -> None:
        """Commit (with the msgid counters issued in it); durable when this returns."""
        with environment_errors():
            self._msgids.flush()
            if self._session is not None and self._session.in_transaction():
                self._session.commit()  # flushes, then commits the connection's transaction
            else:
                self._core.commit()
        self._committed = True
        self._store.deferred.done(self._riders)
        self._msgids.forget()  # a later transaction of this unit of work reads them afresh
        bills = self._bills.made_
        if bills is not None:
            bills.committed()


class _OnFirstUse:
    """A repository made when one of its methods is first used (the unit of work's attributes are
    plain attributes: a wrapper such as ``app.services.his_results``' may replace them)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make_ = make
        self.made_: Any = None

    def __getattr__(self, name: str) -> Any:
        if self.made_ is None:
            self.made_ = self.make_()
        return getattr(self.made_, name)


def _catalogue(session: Session, name_index: bool) -> object:
    from app.store.repositories.catalogue import SqlCatalogueRepository  # noqa: PLC0415

    return SqlCatalogueRepository(session, name_index=name_index)


def _bills(session: Session, store: Store) -> object:
    from app.store.bill_cache import CachedBillRepository  # noqa: PLC0415
    from app.store.repositories.bills import SqlBillRepository  # noqa: PLC0415

    return CachedBillRepository(SqlBillRepository(session, store.cipher), session, store.bill_cache)


def _settlements(session: Session) -> object:
    from app.store.repositories.settlements import SqlSettlementRepository  # noqa: PLC0415

    return SqlSettlementRepository(session)


def _receipts(session: Session) -> object:
    from app.store.repositories.receipts import SqlReceiptRepository  # noqa: PLC0415

    return SqlReceiptRepository(session)


def _day_closes(session: Session) -> object:
    from app.store.repositories.day_closes import SqlDayCloseRepository  # noqa: PLC0415

    return SqlDayCloseRepository(session)


def _claims(session: Session) -> object:
    from app.store.repositories.charge_claims import SqlChargeClaimRepository  # noqa: PLC0415

    return SqlChargeClaimRepository(session)


def _his(session: Session) -> object:
    from app.store.repositories.his import SqlHisRepository  # noqa: PLC0415

    return SqlHisRepository(session)


def _replica(session: Session) -> object:
    from app.store.replica_outbox import SqlReplicaOutbox  # noqa: PLC0415

    return SqlReplicaOutbox(session)


def _imports(session: Session, cipher: FieldCipher) -> object:
    from app.store.replica_import import SqlRecordImporter  # noqa: PLC0415

    return SqlRecordImporter(session, cipher)


class CoreUnitOfWorkFactory:
    """:class:`~app.services.ports.store.UnitOfWorkFactory` of :class:`CoreUnitOfWork`."""

    def __init__(self, store: Store, hasher: PasswordHasher | None = None) -> None:
        """Make units of work on ``store``; ``hasher`` defaults to argon2id with library defaults."""
        self._store = store
        self._hasher = hasher or PasswordHasher()

    def __call__(self) -> CoreUnitOfWork:
        """A new unit of work (use it in one ``with`` block on one thread)."""
        return CoreUnitOfWork(self._store, self._hasher)

    def defer(self, write: Callable[[UnitOfWork], None]) -> None:
        """Have ``write`` ride on the next unit of work that commits (advisory data only; see
        :mod:`app.store.deferred`)."""
        self._store.deferred.add(write)
