"""What the window's shift-report and long-work actions need, over the engine (issue 18).

Kept apart from :class:`app.workers.backend.CashierBackend` so the cashier's backend stays as it is:
the composition root hands the window an :class:`EngineShiftBackend` next to it
(``app.ui.shift_report_ui.install_shift_report``). Every method blocks: call it on a worker lane.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Protocol

from app.domain.operator import Operator
from app.domain.shift_report import ShiftReport
from app.printing.shift_report_pdf import ShiftReportPdf
from app.services.cancel import SupervisorApproval
from app.services.catalogue import SyncResult
from app.services.day_close import DayCloseReport
from app.services.engine import Engine
from app.services.hospital_day_close import HospitalDayCloseReport
from app.services.ports.progress import ProgressSink
from app.services.shift_report import RenderedShiftReport
from app.workers.backend import SupervisorCredential


class ShiftBackend(Protocol):
    """Shift reports, and the long work the window runs with a progress dialog."""

    def today(self) -> date:
        """The local date now."""
        ...

    def shift_report(self, viewer: Operator, operator_code: str | None, day: date) -> ShiftReport:
        """The report of ``operator_code``'s shift (``None``: the viewer's own, or for a supervisor
        everyone's) on ``day``; a cashier asking for another's is refused."""
        ...

    def render_shift_report(
        self, report: ShiftReport, viewer: Operator, layout: str
    ) -> RenderedShiftReport:
        """The PDF, audited as a print (补打 after the first)."""
        ...

    def day_close(
        self,
        operator: Operator,
        progress: ProgressSink,
        supervisor: SupervisorCredential | None = None,
    ) -> DayCloseReport | HospitalDayCloseReport:
        """Today's day close, reporting progress (cancellable before each 3201), as ``operator`` or
        the supervisor whose ``supervisor`` credential authorised it; in hospital mode
        the whole hospital's (it reconciles every window's records at once), with the delivery of
        this window's records and the windows check as steps too."""
        ...

    def import_catalogue(self, path: Path, progress: ProgressSink) -> int:
        """Import a catalogue file, reporting progress (cancellable until the commit)."""
        ...

    def sync_catalogue(self, operator: Operator, progress: ProgressSink) -> SyncResult:
        """Download 1301/1305/1306 and apply them (cancellable between downloads)."""
        ...


class EngineShiftBackend:
    """:class:`ShiftBackend` over the settlement engine."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def today(self) -> date:
        """The local date now."""
        return self._engine.today()

    def shift_report(self, viewer: Operator, operator_code: str | None, day: date) -> ShiftReport:
        """See :class:`ShiftBackend`."""
        return self._engine.shift_report(viewer, day, operator_code=operator_code)

    def render_shift_report(
        self, report: ShiftReport, viewer: Operator, layout: str
    ) -> RenderedShiftReport:
        """See :class:`ShiftBackend`."""
        return self._engine.render_shift_report(report, viewer, ShiftReportPdf(layout))

    def day_close(
        self,
        operator: Operator,
        progress: ProgressSink,
        supervisor: SupervisorCredential | None = None,
    ) -> DayCloseReport | HospitalDayCloseReport:
        """See :class:`ShiftBackend`."""
        approval = (
            SupervisorApproval(supervisor.code, supervisor.password, supervisor.otp)
            if supervisor is not None
            else None
        )
        return self._engine.close_today(operator, progress, approval=approval)

    def import_catalogue(self, path: Path, progress: ProgressSink) -> int:
        """See :class:`ShiftBackend`."""
        return self._engine.import_catalogue(path, progress)

    def sync_catalogue(self, operator: Operator, progress: ProgressSink) -> SyncResult:
        """See :class:`ShiftBackend`."""
        return self._engine.sync_catalogue(operator, progress)
