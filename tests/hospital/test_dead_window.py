"""Hospital mode: a dead window's unresolved row is resolved from another window, and the window does
nothing twice when it returns; "dead" is a lock held for the window's lifetime (issue 13 item 5)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest
from helpers.engine_fixtures import demo_bill, fresh_visit
from helpers.hospital_windows import Window, open_window, sync_all
from helpers.pg_fixtures import HospitalDb
from sqlalchemy import text

from app.domain.journal import JournalState
from app.errors import AppError, StateConflict
from app.sandbox import SandboxServer
from app.services.hospital_resolve import HospitalResolveService
from app.services.ports.clock import SystemClock
from app.store.hospital.connect import open_hospital_engine
from app.store.hospital.presence import WindowPresence, window_lock_key


def resolver(window: Window, presence: WindowPresence) -> HospitalResolveService:
    return HospitalResolveService(
        uow_factory=window.engine.uow_factory,
        journal=window.record,
        liveness=presence,
        recovery=window.engine.recovery,
        clock=SystemClock(),
        window=window.name,
    )


def leave_an_unknown_2207(window: Window, sandbox: SandboxServer) -> str:
    """The 2207 answer is lost and every reversal fails: the row stays unresolved."""
    sandbox.set_faults(
        [
            {"infno": "2207", "kind": "drop_after", "nth": [1]},
            {"infno": "2601", "kind": "http_error_before", "probability": 1.0},
        ]
    )
    try:
        window.engine.settle_visit(fresh_visit(demo_bill("01")), window.cashier)
    finally:
        sandbox.set_faults([])
    with window.engine.uow_factory() as uow:
        (row,) = [e for e in uow.journal.unresolved() if e.infno == "2207"]
    return row.msgid


def test_the_advisory_lock_tells_a_live_window_from_a_dead_one(hospital_db: HospitalDb) -> None:
    alive = WindowPresence(hospital_db.engine)
    probe = WindowPresence(hospital_db.engine)
    assert window_lock_key("W01", hospital_db.schema) != window_lock_key("W02", hospital_db.schema)
    assert not probe.is_alive("W01")

    alive.hold("W01")

    assert probe.is_alive("W01")
    assert not probe.is_alive("W02")
    with pytest.raises(AppError) as twice:
        WindowPresence(hospital_db.engine).hold("W01")
    assert twice.value.code == "window_in_use"
    alive.release()
    assert not probe.is_alive("W01")


def test_two_hospitals_in_one_database_do_not_share_window_locks(hospital_db: HospitalDb) -> None:
    # Advisory locks belong to the whole database: the key carries the hospital's schema.
    other_schema = f"hsp_{secrets.token_hex(6)}"
    with hospital_db.engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{other_schema}"'))
    other = open_hospital_engine(hospital_db.url, search_path=other_schema)
    here, there = WindowPresence(hospital_db.engine), WindowPresence(other)
    try:
        here.hold("W01")
        assert WindowPresence(hospital_db.engine).is_alive("W01")
        assert not WindowPresence(other).is_alive("W01")
        there.hold("W01")  # the other hospital's W01: not "window_in_use"
        assert WindowPresence(other).is_alive("W01")
        there.release()
        assert not WindowPresence(other).is_alive("W01")
        assert WindowPresence(hospital_db.engine).is_alive("W01")
    finally:
        here.release()
        there.release()
        other.dispose()
        with hospital_db.engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{other_schema}" CASCADE'))


def test_a_dead_windows_row_is_resolved_elsewhere_and_not_again_on_its_return(
    two_windows: tuple[Window, Window],
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    tmp_path: Path,
) -> None:
    w1, w2 = two_windows
    w1_presence = WindowPresence(hospital_db.engine)
    w1_presence.hold("W01")
    msgid = leave_an_unknown_2207(w1, sandbox)
    sync_all([w1, w2])
    w2_presence = WindowPresence(hospital_db.engine)
    w2_presence.hold("W02")
    try:
        check_resolution(w1, w2, w1_presence, w2_presence, msgid, sandbox, hospital_db, tmp_path)
    finally:
        w1_presence.release()
        w2_presence.release()


def check_resolution(  # noqa: PLR0917 - the test's own state, passed on whole
    w1: Window,
    w2: Window,
    w1_presence: WindowPresence,
    w2_presence: WindowPresence,
    msgid: str,
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    tmp_path: Path,
) -> None:
    assert [r.msgid for r in resolver(w2, w2_presence).unresolved() if r.infno == "2207"] == [msgid]

    with pytest.raises(StateConflict) as alive:
        resolver(w2, w2_presence).resolve_for_dead_window(msgid, w2.supervisor)
    assert alive.value.code == "window_alive"

    w1.engine.close()
    w1_presence.release()  # W01's PC died: its session (and lock) is gone
    reversals = sandbox.request_count("2601")

    state = resolver(w2, w2_presence).resolve_for_dead_window(msgid, w2.supervisor)

    assert state is JournalState.REVERSED
    assert sandbox.request_count("2601") == reversals + 1
    with w2.engine.uow_factory() as uow:
        here = uow.journal.get(msgid)
    assert here is not None
    assert here.state is JournalState.REVERSED
    sync_all([w2])
    remote = w2.record.journal_row(msgid)
    assert remote is not None
    assert remote.state == "reversed"
    assert remote.window == "W01"

    back = open_window("W01", sandbox, hospital_db, tmp_path / "w01")
    try:
        adopted = resolver(back, WindowPresence(hospital_db.engine)).adopt_remote_resolutions()
        back.engine.start()
        sync_all([back])
        with back.engine.uow_factory() as uow:
            mine = uow.journal.get(msgid)
            left = [e for e in uow.journal.unresolved() if e.infno == "2207"]
    finally:
        back.engine.close()

    assert adopted == 1
    assert mine is not None
    assert mine.state is JournalState.REVERSED
    assert left == []
    assert sandbox.request_count("2601") == reversals + 1, "the returning window sent no 2601"
    final = w2.record.journal_row(msgid)
    assert final is not None
    assert final.state == "reversed"
