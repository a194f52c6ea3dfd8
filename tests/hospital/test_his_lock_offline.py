"""Hospital mode with the hospital database cut off: the HIS's lock is the arbiter (issue 13 item 1).

Windows reach PostgreSQL through a proxy the test cuts (the LAN to the hospital server fails) and
the reference HIS over HTTP. With the HIS offering its lock, two windows settling the same HIS visit
while the server is away: exactly one settles, the other is refused before anything is sent, named
the window holding the lock. A window that settled under the HIS lock alone pushes its claims to
PostgreSQL once the server answers again, so a third window is then refused by the hospital claim.
With ``[his] lock = false`` the visit is refused while the server is away, as before. The two-window
race runs through each adapter (HTTP, middle tables in SQLite, exchange folder).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers.engine_fixtures import add_operators, make_engine, sandbox_settings
from helpers.hospital_windows import APPROVAL, open_window
from helpers.pg_fixtures import HOSPITAL_KEY, HospitalDb
from helpers.tcp_proxy import TcpProxy

from app.config import Settings
from app.domain.his import ChargeStatus
from app.domain.operator import Operator
from app.domain.visit import GroupState
from app.errors import AppError, ChargeAlreadySettled, InputError
from app.his.folder import FolderHis
from app.his.http import HttpHis
from app.his.middle import MiddleTablesHis
from app.sandbox import SandboxServer
from app.sandbox.his import ReferenceHis
from app.sandbox.his.demo import demo_his
from app.sandbox.his.folder import FolderJob
from app.sandbox.his.http import HisHttpServer
from app.sandbox.his.middle import MiddleTablesJob
from app.services.charge_claims import charge_key
from app.services.engine import Engine
from app.services.ports.his import HisChargeLock, HisGateway
from app.services.settlement import BillResult
from app.store.hospital.charge_claims import PgHospitalChargeClaims
from app.wiring import hospital_link

QINGHAI_ID = "630120197003151227"


@dataclass
class OfflineWindow:
    name: str
    engine: Engine
    cashier: Operator
    settings: Settings
    folder: Path
    his_url: str

    def restart(self) -> None:
        """The program closed and started again on the same data folder."""
        self.engine.close()
        self.engine = make_engine(
            self.settings,
            self.folder,
            his_gateway=gateway(self.his_url),
        )
        self.cashier = self.engine.operator("C001")


def gateway(address: str) -> HisGateway:
    """The adapter for the reference HIS at ``address``: an HTTP base URL, a SQLAlchemy URL of its
    middle tables, or ``folder:<path>`` of its exchange folder."""
    if address.startswith("http"):
        return HttpHis(address, connect_timeout=1.0, read_timeout=5.0)
    if address.startswith("folder:"):
        return FolderHis(Path(address.removeprefix("folder:")))
    return MiddleTablesHis(address, timeout=5)


@pytest.fixture
def reference_his() -> Iterator[tuple[ReferenceHis, str]]:
    his = demo_his()
    with HisHttpServer(his) as server:
        yield his, server.url


@pytest.fixture
def proxy(hospital_db: HospitalDb) -> Iterator[TcpProxy]:
    port = int(hospital_db.url.rsplit(":", 1)[1].split("/", 1)[0])
    built = TcpProxy(("127.0.0.1", port)).start()
    yield built
    built.stop()


def window(
    name: str,
    *,
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    proxy: TcpProxy,
    his_url: str,
    tmp_path: Path,
    lock: bool = True,
) -> OfflineWindow:
    """A configured hospital-mode window reaching PostgreSQL through ``proxy`` and the reference
    HIS over HTTP."""
    folder = tmp_path / name.lower()
    seed = open_window(name, sandbox, hospital_db, folder)  # operators and msgid slot, locally
    seed.engine.close()
    key = tmp_path / "hospital.key"
    if not key.exists():
        key.write_bytes(HOSPITAL_KEY)
        key.chmod(0o600)
    url = (
        f"postgresql+psycopg://postgres@127.0.0.1:{proxy.port}/test"
        f"?options=-csearch_path%3D{hospital_db.schema}"
    )
    settings = sandbox_settings(
        sandbox,
        window={"device_no": name},
        hospital_db={"url": url, "hospital_key_file": str(key)},
        his={"lock": lock},
    )
    engine = make_engine(settings, folder, his_gateway=gateway(his_url))
    cashier, _ = add_operators(engine)
    return OfflineWindow(name, engine, cashier, settings, folder, his_url)


@dataclass
class Hospital:
    """The sandbox platform, the hospital database behind its proxy, the reference HIS, and the
    windows opened (closed at the end)."""

    sandbox: SandboxServer
    db: HospitalDb
    proxy: TcpProxy
    his: ReferenceHis
    his_url: str
    folder: Path
    windows: list[OfflineWindow]

    def open(self, name: str, *, lock: bool = True) -> OfflineWindow:
        opened = window(
            name, sandbox=self.sandbox, hospital_db=self.db, proxy=self.proxy,
            his_url=self.his_url, tmp_path=self.folder, lock=lock,
        )  # fmt: skip
        self.windows.append(opened)
        return opened


@pytest.fixture
def hospital(
    sandbox: SandboxServer,
    hospital_db: HospitalDb,
    proxy: TcpProxy,
    reference_his: tuple[ReferenceHis, str],
    tmp_path: Path,
) -> Iterator[Hospital]:
    built = Hospital(sandbox, hospital_db, proxy, *reference_his, tmp_path, [])
    yield built
    for w in built.windows:
        w.engine.close()


def settle(w: OfflineWindow) -> BillResult:
    his = w.engine.his
    assert his is not None
    visit = his.load(his.unpaid_for_person(QINGHAI_ID))
    return w.engine.settle_visit(visit, w.cashier)


@pytest.mark.parametrize("kind", ["http", "middle", "folder"])
def test_two_windows_with_the_hospital_db_cut_off_exactly_one_settles_under_the_his_lock(
    hospital: Hospital, kind: str
) -> None:
    his, sandbox, proxy = hospital.his, hospital.sandbox, hospital.proxy
    if kind == "middle":  # the reference HIS's middle tables in a SQLite file both windows reach
        url = f"sqlite:///{hospital.folder / 'his-middle.sqlite3'}"
        job = MiddleTablesJob(his, url)
        job.create_tables()
        job.publish()
        job.engine.dispose()
        hospital.his_url = url
    elif kind == "folder":
        FolderJob(his, hospital.folder / "his-exchange").publish()
        hospital.his_url = f"folder:{hospital.folder / 'his-exchange'}"
    opened = [hospital.open(n) for n in ("W01", "W02")]
    proxy.cut()
    before = sandbox.request_count("2207")
    barrier = threading.Barrier(2)
    outcomes: dict[str, BillResult | AppError] = {}

    def run(w: OfflineWindow) -> None:
        barrier.wait()
        try:
            outcomes[w.name] = settle(w)
        except AppError as exc:
            outcomes[w.name] = exc

    threads = [threading.Thread(target=run, args=(w,)) for w in opened]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    bills = {n: o for n, o in outcomes.items() if isinstance(o, BillResult)}
    refused = {n: o for n, o in outcomes.items() if isinstance(o, ChargeAlreadySettled)}
    assert len(bills) == 1, outcomes
    assert len(refused) == 1, outcomes
    (winner, bill), (_, refusal) = next(iter(bills.items())), next(iter(refused.items()))
    ids = [g.settlement_id for g in bill.groups if g.settlement_id]
    assert ids
    assert sandbox.request_count("2207") == before + len(ids), "nothing sent for the refusal"
    assert refusal.detail["his_lock"] == "held"
    assert refusal.detail["window"] == winner
    assert winner in refusal.text
    engine = next(w.engine for w in opened if w.name == winner)
    with engine.uow_factory() as uow:
        stored = uow.bills.get(bill.bill_id)
    assert stored is not None
    probe = gateway(hospital.his_url)  # a third party asking the HIS for the same lines
    assert isinstance(probe, HisChargeLock)
    ids = [line.line_no for line in stored.lines]
    held = probe.lock(stored.outpatient_no, ids, "W09", "probe")
    assert held
    assert {(h.window, h.claim_id) for h in held} == {(winner, bill.bill_id)}
    if isinstance(probe, MiddleTablesHis):
        probe.close()


def test_settled_offline_under_the_his_lock_then_pushed_to_the_hospital_claims(
    hospital: Hospital,
) -> None:
    his, sandbox, proxy = hospital.his, hospital.sandbox, hospital.proxy
    w1, w2 = hospital.open("W01"), hospital.open("W02")
    assert w1.engine.his is not None
    assert w1.engine.claims is not None
    visit = w1.engine.his.load(w1.engine.his.unpaid_for_person(QINGHAI_ID))
    proxy.cut()
    bill = w1.engine.settle_visit(visit, w1.cashier)
    assert [g.settlement_id for g in bill.groups if g.settlement_id]
    assert set(w1.engine.claims.offline_claims()) == {bill.bill_id}
    locked = his.locks()
    assert locked
    assert {h.claim_id for h in locked.values()} == {bill.bill_id}

    with w1.engine.uow_factory() as uow:
        stored = uow.bills.get(bill.bill_id)
    assert stored is not None
    keys = [charge_key(stored.outpatient_no, line) for line in stored.lines]
    claims = PgHospitalChargeClaims(hospital.db.engine)
    assert claims.holders(keys) == []  # nothing reached PostgreSQL yet

    proxy.restore()
    assert w1.engine.claims.push_offline_claims() == 1
    assert w1.engine.claims.offline_claims() == {}
    held = claims.holders(keys)
    assert {row["window"] for row in held} == {"W01"}
    assert {row["bill_id"] for row in held} == {bill.bill_id}

    # Another window, with the server up, is refused by the pushed hospital claim.
    before = sandbox.request_count("2207")
    with pytest.raises(ChargeAlreadySettled) as refused:
        w2.engine.settle_visit(visit, w2.cashier)
    assert refused.value.detail["window"] == "W01"
    assert "his_lock" not in refused.value.detail
    assert sandbox.request_count("2207") == before

    # The results reach the HIS: paid lines lose their lock, the paid state guards from now on.
    assert w1.engine.his_outbox is not None
    w1.engine.his_outbox.deliver_due()
    paid = [cid for cid in locked if his.status(cid) is ChargeStatus.PAID]
    assert paid
    assert not set(paid) & set(his.locks())


def test_without_the_his_lock_a_his_visit_is_refused_while_the_server_is_away(
    hospital: Hospital,
) -> None:
    his, sandbox, proxy = hospital.his, hospital.sandbox, hospital.proxy
    w1 = hospital.open("W01", lock=False)
    proxy.cut()
    before = sandbox.request_count("2207")
    with pytest.raises(InputError) as refused:
        settle(w1)
    assert refused.value.code == "hospital_unreachable"
    assert sandbox.request_count("2207") == before
    assert his.locks() == {}


def test_claims_under_the_his_lock_are_pushed_after_a_restart(hospital: Hospital) -> None:
    his, proxy = hospital.his, hospital.proxy
    w1 = hospital.open("W01")
    proxy.cut()
    bill = settle(w1)
    assert his.locks()
    w1.restart()  # before the server is back: the pending push is read back from the audit rows
    assert w1.engine.claims is not None
    assert set(w1.engine.claims.offline_claims()) == {bill.bill_id}

    proxy.restore()
    link = hospital_link(w1.engine)  # the window's sync loop: one round pushes them
    assert link is not None
    try:
        report = link.sync.drain()
    finally:
        link.close()
    assert not report.error, report
    assert w1.engine.claims.offline_claims() == {}
    with w1.engine.uow_factory() as uow:
        stored = uow.bills.get(bill.bill_id)
    assert stored is not None
    keys = [charge_key(stored.outpatient_no, line) for line in stored.lines]
    held = PgHospitalChargeClaims(hospital.db.engine).holders(keys)
    assert {row["bill_id"] for row in held} == {bill.bill_id}
    w1.restart()  # pushed: nothing waits any more
    assert w1.engine.claims is not None
    assert w1.engine.claims.offline_claims() == {}


def test_a_cancellation_gives_the_his_lock_back_and_the_visit_settles_again(
    hospital: Hospital,
) -> None:
    his, proxy = hospital.his, hospital.proxy
    w1, w2 = hospital.open("W01"), hospital.open("W02")
    assert w1.engine.his is not None
    visit = w1.engine.his.load(w1.engine.his.unpaid_for_person(QINGHAI_ID))
    proxy.cut()
    bill = w1.engine.settle_visit(visit, w1.cashier)
    assert {h.claim_id for h in his.locks().values()} == {bill.bill_id}

    proxy.restore()  # cancelling needs the hospital record (its cancel claim)
    assert w1.engine.hospital_cancel is not None
    for group in bill.groups:
        if group.settlement_id:
            w1.engine.hospital_cancel.cancel(group.settlement_id, w1.cashier, APPROVAL)
    assert his.locks() == {}, "the cancelled lines are unlocked in the HIS"

    proxy.cut()  # server away again: W02 settles the same visit under the HIS lock
    again = settle(w2)
    assert [g.settlement_id for g in again.groups if g.settlement_id]
    assert {h.window for h in his.locks().values()} == {"W02"}


def test_with_both_reachable_the_his_lock_still_stops_a_window_whose_claims_are_not_pushed(
    hospital: Hospital,
) -> None:
    his, proxy, sandbox = hospital.his, hospital.proxy, hospital.sandbox
    w1, w2 = hospital.open("W01"), hospital.open("W02")
    proxy.cut()
    bill = settle(w1)  # under the HIS lock; W01 stays cut off (nothing pushed)
    assert w1.engine.claims is not None
    assert set(w1.engine.claims.offline_claims()) == {bill.bill_id}
    with w1.engine.uow_factory() as uow:
        stored = uow.bills.get(bill.bill_id)
    assert stored is not None
    keys = [charge_key(stored.outpatient_no, line) for line in stored.lines]

    proxy.restore()  # W02 reaches the server: the hospital claim is granted, the HIS lock is not
    # (W01 is idle: its sync loop, not run here, would push its claims)
    before = sandbox.request_count("2207")
    with pytest.raises(ChargeAlreadySettled) as refused:
        settle(w2)
    assert refused.value.detail["his_lock"] == "held"
    assert refused.value.detail["window"] == "W01"
    assert sandbox.request_count("2207") == before
    assert PgHospitalChargeClaims(hospital.db.engine).holders(keys) == [], (
        "W02 gave its hospital claim back"
    )
    assert {h.window for h in his.locks().values()} == {"W01"}


def test_a_settlement_abandoned_after_the_re_check_gives_the_his_lock_back(
    hospital: Hospital,
) -> None:
    his, proxy, sandbox = hospital.his, hospital.proxy, hospital.sandbox
    w1 = hospital.open("W01")
    assert w1.engine.his is not None
    visit = w1.engine.his.load(w1.engine.his.unpaid_for_person(QINGHAI_ID))
    line = visit.lines[0]
    his.edit_line(line.line_no, quantity=line.quantity + 1)  # the doctor changes it meanwhile
    proxy.cut()
    before = sandbox.request_count("2207")
    with pytest.raises(AppError):
        w1.engine.settle_visit(visit, w1.cashier)  # the re-check before 2207 refuses it
    assert sandbox.request_count("2207") == before
    # the bill stays previewed (the cashier may fix it and retry): its claims and lock stay
    (bill_id,) = {h.claim_id for h in his.locks().values()}
    with w1.engine.uow_factory() as uow:
        groups = [g for g in uow.bills.groups(bill_id) if g.state is GroupState.PREVIEWED]
    assert groups
    for group in groups:
        w1.engine.settlement.abandon(bill_id, group.group_key, w1.cashier)
    assert his.locks() == {}, "the abandoned bill's lines are unlocked in the HIS"
