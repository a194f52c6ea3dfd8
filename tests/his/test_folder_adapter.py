"""The folder adapter with a real folder, the reference HIS writing visit@1 files and answering."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from app.domain.his import (
    ChargeResult,
    ChargeStatus,
    LineMoney,
    PatientKey,
    PatientKeyKind,
    ResultKind,
    result_key,
)
from app.his.folder import FolderHis, file_name
from app.sandbox.his.demo import demo_his
from app.sandbox.his.folder import FolderJob
from app.services.bill_import import load_visit
from app.services.ports.his import HisRejected, HisUnavailable

QINGHAI_ID = "630120197003151227"


def _settled(charge_id: str) -> ChargeResult:
    return ChargeResult(
        key=result_key("400000000001", charge_id, ResultKind.SETTLED),
        kind=ResultKind.SETTLED,
        charge_id=charge_id,
        visit_no="MZ202611230001",
        setl_id="400000000001",
        fee_category="chronic",
        fee_category_name="门诊慢特病 M00500",
        money=LineMoney(Decimal("77.00"), Decimal("55.59"), Decimal("0.00"), Decimal("21.41")),
        occurred_at=datetime(2026, 11, 23, 1, 30, tzinfo=UTC),
        operator_code="C001",
        window="W01",
    )


def test_visit_files_in_result_files_out_applied_once(tmp_path: Path) -> None:
    his = demo_his()
    job = FolderJob(his, tmp_path)
    job.publish()
    adapter = FolderHis(tmp_path)

    # the files the HIS writes are plain visit@1 documents
    assert load_visit(tmp_path / "in" / "MZ202611230001.json").outpatient_no == "MZ202611230001"
    (visit,) = adapter.unpaid_visits(PatientKey(PatientKeyKind.ID_NUMBER, QINGHAI_ID))
    assert visit.total == Decimal("179.63")
    assert visit.lines[0].charge_id == "MZ202611230001-1"

    result = _settled("MZ202611230001-1")
    for _ in range(2):  # a second delivery writes nothing new
        with pytest.raises(HisUnavailable) as waiting:
            adapter.report(result)  # written; delivered once the HIS answers in ack/
        assert waiting.value.code == "his_pending"
    out = tmp_path / "out" / file_name(result.key)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert job.apply_results() == 1
    assert job.apply_results() == 0
    assert his.status("MZ202611230001-1") is ChargeStatus.PAID
    assert len(his.applied()) == 1
    assert adapter.report(result).his_ref.startswith("HIS")
    assert adapter.current_charges(["MZ202611230001-1"]) == []  # no longer in the visit file


def test_a_refusal_in_the_ack_folder_is_rejected(tmp_path: Path) -> None:
    his = demo_his()
    job = FolderJob(his, tmp_path)
    job.publish()
    his.pay_elsewhere("MZ202611230001-2")
    adapter = FolderHis(tmp_path)
    result = _settled("MZ202611230001-2")
    with pytest.raises(HisUnavailable):
        adapter.report(result)
    job.apply_results()
    with pytest.raises(HisRejected):
        adapter.report(result)


def test_a_missing_folder_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(HisUnavailable):
        FolderHis(tmp_path / "nowhere").unpaid_visits(PatientKey(PatientKeyKind.ID_NUMBER, "x"))
