"""The unit of work: one connection, one ``BEGIN IMMEDIATE`` transaction per ``with`` (style.md §3.5).

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

Core first: the repositories of the identification and settlement paths (operators, audit, configuration
fingerprints, person cache, msgid counters, journal, bills and their groups, settlements, charge claims,
HIS lines) use Core statements over the unit of work's one connection (:class:`CoreSession`), so a
settlement opens no ORM ``Session`` at all, and a command that only identifies a patient never imports
``sqlalchemy.orm`` or :mod:`app.store.models` (docs/performance.md, CLI start-up). Repositories are made
when first used. The few still written for the ORM (catalogue, receipts, day closes, the hospital outbox
and record import) bind an ORM session to the very same connection and transaction on first use
(``join_transaction_mode="control_fully"``), so they read what the Core statements wrote and commit with
them; what they hold pending is flushed before the next Core statement runs.
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
        UnitOfWorkFactory,
    )
    from app.store.crypto import FieldCipher
    from app.store.tables import Connected

log = logging.getLogger(__name__)


class CoreSession:
    """One connection of the store's pool and its transaction, begun (``BEGIN IMMEDIATE``, the
    engine's ``begin`` event) on first use — what the Core repositories work in."""

    def __init__(self, store: Store) -> None:
        """Nothing is taken from the pool yet."""
        self._store = store
        self._connection: Connection | None = None
        self.orm: Session | None = None  # the ORM session on this connection, once one is made

    def connection(self) -> Connection:
        """The connection, in a transaction (a new one after a commit); what an ORM repository of
        the same unit of work holds pending is flushed first, so Core statements see it."""
        connection = self._connection
        if connection is None:
            connection = self._store.engine.connect()
            try:
                connection.begin()
            except BaseException:  # locked, disk I/O …: the connection goes back to the pool
                connection.close()
                raise
            self._connection = connection
            return connection
        if self.orm is not None:
            self.orm.flush()  # nothing to do (and cheap) when the session is clean
        if not connection.in_transaction():
            connection.begin()
        return connection

    def commit(self) -> None:
        """Commit the transaction, if one is open."""
        if self._connection is not None and self._connection.in_transaction():
            self._connection.commit()

    def close(self) -> None:
        """Roll back what was not committed and give the connection back to the pool."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()


class SqlUnitOfWork:
    """:class:`~app.services.ports.store.UnitOfWork` over the store's SQLite file, Core first."""

    def __init__(self, store: Store, hasher: PasswordHasher) -> None:
        """Bind the repositories, each made on first use, to one new :class:`CoreSession`."""
        self._store = store
        self._core = core = CoreSession(store)
        self._riders: tuple[Write, ...] = ()
        self._committed = False
        cipher = store.cipher
        self._msgids = SqlMsgIdRepository(core)  # every journaled call issues a msgid
        # Typed as the ports: the UnitOfWork protocol's attributes are invariant.
        self.msgids: MsgIdRepository = self._msgids
        self.journal: JournalRepository = SqlJournalRepository(core)
        self.persons: PersonCache = _lazy(lambda: SqlPersonCache(core, cipher))
        self.operators: OperatorRepository = _lazy(
            lambda: SqlOperatorRepository(core, hasher, store.clock)
        )
        self.audit: AuditLog = _lazy(lambda: SqlAuditLog(core, cipher))
        self.config_state: ConfigFingerprints = _lazy(lambda: SqlConfigFingerprints(core))
        # Core too, but their modules load the mapped classes: imported on first use.
        self._bills = _OnFirstUse(lambda: _bills(core, store))
        self.bills: BillRepository = cast("BillRepository", self._bills)
        self.settlements: SettlementRepository = _lazy(lambda: _settlements(core))
        self.claims: ChargeClaimRepository = _lazy(lambda: _claims(core))
        self.his: HisRepository = _lazy(lambda: _his(core))

        # The repositories written for the ORM: made (with the session) when first used.
        name_index = store.catalogue_name_index
        self.catalogue: CatalogueRepository = self._on_orm(lambda s: _catalogue(s, name_index))
        self.receipts: ReceiptRepository = self._on_orm(_receipts)
        self.day_closes: DayCloseRepository = self._on_orm(_day_closes)
        self.replica: ReplicaOutbox = self._on_orm(_replica)
        self.imports: RecordImporter = self._on_orm(lambda s: _imports(s, cipher))

    def _on_orm(self, make: Callable[[Session], object]) -> Any:
        return _lazy(lambda: make(self._orm_session()))

    def _orm_session(self) -> Session:
        """An ORM session on this unit of work's connection and transaction (made on first use)."""
        session = self._core.orm
        if session is None:
            from sqlalchemy.orm import Session  # noqa: PLC0415 - only when an ORM repository is used

            with environment_errors():
                connection = self._core.connection()
            session = self._core.orm = Session(
                bind=connection,
                expire_on_commit=False,
                autoflush=True,
                join_transaction_mode="control_fully",
            )
        return session

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
        deferred = self._store.deferred
        self._riders = riders = deferred.pending()
        for write in riders:
            try:
                write(self)
            except Exception:  # advisory only: a write that cannot be applied is given up
                log.exception("deferred write given up")
                deferred.done((write,))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back whatever was not committed and release the connection."""
        try:
            with environment_errors():
                session = self._core.orm
                if session is not None:
                    session.close()
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
            session = self._core.orm
            if session is not None and session.in_transaction():
                session.commit()  # flushes, then commits the connection's transaction
            else:
                self._core.commit()
        self._committed = True
        if self._riders:
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
        made = self.made_
        if made is None:
            made = self.made_ = self.make_()
        return getattr(made, name)


def _lazy(make: Callable[[], object]) -> Any:
    """A repository made on first use (typed as the port it is assigned to)."""
    return _OnFirstUse(make)


def _bills(core: Connected, store: Store) -> object:
    from app.store.bill_cache import CachedBillRepository  # noqa: PLC0415
    from app.store.repositories.bills import SqlBillRepository  # noqa: PLC0415

    return CachedBillRepository(SqlBillRepository(core, store.cipher), core, store.bill_cache)


def _settlements(core: Connected) -> object:
    from app.store.repositories.settlements import SqlSettlementRepository  # noqa: PLC0415

    return SqlSettlementRepository(core)


def _claims(core: Connected) -> object:
    from app.store.repositories.charge_claims import SqlChargeClaimRepository  # noqa: PLC0415

    return SqlChargeClaimRepository(core)


def _his(core: Connected) -> object:
    from app.store.repositories.his import SqlHisRepository  # noqa: PLC0415

    return SqlHisRepository(core)


def _catalogue(session: Session, name_index: bool) -> object:
    from app.store.repositories.catalogue import SqlCatalogueRepository  # noqa: PLC0415

    return SqlCatalogueRepository(session, name_index=name_index)


def _receipts(session: Session) -> object:
    from app.store.repositories.receipts import SqlReceiptRepository  # noqa: PLC0415

    return SqlReceiptRepository(session)


def _day_closes(session: Session) -> object:
    from app.store.repositories.day_closes import SqlDayCloseRepository  # noqa: PLC0415

    return SqlDayCloseRepository(session)


def _replica(session: Session) -> object:
    from app.store.replica_outbox import SqlReplicaOutbox  # noqa: PLC0415

    return SqlReplicaOutbox(session)


def _imports(session: Session, cipher: FieldCipher) -> object:
    from app.store.replica_import import SqlRecordImporter  # noqa: PLC0415

    return SqlRecordImporter(session, cipher)


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
