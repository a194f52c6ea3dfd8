"""A charge conflict a supervisor marked handled while both settlements still stand is final for the
offline window's push (issue 13).

W01 settled under the HIS lock alone, W02 settled the same visit, W01's push found W02's claim and
recorded the conflict. A supervisor checks with the patient and marks it handled without either
settlement being cancelled (e.g. the patient is refunded by hand for one of them). Before this rule
W01's push kept claiming the lines against W02's claim at every sync round — and recording the same
conflict again — for ever (three statements a round, a bill that never left ``offline_claims``).
Now the push that finds the conflict handled stops: audited ``his_lock_handled``, forgotten, and
not taken up again after a restart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from helpers.pg_fixtures import HospitalDb

from app.services.engine import Engine
from app.services.offline_claims import OfflineClaims
from app.services.ports.clock import SystemClock
from app.services.settlement import BillResult
from app.store.hospital.charge_claims import PgHospitalChargeClaims
from app.store.hospital.conflicts import PgClaimConflicts
from hospital.test_claim_conflicts import conflicting
from hospital.test_his_lock_offline import proxy, reference_his

__all__ = ["conflicting", "proxy", "reference_his"]  # fixtures used by name


def _counting(monkeypatch: pytest.MonkeyPatch, cls: type, name: str) -> list[Any]:
    """Count every call of ``cls.name`` (each call is one attempt sent to the hospital record)."""
    calls: list[Any] = []
    original: Callable[..., Any] = getattr(cls, name)

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(args or kwargs)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, counted)
    return calls


def test_a_conflict_handled_while_both_settlements_stand_stops_the_push(
    conflicting: tuple[Engine, Engine, BillResult, BillResult],
    hospital_db: HospitalDb,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w1, w2, first, second = conflicting
    assert w1.claims is not None
    (conflict,) = w2.hospital_conflicts()
    w2.handle_hospital_conflict(
        conflict.conflict_id, w2.operator("S001"), "已与患者核实，两笔均保留，现金差额已手工退还"
    )
    claims = _counting(monkeypatch, PgHospitalChargeClaims, "claim")
    records = _counting(monkeypatch, PgClaimConflicts, "record")

    pushed = [w1.claims.push_offline_claims() for _ in range(4)]  # four sync rounds

    assert pushed == [0, 0, 0, 0]
    assert len(claims) == 1  # the first round finds the conflict handled; no more attempts
    assert len(records) == 1  # the same conflict is not recorded again either
    assert w1.claims.offline_claims() == {}
    now = datetime.now(UTC)
    with w1.uow_factory() as uow:
        rows = uow.audit.between(now - timedelta(hours=1), now + timedelta(minutes=1))
    assert [(r.outcome, r.bill_id) for r in rows if r.event == "charge_claim"][-1] == (
        "his_lock_handled",
        first.bill_id,
    )
    # The conflict stays as the supervisor left it; W02's bill keeps the charges.
    (kept,) = w1.hospital_conflicts(include_handled=True)
    assert (kept.handled_by, kept.handled_window) == ("S001", "W02")
    restarted = OfflineClaims(
        w1.uow_factory, SystemClock(), PgHospitalChargeClaims(hospital_db.engine), "W01",
        stale_after=timedelta(minutes=10), keys=lambda bill, lines: {},
    )  # fmt: skip
    assert restarted.pending() == {}
    held = PgHospitalChargeClaims(hospital_db.engine).holders(list(claims[0][2]))
    assert {h["bill_id"] for h in held} == {second.bill_id}


def test_an_open_conflict_keeps_waiting_for_a_supervisor(
    conflicting: tuple[Engine, Engine, BillResult, BillResult],
) -> None:
    w1, _w2, first, _second = conflicting
    assert w1.claims is not None

    assert w1.claims.push_offline_claims() == 0

    assert set(w1.claims.offline_claims()) == {first.bill_id}  # not dropped while it stands
