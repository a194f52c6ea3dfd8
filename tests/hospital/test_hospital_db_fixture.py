"""The ``hospital_db`` fixture's schema is the one Alembic makes: the fixture replays the statements
Alembic sent once (tests/helpers/pg_fixtures.py) instead of running it for every test, so a schema
built that way must hold the same objects, definitions and rows as a schema upgraded by
:func:`app.store.hospital.connect.upgrade` itself."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from helpers.pg_fixtures import HospitalDb, Statement, hospital_test_url
from sqlalchemy import Engine, text

from app.store.hospital.connect import (
    current_revision,
    head_revision,
    open_hospital_engine,
    upgrade,
)

# Every query takes the schema's name as :schema; names of the schema inside definitions are
# replaced by a placeholder so two schemas compare by what they hold.
_CATALOGUE = {
    "relations": """
        SELECT c.relname, c.relkind::text, c.relpersistence::text, c.relhasrules, c.relrowsecurity,
               coalesce(c.reloptions::text, ''), coalesce(c.relacl::text, '')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = :schema ORDER BY 1""",
    "columns": """
        SELECT table_name, column_name, ordinal_position, data_type, udt_name,
               character_maximum_length, numeric_precision, numeric_scale, datetime_precision,
               is_nullable, coalesce(column_default, ''), is_identity, is_generated, collation_name
        FROM information_schema.columns WHERE table_schema = :schema ORDER BY 1, 3""",
    "constraints": """
        SELECT t.relname, c.conname, c.contype::text, pg_get_constraintdef(c.oid), c.condeferrable,
               c.condeferred, c.convalidated
        FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = :schema ORDER BY 1, 2""",
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = :schema
        ORDER BY 1, 2""",
    "triggers": """
        SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled::text
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = :schema AND NOT t.tgisinternal ORDER BY 1, 2""",
    "functions": """
        SELECT p.proname, pg_get_function_identity_arguments(p.oid), pg_get_functiondef(p.oid),
               coalesce(p.proacl::text, '')
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = :schema ORDER BY 1, 2""",
    "sequences": """
        SELECT sequencename, data_type::text, start_value, min_value, max_value, increment_by,
               cycle, cache_size, coalesce(last_value, -1)
        FROM pg_sequences WHERE schemaname = :schema ORDER BY 1""",
    "comments": """
        SELECT c.relname, d.objsubid, d.description
        FROM pg_description d JOIN pg_class c ON c.oid = d.objoid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = :schema ORDER BY 1, 2""",
}


def catalogue(engine: Engine, schema: str) -> dict[str, list[tuple[Any, ...]]]:
    """What ``schema`` holds: its objects, their definitions and every table's rows."""
    snapshot: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for name, query in _CATALOGUE.items():
            rows = connection.execute(text(query), {"schema": schema})
            snapshot[name] = [
                tuple(v.replace(schema, "<schema>") if isinstance(v, str) else v for v in row)
                for row in rows
            ]
        for table, kind, *_ in snapshot["relations"]:
            if kind == "r":
                query = f'SELECT * FROM "{schema}"."{table}"'  # noqa: S608 - names from the catalogue
                rows = connection.execute(text(query))
                snapshot[f"rows of {table}"] = sorted(tuple(map(repr, row)) for row in rows)
    return snapshot


@pytest.fixture
def alembic_schema(hospital_admin: Engine) -> Iterator[str]:
    """A schema brought to the newest revision by Alembic, as a window's start does."""
    schema = f"hsp_alembic_{secrets.token_hex(6)}"
    with hospital_admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = open_hospital_engine(hospital_test_url(), search_path=schema)
    try:
        upgrade(engine)
        yield schema
    finally:
        engine.dispose()
        with hospital_admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def test_the_fixture_schema_holds_what_alembic_makes(
    hospital_db: HospitalDb, alembic_schema: str, hospital_admin: Engine
) -> None:
    ours = catalogue(hospital_admin, hospital_db.schema)
    theirs = catalogue(hospital_admin, alembic_schema)
    assert ours == theirs
    # not two empty schemas: the record's tables, its triggers and the revision are there
    assert {"hospital_records", "hospital_settlements", "alembic_version"} <= {
        row[0] for row in theirs["relations"]
    }
    assert theirs["triggers"]
    assert theirs["rows of alembic_version"] == [(repr(head_revision()),)]


def test_the_fixture_schema_is_at_the_newest_revision_and_alembic_leaves_it_alone(
    hospital_db: HospitalDb, hospital_admin: Engine
) -> None:
    before = catalogue(hospital_admin, hospital_db.schema)
    assert current_revision(hospital_db.engine) == head_revision()
    upgrade(hospital_db.engine)  # what a window does at start: nothing left to do
    assert catalogue(hospital_admin, hospital_db.schema) == before


def test_the_recorded_statements_name_no_schema(
    hospital_upgrade_statements: tuple[Statement, ...], hospital_db: HospitalDb
) -> None:
    # Replayed into another schema, a statement naming its scratch schema would reach that one.
    assert hospital_upgrade_statements
    for statement in hospital_upgrade_statements:
        assert "hsp_" not in statement.sql + repr(statement.parameters), statement
    assert hospital_db.schema not in "".join(s.sql for s in hospital_upgrade_statements)
