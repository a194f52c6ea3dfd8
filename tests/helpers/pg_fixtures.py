"""Shared fixtures for hospital mode: a real PostgreSQL, one throwaway schema per test.

The server is the one the project's machines run at 127.0.0.1:5432 (trust authentication, database
``test``), or whatever ``HOSPITAL_TEST_DB_URL`` names. There is no mock and no skip: without a server
the tests fail and say what to start.

* ``hospital_db``: a :class:`HospitalDb` — the URL, a fresh schema name, and an engine whose
  ``search_path`` is that schema, upgraded to the newest revision. The schema is dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, create_engine, text
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


@pytest.fixture
def hospital_db() -> Iterator[HospitalDb]:
    """A fresh, upgraded schema on the real server; dropped after the test."""
    url = hospital_test_url()
    admin = _admin_engine(url)
    schema = f"hsp_{secrets.token_hex(6)}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = open_hospital_engine(url, search_path=schema)
    try:
        upgrade(engine)
        yield HospitalDb(url, schema, engine)
    finally:
        engine.dispose()
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
