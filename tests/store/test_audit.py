"""The audit chain detects edited, deleted and reordered rows, even with the triggers dropped (S5)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest

from app.store import Store

from .builders import T0

EVENTS = ("login", "eligibility", "settle", "receipt", "cancel", "reprint", "day_close", "logout")


def _fill(store: Store) -> None:
    with store.uow_factory()() as uow:
        for index, name in enumerate(EVENTS):
            uow.audit.append(
                T0 + timedelta(minutes=index), "C001", name, "ok", f"detail {index}",
                bill_id=f"B{index}", msgid=f"M{index}",
            )  # fmt: skip
        uow.commit()


def _problems(store: Store) -> list[str]:
    with store.uow_factory()() as uow:
        return uow.audit.verify()


def _tamper(path: Path, *statements: str) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as raw:
        raw.execute("DROP TRIGGER audit_log_no_update")
        raw.execute("DROP TRIGGER audit_log_no_delete")
        for statement in statements:
            raw.execute(statement)


def test_an_intact_chain_verifies_and_reads_back(store: Store) -> None:
    _fill(store)
    assert _problems(store) == []
    with store.uow_factory()() as uow:
        rows = uow.audit.between(T0 + timedelta(minutes=1), T0 + timedelta(minutes=3))
    assert [(r.seq, r.event, r.detail, r.bill_id) for r in rows] == [
        (2, "eligibility", "detail 1", "B1"),
        (3, "settle", "detail 2", "B2"),
    ]


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_log SET outcome = 'x'", "DELETE FROM audit_log"]
)
def test_the_log_is_append_only(store: Store, store_path: Path, statement: str) -> None:
    _fill(store)
    with (
        closing(sqlite3.connect(store_path)) as raw,
        pytest.raises(sqlite3.DatabaseError, match="append-only"),
    ):
        raw.execute(statement)


TAMPERING: dict[str, tuple[str, ...]] = {
    "edit outcome": ("UPDATE audit_log SET outcome = 'failed' WHERE seq = 3",),
    "edit operator": ("UPDATE audit_log SET operator_code = 'C999' WHERE seq = 1",),
    "edit time": ("UPDATE audit_log SET at = '2026-11-22T00:00:00.000000Z' WHERE seq = 5",),
    "edit encrypted detail": (
        "UPDATE audit_log SET detail = (SELECT detail FROM audit_log WHERE seq = 2) WHERE seq = 4",
    ),
    "delete middle": ("DELETE FROM audit_log WHERE seq = 4",),
    "delete first": ("DELETE FROM audit_log WHERE seq = 1",),
    "delete last": ("DELETE FROM audit_log WHERE seq = 8",),
    "reorder": (
        "UPDATE audit_log SET seq = 100 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = 4",
        "UPDATE audit_log SET seq = 4 WHERE seq = 100",
    ),
    "forged row appended": (
        "INSERT INTO audit_log (seq, at, operator_code, event, outcome, detail, bill_id, msgid,"
        " prev_hash, row_hash) SELECT 9, at, operator_code, event, outcome, detail, bill_id, msgid,"
        " row_hash, row_hash FROM audit_log WHERE seq = 8",
    ),
}


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_tampering_is_detected(store: Store, store_path: Path, kind: str) -> None:
    _fill(store)
    store.close()
    _tamper(store_path, *TAMPERING[kind])
    problems = _problems(store)
    assert problems, f"{kind} went unnoticed"
    assert all("审计记录" in problem for problem in problems)


def test_appending_after_verification_continues_the_chain(
    store: Store, reopen_store: Callable[[], Store]
) -> None:
    _fill(store)
    store.close()
    reopened = reopen_store()
    with reopened.uow_factory()() as uow:
        uow.audit.append(T0 + timedelta(hours=1), "C002", "login", "ok")
        uow.commit()
    assert _problems(reopened) == []
