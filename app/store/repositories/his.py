"""HIS charge lines loaded at this window and the results outbox (``his_charges``, ``his_outbox``)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.his import ChargeResult, HisAck, HisChargeLine
from app.domain.his_codec import line_from_dict, line_to_dict, result_from_dict, result_to_dict
from app.services.ports.his import LoadedCharge, OutboxItem, OutboxState
from app.store.bulk import fixed_sql
from app.store.codec import dumps, loads
from app.store.models import HisChargeRow, HisOutboxRow

_LOADED = fixed_sql(
    "SELECT charge_id, visit_no, line_json, paid_setl_id FROM his_charges "
    "WHERE charge_id IN (SELECT value FROM json_each(?))",
    1,
)


class SqlHisRepository:
    """:class:`~app.services.ports.his.HisRepository`."""

    def __init__(self, session: Session) -> None:
        """Work inside ``session``."""
        self._session = session

    # ------------------------------------------------------------------ loaded lines
    def note_loaded(self, visit_no: str, lines: Sequence[HisChargeLine], at: datetime) -> None:
        """Insert or refresh the loaded lines; a paid mark stays."""
        for line in lines:
            row = self._session.get(HisChargeRow, line.charge_id)
            text = dumps(line_to_dict(line))
            if row is None:
                self._session.add(
                    HisChargeRow(
                        charge_id=line.charge_id,
                        visit_no=visit_no,
                        line_json=text,
                        loaded_at=at,
                        paid_setl_id="",
                    )
                )
            else:
                row.visit_no, row.line_json, row.loaded_at = visit_no, text, at
        self._session.flush()

    def loaded(self, charge_ids: Sequence[str]) -> Mapping[str, LoadedCharge]:
        """The loaded lines among ``charge_ids``."""
        if not charge_ids:
            return {}
        # A settlement asks about each of its lines (a hundred): one parameter for all of them
        # (SQLite's json_each, probed through the primary key), straight to the driver
        # (app.store.bulk); lines changed through the ORM in this unit of work are flushed first.
        self._session.flush()
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
        row = self._session.get(HisChargeRow, charge_id)
        if row is not None:
            row.paid_setl_id = setl_id
            self._session.flush()

    def mark_unpaid(self, charge_id: str) -> None:
        """Payable again."""
        self.mark_paid(charge_id, "")

    # ------------------------------------------------------------------ outbox
    def enqueue(self, result: ChargeResult, at: datetime) -> bool:
        """Add a result unless its key is already there."""
        existing = self._session.scalar(
            select(HisOutboxRow.seq).where(HisOutboxRow.result_key == result.key)
        )
        if existing is not None:
            return False
        self._session.add(
            HisOutboxRow(
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
        self._session.flush()
        return True

    def due(self, now: datetime, limit: int) -> Sequence[OutboxItem]:
        """Pending and refused rows, oldest first (the worker keeps order per charge)."""
        rows = self._session.scalars(
            select(HisOutboxRow)
            .where(HisOutboxRow.state != OutboxState.DELIVERED.value)
            .order_by(HisOutboxRow.seq)
            .limit(limit)
        )
        return [_item(row) for row in rows]

    def record_delivery(self, seq: int, ack: HisAck, at: datetime) -> None:
        """Delivered."""
        row = self._session.get(HisOutboxRow, seq)
        if row is None:
            return
        row.state = OutboxState.DELIVERED.value
        row.attempts += 1
        row.his_ref = ack.his_ref[:64]
        row.delivered_at = at
        row.last_error = ""
        self._session.flush()

    def record_failure(
        self, seq: int, error: str, next_attempt_at: datetime, *, refused: bool
    ) -> None:
        """One more failed attempt."""
        row = self._session.get(HisOutboxRow, seq)
        if row is None:
            return
        row.attempts += 1
        row.last_error = error[:500]
        row.next_attempt_at = next_attempt_at
        if refused:
            row.state = OutboxState.REFUSED.value
        self._session.flush()

    def pending_count(self) -> int:
        """Rows not delivered."""
        count = self._session.scalar(
            select(func.count())
            .select_from(HisOutboxRow)
            .where(HisOutboxRow.state != OutboxState.DELIVERED.value)
        )
        return int(count or 0)

    def retry_now(self, now: datetime, *, refused_too: bool = False) -> int:
        """Waiting rows become due now; refused ones go back to pending when asked."""
        states = [OutboxState.PENDING.value]
        if refused_too:
            states.append(OutboxState.REFUSED.value)
        rows = list(
            self._session.scalars(select(HisOutboxRow).where(HisOutboxRow.state.in_(states)))
        )
        for row in rows:
            row.state = OutboxState.PENDING.value
            row.next_attempt_at = now
        self._session.flush()
        return len(rows)

    def items(self, charge_id: str = "") -> Sequence[OutboxItem]:
        """Every row (of one charge), in order."""
        query = select(HisOutboxRow).order_by(HisOutboxRow.seq)
        if charge_id:
            query = query.where(HisOutboxRow.charge_id == charge_id)
        return [_item(row) for row in self._session.scalars(query)]


def _item(row: HisOutboxRow) -> OutboxItem:
    return OutboxItem(
        seq=row.seq,
        result=result_from_dict(loads(row.payload_json)),
        state=OutboxState(row.state),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
        his_ref=row.his_ref,
    )
