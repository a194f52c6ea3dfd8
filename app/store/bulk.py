"""Fixed statements sent straight to the driver, each value through its column's type.

SQLAlchemy's Core execution builds a parameter dictionary per row, looks the statement up in its
compiled cache and runs it through its compiled-parameter and result machinery; for the 200 lines of
a bill, the 100 split lines of a settlement, the 200 charge claims of a visit, and the journal rows
and group states written a dozen times per visit, that bookkeeping cost more than the conversions
themselves. Here a statement's SQL text is built once per dialect, a row is a tuple in the
statement's parameter order, and each value goes through the very bind processor SQLAlchemy would use
for its column (money to integer fen, prices to millionths, aware times to UTC text, personal data
encrypted with the column's context, enums by name, booleans as 0/1), so the stored bytes are the
same. It runs on the unit of work's own connection, inside its transaction. Errors are SQLAlchemy's
as before (``IntegrityError`` …, made by SQLAlchemy from the driver's error); the engine's
``before_cursor_execute`` / ``after_cursor_execute`` listeners still see every statement (statement
counting, the tests that look at the SQL).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Column, Table
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import TypeEngine

Processor = Callable[[Any], Any] | None
# Builds the SQL text with the dialect's identifier quoting (qmark parameters).
SqlBuilder = Callable[[Callable[[str], str]], str]


class DriverStatement:
    """One statement with fixed SQL text, its parameters converted by their types (see module
    docstring); ``types[i]`` is the type of the ``i``-th ``?`` (``None``: passed as it is)."""

    def __init__(self, build: SqlBuilder, types: Sequence[TypeEngine[Any] | None]) -> None:
        """``build(quote)`` returns the SQL text; ``types`` are the parameters' column types."""
        self._build = build
        self._types = tuple(types)
        self._compiled: dict[Dialect, tuple[str, tuple[Processor, ...], bool]] = {}

    @classmethod
    def insert(cls, table: Table, columns: Sequence[str]) -> DriverStatement:
        """``INSERT INTO table (columns…) VALUES (?, …)``; rows are tuples in this order."""
        chosen = tuple(table.c[name] for name in columns)

        def build(quote: Callable[[str], str]) -> str:
            names = ", ".join(quote(column.name) for column in chosen)
            marks = ", ".join("?" for _ in chosen)
            return f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"  # noqa: S608

        return cls(build, [column.type for column in chosen])

    @classmethod
    def upsert(cls, table: Table, columns: Sequence[str], keys: Sequence[str]) -> DriverStatement:
        """``INSERT … ON CONFLICT (keys) DO UPDATE SET`` every other column of ``columns`` to the
        inserted value; rows are tuples in ``columns`` order."""
        chosen = tuple(table.c[name] for name in columns)

        def build(quote: Callable[[str], str]) -> str:
            names = ", ".join(quote(column.name) for column in chosen)
            marks = ", ".join("?" for _ in chosen)
            conflict = ", ".join(quote(name) for name in keys)
            updates = ", ".join(
                f"{quote(column.name)} = excluded.{quote(column.name)}"
                for column in chosen
                if column.name not in keys
            )
            return (
                f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks}) "  # noqa: S608
                f"ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
            )

        return cls(build, [column.type for column in chosen])

    def execute(self, connection: Connection, values: Sequence[Any]) -> int:
        """Run once with ``values``; the number of rows it changed (the driver's ``rowcount``)."""
        sql, processors, _ = self._for(connection.dialect)
        return _send(connection, sql, _converted(processors, values), many=False).rowcount

    def first(self, connection: Connection, values: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        """Run once with ``values``; the first row it returns (``RETURNING``, ``SELECT``), as the
        driver gives it, or ``None``."""
        sql, processors, _ = self._for(connection.dialect)
        row = _send(connection, sql, _converted(processors, values), many=False).fetchone()
        return None if row is None else tuple(row)

    def all(self, connection: Connection, values: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run once with ``values``; every row it returns, as the driver gives them."""
        sql, processors, _ = self._for(connection.dialect)
        return [
            tuple(row) for row in _send(connection, sql, _converted(processors, values), many=False)
        ]

    def executemany(self, connection: Connection, rows: Iterable[Sequence[Any]]) -> None:
        """Run for each of ``rows`` (one ``executemany``; nothing is sent for no rows)."""
        sql, processors, plain = self._for(connection.dialect)
        converted = [tuple(row) for row in rows] if plain else _converted_rows(processors, rows)
        if converted:
            _send(connection, sql, converted, many=True)

    def _for(self, dialect: Dialect) -> tuple[str, tuple[Processor, ...], bool]:
        compiled = self._compiled.get(dialect)
        if compiled is None:
            if dialect.paramstyle != "qmark":  # the local store is SQLite
                raise RuntimeError(
                    f"driver statements need qmark parameters, not {dialect.paramstyle}"
                )
            sql = self._build(dialect.identifier_preparer.quote)
            processors = tuple(
                None if type_ is None else type_.dialect_impl(dialect).bind_processor(dialect)
                for type_ in self._types
            )
            plain = all(process is None for process in processors)
            compiled = self._compiled[dialect] = (sql, processors, plain)
        return compiled


class BulkInsert:
    """``INSERT INTO table (columns…)`` for many rows at once (see module docstring)."""

    def __init__(self, table: Table, columns: Sequence[str]) -> None:
        """Insert ``columns`` of ``table``; rows are tuples in this order."""
        self._statement = DriverStatement.insert(table, columns)

    def execute(self, connection: Connection, rows: Iterable[Sequence[Any]]) -> None:
        """Insert ``rows`` (one statement, ``executemany``)."""
        self._statement.executemany(connection, rows)


def fixed_sql(sql: str, parameters: int = 0) -> DriverStatement:
    """A statement written out in full (no quoting needed) whose ``parameters`` values are passed
    as they are."""
    return DriverStatement(lambda _quote: sql, [None] * parameters)


def column_types(table: Table, names: Sequence[str]) -> list[TypeEngine[Any]]:
    """The types of ``table``'s columns ``names``, in order (for a :class:`DriverStatement`)."""
    columns: list[Column[Any]] = [table.c[name] for name in names]
    return [column.type for column in columns]


def _converted(processors: tuple[Processor, ...], values: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(
        value if process is None else process(value)
        for process, value in zip(processors, values, strict=True)
    )


def _converted_rows(
    processors: tuple[Processor, ...], rows: Iterable[Sequence[Any]]
) -> list[tuple[Any, ...]]:
    """Every row's values through their processors, a column at a time (one ``map`` per column
    instead of a generator per row: a 200-line bill spent as long in that bookkeeping as in the
    conversions themselves)."""
    columns: list[Iterable[Any]] = list(zip(*rows, strict=True))
    if not columns:  # no rows
        return []
    if len(columns) != len(processors):
        raise ValueError(f"rows of {len(columns)} values for {len(processors)} parameters")
    for at, process in enumerate(processors):
        if process is not None:
            columns[at] = map(process, columns[at])
    return list(zip(*columns, strict=True))


def _send(connection: Connection, sql: str, parameters: Any, *, many: bool) -> sqlite3.Cursor:
    """Execute on the connection's driver connection, inside its transaction, with the engine's
    cursor listeners called as SQLAlchemy calls them and driver errors raised as SQLAlchemy's."""
    driver = connection.connection.driver_connection
    if not isinstance(driver, sqlite3.Connection):  # pragma: no cover - the local store is SQLite
        raise RuntimeError("driver statements run on the local SQLite store only")
    cursor = driver.cursor()
    dispatch = connection.dispatch
    for listener in dispatch.before_cursor_execute:
        sql, parameters = listener(connection, cursor, sql, parameters, None, many)
    try:
        if many:
            cursor.executemany(sql, parameters)
        else:
            cursor.execute(sql, parameters)
    except sqlite3.Error as exc:
        raise DBAPIError.instance(
            sql, parameters, exc, sqlite3.Error, ismulti=many, dialect=connection.dialect
        ) from exc
    for listener in dispatch.after_cursor_execute:
        listener(connection, cursor, sql, parameters, None, many)
    return cursor
