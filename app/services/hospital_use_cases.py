"""Hospital mode's use cases for the window (issue 13 items 4, 5, 7; issue 18's hospital-wide report).

Built by the composition (:func:`app.wiring.hospital.hospital_use_cases_for`) over the same hospital
record as the hospital cancel claims and owned by :class:`app.services.engine.Engine`, which offers
them as its ``hospital_*`` methods. Every method may wait for the hospital database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from app.domain.journal import JournalState
from app.domain.masking import mask_number
from app.domain.operator import Operator
from app.domain.plan import GroupKind, group_label, kind_of
from app.domain.shift_report import ShiftReport
from app.errors import InputError, StoreError
from app.messages import claim_conflicts as conflict_words
from app.services.day_close import LOCAL_ZONE
from app.services.hospital_conflicts import HospitalConflicts
from app.services.hospital_history import HistoryEntry, HospitalHistory, HospitalHistoryService
from app.services.hospital_import import (
    CLOCK_MARGIN,
    HospitalImport,
    HospitalRecordWithPayloads,
)
from app.services.hospital_resolve import HospitalResolveService
from app.services.hospital_shift_report import HospitalShiftReportService
from app.services.ports.claim_conflicts import ClaimConflict, ClaimConflicts
from app.services.ports.clock import Clock
from app.services.ports.hospital import HospitalJournalRow, WindowLiveness, WindowStatus
from app.services.ports.store import UnitOfWorkFactory
from app.services.settled_row import SettledRow
from app.services.settlement import SELF_PAY_PREFIX
from app.services.shift_report import RenderedShiftReport, ShiftReportRenderer, ShiftReportService

CHRONIC_MED_TYPE = "14"
HOSPITAL_REPORT_NO = "HOSP"  # the report number of the whole hospital: JB-HOSP-<day>-…

People = Callable[[Iterable[str]], dict[str, tuple[str, str]]]


@dataclass(frozen=True)
class HospitalHistoryRows:
    """A day's settlements of every window (or one), as the history tab lists them."""

    rows: tuple[SettledRow, ...]  # newest first
    windows: tuple[str, ...]  # every window known to the hospital record, sorted
    complete: bool  # False: only this window's rows (the hospital database is unreachable)
    notice: str = ""


@dataclass(frozen=True)
class HospitalOverview:
    """The supervisor's view of every window today (what ``hospital status --json`` prints)."""

    day: date
    windows: tuple[WindowStatus, ...]
    # Offline charge-claim conflicts not yet handled (both windows may have settled the charges),
    # then those closed today as no longer standing (``ClaimConflict.obsolete``).
    conflicts: tuple[ClaimConflict, ...] = ()


@dataclass(frozen=True)
class UnresolvedCall:
    """A window's journal row without a definite outcome (``hospital unresolved``)."""

    row: HospitalJournalRow
    window_running: bool  # False: a supervisor may resolve it here (``hospital resolve``)


@dataclass(frozen=True)
class DeadWindows:
    """Resolving a dead window's calls at this window: the service and the windows' liveness."""

    resolver: HospitalResolveService
    liveness: WindowLiveness


class HospitalUseCases:
    """Hospital mode's history, import, overview, hospital-wide shift report and every window's
    unresolved calls, at one window."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        record: HospitalRecordWithPayloads,
        *,
        window: str,
        hospital_name: str,
        hospital_code: str,
        dead_windows: DeadWindows,
        conflicts: ClaimConflicts | None = None,
    ) -> None:
        """Over this window's store (``uow_factory``) and the hospital ``record`` (``conflicts``:
        its charge-claim conflicts)."""
        self._uow_factory = uow_factory
        self._clock = clock
        self._record = record
        self._window = window
        self._hospital_name = hospital_name
        self._hospital_code = hospital_code
        self._history = HospitalHistoryService(uow_factory, record)
        self._import = HospitalImport(uow_factory, record, window)
        self._reports = HospitalShiftReportService(record)
        self._dead_windows = dead_windows
        self._conflicts = (
            HospitalConflicts(conflicts, uow_factory, clock, window=window)
            if conflicts is not None
            else None
        )

    # ------------------------------------------------------------------ history (item 4)

    def day(self, day: date, window: str | None = None) -> HospitalHistory:
        """``day``'s settlements of every window (or of ``window``) as the hospital record and this
        window's unsynced rows hold them (``hospital history``)."""
        return self._history.day(day, window)

    def history(self, day: date, window: str | None, people: People) -> HospitalHistoryRows:
        """``day``'s settlements of every window (or of ``window``), newest first; ``people``
        names the settlements this window's store knows."""
        history = self._history.day(day, window)
        try:
            known = tuple(w.device_no for w in self._record.windows(day))
        except StoreError:
            known = ()
        names = people(e.settlement.settlement_id for e in history.entries)
        shared = self._shared(history.entries, day) if history.complete else {}
        rows = []
        for entry in history.entries:
            settlement_id = entry.settlement.settlement_id
            found = shared.get(settlement_id, _Shared())
            person = names.get(settlement_id, ("", ""))
            # Another window's patient is not in this store's cache of people (even once imported).
            rows.append(
                _row(
                    entry,
                    *(person if person[1] else found.person),
                    found.category or _category(entry),
                )
            )
        return HospitalHistoryRows(
            rows=tuple(sorted(rows, key=lambda r: r.settled_at, reverse=True)),
            windows=tuple(sorted(set(known) | set(history.windows()) | {self._window})),
            complete=history.complete,
            notice=history.notice,
        )

    def _shared(self, entries: tuple[HistoryEntry, ...], day: date) -> dict[str, _Shared]:
        """Masked person number, name and group label of the day's settlements from their bills
        in the hospital record (one read of the day's bills), so a patient who paid at another
        window is found here by name and the row names the disease as the window's own rows do.
        Nothing when the hospital database is away (the list says so)."""
        start = datetime.combine(day, time.min, LOCAL_ZONE) - CLOCK_MARGIN
        try:
            bills = {str(b["bill_id"]): b for _w, b in self._record.payloads_since("bill", start)}
        except StoreError:
            return {}
        found: dict[str, _Shared] = {}
        for entry in entries:
            bill = bills.get(entry.settlement.bill_id)
            if bill is not None:
                person_no = str(bill.get("person_no") or "")
                name = str(bill.get("credential_name") or "")
                found[entry.settlement.settlement_id] = _Shared(
                    (mask_number(person_no), name), _group_label(bill, entry)
                )
        return found

    def prepare(self, settlement_id: str) -> None:
        """Bring another window's settlement, bill and receipts here (补打, 重打, partial refund
        work on this window's store); this window's own: only receipts voided elsewhere."""
        self._import.settlement(settlement_id)

    # ------------------------------------------------------------------ supervisor (item 7, #18)

    def overview(self, day: date) -> HospitalOverview:
        """Every window on ``day``: last sync, lag, pending, unresolved rows, totals (the figures
        of ``hospital status``; no personal data).

        Raises:
            StoreError: the hospital database is unreachable.
        """
        windows = tuple(self._record.windows(day))
        # The open conflicts, and those closed since the day began as no longer standing (one
        # settlement cancelled): the supervisor sees that they went away, and why.
        since = datetime.combine(day, time.min, LOCAL_ZONE)
        return HospitalOverview(day, windows, self.conflicts(obsolete_since=since))

    def conflicts(
        self, *, include_handled: bool = False, obsolete_since: datetime | None = None
    ) -> tuple[ClaimConflict, ...]:
        """The offline charge-claim conflicts not yet handled (with ``include_handled``: all;
        with ``obsolete_since``: also those closed since then as no longer standing).

        Raises:
            StoreError: the hospital database is unreachable.
        """
        if self._conflicts is None:
            return ()
        return self._conflicts.listing(
            include_handled=include_handled, obsolete_since=obsolete_since
        )

    def handle_conflict(self, conflict_id: int, supervisor: Operator, note: str) -> ClaimConflict:
        """A supervisor marks a conflict handled (audited here; see
        :meth:`~app.services.hospital_conflicts.HospitalConflicts.handle`)."""
        if self._conflicts is None:
            raise InputError(
                conflict_words.NOT_FOUND(conflict_id=conflict_id), code="conflict_not_found"
            )
        return self._conflicts.handle(conflict_id, supervisor, note)

    def shift_report(
        self,
        viewer: Operator,
        day: date,
        window: str | None = None,
        operator_code: str | None = None,
        *,
        start: time | None = None,
        end: time | None = None,
    ) -> ShiftReport:
        """The hospital-wide shift report of ``day`` (or of one window / operator; ``start`` /
        ``end``: the shift's hours, default the whole day).

        Raises:
            PermissionDenied: the viewer is not a supervisor.
        """
        scope = self._reports.scope(
            viewer,
            day=day,
            windows=frozenset({window}) if window else frozenset(),
            operator_code=operator_code,
            start=start,
            end=end,
        )
        return self._reports.report(scope)

    def render_shift_report(
        self, report: ShiftReport, viewer: Operator, renderer: ShiftReportRenderer
    ) -> RenderedShiftReport:
        """The report's PDF, audited at this window as a print (补打 after the first)."""
        windows = "+".join(sorted(report.scope.windows)) or HOSPITAL_REPORT_NO
        service = ShiftReportService(
            self._uow_factory,
            self._clock,
            hospital_name=self._hospital_name,
            hospital_code=self._hospital_code,
            window_no=windows,
            hospital_wide=True,
        )
        return service.render(report, viewer, renderer)

    # ------------------------------------------------------------------ dead windows (item 5)

    def unresolved(self) -> tuple[UnresolvedCall, ...]:
        """Every window's rows without a definite outcome, each with whether its window runs.

        Raises:
            StoreError: the hospital database is unreachable.
        """
        rows = self._dead_windows.resolver.unresolved()
        liveness = self._dead_windows.liveness
        alive = {window: liveness.is_alive(window) for window in {r.window for r in rows}}
        return tuple(UnresolvedCall(row, alive[row.window]) for row in rows)

    def resolve(self, msgid: str, supervisor: Operator) -> JournalState:
        """A supervisor resolves ``msgid`` of a window that runs nowhere, here (see
        :meth:`HospitalResolveService.resolve_for_dead_window`)."""
        return self._dead_windows.resolver.resolve_for_dead_window(msgid, supervisor)


@dataclass(frozen=True)
class _Shared:
    """What another window's bill in the hospital record says of one of its settlements."""

    person: tuple[str, str] = ("", "")  # masked person number, name
    category: str = ""  # the settled group's label; empty: not found


def _group_label(bill: dict[str, Any], entry: HistoryEntry) -> str:
    """The label of the bill's group ``entry`` settled (or cancelled): the group whose stored
    record is the settlement (a cancellation: the settlement it cancelled)."""
    s = entry.settlement
    wanted = s.original_settlement_id if s.is_cancellation else s.settlement_id
    for group in bill.get("bill_groups") or ():
        record = json.loads(group["record_json"]) if group.get("record_json") else {}
        if record.get("settlement_id") != wanted:
            continue
        disease = group.get("disease_code") or record.get("disease_code")
        if group.get("kind"):
            kind = GroupKind(group["kind"])
        else:  # an older window's group without its kind
            kind = kind_of(group.get("med_type") or record.get("med_type"), disease)
        return group_label(kind, disease)
    return ""


def _category(entry: HistoryEntry) -> str:
    s = entry.settlement
    if s.settlement_id.startswith(SELF_PAY_PREFIX):
        return group_label(GroupKind.SELF_PAY)
    if s.med_type == CHRONIC_MED_TYPE:
        return group_label(GroupKind.CHRONIC)
    return group_label(GroupKind.GENERAL)


def _row(entry: HistoryEntry, person_no_masked: str, name: str, category: str) -> SettledRow:
    s = entry.settlement
    return SettledRow(
        settlement_id=s.settlement_id,
        bill_id=s.bill_id,
        settled_at=s.settled_at,
        person_no_masked=person_no_masked,
        category=category,
        total=s.total,
        fund=s.fund,
        account=s.account,
        cash=s.cash,
        operator_code=s.operator_code,
        cancelled=bool(s.cancelled_by) or s.is_cancellation,
        patient_name=name,
        window=s.window,
    )
