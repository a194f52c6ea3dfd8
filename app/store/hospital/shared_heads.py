"""The newest version of the hospital's shared operators and catalogue, in one query (issue 13).

A window's sync loop asks this every round before pulling: while neither number moved since its last
complete pull, nothing shared changed and the pulls are skipped (an idle round was two pull queries
and three local transactions; 20 windows' sync threads every 2 s add up on a small server).

Exact, not a guess: every writer of these tables takes ``pg_advisory_xact_lock(SHARED_LOCK_CLASS,
SHARED_LOCK_KEY)`` and draws its version from ``hospital_shared_version`` under it, so versions
commit in order and any change committed after a reading carries a version above that reading's
maximum of its table.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import DBAPIError

from app.store.hospital import schema
from app.store.hospital.connect import unreachable


@dataclass(frozen=True)
class SharedHeads:
    """The highest committed version of each shared table (0 when empty)."""

    operators: int
    catalogue: int


class PgSharedHeads:
    """Reads :class:`SharedHeads` from the hospital database."""

    def __init__(self, engine: Engine) -> None:
        """Use ``engine`` (schema at h0003 or later)."""
        o, c = schema.operators, schema.catalogue
        self._engine = engine
        self._query = select(
            select(func.coalesce(func.max(o.c.version), 0)).scalar_subquery(),
            select(func.coalesce(func.max(c.c.version), 0)).scalar_subquery(),
        )

    def read(self) -> SharedHeads:
        """Both heads (two index look-ups in one round trip).

        Raises:
            StoreError: the hospital database is unreachable.
        """
        try:
            with self._engine.connect() as connection:
                operators, catalogue = connection.execute(self._query).one()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return SharedHeads(int(operators), int(catalogue))
