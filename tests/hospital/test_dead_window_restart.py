"""Hospital mode: a dead window restarted while the hospital server is unreachable (issue 13 item 5).

A row whose record already reached the hospital record may have been resolved at another window; the
returning window cannot ask while the server is away, so it waits ("awaiting the hospital server")
instead of sending a second 2601, and adopts the other window's outcome when the server is back. A row
that never reached the server cannot have been seen elsewhere and is resolved locally as before. When
both windows go for one row, the hospital's resolution claim lets exactly one of them send the 2601.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers.engine_fixtures import (
    add_operators,
    demo_bill,
    fresh_visit,
    make_engine,
    sandbox_settings,
)
from helpers.hospital_windows import Window, open_window, sync_all
from helpers.pg_fixtures import HOSPITAL_KEY, HospitalDb
from helpers.tcp_proxy import TcpProxy
from sqlalchemy import text

from app.domain.journal import JournalState
from app.domain.visit import GroupState
from app.errors import AppError, RecoveryPending, StateConflict
from app.hospital_window import start_hospital_sync
from app.sandbox import SandboxServer
from app.services.engine import Engine
from app.services.ports.clock import SystemClock
from app.store.hospital.presence import WindowPresence, window_lock_key
from hospital.test_dead_window import leave_an_unknown_2207, resolver


@pytest.fixture
def proxy(hospital_db: HospitalDb) -> Iterator[TcpProxy]:
    port = int(hospital_db.url.rsplit(":", 1)[1].split("/", 1)[0])
    built = TcpProxy(("127.0.0.1", port)).start()
    yield built
    built.stop()


def reopen_behind(
    proxy: TcpProxy, name: str, sandbox: SandboxServer, db: HospitalDb, folder: Path
) -> Engine:
    """The window ``name`` started again on its own data folder, configured for hospital mode with
    its road to PostgreSQL through ``proxy`` (as a real window starts)."""
    key = folder.parent / "hospital.key"
    if not key.exists():
        key.write_bytes(HOSPITAL_KEY)
        key.chmod(0o600)
    url = (
        f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/test"
        f"?options=-csearch_path%3D{db.schema}"
    )
    settings = sandbox_settings(
        sandbox,
        window={"device_no": name},
        hospital_db={"url": url, "hospital_key_file": str(key)},
    )
    engine = make_engine(settings, folder)
    add_operators(engine)
    return engine


def state_of(engine: Engine, msgid: str) -> JournalState:
    with engine.uow_factory() as uow:
        entry = uow.journal.get(msgid)
    assert entry is not None
    return entry.state


def group_state(engine: Engine, msgid: str) -> GroupState:
    with engine.uow_factory() as uow:
        entry = uow.journal.get(msgid)
        assert entry is not None
        (group,) = [g for g in uow.bills.groups(entry.bill_id) if g.group_key == entry.group_key]
    return group.state


def dead_with_a_synced_unknown_row(w1: Window, sandbox: SandboxServer) -> str:
    """W01 leaves an unknown 2207, its record reaches the hospital, and its PC dies."""
    msgid = leave_an_unknown_2207(w1, sandbox)
    sync_all([w1])
    w1.engine.close()
    return msgid


def test_a_window_back_while_the_server_is_away_waits_and_sends_no_second_2601(
    two_windows: tuple[Window, Window],
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    proxy: TcpProxy,
    tmp_path: Path,
) -> None:
    w1, w2 = two_windows
    msgid = dead_with_a_synced_unknown_row(w1, sandbox)
    w2_presence = WindowPresence(hospital_db.engine)
    w2_presence.hold("W02")
    try:
        assert (
            resolver(w2, w2_presence).resolve_for_dead_window(msgid, w2.supervisor)
            is JournalState.REVERSED
        )
        sync_all([w2])
    finally:
        w2_presence.release()
    reversals = sandbox.request_count("2601")

    proxy.cut()  # W01 comes back, but the LAN to the hospital server is down
    back = reopen_behind(proxy, "W01", sandbox, hospital_db, tmp_path / "w01")
    try:
        summary = back.start()

        assert sandbox.request_count("2601") == reversals, "no second 2601 from the dead window"
        assert [r.msgid for r in summary.awaiting] == [msgid]
        assert not state_of(back, msgid).is_resolved
        assert "医院服务器" in summary.text()
        assert "hospital server" in summary.text("en")
        with back.uow_factory() as uow:
            entry = uow.journal.get(msgid)
        assert entry is not None
        with pytest.raises(AppError) as in_flight:  # the same visit is not settled again meanwhile
            back.settle(entry.bill_id, back.operator("C001"))
        assert in_flight.value.code in {"recovery_pending", "bill_locked"}, in_flight.value
        with pytest.raises(RecoveryPending):  # the day close waits for the row, too
            back.close_day(back.today(), back.operator("S001"))

        proxy.restore()  # the server is back: the other window's outcome is adopted
        again = back.start()

        assert again.awaiting == ()
        assert state_of(back, msgid) is JournalState.REVERSED
        assert group_state(back, msgid) is GroupState.FAILED
        assert sandbox.request_count("2601") == reversals
    finally:
        back.close()


def test_a_row_that_never_reached_the_server_is_resolved_locally_while_it_is_away(
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    proxy: TcpProxy,
    tmp_path: Path,
) -> None:
    w1 = open_window("W01", sandbox, hospital_db, tmp_path / "w01")
    msgid = leave_an_unknown_2207(w1, sandbox)  # never synced: no other window can have seen it
    w1.engine.close()
    reversals = sandbox.request_count("2601")

    proxy.cut()
    back = reopen_behind(proxy, "W01", sandbox, hospital_db, tmp_path / "w01")
    try:
        summary = back.start()
        assert state_of(back, msgid) is JournalState.REVERSED
    finally:
        back.close()

    assert summary.awaiting == ()
    assert summary.reversed == 1
    assert sandbox.request_count("2601") == reversals + 1


def test_a_window_back_with_the_server_claims_its_row_and_the_other_window_is_refused(
    two_windows: tuple[Window, Window],
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    proxy: TcpProxy,
    tmp_path: Path,
) -> None:
    w1, w2 = two_windows
    msgid = dead_with_a_synced_unknown_row(w1, sandbox)
    reversals = sandbox.request_count("2601")

    back = reopen_behind(proxy, "W01", sandbox, hospital_db, tmp_path / "w01")
    try:
        # W01 resolves its own row at start-up, but has not synced the outcome yet (and its lock
        # is not held: the supervisor at W02 takes it for dead).
        summary = back.start()
        assert summary.reversed == 1
        w2_presence = WindowPresence(hospital_db.engine)
        try:
            with pytest.raises(StateConflict) as refused:
                resolver(w2, w2_presence).resolve_for_dead_window(msgid, w2.supervisor)
        finally:
            w2_presence.release()
    finally:
        back.close()

    assert refused.value.code == "resolution_claimed"
    assert "W01" in str(refused.value)
    assert sandbox.request_count("2601") == reversals + 1


def test_a_row_another_window_claimed_waits_for_its_outcome_even_with_the_server_up(
    two_windows: tuple[Window, Window],
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    proxy: TcpProxy,
    tmp_path: Path,
) -> None:
    w1, w2 = two_windows
    msgid = dead_with_a_synced_unknown_row(w1, sandbox)
    # W02's supervisor claimed the row (its 2601 in flight, its outcome not yet in the record).
    assert w2.record.claim_resolution(msgid, "W02", "S001", SystemClock().now()) == "W02"
    reversals = sandbox.request_count("2601")

    back = reopen_behind(proxy, "W01", sandbox, hospital_db, tmp_path / "w01")
    try:
        summary = back.start()
        assert [r.msgid for r in summary.awaiting] == [msgid]
        assert sandbox.request_count("2601") == reversals
    finally:
        back.close()


def watch_window_lock_at_delivery(db: HospitalDb, window: str) -> None:
    """A trigger on the hospital record notes, at every delivery, whether ``window``'s lock is held
    (a bigint advisory lock shows in ``pg_locks`` as classid = high half, objid = low half)."""
    key = window_lock_key(window, db.schema) & 0xFFFFFFFFFFFFFFFF
    high, low = key >> 32, key & 0xFFFFFFFF
    schema = db.schema
    with db.engine.begin() as connection:
        connection.execute(text(f'CREATE TABLE "{schema}".lock_seen (held boolean NOT NULL)'))
        connection.execute(
            text(
                f'CREATE FUNCTION "{schema}".note_lock() RETURNS trigger LANGUAGE plpgsql AS $$ '  # noqa: S608 - the test's own names
                f'BEGIN INSERT INTO "{schema}".lock_seen SELECT EXISTS (SELECT 1 FROM pg_locks '
                f"WHERE locktype = 'advisory' AND classid = {high} AND objid = {low} "
                "AND objsubid = 1 AND granted); RETURN NULL; END $$"
            )
        )
        connection.execute(
            text(
                f'CREATE TRIGGER note_lock AFTER INSERT OR UPDATE ON "{schema}".hospital_records '
                f'FOR EACH STATEMENT EXECUTE FUNCTION "{schema}".note_lock()'
            )
        )


def test_a_window_that_started_with_the_server_away_holds_its_lock_before_it_delivers(
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    proxy: TcpProxy,
    tmp_path: Path,
) -> None:
    # Otherwise its rows appear in the hospital record while its lock is free: a supervisor elsewhere
    # would take the running window for dead and could resolve a row it is resolving itself.
    engine = reopen_behind(proxy, "W01", sandbox, hospital_db, tmp_path / "w01")
    session = SimpleNamespace(closers=[])
    try:
        engine.settle_visit(fresh_visit(demo_bill("01")), engine.operator("C001"))
        watch_window_lock_at_delivery(hospital_db, "W01")
        proxy.cut()
        worker = start_hospital_sync(session, engine)  # the lock cannot be taken now
        assert worker is not None
        assert not WindowPresence(hospital_db.engine).is_alive("W01")

        rounds = worker.state().rounds
        proxy.restore()
        deadline = time.monotonic() + 30
        while worker.state().rounds <= rounds or worker.state().pending or worker.state().error:
            assert time.monotonic() < deadline, worker.state()
            worker.wake()
            time.sleep(0.2)

        with hospital_db.engine.connect() as connection:
            seen = [bool(r[0]) for r in connection.execute(text("SELECT held FROM lock_seen"))]
        assert seen, "the records were delivered"
        assert all(seen), (
            f"deliveries without the window's lock: {seen.count(False)} of {len(seen)}"
        )
    finally:
        for closer in reversed(session.closers):
            closer()
        engine.close()
