"""The hospital catalogue: bulk upsert and search at 500,000 items (issue 4 benchmarks).

Codes and pinyin initials are searched by prefix over B-tree indexes (range scans, so no LIKE and no
collation surprises). Names are searched by substring through the FTS5 index described in
:mod:`app.store.names` (characters and character pairs as tokens), so any substring — even one or two
Chinese characters — is an index lookup. Without FTS5 the search falls back to ``LIKE`` (correct, slower).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Row, func, select, text
from sqlalchemy.orm import Session

from app.domain.catalogue import CatalogueItem
from app.store.models import CatalogueItemRow, CatalogueMeta
from app.store.names import name_index_row, name_match

BATCH_SIZE = 5000
_MAX_CHAR = "\U0010ffff"
_VERSION_KEY = "version"
_SHARED_VERSION_KEY = "hospital_version"  # hospital mode: the shared catalogue pulled so far

ITEM_COLUMNS = (
    "item_id", "hospital_code", "national_code", "name", "pinyin", "unit_price", "spec", "unit",
    "item_type", "item_class", "self_pay_ratio", "price_ceiling", "restricted",
)  # fmt: skip
INSERT_ITEM_SQL = (
    "INSERT OR REPLACE INTO catalogue_items (item_id, hospital_code, national_code, name, pinyin, "
    "unit_price, spec, unit, item_type, item_class, self_pay_ratio, price_ceiling, restricted) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
INSERT_NAME_SQL = "INSERT INTO catalogue_names (rowid, chars, pairs) VALUES (?, ?, ?)"
DELETE_NAME_SQL = "DELETE FROM catalogue_names WHERE rowid = ?"
_TABLE = CatalogueItemRow.__table__
_NAME_QUERY = text(
    "SELECT i.item_id, i.hospital_code, i.national_code, i.name, i.pinyin, i.unit_price, i.spec, "
    "i.unit, i.item_type, i.item_class, i.self_pay_ratio, i.price_ceiling, i.restricted "
    "FROM catalogue_names n JOIN catalogue_items i ON i.item_id = n.rowid "
    "WHERE catalogue_names MATCH :match LIMIT :limit"
).columns(*(_TABLE.c[name] for name in ITEM_COLUMNS))

# A part from inside a hospital code: LIKE (ASCII case-insensitive) over the unique code index,
# which covers the query; only letters and digits reach it (_code_fragment), so nothing to escape.
_FRAGMENT_IDS = text(
    "SELECT item_id FROM catalogue_items WHERE hospital_code LIKE :pattern "
    "ORDER BY hospital_code LIMIT :limit"
)
FRAGMENT_MIN_LENGTH = 3


def _code_fragment(query: str) -> bool:
    """Whether ``query`` looks like a part of an item code: ASCII letters and digits, at least
    one digit, at least :data:`FRAGMENT_MIN_LENGTH` characters (a word or a name never does)."""
    return (
        len(query) >= FRAGMENT_MIN_LENGTH
        and query.isascii()
        and query.isalnum()
        and any(char.isdigit() for char in query)
    )


def _micros(price: Decimal) -> int:
    if not isinstance(cast(object, price), Decimal):
        raise TypeError(f"price must be a Decimal, got {type(price).__name__}")
    micros = price.scaleb(6)
    if micros != micros.to_integral_value():
        raise ValueError(f"price {price!r} is not an exact decimal with at most six places")
    return int(micros)


def item_values(item_id: int, item: CatalogueItem) -> tuple[Any, ...]:
    """The ``catalogue_items`` row of ``item`` in :data:`ITEM_COLUMNS` order."""
    ceiling = None if item.price_ceiling is None else _micros(item.price_ceiling)
    return (
        item_id, item.hospital_code, item.national_code, item.name, item.pinyin.casefold(),
        _micros(item.unit_price), item.spec, item.unit, item.item_type, item.item_class.name,
        str(item.self_pay_ratio), ceiling, int(item.restricted),
    )  # fmt: skip


def _batches(items: Sequence[CatalogueItem]) -> Iterator[Sequence[CatalogueItem]]:
    for start in range(0, len(items), BATCH_SIZE):
        yield items[start : start + BATCH_SIZE]


class SqlCatalogueRepository:
    """:class:`~app.services.ports.store.CatalogueRepository`."""

    def __init__(self, session: Session, *, name_index: bool) -> None:
        """Work inside ``session``; ``name_index`` says whether the FTS5 name index exists."""
        self._session = session
        self._name_index = name_index

    def upsert_many(self, items: Sequence[CatalogueItem]) -> int:
        """Insert or replace by hospital code, in batches through ``executemany``; returns the count."""
        connection = self._session.connection()
        next_id = (
            int(
                connection.execute(
                    select(func.coalesce(func.max(_TABLE.c.item_id), 0))
                ).scalar_one()
            )
            + 1
        )
        for batch in _batches(items):
            latest = {item.hospital_code: item for item in batch}  # a code given twice: last wins
            existing = self._existing_ids(list(latest))
            rows, names, replaced = [], [], []
            for code, item in latest.items():
                item_id = existing.get(code)
                if item_id is None:
                    item_id, next_id = next_id, next_id + 1
                else:
                    replaced.append((item_id,))
                rows.append(item_values(item_id, item))
                names.append((item_id, *name_index_row(item.name)))
            connection.exec_driver_sql(INSERT_ITEM_SQL, rows)
            if self._name_index:
                if replaced:
                    connection.exec_driver_sql(DELETE_NAME_SQL, replaced)
                connection.exec_driver_sql(INSERT_NAME_SQL, names)
        return len(items)

    def get(self, hospital_code: str) -> CatalogueItem | None:
        """One item."""
        row = self._session.execute(
            select(_TABLE).where(_TABLE.c.hospital_code == hospital_code)
        ).first()
        return None if row is None else _item(row)

    def search(self, text_: str, limit: int = 50) -> Sequence[CatalogueItem]:
        """Hospital code, national code and pinyin-initials prefixes, then name substrings; a part
        from inside a hospital code only when none of those found anything."""
        query = text_.strip()
        if not query or limit <= 0:
            return []
        found: dict[str, CatalogueItem] = {}
        for stage in (
            self._by_hospital_code,
            self._by_national_code,
            self._by_pinyin,
            self._by_name,
        ):
            if len(found) >= limit:
                break
            for item in stage(query, limit):
                found.setdefault(item.hospital_code, item)
                if len(found) >= limit:
                    break
        if not found and _code_fragment(query):
            return self._by_code_fragment(query, limit)
        return list(found.values())

    def count(self) -> int:
        """Number of items."""
        return int(self._session.execute(select(func.count()).select_from(_TABLE)).scalar_one())

    def version(self) -> str:
        """Last downloaded platform catalogue version ('' if never)."""
        row = self._session.get(CatalogueMeta, _VERSION_KEY)
        return "" if row is None else row.value

    def set_version(self, version: str) -> None:
        """Remember the downloaded version."""
        self._session.merge(CatalogueMeta(key=_VERSION_KEY, value=version))
        self._session.flush()

    def shared_version(self) -> int:
        """Hospital mode: the hospital catalogue's version pulled so far (0 if never)."""
        row = self._session.get(CatalogueMeta, _SHARED_VERSION_KEY)
        return 0 if row is None else int(row.value)

    def set_shared_version(self, version: int) -> None:
        """Remember the hospital catalogue's version pulled so far."""
        self._session.merge(CatalogueMeta(key=_SHARED_VERSION_KEY, value=str(version)))
        self._session.flush()

    def _existing_ids(self, codes: list[str]) -> dict[str, int]:
        rows = self._session.execute(
            select(_TABLE.c.hospital_code, _TABLE.c.item_id).where(
                _TABLE.c.hospital_code.in_(codes)
            )
        )
        return {code: item_id for code, item_id in rows}

    def _prefix(self, column: Any, prefix: str, limit: int) -> list[CatalogueItem]:
        rows = self._session.execute(
            select(_TABLE)
            .where(column >= prefix, column < prefix + _MAX_CHAR)
            .order_by(column)
            .limit(limit)
        )
        return [_item(row) for row in rows]

    def _by_hospital_code(self, query: str, limit: int) -> list[CatalogueItem]:
        return self._prefixes(_TABLE.c.hospital_code, query, limit)

    def _by_national_code(self, query: str, limit: int) -> list[CatalogueItem]:
        return self._prefixes(_TABLE.c.national_code, query, limit)

    def _prefixes(self, column: Any, query: str, limit: int) -> list[CatalogueItem]:
        items = self._prefix(column, query, limit)
        if query.upper() != query and len(items) < limit:
            items += self._prefix(column, query.upper(), limit - len(items))
        return items

    def _by_code_fragment(self, query: str, limit: int) -> list[CatalogueItem]:
        """Hospital codes containing ``query`` (any case), in code order. No index serves a part
        from the middle, so this scans the code index (not the table) until ``limit`` codes match;
        :meth:`search` runs it only for a code-like query that found nothing else."""
        ids = self._session.execute(_FRAGMENT_IDS, {"pattern": f"%{query}%", "limit": limit})
        found = [item_id for (item_id,) in ids]
        if not found:
            return []
        rows = self._session.execute(
            select(_TABLE).where(_TABLE.c.item_id.in_(found)).order_by(_TABLE.c.hospital_code)
        )
        return [_item(row) for row in rows]

    def _by_pinyin(self, query: str, limit: int) -> list[CatalogueItem]:
        if not query.isascii() or not query.isalpha():
            return []
        return self._prefix(_TABLE.c.pinyin, query.casefold(), limit)

    def _by_name(self, query: str, limit: int) -> list[CatalogueItem]:
        match = name_match(query)
        if self._name_index and match is not None:
            rows = self._session.execute(_NAME_QUERY, {"match": match, "limit": limit})
        else:
            escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            rows = self._session.execute(
                select(_TABLE).where(_TABLE.c.name.like(f"%{escaped}%", escape="\\")).limit(limit)
            )
        return [_item(row) for row in rows]


def _item(row: Row[Any]) -> CatalogueItem:
    values = row._mapping
    return CatalogueItem(
        hospital_code=values["hospital_code"],
        national_code=values["national_code"],
        name=values["name"],
        pinyin=values["pinyin"],
        unit_price=values["unit_price"],
        spec=values["spec"],
        unit=values["unit"],
        item_type=values["item_type"],
        item_class=values["item_class"],
        self_pay_ratio=values["self_pay_ratio"],
        price_ceiling=values["price_ceiling"],
        restricted=bool(values["restricted"]),
    )
