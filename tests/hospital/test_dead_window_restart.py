"""Hospital mode: a dead window restarted while the hospital server is unreachable (issue 13 item 5).

A row whose record already reached the hospital record may have been resolved at another window; the
returning window cannot ask while the server is away, so it waits ("awaiting the hospital server")
instead of sending a second 2601, and adopts the other window's outcome when the server is back. A row
that never reached the server cannot have been seen elsewhere and is resolved locally as before. When
both windows go for one row, the hospital's resolution claim lets exactly one of them send the 2601.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.engine_fixtures import add_operators, make_engine, sandbox_settings
from helpers.hospital_windows import Window, open_window, sync_all
from helpers.pg_fixtures import HOSPITAL_KEY, HospitalDb
from helpers.tcp_proxy import TcpProxy

from app.domain.journal import JournalState
from app.domain.visit import GroupState
from app.errors import AppError, InputError, RecoveryPending
from app.sandbox import SandboxServer
from app.services.engine import Engine
from app.services.ports.clock import SystemClock
from app.store.hospital.presence import WindowPresence
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
            with pytest.raises(InputError) as refused:
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
