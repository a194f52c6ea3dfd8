"""Eligibility cache: each person as encrypted JSON, found by keyed hashes of their identifiers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.domain.person import InsuredPerson
from app.services.ports.store import CachedPerson
from app.store.codec import person_from_json, person_to_json
from app.store.crypto import FieldCipher
from app.store.tables import Connected, person_lookups, persons

_PERSON_NO = "psn_no"
_LOOKUP = "lookup"
_person_insert = sqlite_insert(persons)
_UPSERT_PERSON = _person_insert.on_conflict_do_update(
    index_elements=[persons.c.person_hash],
    set_={
        "payload": _person_insert.excluded.payload,
        "fetched_at": _person_insert.excluded.fetched_at,
    },
)
_lookup_insert = sqlite_insert(person_lookups)
_UPSERT_LOOKUP = _lookup_insert.on_conflict_do_update(
    index_elements=[person_lookups.c.lookup_hash],
    set_={"person_hash": _lookup_insert.excluded.person_hash},
)

_FIND = select(person_lookups.c.person_hash).where(
    person_lookups.c.lookup_hash == bindparam("lookup_hash")
)
_GET = select(persons.c.payload, persons.c.fetched_at).where(
    persons.c.person_hash == bindparam("person_hash")
)


class SqlPersonCache:
    """:class:`~app.services.ports.store.PersonCache`; nothing personal is stored in plaintext."""

    def __init__(self, session: Connected, cipher: FieldCipher) -> None:
        """Work inside ``session`` with ``cipher`` for hashing and encryption."""
        self._session = session
        self._cipher = cipher

    def put(self, person: InsuredPerson, fetched_at: datetime, lookup_keys: Sequence[str]) -> None:
        """Store or replace ``person``; each lookup key (ID/card number, ecToken …) is kept hashed."""
        person_hash = self._cipher.lookup_hash(_PERSON_NO, person.person_no)
        # Two Core upserts through the column types (payload encrypted): no ORM get/flush of the
        # row and its lookups first. ON CONFLICT DO UPDATE keeps the row (no cascade to lookups).
        connection = self._session.connection()
        connection.execute(
            _UPSERT_PERSON,
            {
                "person_hash": person_hash,
                "payload": person_to_json(person),
                "fetched_at": fetched_at,
            },
        )
        hashes = {self._cipher.lookup_hash(_LOOKUP, k.strip()) for k in lookup_keys if k.strip()}
        if hashes:
            connection.execute(
                _UPSERT_LOOKUP,
                [{"lookup_hash": h, "person_hash": person_hash} for h in sorted(hashes)],
            )

    def find(self, lookup_key: str) -> CachedPerson | None:
        """The person stored with ``lookup_key`` among its lookup keys."""
        person_hash = (
            self._session.connection()
            .execute(_FIND, {"lookup_hash": self._cipher.lookup_hash(_LOOKUP, lookup_key)})
            .scalar()
        )
        return None if person_hash is None else self._cached(person_hash)

    def get(self, person_no: str) -> CachedPerson | None:
        """By ``psn_no``."""
        return self._cached(self._cipher.lookup_hash(_PERSON_NO, person_no))

    def purge_older_than(self, cutoff: datetime) -> int:
        """Delete people fetched before ``cutoff`` (their lookups go with them); returns how many."""
        stale = select(persons.c.person_hash).where(persons.c.fetched_at < cutoff)
        connection = self._session.connection()
        connection.execute(delete(person_lookups).where(person_lookups.c.person_hash.in_(stale)))
        result = connection.execute(delete(persons).where(persons.c.fetched_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)

    def _cached(self, person_hash: str) -> CachedPerson | None:
        row = self._session.connection().execute(_GET, {"person_hash": person_hash}).first()
        if row is None:
            return None
        return CachedPerson(person=person_from_json(row.payload), fetched_at=row.fetched_at)
