"""Canary personal data never reaches the database files in plaintext (reliability.md S1)."""

from __future__ import annotations

import base64
from dataclasses import replace
from pathlib import Path

from app.domain.journal import JournalState
from app.domain.operator import Role
from app.domain.plan import GroupKind
from app.domain.visit import GroupSettlement, GroupState
from app.store import Store

from .builders import INSTITUTION, T0, bill, entry, person, settlement

CANARY_NAME = "金丝雀测试员"
CANARY_ID = "110101199003070736"
CANARY_CARD = "K98765432"
CANARY_TOKEN = "ecTokenCANARY0123456789abcdef"
CANARY_DIAGNOSIS = "罕见金丝雀综合征"
# Authenticator secrets (base32 as stored, and the pending one of a re-enrolment).
CANARY_TOTP = "CANARYTOTPSECRETQQQQQQQQQQQQQQQQ"
CANARY_TOTP_PENDING = "PENDINGCANARYTOTPQQQQQQQQQQQQQQQ"
CANARIES = (
    CANARY_NAME,
    CANARY_ID,
    CANARY_CARD,
    CANARY_TOKEN,
    CANARY_DIAGNOSIS,
    CANARY_TOTP,
    CANARY_TOTP_PENDING,
)


def _files(path: Path) -> list[Path]:
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def _leaks(path: Path) -> list[str]:
    found = []
    for file in _files(path):
        data = file.read_bytes()
        for canary in CANARIES:
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                if canary.encode(encoding) in data:
                    found.append(f"{canary!r} ({encoding}) in {file.name}")
    return found


def _write_everything(store: Store) -> None:
    canary_person = person(name=CANARY_NAME, id_number=CANARY_ID, diagnosis=CANARY_DIAGNOSIS)
    canary_bill = replace(
        bill(name=CANARY_NAME, id_number=CANARY_ID),
        credential=replace(
            bill().credential, number=CANARY_CARD, id_number=CANARY_ID, name=CANARY_NAME
        ),
    )
    with store.uow_factory()() as uow:
        uow.persons.put(canary_person, T0, [CANARY_ID, CANARY_CARD, CANARY_TOKEN])
        uow.bills.save(canary_bill)
        uow.bills.save_group(
            GroupSettlement(
                bill_id="B1",
                group_key="M03900",
                state=GroupState.FAILED,
                kind=GroupKind.CHRONIC,
                disease_code="M03900",
                line_nos=("1", "2"),
                failure_text=f"参保人{CANARY_NAME}的{CANARY_DIAGNOSIS}资格已过期",
            )
        )
        msgid = f"{INSTITUTION}202611231000000001"
        uow.journal.add(entry(msgid))
        uow.journal.move(msgid, JournalState.SENT, T0)
        uow.journal.move(msgid, JournalState.FAILED, T0, error=f"平台：{CANARY_NAME} 未备案")
        uow.settlements.add(settlement())
        uow.audit.append(T0, "C001", "eligibility", "ok", f"查询 {CANARY_NAME}")
        uow.operators.add("S001", "主管乙", Role.SUPERVISOR, "Super-2026x")
        uow.operators.set_second_factor_pending("S001", CANARY_TOTP)
        uow.operators.activate_second_factor("S001", 1, T0)
        uow.operators.set_second_factor_pending("S001", CANARY_TOTP_PENDING)
        uow.commit()


def test_canary_personal_data_is_not_in_the_files(store: Store, store_path: Path) -> None:
    _write_everything(store)
    assert _files(store_path), "the database files must exist"
    assert _leaks(store_path) == []  # still in the WAL
    store.checkpoint()
    assert _leaks(store_path) == []  # now in the main file
    with store.uow_factory()() as uow:
        cached = uow.persons.find(CANARY_TOKEN)
        assert cached is not None
        assert cached.person.name == CANARY_NAME
        assert cached.person.qualifications[0].name == CANARY_DIAGNOSIS
        stored_bill = uow.bills.get("B1")
        assert stored_bill is not None
        assert stored_bill.credential.id_number == CANARY_ID
        second_factor = uow.operators.second_factor("S001")
        assert (second_factor.secret, second_factor.pending) == (CANARY_TOTP, CANARY_TOTP_PENDING)
    raw_key = base64.b32decode(CANARY_TOTP)
    assert all(raw_key not in file.read_bytes() for file in _files(store_path))


def test_the_leak_detector_finds_plaintext(store: Store, store_path: Path) -> None:
    # Guards the test above against passing because it looks in the wrong place.
    with store.driver_connection() as raw:
        raw.execute("INSERT INTO store_meta (key, value) VALUES ('probe', ?)", (CANARY_NAME,))
    store.checkpoint()
    assert any(CANARY_NAME in leak for leak in _leaks(store_path))
