"""A group's 2204 split is encoded once while the group moves from upload to settlement, and the
stored text is the same as when it was encoded at every save (the hospital outbox sends it)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from app.domain.plan import GroupKind
from app.domain.settlement import LineSplit
from app.domain.visit import GroupSettlement, GroupState
from app.store import SqlUnitOfWorkFactory, Store, codec
from app.store.repositories import bills as bill_rows

from .builders import bill, settlement, totals


def _splits(count: int) -> tuple[LineSplit, ...]:
    return tuple(
        LineSplit(
            f"L{n}",
            Decimal("12.30") + n,
            Decimal("0.00"),
            Decimal("1.05"),
            Decimal("0.01"),
            Decimal("11.24") + n,
            Decimal("0.1"),
            "甲",
            restricted=n % 2 == 0,
            note='说明 "引号" \\ 与\t控制符',
        )
        for n in range(count)
    )


@pytest.mark.parametrize("count", [0, 1, 3])
def test_a_record_with_its_split_text_given_is_the_same_text(count: int) -> None:
    record = replace(settlement().record, splits=_splits(count))
    given = codec.record_to_json(record, codec.splits_to_json(record.splits))
    assert given == codec.record_to_json(record)
    assert codec.record_from_json(given) == record


def test_a_split_is_encoded_once_per_tuple() -> None:
    texts = bill_rows.SplitTexts(size=2)
    splits = _splits(3)
    first = texts.text(splits)
    assert first == codec.splits_to_json(splits)
    assert texts.text(splits) is first  # reused, not encoded again
    equal_but_another = _splits(3)
    assert texts.text(equal_but_another) == first
    assert texts.text(equal_but_another) is not first
    texts.text(_splits(1))  # the first tuple is the least recently used: it goes
    assert texts.text(splits) == first
    assert texts.text(splits) is not first


def test_the_stored_split_and_record_are_the_bytes_encoded_at_each_save(
    store: Store, uow_factory: SqlUnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    encoded: list[int] = []
    real = codec.splits_to_json

    def counting(splits: tuple[LineSplit, ...]) -> str:
        encoded.append(len(splits))
        return real(splits)

    monkeypatch.setattr(bill_rows, "splits_to_json", counting)
    splits = _splits(100)
    uploaded = GroupSettlement(
        "B1", "M03900", GroupState.FEES_UPLOADED, GroupKind.CHRONIC, "M03900", ("1",),
        visit_id="V1", batch_no="BN1", splits=splits,
    )  # fmt: skip
    previewed = replace(uploaded, state=GroupState.PREVIEWED, preview=totals())
    record = replace(settlement().record, splits=splits)
    settled = replace(previewed, state=GroupState.SETTLED, record=record, splits=())
    stored: list[tuple[object, ...]] = []
    with uow_factory() as uow:
        uow.bills.save(bill())
        for group in (uploaded, previewed, settled):
            uow.bills.save_group(group)
            stored.append(
                tuple(
                    uow._core.connection()
                    .exec_driver_sql("SELECT splits_json, record_json FROM bill_groups")
                    .one()
                )
            )
        uow.commit()
    assert encoded == [100]  # once, for three saves and the settled record
    assert stored[0][0] == stored[1][0] == codec.splits_to_json(splits)
    assert stored[2][0] is None
    record_text = store.cipher.decrypt(stored[2][1], "bill_groups.record_json")
    assert record_text == codec.record_to_json(record)
    with uow_factory() as uow:
        assert uow.bills.groups("B1") == [settled]
