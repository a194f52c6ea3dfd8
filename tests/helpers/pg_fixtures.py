"""Shared fixtures for hospital mode: a real PostgreSQL, one throwaway schema per test.

The server is the one the project's machines run at 127.0.0.1:5432 (trust authentication, database
``test``), or whatever ``HOSPITAL_TEST_DB_URL`` names. There is no mock and no skip: without a server
the tests fail and say what to start.

* ``hospital_db``: a :class:`HospitalDb` — the URL, a fresh schema name, and an engine whose
  ``search_path`` is that schema, upgraded to the newest revision. The schema is dropped afterwards.

The newest revision is reached once per test process with Alembic, in a scratch schema, recording
every statement it sends (:func:`recorded_upgrade`); each test's schema then gets those statements
again, in one transaction (:func:`replay_upgrade`): the same DDL without Alembic's work per test
(0.25-0.35 s per test against about 0.1 s on the loaded machine). The migrations name no schema, so
the statements build the same objects in whichever schema comes first in the ``search_path``;
tests/hospital/test_hospital_db_fixture.py checks that such a schema equals one Alembic upgraded
(tables, columns, constraints, indexes, triggers, functions, sequences, rows).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from app.store.hospital.connect import open_hospital_engine, upgrade

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
HOSPITAL_KEY = bytes(range(32))


def hospital_test_url() -> str:
    """The PostgreSQL server the hospital tests use."""
    return os.environ.get("HOSPITAL_TEST_DB_URL", DEFAULT_URL)


@dataclass
class HospitalDb:
    """A schema of its own on the test server."""

    url: str
    schema: str
    engine: Engine


def _admin_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        engine.dispose()
        pytest.fail(
            f"hospital-mode tests need a PostgreSQL server at {url} (set HOSPITAL_TEST_DB_URL to "
            f"another one); start it, e.g. `apt install postgresql` on Debian: {exc}",
            pytrace=False,
        )
    return engine


@dataclass(frozen=True)
class Statement:
    """One statement as Alembic sent it to the driver."""

    sql: str
    parameters: Any
    many: bool


def recorded_upgrade(admin: Engine, url: str) -> tuple[Statement, ...]:
    """Upgrade a scratch schema to the newest revision with Alembic, recording each statement the
    driver received (the dialect's first-connect queries excluded); the schema is dropped."""
    schema = f"hsp_rec_{secrets.token_hex(6)}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = open_hospital_engine(url, search_path=schema)
    statements: list[Statement] = []

    def record(
        _conn: Connection, _cursor: Any, sql: str, parameters: Any, _context: Any, many: bool
    ) -> None:
        statements.append(Statement(sql, parameters, many))

    try:
        with engine.connect():
            pass
        event.listen(engine, "before_cursor_execute", record)
        upgrade(engine)
    finally:
        event.remove(engine, "before_cursor_execute", record)
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    return tuple(statements)


def replay_upgrade(admin: Engine, schema: str, statements: Sequence[Statement]) -> None:
    """Create ``schema`` and send it ``statements`` as the driver first received them, in one
    transaction."""
    raw = admin.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute(f'CREATE SCHEMA "{schema}"')
        cursor.execute(f'SET LOCAL search_path TO "{schema}"')
        for statement in statements:
            if statement.many:
                cursor.executemany(statement.sql, statement.parameters)
            else:
                cursor.execute(statement.sql, statement.parameters)
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()


@pytest.fixture(scope="session")
def hospital_admin() -> Iterator[Engine]:
    """An engine on the test server's database (no schema of its own), for the whole session."""
    admin = _admin_engine(hospital_test_url())
    try:
        yield admin
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def hospital_upgrade_statements(hospital_admin: Engine) -> tuple[Statement, ...]:
    """What Alembic sends to bring an empty schema to the newest revision (once per process)."""
    return recorded_upgrade(hospital_admin, hospital_test_url())


@pytest.fixture
def hospital_db(
    hospital_admin: Engine, hospital_upgrade_statements: tuple[Statement, ...]
) -> Iterator[HospitalDb]:
    """A fresh schema at the newest revision on the real server; dropped after the test."""
    url = hospital_test_url()
    schema = f"hsp_{secrets.token_hex(6)}"
    replay_upgrade(hospital_admin, schema, hospital_upgrade_statements)
    engine = open_hospital_engine(url, search_path=schema)
    try:
        yield HospitalDb(url, schema, engine)
    finally:
        engine.dispose()
        with hospital_admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
