"""msgid uniqueness across restarts and a clock set back (reliability.md R7).

CI issues 100,000 ids; ``STORE_MSGID_COUNT=1000000`` runs the nightly figure.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from helpers.store_fixtures import StoreTestClock, open_test_store
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, rule

from app.store.crypto import FileKeyProvider

from .builders import INSTITUTION

MSGID_SHAPE = re.compile(
    r"^H63010500001(20\d{2})(0[1-9]|1[0-2])([0-3]\d)([0-2]\d)([0-5]\d){2}\d{4}$"
)
TOTAL = int(os.environ.get("STORE_MSGID_COUNT", "100000"))
RESTARTS = 4


def _issue(path: Path, keys: FileKeyProvider, clock: StoreTestClock, count: int) -> list[str]:
    store = open_test_store(path, keys, clock)
    try:
        issued = []
        with store.uow_factory()() as uow:
            for index in range(count):
                if index % 7 == 0:
                    clock.advance(0.5)
                issued.append(uow.msgids.next_msgid(INSTITUTION, clock.now()))
            uow.commit()
        return issued
    finally:
        store.close()


def test_msgids_never_repeat_across_restarts_and_a_clock_set_back(
    store_path: Path, key_provider: FileKeyProvider, store_clock: StoreTestClock
) -> None:
    per_run = TOTAL // RESTARTS
    issued: list[str] = []
    for run in range(RESTARTS):
        if run == 2:
            store_clock.set_wall(store_clock.now() - timedelta(hours=1))
        issued += _issue(store_path, key_provider, store_clock, per_run)
    logging.getLogger(__name__).info(
        f"R7: {len(issued)} msgids over {RESTARTS} restarts, clock set back 1 h once"
    )
    assert len(issued) == per_run * RESTARTS
    assert len(set(issued)) == len(issued), "duplicate msgid"
    assert all(len(msgid) == 30 for msgid in issued)
    assert all(MSGID_SHAPE.match(msgid) for msgid in issued)
    assert issued == sorted(issued), "msgids must grow monotonically"


def test_the_sequence_rolls_the_second_forward_after_9999(
    store_path: Path, key_provider: FileKeyProvider, store_clock: StoreTestClock
) -> None:
    store = open_test_store(store_path, key_provider, store_clock)
    try:
        with store.uow_factory()() as uow:
            ids = [uow.msgids.next_msgid(INSTITUTION, store_clock.now()) for _ in range(10001)]
    finally:
        store.close()
    # 2026-11-23 02:00:00 UTC is 10:00:00 in Beijing, the platform's local time.
    assert ids[0] == f"{INSTITUTION}202611231000000001"
    assert ids[9998] == f"{INSTITUTION}202611231000009999"
    assert ids[9999] == f"{INSTITUTION}202611231000010001"
    assert ids[10000] == f"{INSTITUTION}202611231000010002"


def test_a_rolled_back_unit_of_work_does_not_advance_the_counter(
    store_path: Path, key_provider: FileKeyProvider, store_clock: StoreTestClock
) -> None:
    store = open_test_store(store_path, key_provider, store_clock)
    try:
        factory = store.uow_factory()
        with factory() as uow:
            first = uow.msgids.next_msgid(INSTITUTION, store_clock.now())
            uow.commit()
        with factory() as uow:
            unused = uow.msgids.next_msgid(INSTITUTION, store_clock.now())
        with factory() as uow:
            again = uow.msgids.next_msgid(INSTITUTION, store_clock.now())
            uow.commit()
    finally:
        store.close()
    assert first.endswith("0001")
    # Nothing was sent with the rolled-back id (its journal row rolled back with it), so reissuing it
    # is safe — and the committed ids stay unique.
    assert unused == again
    assert again.endswith("0002")


class MsgIdMachine(RuleBasedStateMachine):
    """Random clock jumps (forward and back), bursts and restarts: ids only ever grow."""

    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="msgid-"))
        self.keys = FileKeyProvider(self.directory / "store.key")
        self.clock = StoreTestClock()
        self.store = open_test_store(self.directory / "store.sqlite3", self.keys, self.clock)
        self.last = ""

    @rule(seconds=st.integers(min_value=-7 * 86400, max_value=7 * 86400))
    def move_clock(self, seconds: int) -> None:
        self.clock.set_wall(self.clock.now() + timedelta(seconds=seconds))

    @rule(count=st.integers(min_value=1, max_value=300), commit=st.booleans())
    def issue(self, count: int, commit: bool) -> None:
        with self.store.uow_factory()() as uow:
            issued = [uow.msgids.next_msgid(INSTITUTION, self.clock.now()) for _ in range(count)]
            if commit:
                uow.commit()
        assert all(MSGID_SHAPE.match(msgid) for msgid in issued)
        assert issued == sorted(set(issued))
        assert issued[0] > self.last
        if commit:  # rolled-back ids were never used, so only committed ones count
            self.last = issued[-1]

    @rule()
    def restart(self) -> None:
        self.store.close()
        self.store = open_test_store(self.directory / "store.sqlite3", self.keys, self.clock)

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.directory, ignore_errors=True)


TestMsgIdMachine = MsgIdMachine.TestCase
TestMsgIdMachine.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)
