"""Data key rotation: everything readable under the new key, nothing under the old; interrupted
rotations are finished or forgotten at the next start; a tampered audit log blocks rotation."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

import pytest
from helpers.store_fixtures import StoreTestClock, open_test_store

from app.domain.journal import JournalState
from app.domain.operator import Role
from app.domain.plan import GroupKind
from app.domain.visit import GroupSettlement, GroupState
from app.errors import StoreError
from app.store import FileKeyProvider, Store
from app.store.rekey import rotate_data_key

from .builders import INSTITUTION, T0, bill, entry, person

MSGID = f"{INSTITUTION}202611231000000001"
TOTP_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
GROUP = GroupSettlement("B1", "M03900", GroupState.PLANNED, GroupKind.CHRONIC, "M03900", ("1", "2"))


def _fill(store: Store) -> None:
    with store.uow_factory()() as uow:
        uow.bills.save(bill())
        uow.bills.save_group(GROUP)
        uow.journal.add(entry(MSGID))
        uow.journal.move(MSGID, JournalState.SENT, T0, error="等待应答")
        uow.persons.put(person(), T0, ["630102198001010011"])
        uow.audit.append(T0, "C001", "settle", "ok", "结算 179.63")
        uow.operators.add("S001", "主管乙", Role.SUPERVISOR, "Super-2026x")
        uow.operators.set_second_factor_pending("S001", TOTP_SECRET)
        uow.operators.activate_second_factor("S001", 7, T0)
        uow.config_state.save({"ui.language": "fingerprint"}, T0)
        uow.commit()


def test_rotation_re_encrypts_everything(
    store: Store, key_provider: FileKeyProvider, reopen_store: Callable[[], Store], tmp_path: Path
) -> None:
    _fill(store)
    old_key = key_provider.data_key()
    report = rotate_data_key(store, key_provider, "A001")
    assert key_provider.data_key() != old_key
    assert not key_provider.next_path.exists()
    assert report.persons_dropped == 1
    assert report.audit_rows_rechained == 1
    assert report.values_reencrypted >= 10
    # The running store goes on with the new key …
    with store.uow_factory()() as uow:
        uow.bills.save_group(GROUP)  # same group key → same (re-keyed) lookup hash: no duplicate
        uow.commit()
    store.close()
    # … and so does a restarted one.
    reopened = reopen_store()
    with reopened.uow_factory()() as uow:
        assert uow.bills.get("B1") == bill()
        assert uow.bills.groups("B1") == [GROUP]
        journal = uow.journal.get(MSGID)
        assert journal is not None
        assert journal.last_error == "等待应答"
        assert uow.persons.find("630102198001010011") is None
        assert uow.operators.second_factor("S001").secret == TOTP_SECRET
        assert uow.config_state.last() == {"ui.language": "fingerprint"}
        assert uow.audit.verify() == []
        assert [r.event for r in uow.audit.between(T0, T0.replace(year=2100))] == [
            "settle",
            "data_key_rotated",
        ]
    reopened.close()
    # The old key opens nothing any more.
    old_file = tmp_path / "old" / "store.key"
    old_file.parent.mkdir()
    old_file.write_bytes(old_key)
    old_file.chmod(0o600)
    with pytest.raises(StoreError) as raised:
        reopen_store_with(reopened.path, FileKeyProvider(old_file))
    assert raised.value.code == "store_wrong_key"


def reopen_store_with(path: Path, provider: FileKeyProvider) -> Store:
    """Open (and close again) with another key file."""
    store = open_test_store(path, provider, StoreTestClock())
    store.close()
    return store


def test_a_crash_after_commit_is_finished_at_the_next_start(
    store: Store, key_provider: FileKeyProvider, reopen_store: Callable[[], Store], tmp_path: Path
) -> None:
    _fill(store)
    saved_old = tmp_path / "saved-old.key"
    shutil.copy2(key_provider.path, saved_old)
    rotate_data_key(store, key_provider, "A001")
    store.close()
    # Recreate the files as they were after COMMIT but before the rename.
    shutil.copy2(key_provider.path, key_provider.next_path)
    shutil.copy2(saved_old, key_provider.path)
    reopened = reopen_store()
    assert not key_provider.next_path.exists()
    with reopened.uow_factory()() as uow:
        assert uow.bills.get("B1") == bill()
        assert uow.audit.verify() == []


def test_a_rotation_that_never_committed_is_forgotten(
    store: Store, key_provider: FileKeyProvider, reopen_store: Callable[[], Store]
) -> None:
    _fill(store)
    current = key_provider.data_key()
    key_provider.stage_next_key()  # crash right after staging
    store.close()
    reopened = reopen_store()
    assert not key_provider.next_path.exists()
    assert key_provider.data_key() == current
    with reopened.uow_factory()() as uow:
        assert uow.bills.get("B1") == bill()


def test_a_tampered_audit_log_blocks_rotation(
    store: Store, store_path: Path, key_provider: FileKeyProvider
) -> None:
    _fill(store)
    current = key_provider.data_key()
    with closing(sqlite3.connect(store_path, isolation_level=None)) as raw:
        raw.execute("DROP TRIGGER audit_log_no_update")
        raw.execute("UPDATE audit_log SET outcome = 'failed'")
    with pytest.raises(StoreError) as raised:
        rotate_data_key(store, key_provider, "A001")
    assert raised.value.code == "store_rekey_audit"
    assert key_provider.data_key() == current
    assert not key_provider.next_path.exists()
