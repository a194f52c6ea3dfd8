"""What the window needs in hospital mode (issue 13 items 4, 6, 7; issue 18's hospital-wide report).

Kept apart from :class:`app.workers.backend.CashierBackend`: the composition hands the window a
:class:`HospitalWindowBackend` only when ``[hospital_db]`` is configured
(:func:`app.hospital_window.install_hospital_window`). A thin adapter of :class:`Engine`'s
``hospital_*`` use cases (docs/architecture.md). Every method blocks and may wait for the hospital
database: call it on the NETWORK lane (the STORE lane stays free for the window's own store), never
on the GUI thread.
"""

from __future__ import annotations

from datetime import date

from app.domain.operator import Operator
from app.domain.shift_report import ShiftReport
from app.printing.shift_report_pdf import ShiftReportPdf
from app.services.engine import Engine
from app.services.hospital_day_close import HospitalDayCloseReport
from app.services.hospital_use_cases import HospitalHistoryRows, HospitalOverview
from app.services.ports.claim_conflicts import ClaimConflict
from app.services.shift_report import RenderedShiftReport

__all__ = ["HospitalHistoryRows", "HospitalOverview", "HospitalWindowBackend"]


class HospitalWindowBackend:
    """Hospital mode's use cases for the window: the engine's, for the window's threads."""

    def __init__(self, engine: Engine) -> None:
        """Use ``engine`` (in hospital mode)."""
        self._engine = engine
        self._window = engine.settings.window.device_no

    @classmethod
    def for_engine(cls, engine: Engine) -> HospitalWindowBackend | None:
        """The backend of a window in hospital mode; ``None`` for a stand-alone window."""
        return cls(engine) if engine.in_hospital_mode() else None

    @property
    def window(self) -> str:
        """This window's number (``[window] device_no``)."""
        return self._window

    def today(self) -> date:
        """The local date now."""
        return self._engine.today()

    # ------------------------------------------------------------------ history (item 4)

    def history(self, window: str | None = None) -> HospitalHistoryRows:
        """NETWORK. Today's settlements of every window (or of ``window``), newest first."""
        return self._engine.hospital_history(window)

    def prepare(self, settlement_id: str) -> None:
        """NETWORK. Bring another window's settlement, bill and receipts here (补打, 重打, partial
        refund work on this window's store); this window's own: only receipts voided elsewhere."""
        self._engine.hospital_prepare(settlement_id)

    # ------------------------------------------------------------------ day close (item 6)

    def day_close(self, operator: Operator) -> HospitalDayCloseReport:
        """NETWORK. The whole hospital's day close for today (refused naming unready windows)."""
        report = self._engine.close_today(operator)
        assert isinstance(report, HospitalDayCloseReport)  # in hospital mode
        return report

    # ------------------------------------------------------------------ supervisor (item 7, #18)

    def overview(self) -> HospitalOverview:
        """NETWORK. Every window: last sync, lag, pending, unresolved rows, today's totals (the
        figures of ``hospital status``; no personal data).

        Raises:
            StoreError: the hospital database is unreachable.
        """
        return self._engine.hospital_overview()

    def handle_conflict(self, conflict_id: int, operator: Operator, note: str) -> ClaimConflict:
        """NETWORK. A supervisor marks a charge conflict handled, saying what was done (audited at
        this window; nothing is refunded by it)."""
        return self._engine.handle_hospital_conflict(conflict_id, operator, note)

    def shift_report(
        self,
        viewer: Operator,
        day: date,
        window: str | None = None,
        operator_code: str | None = None,
    ) -> ShiftReport:
        """NETWORK. The hospital-wide shift report of ``day`` (or of one window / operator)."""
        return self._engine.hospital_shift_report(viewer, day, window, operator_code)

    def render_shift_report(
        self, report: ShiftReport, viewer: Operator, layout: str
    ) -> RenderedShiftReport:
        """NETWORK (after :meth:`shift_report`, in the same job). The PDF, audited at this window as a
        print (补打 after the first)."""
        return self._engine.render_hospital_shift_report(report, viewer, ShiftReportPdf(layout))
