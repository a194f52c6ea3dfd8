"""Importing another window's record (from the hospital record) into this window's store.

Hospital mode lets a window cancel or refund a settlement made at another window: the acting window
needs the bill and the settlement locally, because the cancellation is journaled and stored there like
any other. The records arrive as :mod:`app.store.replica_outbox` sent them (plain JSON of the rows with
their child rows); this module turns them back into rows. Child rows get this store's own row ids
(the other window's would collide), and a bill group's lookup hash is recomputed under this window's
key. Importing what is already here changes nothing.
"""

from __future__ import annotations

import typing
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from functools import cache
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from app.domain.plan import kind_of
from app.store.crypto import FieldCipher
from app.store.models import Base, BillGroupRow
from app.store.replica_outbox import KINDS
from app.store.repositories.bills import GROUP_HASH_KIND

# Kinds another window may import: what a cross-window cancel or refund needs, a dead window's
# journal row a supervisor resolves from another window, and the receipts a 补打/重打 of another
# window's settlement works on.
IMPORTABLE = ("bill", "settlement", "journal", "receipt")


@cache
def _field_types(model: type[Base]) -> dict[str, type]:
    """The Python type of each mapped column (``Mapped[X | None]`` → ``X``)."""
    hints = typing.get_type_hints(model)
    types: dict[str, type] = {}
    for attr in inspect(model).column_attrs:
        (inner,) = typing.get_args(hints[attr.key])
        options = [t for t in typing.get_args(inner) if t is not type(None)] or [inner]
        types[attr.key] = options[0]
    return types


def _typed(kind: type, value: Any) -> Any:
    if value is None:
        return None
    if issubclass(kind, Enum):
        return kind(value)
    if kind is Decimal:
        return Decimal(str(value))
    if kind is datetime:
        return datetime.fromisoformat(str(value))
    if kind is date:
        return date.fromisoformat(str(value))
    return value


def _row(model: type[Base], values: dict[str, Any], *, drop_id: bool) -> Base:
    types = _field_types(model)
    fields = {
        key: _typed(types[key], value)
        for key, value in values.items()
        if key in types and not (drop_id and key == "id")
    }
    return model(**fields)


def _with_kind(values: dict[str, Any]) -> dict[str, Any]:
    """A group as replicated; one from a window older than schema v10 gets its kind derived."""
    if "kind" in values:
        return values
    return {**values, "kind": kind_of(values.get("med_type"), values.get("disease_code")).value}


class SqlRecordImporter:
    """:class:`~app.services.ports.hospital.RecordImporter` on the window's SQLite store."""

    def __init__(self, session: Session, cipher: FieldCipher) -> None:
        """Work inside ``session``; hash bill groups under this window's ``cipher``."""
        self._session = session
        self._cipher = cipher

    def import_record(self, kind: str, record: dict[str, Any]) -> bool:
        """Store ``record`` (a bill or a settlement with its child rows) unless it is already here;
        returns whether anything was written."""
        if kind not in IMPORTABLE:
            raise ValueError(f"cannot import a {kind} record")
        spec = KINDS[kind]
        key = record[spec.key]
        column = getattr(spec.model, spec.key)
        if self._session.execute(select(column).where(column == key)).first() is not None:
            return False
        self._session.add(_row(spec.model, record, drop_id=spec.key != "id"))
        self._session.flush()  # the parent first: children refer to it
        for child, _link in spec.children:
            for values in record.get(child.__tablename__, []):
                row = _row(
                    child, _with_kind(values) if child is BillGroupRow else values, drop_id=True
                )
                if hasattr(row, "group_hash"):
                    row.group_hash = self._cipher.lookup_hash(GROUP_HASH_KIND, values["group_key"])
                self._session.add(row)
        self._session.flush()
        return True
