"""Receipt numbers per day (never reused), copies (补打) and reissues (重打)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.services.ports.store import ReceiptIssue
from app.store.models import ReceiptCopyRow, ReceiptCounter, ReceiptRow


class UnknownReceipt(LookupError):
    """A bug: a change was asked for a receipt number that was never issued."""


class SqlReceiptRepository:
    """:class:`~app.services.ports.store.ReceiptRepository`."""

    def __init__(self, session: Session) -> None:
        """Work inside ``session``."""
        self._session = session

    def issue(self, issue: ReceiptIssue) -> None:
        """Record a newly issued receipt number (a number issued twice raises IntegrityError)."""
        self._session.add(
            ReceiptRow(
                receipt_no=issue.receipt_no,
                settlement_id=issue.settlement_id,
                bill_id=issue.bill_id,
                group_key=issue.group_key,
                issued_at=issue.issued_at,
                operator_code=issue.operator_code,
                kind=issue.kind,
                voided_by=issue.voided_by,
                replaces=issue.replaces,
                copies=issue.copies,
            )
        )
        self._session.flush()

    def next_receipt_no(self, day: date) -> str:
        """``yyyyMMdd`` + 5-digit sequence; the counter persists, so a number is never handed out twice."""
        counter = self._session.get(ReceiptCounter, day)
        if counter is None:
            counter = ReceiptCounter(day=day, last_seq=0)
            self._session.add(counter)
        while True:
            counter.last_seq += 1
            number = f"{day:%Y%m%d}{counter.last_seq:05d}"
            # Numbers issued by hand (imports, older versions) are skipped, not reused.
            if self._session.get(ReceiptRow, number) is None:
                break
        self._session.flush()
        return number

    def record_copy(self, receipt_no: str, at: datetime, operator_code: str) -> int:
        """补打: count a copy and log who printed it when; returns the copy number."""
        row = self._require(receipt_no)
        row.copies += 1
        self._session.add(
            ReceiptCopyRow(
                receipt_no=receipt_no, copy_no=row.copies, at=at, operator_code=operator_code
            )
        )
        self._session.flush()
        return row.copies

    def void(self, receipt_no: str, replaced_by: str) -> None:
        """重打: mark ``receipt_no`` as replaced by ``replaced_by``."""
        row = self._require(receipt_no)
        if row.voided_by and row.voided_by != replaced_by:
            raise ValueError(f"receipt {receipt_no} was already replaced by {row.voided_by}")
        row.voided_by = replaced_by
        self._session.flush()

    def get(self, receipt_no: str) -> ReceiptIssue | None:
        """A receipt."""
        row = self._session.get(ReceiptRow, receipt_no)
        return None if row is None else _issue(row)

    def for_settlement(self, settlement_id: str) -> Sequence[ReceiptIssue]:
        """Every receipt issued for a settlement, in issue order."""
        rows = self._session.scalars(
            select(ReceiptRow)
            .where(ReceiptRow.settlement_id == settlement_id)
            .order_by(ReceiptRow.issued_at, ReceiptRow.receipt_no)
        )
        return [_issue(row) for row in rows]

    def issued_between(self, start: datetime, end: datetime) -> Sequence[ReceiptIssue]:
        """Receipts issued in ``[start, end)``, in number order (the shift report's ranges)."""
        rows = self._session.scalars(
            select(ReceiptRow)
            .where(ReceiptRow.issued_at >= start, ReceiptRow.issued_at < end)
            .order_by(ReceiptRow.receipt_no)
        )
        return [_issue(row) for row in rows]

    def _require(self, receipt_no: str) -> ReceiptRow:
        row = self._session.get(ReceiptRow, receipt_no)
        if row is None:
            raise UnknownReceipt(receipt_no)
        return row


def _issue(row: ReceiptRow) -> ReceiptIssue:
    return ReceiptIssue(
        receipt_no=row.receipt_no,
        settlement_id=row.settlement_id,
        bill_id=row.bill_id,
        group_key=row.group_key,
        issued_at=row.issued_at,
        operator_code=row.operator_code,
        kind=row.kind,
        voided_by=row.voided_by,
        replaces=row.replaces,
        copies=row.copies,
    )
