"""Claims on charge lines (see :mod:`app.services.ports.charge_claims`)."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import cast

from sqlalchemy import Table, update

from app.services.ports.charge_claims import ChargeClaim
from app.store.bulk import BulkInsert, fixed_sql
from app.store.models import ChargeClaimRow
from app.store.tables import Connected
from app.store.types import parse_utc


class SqlChargeClaimRepository:
    """:class:`~app.services.ports.charge_claims.ChargeClaimRepository` (partial unique index on
    ``charge_key`` where ``released_at IS NULL``)."""

    def __init__(self, session: Connected) -> None:
        """Work inside ``session`` (the unit of work's transaction; Core statements only)."""
        self._session = session

    def live(self, charge_keys: Collection[str]) -> Mapping[str, ChargeClaim]:
        """The live claims among ``charge_keys``, by key."""
        keys = sorted(set(charge_keys))
        if not keys:
            return {}
        # One parameter for any number of keys (a visit has hundreds): SQLite's json_each, probed
        # through the partial unique index; straight to the driver (app.store.bulk).
        rows = _LIVE.all(self._session.connection(), (json.dumps(keys),))
        return {
            key: ChargeClaim(key, bill_id, line_no, parse_utc(claimed_at))
            for key, bill_id, line_no, claimed_at in rows
        }

    def add(self, charge_key: str, bill_id: str, line_no: str, at: datetime) -> None:
        """A new live claim; a key already held live fails at the unique index."""
        self.add_many(bill_id, {charge_key: line_no}, at)

    def add_many(self, bill_id: str, lines: Mapping[str, str], at: datetime) -> None:
        """New live claims of ``bill_id``, ``charge_key → line_no``, in one statement (a visit has
        hundreds of lines); a key already held live fails at the unique index, and none is added."""
        _INSERT_CLAIMS.execute(
            self._session.connection(),
            [(key, bill_id, line_no, at, None, "") for key, line_no in lines.items()],
        )

    def release(self, bill_id: str, line_nos: Collection[str], at: datetime, reason: str) -> int:
        """Release ``bill_id``'s live claims on ``line_nos``."""
        if not line_nos:
            return 0
        result = self._session.connection().execute(
            update(_CLAIMS)
            .where(
                _CLAIMS.c.bill_id == bill_id,
                _CLAIMS.c.line_no.in_(sorted(set(line_nos))),
                _CLAIMS.c.released_at.is_(None),
            )
            .values(released_at=at, release_reason=reason)
        )
        return int(getattr(result, "rowcount", 0) or 0)


_CLAIMS = cast(Table, ChargeClaimRow.__table__)
_LIVE = fixed_sql(
    "SELECT charge_key, bill_id, line_no, claimed_at FROM charge_claims "
    "WHERE charge_key IN (SELECT value FROM json_each(?)) AND released_at IS NULL",
    1,
)
_INSERT_CLAIMS = BulkInsert(
    _CLAIMS,
    ("charge_key", "bill_id", "line_no", "claimed_at", "released_at", "release_reason"),
)
