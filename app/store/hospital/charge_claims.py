"""Hospital-wide charge claims on PostgreSQL (:class:`~app.services.ports.charge_claims.HospitalChargeClaims`).

One row per charge key (``hospital_charge_claims``, revision h0004); a row is live while
``released_at`` is null. A claim is one call of the server-side function ``hospital_claim_charges``
(revision h0007), in its own transaction: the missing rows are inserted, every row of the request is
locked (keys in sorted order, so two windows claiming overlapping visits queue instead of
deadlocking), and either all of them become this bill's or nothing changes. One round trip on the
cashier's path (it was five statements: BEGIN, insert, lock, take, COMMIT).
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
    select,
    update,
)
from sqlalchemy.exc import DBAPIError

from app.domain.his_codec import line_from_dict, line_to_dict
from app.services.ports.charge_claims import HospitalClaimHolder
from app.services.ports.his import LoadedCharge
from app.store.hospital.connect import unreachable

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


# The claim as one call of the server-side function (revision h0007); the keys sorted by the caller.
_CLAIM = (
    "SELECT held_window, held_bill, held_settlements, held_since FROM hospital_claim_charges("
    "%(window)s, %(bill)s, CAST(%(keys)s AS text[]), CAST(%(line_nos)s AS text[]), %(at)s, "
    "CAST(%(take_over)s AS text[]), %(stale_before)s, CAST(%(visit_nos)s AS text[]), "
    "CAST(%(lines)s AS text[]))"
)


class PgHospitalChargeClaims:
    """The hospital's charge claims (schema upgraded to at least revision h0007)."""

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
        loaded = [his.get(lines[key]) for key in keys]
        arguments = {
            "window": window,
            "bill": bill_id,
            "keys": keys,
            "line_nos": [lines[key] for key in keys],
            "at": at,
            "take_over": sorted(take_over_from),
            "stale_before": stale_before,
            "visit_nos": [c.visit_no if c else "" for c in loaded],
            "lines": [json.dumps(line_to_dict(c.line)) if c else "" for c in loaded],
        }
        try:
            # One statement, its own transaction (autocommit): the function (revision h0007) is
            # all or nothing by itself, so no BEGIN and COMMIT round trips around it.
            with self._engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as connection:
                rows = connection.exec_driver_sql(_CLAIM, arguments).all()
        except DBAPIError as exc:
            raise unreachable(exc) from exc
        return [
            HospitalClaimHolder(str(w), str(b), tuple(str(x) for x in settled), since)
            for w, b, settled, since in rows
        ]

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
