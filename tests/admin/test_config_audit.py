"""Configuration changes are audited at start-up, naming the keys and never a value (S5, S8)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, cast

from helpers.engine_fixtures import make_engine
from helpers.store_fixtures import StoreTestClock

from app.config import effective_values, settings_from_mapping
from app.services.config_audit import record_config_change
from app.services.ports.store import AuditRecord, UnitOfWorkFactory
from app.store import SqlUnitOfWorkFactory

OLD_TOKEN = "old-paas-token-0123456789"
NEW_TOKEN = "new-paas-token-9876543210"


def config(token: str = OLD_TOKEN, **tables: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "platform": {"url": "https://127.0.0.1:9", "passid": "pass01", "token": token},
        "hospital": {"code": "H11010500001", "name": "测试医院", "admdvs": "110105"},
    }
    data.update(tables)
    return data


def values(token: str = OLD_TOKEN, **tables: dict[str, Any]) -> dict[str, str]:
    return effective_values(settings_from_mapping(config(token, **tables)))


def audit_rows(factory: UnitOfWorkFactory, clock: StoreTestClock) -> list[AuditRecord]:
    now = clock.now()
    with factory() as uow:
        return list(uow.audit.between(now - timedelta(days=1), now + timedelta(days=1)))


def test_first_start_records_then_only_changes_are_audited(
    uow_factory: SqlUnitOfWorkFactory, store_clock: StoreTestClock
) -> None:
    factory = cast(UnitOfWorkFactory, uow_factory)
    assert record_config_change(factory, store_clock, values()) is None
    assert record_config_change(factory, store_clock, values()) == []
    store_clock.advance(60)
    changed = record_config_change(
        factory, store_clock, values(NEW_TOKEN, ui={"language": "en"}, login={"max_failures": 3})
    )
    assert changed == ["login.max_failures", "platform.token", "ui.language"]
    assert record_config_change(factory, store_clock, values(NEW_TOKEN, ui={"language": "en"})) == [
        "login.max_failures"
    ]

    rows = audit_rows(factory, store_clock)
    assert [(r.event, r.operator_code, r.outcome) for r in rows] == [
        ("config_recorded", "system", "ok"),
        ("config_changed", "system", "ok"),
        ("config_changed", "system", "ok"),
    ]
    assert rows[1].detail == "changed: login.max_failures, platform.token, ui.language"
    for row in rows:
        assert OLD_TOKEN not in row.detail
        assert NEW_TOKEN not in row.detail
        assert '"en"' not in row.detail
    with factory() as uow:
        assert uow.audit.verify() == []


def test_the_stored_fingerprints_do_not_reveal_the_token(
    uow_factory: SqlUnitOfWorkFactory, store_clock: StoreTestClock, store_path: Path
) -> None:
    factory = cast(UnitOfWorkFactory, uow_factory)
    record_config_change(factory, store_clock, values())
    with factory() as uow:
        stored = uow.config_state.last()
    assert stored is not None
    assert set(stored) == set(values())
    raw = b"".join(
        p.read_bytes() for p in store_path.parent.iterdir() if p.name.startswith(store_path.name)
    )
    assert OLD_TOKEN.encode() not in raw
    assert b"platform.token" not in raw  # the whole fingerprint map is encrypted


def test_each_engine_start_compares_with_the_last(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    for settings in (
        settings_from_mapping(config()),
        settings_from_mapping(config()),
        settings_from_mapping(config(window={"device_no": "W02"})),
    ):
        make_engine(settings, data_dir).close()
    engine = make_engine(settings_from_mapping(config(window={"device_no": "W02"})), data_dir)
    try:
        now = engine.clock.now()
        with engine.uow_factory() as uow:
            rows = uow.audit.between(now - timedelta(hours=1), now + timedelta(hours=1))
            events = [(r.event, r.detail) for r in rows if r.event.startswith("config_")]
    finally:
        engine.close()
    assert [e for e, _ in events] == ["config_recorded", "config_changed"]
    assert events[1][1] == "changed: window.device_no"
