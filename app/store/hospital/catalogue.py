"""The hospital's catalogue in PostgreSQL: imported once, pulled by every window (issue 13 item 3).

An import upserts by hospital code in one transaction (a failed import leaves the catalogue as it
was), ``WRITE_BATCH`` rows per round trip. A row whose content changed — and only such a row — gets a
new ``version`` from ``hospital_shared_version``, so importing the same file again costs the windows
nothing. Writers hold an advisory lock for their transaction, so versions commit in order and a
window that asks for "everything after version n" never skips a row committed later with a smaller
number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, func, select, text, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError

from app.domain.catalogue import CatalogueItem, ItemClass
from app.store.hospital import schema
from app.store.hospital.connect import unreachable

WRITE_BATCH = 2_000
_CONTENT = (
    "national_code", "name", "pinyin", "unit_price", "spec", "unit", "item_type", "item_class",
    "self_pay_ratio", "price_ceiling", "restricted",
)  # fmt: skip


def _row(item: CatalogueItem, at: datetime) -> dict[str, Any]:
    return {
        "hospital_code": item.hospital_code,
        "national_code": item.national_code,
        "name": item.name,
        "pinyin": item.pinyin.casefold(),
        "unit_price": item.unit_price,
        "spec": item.spec,
        "unit": item.unit,
        "item_type": item.item_type,
        "item_class": item.item_class.value,
        "self_pay_ratio": str(item.self_pay_ratio),
        "price_ceiling": item.price_ceiling,
        "restricted": item.restricted,
        "updated_at": at,
    }


def _item(row: Any) -> CatalogueItem:
    ceiling = row.price_ceiling
    return CatalogueItem(
        hospital_code=row.hospital_code,
        national_code=row.national_code,
        name=row.name,
        pinyin=row.pinyin,
        unit_price=Decimal(row.unit_price),
        spec=row.spec,
        unit=row.unit,
        item_type=row.item_type,
        item_class=ItemClass(row.item_class),
        self_pay_ratio=Decimal(row.self_pay_ratio),
        price_ceiling=None if ceiling is None else Decimal(ceiling),
        restricted=row.restricted,
    )


class PgSharedCatalogue:
    """:class:`~app.services.ports.hospital.SharedCatalogue` on PostgreSQL."""

    def __init__(self, engine: Engine) -> None:
        """Use ``engine`` (schema at revision h0003 or later)."""
        self._engine = engine

    def import_items(
        self,
        items: Sequence[CatalogueItem],
        at: datetime,
        progress: Callable[[int, int], None] | None = None,
    ) -> int:
        """Upsert by hospital code in one transaction; returns how many rows are new or changed."""
        c = schema.catalogue
        statement = insert(c).values(version=func.nextval("hospital_shared_version"))
        current = tuple_(*(c.c[name] for name in _CONTENT))
        incoming = tuple_(*(statement.excluded[name] for name in _CONTENT))
        upsert = statement.on_conflict_do_update(
            index_elements=["hospital_code"],
            set_={
                **{name: statement.excluded[name] for name in _CONTENT},
                "version": statement.excluded.version,
                "updated_at": statement.excluded.updated_at,
            },
            where=current.is_distinct_from(incoming),
        )
        latest = {item.hospital_code: item for item in items}  # a code given twice: last wins
        rows = [_row(item, at) for item in latest.values()]
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:a, :b)"),
                    {"a": schema.SHARED_LOCK_CLASS, "b": schema.SHARED_LOCK_KEY},
                )
                before = self._head(connection)
                for start in range(0, len(rows), WRITE_BATCH):
                    connection.execute(upsert, rows[start : start + WRITE_BATCH])
                    if progress is not None:
                        progress(min(start + WRITE_BATCH, len(rows)), len(rows))
                changed = connection.execute(
                    select(func.count()).select_from(c).where(c.c.version > before)
                ).scalar_one()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return int(changed)

    def changes(self, since: int, limit: int) -> tuple[list[CatalogueItem], int]:
        """Up to ``limit`` items changed after version ``since``, oldest change first, and the
        highest version among them (``since`` when there are none)."""
        c = schema.catalogue
        query = select(c).where(c.c.version > since).order_by(c.c.version).limit(limit)
        try:
            with self._engine.connect() as connection:
                rows = connection.execute(query).all()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return [_item(row) for row in rows], (rows[-1].version if rows else since)

    def count(self) -> int:
        """Items in the hospital's catalogue."""
        try:
            with self._engine.connect() as connection:
                return int(
                    connection.execute(
                        select(func.count()).select_from(schema.catalogue)
                    ).scalar_one()
                )
        except DBAPIError as exc:
            raise unreachable(exc) from exc

    @staticmethod
    def _head(connection: Any) -> int:
        c = schema.catalogue
        return int(connection.execute(select(func.coalesce(func.max(c.c.version), 0))).scalar_one())
