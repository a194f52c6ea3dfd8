"""Hospital mode: each window obtains its msgid slot from the hospital database (issue 13), keeps it
locally for offline starts, and without one never sends a state-changing platform call."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tomli_w
from helpers.engine_fixtures import add_operators, demo_bill, make_engine
from helpers.pg_fixtures import HospitalDb, hospital_test_url

from app.config import load_settings
from app.errors import StoreError
from app.sandbox import SandboxServer, client_config
from app.store.hospital.key import create_hospital_key
from app.store.hospital.slots import PgMsgidSlots

AT = datetime(2026, 12, 7, 5, 0, tzinfo=UTC)
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/test"
STATE_CHANGING = ("2201", "2203", "2204", "2206", "2207")


def test_two_windows_get_different_slots_and_a_window_keeps_its_own(
    hospital_db: HospitalDb,
) -> None:
    slots = PgMsgidSlots(hospital_db.engine)

    first, second = slots.claim("W01", AT), slots.claim("W02", AT)

    assert first != second
    assert slots.claim("W01", AT) == first
    assert slots.claim("W02", AT) == second


def test_twenty_windows_claiming_at_once_get_distinct_slots(hospital_db: HospitalDb) -> None:
    slots = PgMsgidSlots(hospital_db.engine)

    with ThreadPoolExecutor(max_workers=20) as pool:
        claimed = list(pool.map(lambda n: slots.claim(f"W{n:02d}", AT), range(20)))

    assert sorted(claimed) == list(range(20))


def test_when_every_slot_is_taken_the_next_window_is_told_in_chinese(
    hospital_db: HospitalDb,
) -> None:
    slots = PgMsgidSlots(hospital_db.engine)
    for n in range(100):
        slots.claim(f"W{n:03d}", AT)

    with pytest.raises(StoreError) as raised:
        slots.claim("W999", AT)

    assert raised.value.code == "msgid_slots_full"
    assert "编号段" in str(raised.value)


def _config(tmp_path: Path, sandbox: SandboxServer, url: str, device_no: str) -> Path:
    key = tmp_path / "hospital.key"
    if not key.exists():
        create_hospital_key(key)
    config = client_config(sandbox)
    config["window"] = {**config.get("window", {}), "device_no": device_no}
    config["hospital_db"] = {"url": url, "hospital_key_file": str(key)}
    path = tmp_path / f"{device_no}-{'away' if url == UNREACHABLE else 'on'}.toml"
    path.write_text(tomli_w.dumps(config), encoding="utf-8")
    return path


def _schema_url(hospital_db: HospitalDb) -> str:
    return f"{hospital_test_url()}?options=-csearch_path%3D{hospital_db.schema}"


def _sent(sandbox: SandboxServer) -> int:
    return sum(sandbox.request_count(infno) for infno in STATE_CHANGING)


def test_a_window_that_never_obtained_a_slot_is_refused_before_anything_is_sent(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    config = _config(tmp_path, sandbox, UNREACHABLE, "W01")
    engine = make_engine(load_settings(config), tmp_path / "w01")
    try:
        cashier, _ = add_operators(engine)
        before = _sent(sandbox)
        # A bill without a HIS outpatient number: no hospital-wide charge claim to take first
        # (a HIS visit is refused earlier, for the unreachable server: test_hospital_charge_claims).
        with pytest.raises(StoreError) as raised:
            engine.settle_visit(replace(demo_bill("01"), outpatient_no=""), cashier)
    finally:
        engine.close()

    assert raised.value.code == "msgid_slot_missing"
    assert "连接一次医院数据库" in str(raised.value)
    assert _sent(sandbox) == before


def test_windows_take_their_slots_at_start_and_reuse_them_offline(
    sandbox: SandboxServer, hospital_db: HospitalDb, tmp_path: Path
) -> None:
    slots = {}
    for name in ("W01", "W02"):
        engine = make_engine(
            load_settings(_config(tmp_path, sandbox, _schema_url(hospital_db), name)),
            tmp_path / name,
        )
        with engine.uow_factory() as uow:
            slots[name] = uow.msgids.window_slot()
        engine.close()
    # Later, with the hospital database down, W01 starts on its stored slot and sends under it (a
    # bill without a HIS outpatient number: a HIS visit waits for the server's charge claim).
    offline = make_engine(
        load_settings(_config(tmp_path, sandbox, UNREACHABLE, "W01")), tmp_path / "W01"
    )
    try:
        cashier, _ = add_operators(offline)
        with offline.uow_factory() as uow:
            reused = uow.msgids.window_slot()
        before = sandbox.request_count("2201")
        result = offline.settle_visit(replace(demo_bill("01"), outpatient_no=""), cashier)
    finally:
        offline.close()

    assert slots["W01"] is not None
    assert slots["W02"] is not None
    assert slots["W01"] != slots["W02"]
    assert reused == slots["W01"]
    assert result is not None
    assert sandbox.request_count("2201") == before + 1, "sent under the stored slot"
