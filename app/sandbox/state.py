"""The sandbox's persistent state in its own SQLite database (SQLAlchemy 2).

Money is stored as integer fen. Year-to-date accumulators and account balances are derived from the
settlement ledger (every 2207/2208 row that is not reversed), so a cancellation, a reversal and a
reversal of a cancellation restore them exactly, by construction.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import (
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    create_engine,
    delete,
    event,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker
from sqlalchemy.pool import NullPool


class Base(DeclarativeBase):
    """Declarative base of the sandbox schema."""


class MessageRow(Base):
    """Every message the platform processed, keyed by the sender's msgid (Part A §8)."""

    __tablename__ = "message"
    msgid: Mapped[str] = mapped_column(String(30), primary_key=True)
    infno: Mapped[str] = mapped_column(String(6))
    psn_no: Mapped[str] = mapped_column(String(30), default="")
    received_at: Mapped[str] = mapped_column(String(23))
    infcode: Mapped[int] = mapped_column(Integer, default=0)
    err_msg: Mapped[str] = mapped_column(String(400), default="")


class VisitRow(Base):
    """A registration (2201) and its visit information (2203)."""

    __tablename__ = "visit"
    mdtrt_id: Mapped[str] = mapped_column(String(30), primary_key=True)
    psn_no: Mapped[str] = mapped_column(String(30), index=True)
    insutype: Mapped[str] = mapped_column(String(6))
    insured_admdvs: Mapped[str] = mapped_column(String(6))
    ipt_otp_no: Mapped[str] = mapped_column(String(30))
    begntime: Mapped[str] = mapped_column(String(19))
    cert_type: Mapped[str] = mapped_column(String(3))
    cert_no: Mapped[str] = mapped_column(String(50))
    med_type: Mapped[str | None] = mapped_column(String(6), default=None)
    dise_codg: Mapped[str | None] = mapped_column(String(30), default=None)
    dise_name: Mapped[str | None] = mapped_column(String(500), default=None)
    status: Mapped[str] = mapped_column(String(12), default="registered")
    msgid: Mapped[str] = mapped_column(String(30))


class FeeLineRow(Base):
    """One uploaded fee line (2204) with its split."""

    __tablename__ = "fee_line"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    mdtrt_id: Mapped[str] = mapped_column(ForeignKey("visit.mdtrt_id"), index=True)
    feedetl_sn: Mapped[str] = mapped_column(String(30))
    chrg_bchno: Mapped[str] = mapped_column(String(30))
    dise_codg: Mapped[str] = mapped_column(String(30), default="")
    med_list_codg: Mapped[str] = mapped_column(String(50))
    medins_list_codg: Mapped[str] = mapped_column(String(150))
    fee_ocur_time: Mapped[str] = mapped_column(String(19))
    pric: Mapped[str] = mapped_column(String(24))
    cnt: Mapped[str] = mapped_column(String(24))
    amount_fen: Mapped[int] = mapped_column(Integer)
    full_fen: Mapped[int] = mapped_column(Integer)
    over_fen: Mapped[int] = mapped_column(Integer)
    pre_fen: Mapped[int] = mapped_column(Integer)
    inscp_fen: Mapped[int] = mapped_column(Integer)
    selfpay_prop: Mapped[str] = mapped_column(String(8))
    chrgitm_lv: Mapped[str] = mapped_column(String(3))
    med_chrgitm_type: Mapped[str] = mapped_column(String(6))
    lmt_used_flag: Mapped[str] = mapped_column(String(1))
    status: Mapped[str] = mapped_column(String(12), default="active")
    setl_id: Mapped[str | None] = mapped_column(String(30), default=None)
    last_setl_id: Mapped[str | None] = mapped_column(String(30), default=None)
    msgid: Mapped[str] = mapped_column(String(30))


class SettlementRow(Base):
    """A settlement (2207) or a cancellation (2208, negative amounts): the ledger."""

    __tablename__ = "settlement"
    setl_id: Mapped[str] = mapped_column(String(30), primary_key=True)
    msgid: Mapped[str] = mapped_column(String(30), index=True)
    infno: Mapped[str] = mapped_column(String(6))
    mdtrt_id: Mapped[str] = mapped_column(String(30))
    chrg_bchno: Mapped[str] = mapped_column(String(30))
    psn_no: Mapped[str] = mapped_column(String(30), index=True)
    insutype: Mapped[str] = mapped_column(String(6))
    insured_admdvs: Mapped[str] = mapped_column(String(6))
    med_type: Mapped[str] = mapped_column(String(6))
    dise_codg: Mapped[str] = mapped_column(String(30), default="")
    cert_type: Mapped[str] = mapped_column(String(3), default="")
    cert_no: Mapped[str] = mapped_column(String(50), default="")
    medfee_fen: Mapped[int] = mapped_column(Integer)
    fulamt_fen: Mapped[int] = mapped_column(Integer)
    overlmt_fen: Mapped[int] = mapped_column(Integer)
    preselfpay_fen: Mapped[int] = mapped_column(Integer)
    inscp_fen: Mapped[int] = mapped_column(Integer)
    deductible_fen: Mapped[int] = mapped_column(Integer)
    fund_fen: Mapped[int] = mapped_column(Integer)
    account_fen: Mapped[int] = mapped_column(Integer)
    cash_fen: Mapped[int] = mapped_column(Integer)
    hospital_fen: Mapped[int] = mapped_column(Integer, default=0)
    balance_after_fen: Mapped[int] = mapped_column(Integer)
    payable_limit_fen: Mapped[int] = mapped_column(Integer)
    pool_ratio: Mapped[str] = mapped_column(String(8))
    fund_pay_type: Mapped[str] = mapped_column(String(6))
    trace: Mapped[str] = mapped_column(String(4000), default="")
    benefit_key: Mapped[str] = mapped_column(String(30))
    year: Mapped[int] = mapped_column(Integer)
    setl_time: Mapped[str] = mapped_column(String(19))
    setl_date: Mapped[str] = mapped_column(String(10), index=True)
    clr_optins: Mapped[str] = mapped_column(String(6))
    clr_type: Mapped[str] = mapped_column(String(3))
    clr_way: Mapped[str] = mapped_column(String(3))
    status: Mapped[str] = mapped_column(String(12))
    original_setl_id: Mapped[str | None] = mapped_column(String(30), default=None)
    cancelled_by: Mapped[str | None] = mapped_column(String(30), default=None)
    reversed_by: Mapped[str | None] = mapped_column(String(30), default=None)


class ReversalRow(Base):
    """A 2601 that undid a 2207 or 2208."""

    __tablename__ = "reversal"
    msgid: Mapped[str] = mapped_column(String(30), primary_key=True)
    omsgid: Mapped[str] = mapped_column(String(30), index=True)
    oinfno: Mapped[str] = mapped_column(String(6))
    psn_no: Mapped[str] = mapped_column(String(30))
    setl_id: Mapped[str] = mapped_column(String(30))
    time: Mapped[str] = mapped_column(String(19))


class FileRow(Base):
    """Files uploaded with 9101 and files prepared for 9102."""

    __tablename__ = "stored_file"
    file_qury_no: Mapped[str] = mapped_column(String(60), primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created: Mapped[str] = mapped_column(String(19))


class SignInRow(Base):
    """Operator sign-ins (9001/9002)."""

    __tablename__ = "sign_in"
    sign_no: Mapped[str] = mapped_column(String(30), primary_key=True)
    opter_no: Mapped[str] = mapped_column(String(20))
    sign_time: Mapped[str] = mapped_column(String(19))
    signed_out: Mapped[str | None] = mapped_column(String(19), default=None)


class CounterRow(Base):
    """Monotonic counters for platform ids (mdtrt_id, setl_id, file numbers)."""

    __tablename__ = "counter"
    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)


_TABLES = (
    MessageRow,
    FeeLineRow,
    SettlementRow,
    ReversalRow,
    FileRow,
    SignInRow,
    CounterRow,
    VisitRow,
)


class SandboxState:
    """Owns the engine; hands out sessions; wipes the state on reset."""

    def __init__(self, path: Path | None) -> None:
        self._tempdir: tempfile.TemporaryDirectory[str] | None = None
        if path is None:
            self._tempdir = tempfile.TemporaryDirectory(prefix="sandbox-state-")
            path = Path(self._tempdir.name) / "sandbox.sqlite3"
        self.path = path
        # NullPool: each session opens and closes its connection, so nothing leaks between threads.
        self.engine: Engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
        event.listen(self.engine, "connect", _sqlite_pragmas)
        Base.metadata.create_all(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session committed on success and rolled back on any exception."""
        with self._sessions() as session, session.begin():
            yield session

    def reset(self) -> None:
        """Delete every row."""
        with self.session() as session:
            for table in _TABLES:
                session.execute(delete(table))

    def close(self) -> None:
        """Dispose of the engine and remove a temporary database."""
        self.engine.dispose()
        if self._tempdir is not None:
            self._tempdir.cleanup()
            self._tempdir = None


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def next_number(session: Session, name: str) -> int:
    """Increment and return counter ``name`` (starting at 1)."""
    row = session.get(CounterRow, name)
    if row is None:
        row = CounterRow(name=name, value=0)
        session.add(row)
    row.value += 1
    return row.value


__all__ = [
    "FeeLineRow",
    "FileRow",
    "MessageRow",
    "ReversalRow",
    "SandboxState",
    "SettlementRow",
    "SignInRow",
    "VisitRow",
    "next_number",
    "select",
]
