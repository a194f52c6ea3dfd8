"""HIS charge lines loaded at this window and the results outbox (``his_charges``, ``his_outbox``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Row, Table, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.domain.his import ChargeResult, HisAck, HisChargeLine
from app.domain.his_codec import line_from_dict, line_to_dict, result_from_dict, result_to_dict
from app.services.ports.his import LoadedCharge, OutboxItem, OutboxState
from app.store.bulk import fixed_sql
from app.store.codec import dumps, loads
from app.store.models import HisChargeRow, HisOutboxRow
from app.store.tables import Connected

_CHARGES = cast(Table, HisChargeRow.__table__)
_OUTBOX = cast(Table, HisOutboxRow.__table__)

_LOADED = fixed_sql(
    "SELECT charge_id, visit_no, line_json, paid_setl_id FROM his_charges "
    "WHERE charge_id IN (SELECT value FROM json_each(?))",
    1,
)


class SqlHisRepository:
    """:class:`~app.services.ports.his.HisRepository` (Core statements only)."""

    def __init__(self, session: Connected) -> None:
        """Work inside ``session`` (the unit of work's transaction)."""
        self._session = session

    # ------------------------------------------------------------------ loaded lines
    def note_loaded(self, visit_no: str, lines: Sequence[HisChargeLine], at: datetime) -> None:
        """Insert or refresh the loaded lines; a paid mark stays."""
        if not lines:
            return
        statement = sqlite_insert(_CHARGES)
        statement = statement.on_conflict_do_update(
            index_elements=[_CHARGES.c.charge_id],
            set_={
                "visit_no": statement.excluded.visit_no,
                "line_json": statement.excluded.line_json,
                "loaded_at": statement.excluded.loaded_at,
            },
        )
        self._session.connection().execute(
            statement,
            [
                {
                    "charge_id": line.charge_id,
                    "visit_no": visit_no,
                    "line_json": dumps(line_to_dict(line)),
                    "loaded_at": at,
                    "paid_setl_id": "",
                }
                for line in lines
            ],
        )

    def loaded(self, charge_ids: Sequence[str]) -> Mapping[str, LoadedCharge]:
        """The loaded lines among ``charge_ids``."""
        if not charge_ids:
            return {}
        # A settlement asks about each of its lines (a hundred): one parameter for all of them
        # (SQLite's json_each, probed through the primary key), straight to the driver
        # (app.store.bulk).
        rows = _LOADED.all(self._session.connection(), (json.dumps(list(charge_ids)),))
        return {
            charge_id: LoadedCharge(
                line=line_from_dict(loads(line_json)),
                visit_no=visit_no,
                paid_setl_id=paid_setl_id,
            )
            for charge_id, visit_no, line_json, paid_setl_id in rows
        }

    def mark_paid(self, charge_id: str, setl_id: str) -> None:
        """Paid here by ``setl_id``."""
        self._session.connection().execute(
            update(_CHARGES).where(_CHARGES.c.charge_id == charge_id).values(paid_setl_id=setl_id)
        )

    def mark_unpaid(self, charge_id: str) -> None:
        """Payable again."""
        self.mark_paid(charge_id, "")

    # ------------------------------------------------------------------ outbox
    def enqueue(self, result: ChargeResult, at: datetime) -> bool:
        """Add a result unless its key is already there."""
        connection = self._session.connection()
        existing = connection.execute(
            select(_OUTBOX.c.seq).where(_OUTBOX.c.result_key == result.key)
        ).first()
        if existing is not None:
            return False
        connection.execute(
            insert(_OUTBOX).values(
                result_key=result.key,
                charge_id=result.charge_id,
                payload_json=dumps(result_to_dict(result)),
                state=OutboxState.PENDING.value,
                attempts=0,
                created_at=at,
                next_attempt_at=at,
                last_error="",
                his_ref="",
                delivered_at=None,
            )
        )
        return True

    def due(self, now: datetime, limit: int) -> Sequence[OutboxItem]:
        """Pending and refused rows, oldest first (the worker keeps order per charge)."""
        rows = self._session.connection().execute(
            select(_OUTBOX)
            .where(_OUTBOX.c.state != OutboxState.DELIVERED.value)
            .order_by(_OUTBOX.c.seq)
            .limit(limit)
        )
        return [_item(row) for row in rows]

    def record_delivery(self, seq: int, ack: HisAck, at: datetime) -> None:
        """Delivered."""
        self._session.connection().execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.seq == seq)
            .values(
                state=OutboxState.DELIVERED.value,
                attempts=_OUTBOX.c.attempts + 1,
                his_ref=ack.his_ref[:64],
                delivered_at=at,
                last_error="",
            )
        )

    def record_failure(
        self, seq: int, error: str, next_attempt_at: datetime, *, refused: bool
    ) -> None:
        """One more failed attempt."""
        values: dict[str, Any] = {
            "attempts": _OUTBOX.c.attempts + 1,
            "last_error": error[:500],
            "next_attempt_at": next_attempt_at,
        }
        if refused:
            values["state"] = OutboxState.REFUSED.value
        self._session.connection().execute(
            update(_OUTBOX).where(_OUTBOX.c.seq == seq).values(**values)
        )

    def pending_count(self) -> int:
        """Rows not delivered."""
        count = self._session.connection().scalar(
            select(func.count())
            .select_from(_OUTBOX)
            .where(_OUTBOX.c.state != OutboxState.DELIVERED.value)
        )
        return int(count or 0)

    def retry_now(self, now: datetime, *, refused_too: bool = False) -> int:
        """Waiting rows become due now; refused ones go back to pending when asked."""
        states = [OutboxState.PENDING.value]
        if refused_too:
            states.append(OutboxState.REFUSED.value)
        result = self._session.connection().execute(
            update(_OUTBOX)
            .where(_OUTBOX.c.state.in_(states))
            .values(state=OutboxState.PENDING.value, next_attempt_at=now)
        )
        return int(result.rowcount)

    def items(self, charge_id: str = "") -> Sequence[OutboxItem]:
        """Every row (of one charge), in order."""
        query = select(_OUTBOX).order_by(_OUTBOX.c.seq)
        if charge_id:
            query = query.where(_OUTBOX.c.charge_id == charge_id)
        return [_item(row) for row in self._session.connection().execute(query)]


def _item(row: Row[Any]) -> OutboxItem:
    return OutboxItem(
        seq=row.seq,
        result=result_from_dict(loads(row.payload_json)),
        state=OutboxState(row.state),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        his_ref=row.his_ref,
    )
