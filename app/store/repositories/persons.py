"""Eligibility cache: each person as encrypted JSON, found by keyed hashes of their identifiers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.domain.person import InsuredPerson
from app.services.ports.store import CachedPerson
from app.store.codec import person_from_json, person_to_json
from app.store.crypto import FieldCipher
from app.store.models import PersonLookup, PersonRow

_PERSON_NO = "psn_no"
_LOOKUP = "lookup"
_person_insert = sqlite_insert(PersonRow)
_UPSERT_PERSON = _person_insert.on_conflict_do_update(
    index_elements=[PersonRow.person_hash],
    set_={
        "payload": _person_insert.excluded.payload,
        "fetched_at": _person_insert.excluded.fetched_at,
    },
)
_lookup_insert = sqlite_insert(PersonLookup)
_UPSERT_LOOKUP = _lookup_insert.on_conflict_do_update(
    index_elements=[PersonLookup.lookup_hash],
    set_={"person_hash": _lookup_insert.excluded.person_hash},
)


class SqlPersonCache:
    """:class:`~app.services.ports.store.PersonCache`; nothing personal is stored in plaintext."""

    def __init__(self, session: Session, cipher: FieldCipher) -> None:
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
        lookup = self._session.get(
            PersonLookup, self._cipher.lookup_hash(_LOOKUP, lookup_key), populate_existing=True
        )
        return None if lookup is None else self._cached(lookup.person_hash)

    def get(self, person_no: str) -> CachedPerson | None:
        """By ``psn_no``."""
        return self._cached(self._cipher.lookup_hash(_PERSON_NO, person_no))

    def purge_older_than(self, cutoff: datetime) -> int:
        """Delete people fetched before ``cutoff`` (their lookups go with them); returns how many."""
        stale = select(PersonRow.person_hash).where(PersonRow.fetched_at < cutoff)
        self._session.execute(delete(PersonLookup).where(PersonLookup.person_hash.in_(stale)))
        result = self._session.execute(delete(PersonRow).where(PersonRow.fetched_at < cutoff))
        return int(getattr(result, "rowcount", 0) or 0)

    def _cached(self, person_hash: str) -> CachedPerson | None:
        # populate_existing: put() writes with Core, so a row loaded earlier may be stale.
        row = self._session.get(PersonRow, person_hash, populate_existing=True)
        if row is None:
            return None
        return CachedPerson(person=person_from_json(row.payload), fetched_at=row.fetched_at)
