"""A window still on the old hospital key after ``hospital key-rotate`` is told so, plainly — not
that the hospital database cannot be reached (issue 13 item 3, docs/hospital-mode.md §7).

Found by walking the set-up guide: with W02 not yet switched to the new key, its hospital-wide shift
report and its refund of a W01 settlement (the import of that settlement) both said "暂时无法连接医院
数据库" while the server answered — the rows it read were under the new key. An IT admin would look for
a network fault instead of finishing the key switch.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from helpers.engine_fixtures import demo_bill, fresh_visit
from helpers.hospital_windows import Window, sync_all, today
from helpers.pg_fixtures import HOSPITAL_KEY, HospitalDb

from app.errors import InputError, StoreError
from app.services.hospital_import import HospitalImport
from app.services.hospital_shift_report import HospitalShiftReportService
from app.store.hospital.rekey import KeyRotation

NEW_KEY = bytes(range(100, 132))


def test_a_window_on_the_old_key_is_told_to_finish_the_key_switch(
    two_windows: tuple[Window, Window], hospital_db: HospitalDb
) -> None:
    w1, w2 = two_windows
    bill = w1.engine.settle_visit(fresh_visit(demo_bill("01")), w1.cashier)
    settlement_id = next(g.settlement_id for g in bill.groups if g.settlement_id)
    assert settlement_id is not None
    sync_all([w1, w2])
    KeyRotation(hospital_db.engine, HOSPITAL_KEY, NEW_KEY).run(datetime.now(UTC))

    reports = HospitalShiftReportService(w2.record)
    with pytest.raises(StoreError) as refused:
        reports.report(reports.scope(w2.supervisor, day=today()))
    assert refused.value.code == "hospital_key_mismatch"
    assert "另一把医院密钥" in refused.value.text
    assert "无法连接" not in refused.value.text

    with pytest.raises(InputError) as not_imported:
        HospitalImport(w2.engine.uow_factory, w2.record, "W02").settlement(settlement_id)
    assert not_imported.value.code == "hospital_key_mismatch"
    assert "hospital key-rotate" in not_imported.value.text
