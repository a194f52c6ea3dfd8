"""Backup under load, checked restore, and purge that leaves no trace of purged people in the files."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from contextlib import closing
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import cast

import pytest
from helpers.store_fixtures import StoreTestClock, open_test_store
from store.builders import person

from app.errors import StoreError
from app.services.admin import purge_personal_data, run_backup
from app.services.ports.store import UnitOfWorkFactory
from app.store import FileKeyProvider, Store
from app.store.backup import (
    StoreMaintenance,
    backup_store,
    inspect_database_file,
    restore_database,
)
from app.store.crypto import FieldCipher
from app.store.db import create_store_engine, sqlite_version_status
from app.store.migrations import SCHEMA_VERSION, migrate


def factory_of(store: Store) -> UnitOfWorkFactory:
    return cast(UnitOfWorkFactory, store.uow_factory())


def audit_count(path: Path) -> int:
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as raw:
        return int(raw.execute("SELECT count(*) FROM audit_log").fetchone()[0])


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class AuditWriter:
    """A thread appending audit rows as fast as it can (the load during a backup)."""

    def __init__(self, store: Store, clock: StoreTestClock) -> None:
        self._factory = factory_of(store)
        self._clock = clock
        self._stop = threading.Event()
        self.written = 0
        self.failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="audit-writer")

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                with self._factory() as uow:
                    uow.audit.append(self._clock.now(), "C001", "load", "ok", str(self.written))
                    uow.commit()
                self.written += 1
                # A short pause lets the backup get the store's connection between commits (in the
                # program, writes are a few per minute; a tight loop would starve other users).
                self._stop.wait(0.002)
        except BaseException as exc:  # reported to the test
            self.failure = exc

    def __enter__(self) -> AuditWriter:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
        assert self.failure is None, self.failure

    def wait_for(self, count: int) -> None:
        while self.written < count and self.failure is None:
            self._stop.wait(0.001)


def test_online_backup_under_load_is_consistent_and_restores(
    store: Store,
    store_path: Path,
    store_clock: StoreTestClock,
    key_provider: FileKeyProvider,
    tmp_path: Path,
) -> None:
    backups = [tmp_path / "backups" / f"b{n}.sqlite3" for n in range(3)]
    counts = []
    with AuditWriter(store, store_clock) as writer:
        for target in backups:
            writer.wait_for(writer.written + 50)
            before = writer.written
            info = backup_store(store, target)
            counts.append((before, audit_count(target), writer.written))
            assert info.sha256 == file_digest(target)
            assert info.schema_version == SCHEMA_VERSION
    final = audit_count(store_path)
    for before, in_backup, after in counts:
        assert before <= in_backup <= after + 1
    assert counts[-1][1] < final
    for target in backups:
        assert inspect_database_file(target) == ("ok", SCHEMA_VERSION)
        assert not target.with_name(target.name + ".partial").exists()

    store.close()
    result = restore_database(backups[1], store_path, store_clock.now())
    assert result.previous is not None
    assert audit_count(result.previous) == final  # nothing lost: the old file is kept aside
    restored = open_test_store(store_path, key_provider, store_clock)
    try:
        assert audit_count(store_path) == counts[1][1]
        with restored.uow_factory()() as uow:
            assert uow.audit.verify() == []
    finally:
        restored.close()


def test_backup_is_recorded_in_the_audit_log(
    store: Store, store_clock: StoreTestClock, tmp_path: Path
) -> None:
    result = run_backup(
        factory_of(store), StoreMaintenance(store), store_clock, tmp_path / "b.sqlite3", "A001"
    )
    with store.uow_factory()() as uow:
        rows = list(uow.audit.between(store_clock.now(), store_clock.now() + timedelta(seconds=1)))
    assert [(r.event, r.operator_code) for r in rows] == [("backup", "A001")]
    assert result.sha256 in rows[0].detail


def test_backup_never_overwrites(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "b.sqlite3"
    target.write_bytes(b"keep me")
    with pytest.raises(StoreError) as caught:
        backup_store(store, target)
    assert caught.value.code == "backup_exists"
    assert target.read_bytes() == b"keep me"


def _corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 3 * page
    # Scribble over the second page (a b-tree page) but leave the header intact.
    data[page : page + 200] = b"\xff" * 200
    path.write_bytes(bytes(data))


def test_restore_refuses_a_corrupt_backup_and_leaves_the_database_alone(
    store: Store, store_path: Path, store_clock: StoreTestClock, tmp_path: Path
) -> None:
    backup = backup_store(store, tmp_path / "b.sqlite3").path
    store.checkpoint()
    store.close()
    _corrupt(backup)
    before = file_digest(store_path)
    with pytest.raises(StoreError) as caught:
        restore_database(backup, store_path, store_clock.now())
    assert caught.value.code in {"backup_corrupt", "backup_invalid"}
    assert "拒绝恢复" in caught.value.text or "不是有效" in caught.value.text
    assert file_digest(store_path) == before
    assert not list(store_path.parent.glob("*.before-restore-*"))


def test_restore_refuses_a_file_that_is_not_a_database(
    store_path: Path, store_clock: StoreTestClock, tmp_path: Path
) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 200)
    with pytest.raises(StoreError) as caught:
        restore_database(junk, store_path, store_clock.now())
    assert caught.value.code == "backup_invalid"


def test_restore_refuses_a_backup_from_a_newer_program(
    store: Store, store_path: Path, store_clock: StoreTestClock, tmp_path: Path
) -> None:
    backup = backup_store(store, tmp_path / "b.sqlite3").path
    with closing(sqlite3.connect(backup)) as raw:
        raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        raw.commit()
    store.close()
    with pytest.raises(StoreError, match="更新版本") as caught:
        restore_database(backup, store_path, store_clock.now())
    assert caught.value.code == "backup_too_new"


def test_restore_of_an_older_schema_is_migrated_on_open(
    store_path: Path, store_clock: StoreTestClock, key_provider: FileKeyProvider, tmp_path: Path
) -> None:
    """Upgrade path: a backup from the first schema version opens in this program, migrated."""
    old_path = tmp_path / "old" / "store.sqlite3"
    old_path.parent.mkdir()
    status = sqlite_version_status()
    first = Store(
        old_path,
        create_store_engine(old_path, status),
        FieldCipher.from_data_key(key_provider.data_key()),
        store_clock,
        status,
    )
    try:
        migrate(first, target=1)
    finally:
        first.close()
    assert inspect_database_file(old_path)[1] == 1
    restore_database(old_path, store_path, store_clock.now())
    upgraded = open_test_store(store_path, key_provider, store_clock)
    upgraded.close()
    assert inspect_database_file(store_path) == ("ok", SCHEMA_VERSION)
    assert list(store_path.parent.glob("store.sqlite3.v1-*.bak"))


# ---------------------------------------------------------------------- purge


def _raw_files(store_path: Path) -> bytes:
    return b"".join(
        p.read_bytes() for p in store_path.parent.glob(store_path.name + "*") if p.is_file()
    )


def _person_traces(store: Store) -> dict[str, list[bytes]]:
    """Per cached person: the encrypted payload and the lookup hashes as they sit in the file."""
    traces: dict[str, list[bytes]] = {}
    with store.driver_connection() as raw:
        for person_hash, payload in raw.execute("SELECT person_hash, payload FROM persons"):
            blob = payload if isinstance(payload, bytes) else str(payload).encode()
            traces[person_hash] = [person_hash.encode(), blob[-48:]]
        for lookup_hash, person_hash in raw.execute(
            "SELECT lookup_hash, person_hash FROM person_lookups"
        ):
            traces[person_hash].append(lookup_hash.encode())
    return traces


def test_purge_leaves_no_trace_of_purged_people_in_the_database_or_wal(
    store: Store, store_path: Path, store_clock: StoreTestClock
) -> None:
    canary_name, canary_id = "金丝雀甲", "630102196001010098"
    old = replace(person(name=canary_name, id_number=canary_id), person_no="63000000000000000777")
    recent = person()
    factory = factory_of(store)
    with factory() as uow:
        uow.persons.put(old, store_clock.now() - timedelta(days=200), [canary_id, "X77777777"])
        uow.persons.put(recent, store_clock.now() - timedelta(days=10), [recent.id_number])
        uow.commit()
    traces = _person_traces(store)
    assert len(traces) == 2
    store.checkpoint()
    files = _raw_files(store_path)
    # Control: the traces are findable before the purge, so their absence afterwards means something.
    assert all(trace in files for values in traces.values() for trace in values)

    result = purge_personal_data(factory, StoreMaintenance(store), store_clock, 180, "A001")

    assert result.purged == 1
    remaining = _person_traces(store)
    assert len(remaining) == 1
    (purged_hash,) = set(traces) - set(remaining)
    files = _raw_files(store_path)
    for trace in traces[purged_hash]:
        assert trace not in files
    for text in (canary_name, canary_id, "X77777777"):
        assert text.encode() not in files
        assert text.encode("utf-16-le") not in files
    with factory() as uow:
        assert uow.persons.find(recent.id_number) is not None
        assert uow.persons.find(canary_id) is None
