"""Hospital mode: the supervisor's hospital-wide shift report (issue 18) from the hospital record.

The same computation as a cashier's own report (:func:`app.domain.shift_report.build_shift_report`
keeps one section per window and operator), fed with every window's records as the hospital record
holds them: settlements, cancellations and self-pay collections, the bills (to tell a partial refund
from a cancellation), receipt numbers, reversed 2207s, and the latest hospital-wide day close.

A record another window imported to cancel, refund or 补打 it (:mod:`app.services.hospital_import`)
reaches the hospital record a second time under the importing window; it is counted once, at the
window that made it (the settlement's own ``window``; a receipt's number starts with its window's).
Printing is audited at the acting window like any shift report (:class:`ShiftReportService.render`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from app.domain.journal import JournalState
from app.domain.money import ZERO
from app.domain.operator import Action, Operator
from app.domain.shift_report import (
    Amounts,
    EntryKind,
    ReceiptRecord,
    Reconciliation,
    ReconciliationState,
    ReversalRecord,
    ShiftRecord,
    ShiftReport,
    ShiftScope,
    after_close,
    build_shift_report,
)
from app.errors import RecoveryPending, StoreError
from app.messages import hospital_window as words
from app.services.auth import authorize
from app.services.hospital_import import CLOCK_MARGIN, HospitalPayloads
from app.services.settlement import SELF_PAY_PREFIX
from app.services.shift_report import DEFAULT_CLEARING_TYPE, category_for, shift_bounds

HOSPITAL_DAY_CLOSE_MARK = words.HOSPITAL_SCOPE  # in the hospital day close's stored summary


def _time(value: Any) -> datetime:
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)  # the store keeps UTC


def _money(value: Any) -> Decimal:
    return Decimal(str(value)) if value not in (None, "") else ZERO


class HospitalShiftReportService:
    """Shift reports of the whole hospital (or of chosen windows / one operator)."""

    def __init__(self, record: HospitalPayloads) -> None:
        """Read every window's records from the hospital ``record``."""
        self._record = record

    def scope(
        self,
        viewer: Operator,
        *,
        day: date,
        windows: frozenset[str] = frozenset(),
        operator_code: str | None = None,
        start: time | None = None,
        end: time | None = None,
    ) -> ShiftScope:
        """The hospital-wide scope ``viewer`` asked for: supervisors only (they close the day).

        Raises:
            PermissionDenied: the viewer may not see other cashiers' shifts.
        """
        authorize(viewer, Action.DAY_CLOSE)
        begin, finish = shift_bounds(day, start, end)
        operators = frozenset({operator_code}) if operator_code else frozenset()
        return ShiftScope(
            day=day, start=begin, end=finish, operators=operators, windows=frozenset(windows)
        )

    def report(self, scope: ShiftScope) -> ShiftReport:
        """The report of ``scope`` from what the hospital record holds now.

        Raises:
            RecoveryPending: the hospital database is unreachable (nothing to report from).
            StoreError: records under another hospital key (``hospital_key_mismatch``).
        """
        try:
            fetched = {
                kind: self._record.payloads_since(kind, scope.start - CLOCK_MARGIN)
                for kind in ("settlement", "bill", "receipt", "journal", "day_close")
            }
        except StoreError as exc:
            if exc.code != "hospital_unreachable":
                raise  # e.g. records under another hospital key: its own words say what to do
            raise RecoveryPending(
                words.REPORT_UNREACHABLE(),
                code="hospital_unreachable",
                detail=exc.detail,
            ) from exc
        bills = {str(p["bill_id"]): p for _w, p in fetched["bill"]}
        children = {b for b, p in bills.items() if p.get("parent_bill_id")}
        parents = {str(p["parent_bill_id"]) for p in bills.values() if p.get("parent_bill_id")}
        records = _settlements(fetched["settlement"], children, parents)
        reconciliation = _reconciliation(fetched["day_close"], scope.day)
        return build_shift_report(
            scope,
            records,
            _reversals(fetched["journal"]),
            _receipts(fetched["receipt"]),
            self._after_close(reconciliation, scope, records, fetched["settlement"]),
        )

    def _after_close(
        self,
        reconciliation: Reconciliation,
        scope: ShiftScope,
        records: list[ShiftRecord],
        fetched: list[tuple[str, dict[str, Any]]],
    ) -> Reconciliation:
        """The close with every window's records of the day made after it counted. What was read
        for the scope holds them unless the close came before the scope's start (a later shift):
        then the day's settlements from the close on are read as well."""
        closed_at = reconciliation.closed_at
        if closed_at is None:
            return reconciliation
        start, end = shift_bounds(scope.day)
        if closed_at >= end:
            return reconciliation
        if closed_at < scope.start:
            try:
                fetched = self._record.payloads_since("settlement", max(start, closed_at))
            except StoreError as exc:
                if exc.code != "hospital_unreachable":
                    raise
                raise RecoveryPending(
                    words.REPORT_UNREACHABLE(), code="hospital_unreachable", detail=exc.detail
                ) from exc
            records = _settlements(fetched, set(), set())  # only when and how much matter here
        made = [(r.at, r.amounts.total) for r in records]
        return after_close(reconciliation, made, start, end)


def _settlements(
    payloads: list[tuple[str, dict[str, Any]]], children: set[str], parents: set[str]
) -> list[ShiftRecord]:
    found: dict[str, ShiftRecord] = {}
    for window, p in payloads:
        own = str(p.get("window") or window)
        if own != window:
            continue  # another window's settlement, imported here: counted at its own window
        settlement_id = str(p["settlement_id"])
        found[settlement_id] = ShiftRecord(
            settlement_id=settlement_id,
            kind=_kind(p, children, parents),
            category=category_for(
                settlement_id, str(p.get("med_type") or ""), p.get("disease_code")
            ),
            operator_code=str(p["operator_code"]),
            window=own,
            at=_time(p["settled_at"]),
            amounts=Amounts(
                total=_money(p["total"]),
                fund=_money(p["fund"]),
                account=_money(p["account"]),
                cash=_money(p["cash"]),
                hospital=_money(p.get("hospital")),
            ),
            bill_id=str(p["bill_id"]),
            insurance_type=str(p.get("insurance_type") or ""),
            clearing_type=str(p.get("clearing_type") or DEFAULT_CLEARING_TYPE),
            clearing_agency=str(p.get("clearing_agency") or ""),
        )
    return list(found.values())


def _kind(p: dict[str, Any], children: set[str], parents: set[str]) -> EntryKind:
    """As :func:`app.services.day_close.entry_kind` decides it for a stored record."""
    self_pay = str(p["settlement_id"]).startswith(SELF_PAY_PREFIX)
    bill_id = str(p["bill_id"])
    if p.get("is_cancellation"):
        if self_pay:
            return EntryKind.SELF_PAY_REFUND
        return EntryKind.PARTIAL_REFUND if bill_id in parents else EntryKind.CANCELLATION
    if self_pay:
        return EntryKind.SELF_PAY
    return EntryKind.RESETTLEMENT if bill_id in children else EntryKind.SETTLEMENT


def _receipts(payloads: list[tuple[str, dict[str, Any]]]) -> list[ReceiptRecord]:
    """One record per number: at the window whose number it is, voided if voided anywhere."""
    by_number: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for window, p in payloads:
        by_number.setdefault(str(p["receipt_no"]), []).append((window, p))
    records = []
    for number, copies in sorted(by_number.items()):
        owners = [w for w, _p in copies if number.startswith(f"{w}-")]
        window, first = next(((w, p) for w, p in copies if w in owners), copies[0])
        records.append(
            ReceiptRecord(
                receipt_no=number,
                settlement_id=str(first["settlement_id"]),
                kind=str(first["kind"]),
                operator_code=str(first["operator_code"]),
                window=window,
                issued_at=_time(first["issued_at"]),
                voided_by=next((str(p["voided_by"]) for _w, p in copies if p.get("voided_by")), ""),
                replaces=str(first.get("replaces") or ""),
                copies=max(int(p.get("copies") or 0) for _w, p in copies),
            )
        )
    return records


def _reversals(payloads: list[tuple[str, dict[str, Any]]]) -> list[ReversalRecord]:
    """Reversed 2207s, once per msgid (a dead window's row resolved elsewhere is held twice)."""
    found: dict[str, ReversalRecord] = {}
    for window, p in payloads:
        if p.get("infno") != "2207" or p.get("state") != JournalState.REVERSED.value:
            continue
        msgid = str(p["msgid"])
        found.setdefault(
            msgid,
            ReversalRecord(
                msgid=msgid,
                bill_id=str(p["bill_id"]),
                group_key=str(p.get("group_key") or ""),
                operator_code=str(p["operator_code"]),
                window=window,
                at=_time(p["created_at"]),
                amount=_money(p.get("amount")),
            ),
        )
    return list(found.values())


def _reconciliation(payloads: list[tuple[str, dict[str, Any]]], day: date) -> Reconciliation:
    """The latest hospital-wide day close of ``day`` (a window's own day close is not the
    hospital's reconciliation)."""
    closes = [
        (window, p)
        for window, p in payloads
        if str(p.get("day")) == day.isoformat()
        and HOSPITAL_DAY_CLOSE_MARK in str(p.get("summary") or "")
    ]
    if not closes:
        return Reconciliation(day, ReconciliationState.NOT_CLOSED)
    window, latest = max(closes, key=lambda item: _time(item[1]["closed_at"]))
    state = (
        ReconciliationState.BALANCED if latest.get("balanced") else ReconciliationState.UNBALANCED
    )
    return Reconciliation(
        day,
        state,
        _time(latest["closed_at"]),
        str(words.CLOSED_AT_WINDOW(operator=latest["operator_code"], window=window)),
        str(latest.get("summary") or ""),
    )
