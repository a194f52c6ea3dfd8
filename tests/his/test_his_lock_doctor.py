"""``doctor`` asks the HIS whether its lock really works when ``[his] lock`` is set (hospital mode).

Against the reference HIS in each adapter style: HTTP (its lock calls answer — the reference HIS
refuses to lock a line it does not know, which shows the calls are there — and, served without
them, a clear error naming ``charges/lock``), middle tables (the test line locked, refused to a
second claim, unlocked; without the ``his_charge_locks`` table an error naming it), and the exchange
folder (the same; with ``lock`` not a folder, an error). Nothing stays locked after the check. With
``[his] lock = false`` in hospital mode it warns that the windows must agree; outside hospital mode
the lock is not used.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from app.cli.doctor_hospital import his_lock_finding
from app.config import Settings, example_config_path, settings_from_mapping
from app.messages import ENGLISH, render
from app.sandbox.his import ReferenceHis
from app.sandbox.his.demo import demo_his
from app.sandbox.his.folder import FolderJob
from app.sandbox.his.http import HisHttpServer
from app.sandbox.his.middle import MiddleTablesJob
from app.services.doctor import Finding, Status

HOSPITAL_DB = {"url": "postgresql+psycopg://sw_window@127.0.0.1:5432/sw_hospital"}


def settings(tmp_path: Path, his: dict[str, Any], *, hospital: bool = True) -> Settings:
    """A window W03's settings with ``[his]`` (and ``[hospital_db]`` unless ``hospital`` is off);
    the hospital database itself is not reached by this check."""
    data: dict[str, Any] = tomllib.loads(example_config_path().read_text(encoding="utf-8"))
    data.update(data_dir=str(tmp_path / "data"), demo=True, his=his)
    data["window"] = {**data.get("window", {}), "device_no": "W03"}
    data["platform"].update(token="t" * 32)
    for name in ("token_file", "token_keyring"):
        data["platform"].pop(name, None)
    if hospital:
        key = tmp_path / "hospital.key"
        key.write_bytes(bytes(32))
        key.chmod(0o600)
        data["hospital_db"] = {**HOSPITAL_DB, "hospital_key_file": str(key)}
    return settings_from_mapping(data, base_dir=tmp_path)


@pytest.fixture
def his() -> ReferenceHis:
    return demo_his()


@pytest.fixture
def http_his(his: ReferenceHis) -> Iterator[str]:
    with HisHttpServer(his) as server:
        yield server.url


def test_http_lock_calls_answer(tmp_path: Path, his: ReferenceHis, http_his: str) -> None:
    found = his_lock_finding(settings(tmp_path, {"kind": "http", "url": http_his}))

    assert found.status is Status.OK, found
    assert "SW-DOCTOR-PROBE-W03" in str(found.text)
    assert his.locks() == {}


def test_http_without_the_lock_calls_is_an_error_saying_what_to_fix(
    tmp_path: Path, his: ReferenceHis
) -> None:
    with HisHttpServer(his, offers_lock=False) as server:
        found = his_lock_finding(settings(tmp_path, {"kind": "http", "url": server.url}))

    assert found.status is Status.ERROR, found
    assert "charges/lock" in str(found.text)
    assert "[his] lock 设为 false" in str(found.text)
    english = render(found.text, ENGLISH)
    assert "does not offer the lock" in english
    assert "charges/lock" in english


def _middle(tmp_path: Path, his: ReferenceHis, *, lock_table: bool) -> str:
    url = f"sqlite:///{tmp_path / 'his-middle.sqlite3'}"
    job = MiddleTablesJob(his, url)
    job.create_tables()
    job.publish()
    if not lock_table:
        with job.engine.begin() as connection:
            connection.execute(text("DROP TABLE his_charge_locks"))
    job.engine.dispose()
    return url


def test_middle_tables_lock_and_unlock_a_test_line(tmp_path: Path, his: ReferenceHis) -> None:
    url = _middle(tmp_path, his, lock_table=True)

    found = his_lock_finding(settings(tmp_path, {"kind": "middle", "url": url}))

    assert found == Finding(Status.OK, found.text)
    assert "SW-DOCTOR-PROBE-W03" in str(found.text)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            left = connection.execute(text("SELECT COUNT(*) FROM his_charge_locks")).scalar()
    finally:
        engine.dispose()
    assert left == 0, "the check leaves nothing locked"


def test_middle_tables_without_the_lock_table_is_an_error_naming_it(
    tmp_path: Path, his: ReferenceHis
) -> None:
    url = _middle(tmp_path, his, lock_table=False)

    found = his_lock_finding(settings(tmp_path, {"kind": "middle", "url": url}))

    assert found.status is Status.ERROR, found
    assert "his_charge_locks" in str(found.text)
    assert "his_charge_locks" in render(found.text, ENGLISH)


def test_folder_lock_and_unlock_a_test_line(tmp_path: Path, his: ReferenceHis) -> None:
    folder = tmp_path / "his-exchange"
    FolderJob(his, folder).publish()

    found = his_lock_finding(settings(tmp_path, {"kind": "folder", "folder": str(folder)}))

    assert found.status is Status.OK, found
    assert list((folder / "lock").iterdir()) == []


def test_folder_whose_lock_folder_cannot_be_made_is_an_error(
    tmp_path: Path, his: ReferenceHis
) -> None:
    folder = tmp_path / "his-exchange"
    FolderJob(his, folder).publish()
    (folder / "lock").write_text("not a folder", encoding="utf-8")

    found = his_lock_finding(settings(tmp_path, {"kind": "folder", "folder": str(folder)}))

    assert found.status is Status.ERROR, found
    assert "lock" in str(found.text)


def test_lock_switched_off_in_hospital_mode_warns_and_unused_outside_it(
    tmp_path: Path, http_his: str
) -> None:
    off = his_lock_finding(settings(tmp_path, {"kind": "http", "url": http_his, "lock": False}))
    assert off.status is Status.WARNING
    assert "[his] lock" in str(off.text)

    alone = his_lock_finding(settings(tmp_path, {"kind": "http", "url": http_his}, hospital=False))
    assert alone.status is Status.OK
    none = his_lock_finding(settings(tmp_path, {"kind": "none"}))
    assert none.status is Status.OK
