"""A chain of journaled calls: the next call's PREPARED row is committed with this call's outcome.

2201 → 2203 → 2204 always follow each other, so ``JournaledCaller.call(then=…)`` journals the next
intent in the transaction that records this call's ``OK`` (one fsynced commit fewer per step), and the
next call is sent from that row (``prepared=``). The write-ahead rule still holds: the next row is
committed before its call is sent. Crash points inside and after that transaction are killed in
``tests/campaign/test_campaign.py`` (``outcome:2201``, ``prepared:2203``, ``prepared:2204``).

The ``send`` functions here stand for the platform gateway (the journal's input), on a real store.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from helpers.store_fixtures import StoreTestClock
from sqlalchemy import event

from app.domain.journal import JournalState
from app.errors import PlatformCategory, PlatformFailure, PlatformRejected
from app.services.journaling import CallIntent, JournaledCaller
from app.services.msgid_blocks import MsgidBlocks
from app.store.db import Store

INSTITUTION = "H63010500001"
OWNER = "p1-chain000000"


def _intent(infno: str, visit_id: str = "") -> CallIntent:
    return CallIntent(
        infno=infno,
        bill_id="BILL1",
        group_key="M03900",
        person_no="P001",
        insured_admdvs="110105",
        operator_code="C001",
        visit_id=visit_id,
    )


@contextmanager
def counting_commits(store: Store) -> Iterator[list[int]]:
    """How many transactions commit on ``store`` inside the block."""
    commits = [0]

    def on_commit(_connection: object) -> None:
        commits[0] += 1

    event.listen(store.engine, "commit", on_commit)
    try:
        yield commits
    finally:
        event.remove(store.engine, "commit", on_commit)


@pytest.fixture
def caller(store: Store, store_clock: StoreTestClock) -> JournaledCaller:
    """A journaled caller on the test store."""
    return JournaledCaller(store.uow_factory(), store_clock, INSTITUTION, OWNER)


def test_the_next_intent_is_committed_with_the_outcome_and_sent_from_that_row(
    store: Store, caller: JournaledCaller
) -> None:
    with counting_commits(store) as commits:
        register = caller.call(
            _intent("2201"),
            lambda _msgid: "VISIT1",
            then=lambda visit_id: _intent("2203", visit_id),
        )
    assert register.ok
    assert commits == [2]  # PREPARED 2201; OK 2201 + PREPARED 2203
    ahead = register.next
    assert ahead is not None
    assert ahead.infno == "2203"
    assert ahead.visit_id == "VISIT1"
    assert ahead.msgid > register.msgid
    assert caller.in_flight(ahead.msgid)  # recovery in this process leaves it alone until sent
    with store.uow_factory()() as uow:
        stored = uow.journal.get(ahead.msgid)
        assert stored is not None
        assert stored.state is JournalState.PREPARED
        first = uow.journal.get(register.msgid)
        assert first is not None
        assert first.state is JournalState.OK

    sent: list[str] = []
    with counting_commits(store) as commits:
        upload = caller.call(_intent("2203", "VISIT1"), sent.append, prepared=ahead)
    assert upload.ok
    assert sent == [ahead.msgid]  # the row journaled ahead is the one sent, once
    assert commits == [1]  # the outcome only: its PREPARED row was already committed
    assert not caller.in_flight(ahead.msgid)
    with store.uow_factory()() as uow:
        done = uow.journal.get(ahead.msgid)
        assert done is not None
        assert done.state is JournalState.OK
        assert [to for _, _, to in uow.journal.history(ahead.msgid)] == [
            JournalState.PREPARED,
            JournalState.SENT,
            JournalState.OK,
        ]


def test_a_row_journaled_ahead_and_not_sent_is_closed_as_never_sent(
    store: Store, caller: JournaledCaller
) -> None:
    register = caller.call(
        _intent("2201"), lambda _msgid: "VISIT1", then=lambda v: _intent("2203", v)
    )
    ahead = register.next
    assert ahead is not None

    caller.abandon(ahead)

    assert not caller.in_flight(ahead.msgid)
    with store.uow_factory()() as uow:
        closed = uow.journal.get(ahead.msgid)
        assert closed is not None
        assert closed.state is JournalState.FAILED  # resolved: nothing holds the bill up
        assert closed.last_error
        assert [to for _, _, to in uow.journal.history(ahead.msgid)] == [
            JournalState.PREPARED,
            JournalState.FAILED,  # never SENT
        ]
        assert not [e for e in uow.journal.unresolved() if e.msgid == ahead.msgid]


def test_a_refused_call_journals_nothing_ahead(store: Store, caller: JournaledCaller) -> None:
    def refuse(_msgid: str) -> str:
        raise PlatformRejected(
            "refused", PlatformFailure("2201", platform_text="no"), PlatformCategory.REGISTRATION
        )

    outcome = caller.call(_intent("2201"), refuse, then=lambda v: _intent("2203", v))

    assert outcome.state is JournalState.FAILED
    assert outcome.next is None
    with store.uow_factory()() as uow:
        assert [e.infno for e in uow.journal.for_bill("BILL1")] == ["2201"]


def test_an_intent_that_cannot_be_built_never_costs_the_outcome(
    store: Store, caller: JournaledCaller
) -> None:
    def broken(_visit_id: str) -> CallIntent:
        raise RuntimeError("bug in building the next request")

    outcome = caller.call(_intent("2201"), lambda _msgid: "VISIT1", then=broken)

    assert outcome.ok
    assert outcome.next is None  # the next call is then journaled on its own
    with store.uow_factory()() as uow:
        row = uow.journal.get(outcome.msgid)
        assert row is not None
        assert row.state is JournalState.OK
        assert row.visit_id == "VISIT1"


def test_a_row_journaled_ahead_is_only_sent_for_its_own_intent(caller: JournaledCaller) -> None:
    register = caller.call(
        _intent("2201"), lambda _msgid: "VISIT1", then=lambda v: _intent("2203", v)
    )
    assert register.next is not None
    with pytest.raises(ValueError, match="2203"):
        caller.call(_intent("2204", "VISIT1"), lambda _msgid: None, prepared=register.next)
    assert caller.in_flight(register.next.msgid)  # still the caller's to send or abandon
    caller.abandon(register.next)


def test_a_prepared_row_tops_up_the_read_only_msgids_so_reads_need_no_commit_of_their_own(
    store: Store, store_clock: StoreTestClock
) -> None:
    reads = MsgidBlocks(store.uow_factory(), INSTITUTION, store_clock)
    caller = JournaledCaller(
        store.uow_factory(), store_clock, INSTITUTION, OWNER, read_msgids=reads
    )
    with counting_commits(store) as commits:
        entry = caller.prepare(_intent("2201"))
    assert commits == [1]  # the PREPARED row, with the block

    with counting_commits(store) as commits:
        taken = [reads() for _ in range(8)]
    assert commits == [0]
    assert len({*taken, entry.msgid}) == 9
    with store.uow_factory()() as uow:  # durable: the counter is past every msgid handed out
        assert uow.msgids.next_msgid(INSTITUTION, store_clock.now()) > max(taken)

    with counting_commits(store) as commits:
        reads()  # the block is used up and no journaled call came: one reservation of its own
    assert commits == [1]
