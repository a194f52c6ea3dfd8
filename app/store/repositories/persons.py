"""Eligibility cache: each person as encrypted JSON, found by keyed hashes of their identifiers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.domain.person import InsuredPerson
from app.services.ports.store import CachedPerson
from app.store.codec import person_from_json, person_to_json
from app.store.crypto import FieldCipher
from app.store.models import PersonLookup, PersonRow

_PERSON_NO = "psn_no"
_LOOKUP = "lookup"


class SqlPersonCache:
    """:class:`~app.services.ports.store.PersonCache`; nothing personal is stored in plaintext."""

    def __init__(self, session: Session, cipher: FieldCipher) -> None:
        """Work inside ``session`` with ``cipher`` for hashing and encryption."""
        self._session = session
        self._cipher = cipher

    def put(self, person: InsuredPerson, fetched_at: datetime, lookup_keys: Sequence[str]) -> None:
        """Store or replace ``person``; each lookup key (ID/card number, ecToken …) is kept hashed."""
        person_hash = self._cipher.lookup_hash(_PERSON_NO, person.person_no)
        row = self._session.get(PersonRow, person_hash)
        if row is None:
            row = PersonRow(person_hash=person_hash, payload="", fetched_at=fetched_at)
            self._session.add(row)
        row.payload = person_to_json(person)
        row.fetched_at = fetched_at
        self._session.flush()
        hashes = {self._cipher.lookup_hash(_LOOKUP, k.strip()) for k in lookup_keys if k.strip()}
        # One SELECT for all keys (merge() would issue one per key).
        known = self._session.scalars(
            select(PersonLookup).where(PersonLookup.lookup_hash.in_(hashes))
        )
        existing = {lookup.lookup_hash: lookup for lookup in known}
        for lookup_hash in hashes:
            lookup = existing.get(lookup_hash)
            if lookup is None:
                self._session.add(PersonLookup(lookup_hash=lookup_hash, person_hash=person_hash))
            else:
                lookup.person_hash = person_hash
        self._session.flush()

    def find(self, lookup_key: str) -> CachedPerson | None:
        """The person stored with ``lookup_key`` among its lookup keys."""
        lookup = self._session.get(PersonLookup, self._cipher.lookup_hash(_LOOKUP, lookup_key))
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
        row = self._session.get(PersonRow, person_hash)
        if row is None:
            return None
        return CachedPerson(person=person_from_json(row.payload), fetched_at=row.fetched_at)
