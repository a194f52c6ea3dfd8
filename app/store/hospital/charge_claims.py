"""Hospital-wide charge claims on PostgreSQL (:class:`~app.services.ports.charge_claims.HospitalChargeClaims`).

One row per charge key (``hospital_charge_claims``, revision h0004); a row is live while
``released_at`` is null. A claim runs in one transaction: the missing rows are inserted, every row of
the request is locked (keys in sorted order, so two windows claiming overlapping visits queue instead
of deadlocking), and either all of them become this bill's or nothing changes.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    DateTime,
    Engine,
    MetaData,
    String,
    Table,
    Text,
    and_,
    bindparam,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from app.domain.his_codec import line_from_dict, line_to_dict
from app.services.ports.charge_claims import HospitalClaimHolder
from app.services.ports.his import LoadedCharge
from app.store.hospital import schema
from app.store.hospital.connect import unreachable

_RESOLVED = ("ok", "failed", "reversed", "void", "cleaned")  # app.domain.journal: definite outcomes


class _Blocked(Exception):
    """Raised inside the claim's transaction to roll it back: others hold some of the keys."""

    def __init__(self, holders: list[HospitalClaimHolder]) -> None:
        super().__init__("blocked")
        self.holders = holders


claims = Table(
    "hospital_charge_claims",
    MetaData(),
    Column("charge_key", String(64), primary_key=True),
    Column("window", String(30), nullable=False),
    Column("bill_id", String(64), nullable=False, index=True),
    Column("line_no", String(40), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    Column("released_at", DateTime(timezone=True)),
    Column("his_visit_no", String(64), nullable=False, server_default=""),
    Column("his_line", Text, nullable=False, server_default=""),
)


_INSERT = insert(claims).on_conflict_do_nothing(index_elements=["charge_key"])
_TAKE = (
    update(claims)
    .where(claims.c.charge_key == bindparam("key"))
    .values(
        window=bindparam("to_window"),
        bill_id=bindparam("to_bill"),
        claimed_at=bindparam("at"),
        released_at=None,
        his_visit_no=bindparam("to_visit_no"),
        his_line=bindparam("to_line"),
    )
)


class PgHospitalChargeClaims:
    """The hospital's charge claims (schema upgraded to at least revision h0005)."""

    def __init__(self, engine: Engine) -> None:
        """Use ``engine`` (its ``search_path`` names the hospital record's schema)."""
        self._engine = engine

    def claim(
        self,
        window: str,
        bill_id: str,
        lines: Mapping[str, str],
        at: datetime,
        *,
        take_over_from: Collection[str] = (),
        stale_before: datetime,
        his: Mapping[str, LoadedCharge] | None = None,
    ) -> list[HospitalClaimHolder]:
        """All or nothing (see the port)."""
        keys = sorted(lines)
        his = his or {}
        if not keys:
            return []
        try:
            with self._engine.begin() as connection:
                # One statement each for the batch, built once (a statement built per line cost
                # the cashier's thread more CPU than the round trip).
                connection.execute(
                    _INSERT,
                    [
                        {
                            "charge_key": key,
                            "window": window,
                            "bill_id": bill_id,
                            "line_no": lines[key],
                            "claimed_at": at,
                        }
                        for key in keys
                    ],
                )
                rows = connection.execute(
                    select(claims)
                    .where(claims.c.charge_key.in_(keys))
                    .order_by(claims.c.charge_key)
                    .with_for_update()
                ).all()
                others: dict[tuple[str, str], datetime] = {}
                for row in rows:
                    if row.released_at is not None or row.bill_id == bill_id:
                        continue
                    if row.window == window or row.bill_id in take_over_from:
                        continue
                    held = (row.window, row.bill_id)
                    others[held] = max(others.get(held, row.claimed_at), row.claimed_at)
                holders = [
                    self._holder(connection, holder_window, holder_bill, claimed_at)
                    for (holder_window, holder_bill), claimed_at in others.items()
                ]
                blocking = [h for h in holders if not self._stale(connection, h, stale_before)]
                if blocking:
                    raise _Blocked(blocking)
                taken = []
                for key in keys:
                    loaded = his.get(lines[key])
                    taken.append(
                        {
                            "key": key,
                            "to_window": window,
                            "to_bill": bill_id,
                            "at": at,
                            "to_visit_no": loaded.visit_no if loaded else "",
                            "to_line": json.dumps(line_to_dict(loaded.line)) if loaded else "",
                        }
                    )
                connection.execute(_TAKE, taken)
        except _Blocked as blocked:
            return blocked.holders
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return []

    def his_charges(self, bill_id: str) -> list[LoadedCharge]:
        """The HIS lines ``bill_id`` claimed."""
        try:
            with self._engine.connect() as connection:
                rows = connection.execute(
                    select(claims.c.his_visit_no, claims.c.his_line)
                    .where(claims.c.bill_id == bill_id, claims.c.his_line != "")
                    .order_by(claims.c.line_no)
                ).all()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return [LoadedCharge(line_from_dict(json.loads(r.his_line)), r.his_visit_no) for r in rows]

    def release(self, bill_id: str, charge_keys: Collection[str], at: datetime) -> None:
        """Release ``bill_id``'s live claims on ``charge_keys``."""
        if not charge_keys:
            return
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    update(claims)
                    .where(
                        and_(
                            claims.c.charge_key.in_(sorted(charge_keys)),
                            claims.c.bill_id == bill_id,
                            claims.c.released_at.is_(None),
                        )
                    )
                    .values(released_at=at)
                )
        except DBAPIError as exc:
            raise unreachable(exc) from exc

    def holders(self, charge_keys: Collection[str]) -> list[dict[str, Any]]:
        """The live rows among ``charge_keys`` (for tests and the supervisor's checks)."""
        try:
            with self._engine.connect() as connection:
                rows = connection.execute(
                    select(claims).where(
                        claims.c.charge_key.in_(sorted(charge_keys)),
                        claims.c.released_at.is_(None),
                    )
                ).all()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return [dict(row._mapping) for row in rows]

    # ------------------------------------------------------------------ internals

    @staticmethod
    def _holder(
        connection: Connection, window: str, bill_id: str, claimed_at: datetime
    ) -> HospitalClaimHolder:
        s = schema.settlements
        settled = connection.execute(
            select(s.c.settlement_id)
            .where(s.c.bill_id == bill_id, ~s.c.is_cancellation, s.c.cancelled_by == "")
            .order_by(s.c.settlement_id)
        ).scalars()
        return HospitalClaimHolder(window, bill_id, tuple(str(x) for x in settled), claimed_at)

    @staticmethod
    def _stale(connection: Connection, holder: HospitalClaimHolder, stale_before: datetime) -> bool:
        """Left behind: old, nothing of it live or in flight in the record, its window caught up."""
        if holder.settlement_ids or holder.claimed_at >= stale_before:
            return False
        j = schema.journal
        in_flight = connection.execute(
            select(j.c.msgid)
            .where(j.c.bill_id == holder.bill_id, j.c.state.not_in(_RESOLVED))
            .limit(1)
        ).first()
        if in_flight is not None:
            return False
        w = schema.windows
        seen = connection.execute(
            select(w.c.last_sync_at, w.c.pending).where(w.c.device_no == holder.window)
        ).first()
        return (
            seen is not None
            and seen.last_sync_at is not None
            and seen.last_sync_at > holder.claimed_at
            and seen.pending == 0
        )
