"""A charge conflict closes as no longer standing as soon as the cancellation reaches the hospital
record, from whichever window made it (issue 13).

W01 settled under the HIS lock alone, W02 settled the same visit, W01's push recorded the conflict.
A supervisor at W03 cancels one of the two settlements. Before this rule the conflict stayed open —
in ``hospital status``, ``doctor`` and the 全院窗口 tab — until W01 itself synced again (a window
that is switched off for the night kept it "open" in front of the supervisor until the next day).
Now W03's own sync closes it when it delivers the cancellation (audited at W03), and a window that
reads the conflicts closes one whose cancellation arrived by a delivery that did not (audited
there).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from helpers.hospital_windows import APPROVAL
from helpers.pg_fixtures import HOSPITAL_KEY, HospitalDb

from app.services.engine import Engine
from app.services.hospital_sync import HospitalSync
from app.services.ports.clock import SystemClock
from app.services.settlement import BillResult
from app.store.hospital.conflicts import PgClaimConflicts
from app.store.hospital.record import PgHospitalRecord
from hospital.test_claim_conflict_obsolete import _audit, _cancel_at, w03
from hospital.test_claim_conflicts import _ids, conflicting
from hospital.test_his_lock_offline import proxy, reference_his

__all__ = ["conflicting", "proxy", "reference_his", "w03"]  # fixtures used by name


def test_the_cancelling_windows_sync_closes_the_conflict_before_the_offline_window_syncs(
    conflicting: tuple[Engine, Engine, BillResult, BillResult],
    w03: Engine,
    hospital_db: HospitalDb,
) -> None:
    w1, w2, first, _second = conflicting

    cancellation = _cancel_at(w03, first)  # and W03's sync delivers it; W01 does nothing

    assert PgClaimConflicts(hospital_db.engine).conflicts() == []  # what status and doctor read
    (closed,) = PgClaimConflicts(hospital_db.engine).conflicts(include_handled=True)
    assert closed.obsolete
    assert (closed.handled_window, closed.handled_by) == ("W03", "")
    assert cancellation in closed.note
    assert [o for o, _ in _audit(w03, "charge_conflict")] == ["obsolete"]
    assert _audit(w1, "charge_conflict") == []
    (shown,) = w2.hospital_overview().conflicts  # shown for the day, closed, with why
    assert shown.obsolete
    assert w2.hospital_conflicts() == ()
    # W01's push afterwards still stops (its own settlement is gone) and closes nothing twice.
    assert w1.claims is not None
    assert w1.claims.push_offline_claims() == 0
    assert w1.claims.offline_claims() == {}
    assert _audit(w1, "charge_conflict") == []


def test_a_window_reading_the_conflicts_closes_one_whose_cancellation_has_arrived(
    conflicting: tuple[Engine, Engine, BillResult, BillResult],
    w03: Engine,
    hospital_db: HospitalDb,
    tmp_path: Path,
) -> None:
    w1, w2, _first, second = conflicting
    (settlement_id,) = _ids(second)
    cancellation = w03.cancel(settlement_id, w03.operator("C001"), APPROVAL).cancellation_id
    # Delivered by a sync that closes nothing (e.g. an older window's, or a server lost between
    # the delivery and the closing): the conflict is still open in the hospital record.
    record = PgHospitalRecord(hospital_db.engine, HOSPITAL_KEY)
    assert HospitalSync(w03.uow_factory, record, SystemClock(), "W03").drain().drained
    assert [c.conflict_id for c in PgClaimConflicts(hospital_db.engine).conflicts()]

    assert w2.hospital_conflicts() == ()  # read at W02: closed there, not shown as open

    (closed,) = PgClaimConflicts(hospital_db.engine).conflicts(include_handled=True)
    assert closed.obsolete
    assert closed.handled_window == "W02"
    assert cancellation in closed.note
    assert [o for o, _ in _audit(w2, "charge_conflict")] == ["obsolete"]
    (shown,) = w1.hospital_overview().conflicts
    assert shown.obsolete
    assert shown.handled_at is not None
    assert shown.handled_at > closed.detected_at - timedelta(seconds=1)
