"""A charge conflict stops standing once one of its two settlements is cancelled — also at a third
window (issue 13). W01 settled under the HIS lock alone, W02 settled the same visit, W01's push found
W02's claim and recorded the conflict. Then a supervisor at W03 cancels one of the two settlements:

* W01's own: W01's store never learns of a cancellation made elsewhere, so before this rule its push
  was refused by W02's (now rightful) claim at every sync round, quietly, for ever. Now W03's sync
  closes the conflict as no longer standing with the reason when it delivers the cancellation
  (``test_claim_conflict_closes_on_cancel.py``), and W01's push sees the hospital record's
  cancellation and stops (audited ``his_lock_obsolete``; a restarted W01 does not take it up again);
* W02's: W01's claims are granted at the next push, and the conflict is closed the same way instead
  of staying "open" in front of the supervisor.

The supervisor's view (``hospital_overview``, ``hospital status``) shows the closed conflict for the
rest of the day with why; ``hospital conflicts`` and ``doctor`` count it no more.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from helpers.hospital_windows import APPROVAL
from helpers.pg_fixtures import HospitalDb

from app.messages import ENGLISH
from app.sandbox import SandboxServer
from app.sandbox.his import ReferenceHis
from app.services.charge_claims import charge_key
from app.services.engine import Engine
from app.services.hospital_conflicts import conflict_advice
from app.services.offline_claims import OfflineClaims
from app.services.ports.clock import SystemClock
from app.services.settlement import BillResult
from app.store.hospital.charge_claims import PgHospitalChargeClaims
from app.store.hospital.conflicts import PgClaimConflicts
from hospital.test_claim_conflicts import _drain, _ids, _window, conflicting
from hospital.test_his_lock_offline import proxy, reference_his

__all__ = ["conflicting", "proxy", "reference_his"]  # fixtures used by name


@pytest.fixture
def w03(
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    reference_his: tuple[ReferenceHis, str],
    tmp_path: Path,
) -> Iterator[Engine]:
    """A third window, reaching the server directly, where a supervisor cancels."""
    port = int(hospital_db.url.rsplit(":", 1)[1].split("/", 1)[0])
    engine = _window(
        "W03", sandbox, hospital_db, port=port, his_url=reference_his[1], folder=tmp_path,
        lock=False,
    )  # fmt: skip
    try:
        yield engine
    finally:
        engine.close()


def _cancel_at(window: Engine, bill: BillResult) -> str:
    (settlement_id,) = _ids(bill)
    result = window.cancel(settlement_id, window.operator("C001"), APPROVAL)
    _drain(window)
    return result.cancellation_id


def _audit(engine: Engine, event: str) -> list[tuple[str, str]]:
    now = datetime.now(UTC)
    with engine.uow_factory() as uow:
        rows = uow.audit.between(now - timedelta(hours=1), now + timedelta(minutes=1))
    return [(r.outcome, r.detail) for r in rows if r.event == event]


def test_the_offline_windows_settlement_cancelled_at_a_third_window_stops_its_push(
    conflicting: tuple[Engine, Engine, BillResult, BillResult],
    w03: Engine,
    hospital_db: HospitalDb,
) -> None:
    w1, w2, first, second = conflicting
    assert w1.claims is not None
    cancellation = _cancel_at(w03, first)

    assert w1.claims.push_offline_claims() == 0
    assert w1.claims.offline_claims() == {}  # stopped: not retried at every round any more
    assert [o for o, _ in _audit(w1, "charge_claim") if o == "his_lock_obsolete"] == [
        "his_lock_obsolete"
    ]
    (closed,) = w1.hospital_conflicts(include_handled=True)
    assert closed.obsolete
    assert not closed.open
    assert (closed.handled_window, closed.handled_by) == ("W03", "")  # closed by W03's sync
    assert cancellation in closed.note
    assert "W03" in closed.note
    advice = conflict_advice(closed)
    assert "不再成立" in str(advice)
    assert "W03" in str(advice)
    assert cancellation in str(advice)
    assert "no longer stands" in advice.render(ENGLISH)
    assert [o for o, _ in _audit(w03, "charge_conflict")] == ["obsolete"]
    assert _audit(w1, "charge_conflict") == []  # found closed: not closed twice

    # The supervisor's view: closed, shown for the day with why; nothing waits any more.
    (shown,) = w2.hospital_overview().conflicts
    assert shown.conflict_id == closed.conflict_id
    assert shown.obsolete
    assert w2.hospital_conflicts() == ()
    assert PgClaimConflicts(hospital_db.engine).conflicts() == []
    # W02's settlement keeps the charges; W01 restarted does not take the push up again.
    held = PgHospitalChargeClaims(hospital_db.engine).holders(_keys(w1, first))
    assert {h["bill_id"] for h in held} == {second.bill_id}
    restarted = OfflineClaims(
        w1.uow_factory, SystemClock(), PgHospitalChargeClaims(hospital_db.engine), "W01",
        stale_after=timedelta(minutes=10), keys=lambda bill, lines: {},
    )  # fmt: skip
    assert restarted.pending() == {}


def test_the_other_settlement_cancelled_at_a_third_window_closes_the_conflict(
    conflicting: tuple[Engine, Engine, BillResult, BillResult],
    w03: Engine,
    hospital_db: HospitalDb,
) -> None:
    w1, _w2, first, second = conflicting
    assert w1.claims is not None
    cancellation = _cancel_at(w03, second)

    assert w1.claims.push_offline_claims() == 1  # W02's claims were given back: W01's granted
    assert w1.claims.offline_claims() == {}
    held = PgHospitalChargeClaims(hospital_db.engine).holders(_keys(w1, first))
    assert {h["bill_id"] for h in held} == {first.bill_id}
    (closed,) = w1.hospital_conflicts(include_handled=True)
    assert closed.obsolete
    assert cancellation in closed.note
    assert "W02" in closed.note
    assert "只剩窗口 W01" in str(conflict_advice(closed))
    assert w1.hospital_conflicts() == ()


def _keys(engine: Engine, bill: BillResult) -> list[str]:
    with engine.uow_factory() as uow:
        stored = uow.bills.get(bill.bill_id)
    assert stored is not None
    return [charge_key(stored.outpatient_no, line) for line in stored.lines]
