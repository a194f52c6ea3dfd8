"""Day-close results (the latest of a day counts; earlier attempts are kept)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.ports.store import DayCloseResult
from app.store.codec import dumps, loads
from app.store.models import DayCloseRow


class SqlDayCloseRepository:
    """:class:`~app.services.ports.store.DayCloseRepository`."""

    def __init__(self, session: Session) -> None:
        """Work inside ``session``."""
        self._session = session

    def add(self, result: DayCloseResult) -> None:
        """Store a result."""
        self._session.add(
            DayCloseRow(
                day=result.day,
                closed_at=result.closed_at,
                operator_code=result.operator_code,
                balanced=result.balanced,
                summary=result.summary,
                totals_json=dumps({key: str(value) for key, value in result.totals.items()}),
            )
        )
        self._session.flush()

    def get(self, day: date) -> DayCloseResult | None:
        """The latest result of ``day``."""
        row = self._session.scalars(
            select(DayCloseRow)
            .where(DayCloseRow.day == day)
            .order_by(DayCloseRow.closed_at.desc(), DayCloseRow.id.desc())
        ).first()
        if row is None:
            return None
        totals = {key: Decimal(value) for key, value in loads(row.totals_json).items()}
        return DayCloseResult(
            day=row.day,
            closed_at=row.closed_at,
            operator_code=row.operator_code,
            balanced=row.balanced,
            summary=row.summary,
            totals=totals,
        )
