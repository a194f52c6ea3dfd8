"""Many rows in one ``INSERT`` sent straight to the driver, each value through its column's type.

SQLAlchemy's Core executemany builds a parameter dictionary per row and runs it through its
compiled-parameter machinery; for the 200 lines of a bill, the 100 split lines of a settlement and
the 200 charge claims of a visit that bookkeeping cost more than the conversions themselves. Here a
row is a tuple in the statement's column order and each value goes through the very bind processor
SQLAlchemy would use for its column (money to integer fen, prices to millionths, aware times to UTC
text, personal data encrypted with the column's context, enums by name, booleans as 0/1), so the
stored bytes are the same. Errors are SQLAlchemy's as before (``IntegrityError`` …); the statement
still passes the engine's events (statement counting, the store's checks).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Connection, Dialect

Processor = Callable[[Any], Any] | None


class BulkInsert:
    """``INSERT INTO table (columns…)`` for many rows at once (see module docstring)."""

    def __init__(self, table: Table, columns: Sequence[str]) -> None:
        """Insert ``columns`` of ``table``; rows are tuples in this order."""
        self._table = table
        self._columns = tuple(table.c[name] for name in columns)
        self._compiled: dict[Dialect, tuple[str, tuple[Processor, ...]]] = {}

    def execute(self, connection: Connection, rows: Iterable[Sequence[Any]]) -> None:
        """Insert ``rows`` (one statement, ``executemany``)."""
        sql, processors = self._for(connection.dialect)
        converted = [
            tuple(
                value if process is None else process(value)
                for process, value in zip(processors, row, strict=True)
            )
            for row in rows
        ]
        if converted:
            connection.exec_driver_sql(sql, converted)

    def _for(self, dialect: Dialect) -> tuple[str, tuple[Processor, ...]]:
        compiled = self._compiled.get(dialect)
        if compiled is None:
            if dialect.paramstyle != "qmark":  # the local store is SQLite
                raise RuntimeError(f"BulkInsert needs qmark parameters, not {dialect.paramstyle}")
            quote = dialect.identifier_preparer.quote
            names = ", ".join(quote(column.name) for column in self._columns)
            marks = ", ".join("?" for _ in self._columns)
            sql = f"INSERT INTO {quote(self._table.name)} ({names}) VALUES ({marks})"  # noqa: S608
            processors = tuple(
                column.type.dialect_impl(dialect).bind_processor(dialect)
                for column in self._columns
            )
            compiled = self._compiled[dialect] = (sql, processors)
        return compiled
