"""The Core tables of the identification path (app.store.tables) are exactly the mapped classes'
tables (app.store.models): one cannot change without the other (docs/performance.md, CLI start-up)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Column, Enum, Table
from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from app.store import models, tables
from app.store.types import EncryptedText

CORE_TABLES = sorted(tables.metadata.tables)


def _ddl(table: Table) -> list[str]:
    """The SQLite DDL of a table and its indexes: names, types, nullability, keys, foreign keys
    (with their actions), unique constraints, autoincrement."""
    dialect = sqlite.dialect()
    statements = [str(CreateTable(table).compile(dialect=dialect)).strip()]
    statements += sorted(
        str(CreateIndex(index).compile(dialect=dialect)).strip() for index in table.indexes
    )
    return statements


def _type_facts(column: Column[Any]) -> dict[str, Any]:
    """What the column's type does in Python beyond its DDL."""
    kind = column.type
    facts: dict[str, Any] = {"class": type(kind), "repr": repr(kind)}
    if isinstance(kind, Enum):
        for name in ("enum_class", "enums", "native_enum", "length", "create_constraint"):
            facts[name] = getattr(kind, name)
        facts["validate_strings"] = kind.validate_strings
        facts["values_callable"] = kind.values_callable
    if isinstance(kind, EncryptedText):
        facts["context"] = kind.context
    return facts


def _column_facts(column: Column[Any]) -> dict[str, Any]:
    default = column.default
    return {
        "type": _type_facts(column),
        "nullable": column.nullable,
        "primary_key": column.primary_key,
        "unique": column.unique,
        "index": column.index,
        "autoincrement": column.autoincrement,
        "default": None if default is None else getattr(default, "arg", default),
        "server_default": column.server_default,
        "foreign_keys": sorted(
            (key.target_fullname, key.ondelete, key.onupdate) for key in column.foreign_keys
        ),
    }


PATH_TABLES = sorted(
    [
        "audit_log",
        "config_state",
        "journal",
        "journal_events",
        "msgid_counters",
        "operators",
        "person_lookups",
        "persons",
        "store_meta",
    ]
)


def test_the_path_has_its_tables() -> None:
    assert CORE_TABLES == PATH_TABLES


@pytest.mark.parametrize("name", CORE_TABLES)
def test_each_core_table_is_the_mapped_table(name: str) -> None:
    core = tables.metadata.tables[name]
    mapped = models.Base.metadata.tables[name]

    assert [c.name for c in core.columns] == [c.name for c in mapped.columns]
    for core_column, mapped_column in zip(core.columns, mapped.columns, strict=True):
        assert _column_facts(core_column) == _column_facts(mapped_column), core_column.name
    assert _ddl(core) == _ddl(mapped)
    assert dict(core.dialect_kwargs) == dict(mapped.dialect_kwargs)
