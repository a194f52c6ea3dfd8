"""The hospital-wide charge claim as one server-side call (revision h0007, issue 13): all or nothing,
the holders said with their live settlements, a stale holder taken over, a parent bill's claims taken
over by its child, in one statement of its own transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from helpers.pg_fixtures import HospitalDb
from sqlalchemy import event, insert

from app.domain.his_codec import line_from_dict
from app.services.ports.his import LoadedCharge
from app.store.hospital import schema
from app.store.hospital.charge_claims import PgHospitalChargeClaims

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
LONG_AGO = NOW - timedelta(hours=1)


def _settled(db: HospitalDb, settlement_id: str, bill_id: str, window: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(
            insert(schema.settlements).values(
                settlement_id=settlement_id,
                window=window,
                bill_id=bill_id,
                msgid=f"M{settlement_id}",
                operator_code="C001",
                settled_at=NOW,
                med_type="11",
                insurance_type="310",
                clearing_type="11",
                clearing_way="01",
                clearing_agency="410100",
                total=Decimal("10.00"),
                fund=Decimal("6.00"),
                account=Decimal("0.00"),
                cash=Decimal("4.00"),
                hospital=Decimal("0.00"),
                is_cancellation=False,
                original_settlement_id="",
                cancelled_by="",
            )
        )


def test_a_claim_blocked_on_one_key_takes_none_and_names_the_holder(
    hospital_db: HospitalDb,
) -> None:
    claims = PgHospitalChargeClaims(hospital_db.engine)
    assert claims.claim("W01", "B1", {"K1": "1"}, NOW, stale_before=LONG_AGO) == []
    _settled(hospital_db, "S0001", "B1", "W01")

    holders = claims.claim(
        "W02", "B2", {"K1": "1", "K2": "2", "K3": "3"}, NOW, stale_before=LONG_AGO
    )

    assert [(h.window, h.bill_id, h.settlement_ids, h.claimed_at) for h in holders] == [
        ("W01", "B1", ("S0001",), NOW)
    ]
    held = claims.holders(["K1", "K2", "K3"])
    assert [(row["charge_key"], row["bill_id"]) for row in held] == [("K1", "B1")], (
        "the keys not held elsewhere were not kept for the refused bill"
    )
    # The same bill (or window) asking again is not blocked by itself; the keys then are all its.
    assert claims.claim("W01", "B1", {"K1": "1", "K2": "2"}, NOW, stale_before=LONG_AGO) == []
    assert {r["charge_key"]: r["bill_id"] for r in claims.holders(["K1", "K2"])} == {
        "K1": "B1",
        "K2": "B1",
    }


def test_a_child_bill_takes_over_its_parent_and_a_released_key_is_free(
    hospital_db: HospitalDb,
) -> None:
    claims = PgHospitalChargeClaims(hospital_db.engine)
    assert claims.claim("W01", "PARENT", {"K1": "1", "K2": "2"}, NOW, stale_before=LONG_AGO) == []
    claims.release("PARENT", ["K2"], NOW)
    line = line_from_dict(
        {"charge_id": "C2", "bill_no": "HB1", "item_code": "I2", "name": "item", "unit_price": "1.00",
         "quantity": "1", "amount": "1.00"}
    )  # fmt: skip
    his = {"2": LoadedCharge(line, "V9")}

    later = NOW + timedelta(minutes=1)
    assert (
        claims.claim(
            "W02",
            "CHILD",
            {"K1": "1", "K2": "2"},
            later,
            take_over_from={"PARENT"},
            stale_before=LONG_AGO,
            his=his,
        )
        == []
    )

    held = {r["charge_key"]: r for r in claims.holders(["K1", "K2"])}
    assert {k: (r["window"], r["bill_id"], r["claimed_at"]) for k, r in held.items()} == {
        "K1": ("W02", "CHILD", later),
        "K2": ("W02", "CHILD", later),
    }
    assert [(c.visit_no, c.line) for c in claims.his_charges("CHILD")] == [("V9", line)]


def test_a_holder_left_behind_blocks_until_its_window_caught_up(hospital_db: HospitalDb) -> None:
    claims = PgHospitalChargeClaims(hospital_db.engine)
    assert claims.claim("W01", "DEAD", {"K1": "1"}, LONG_AGO, stale_before=LONG_AGO) == []

    (holder,) = claims.claim("W02", "B2", {"K1": "1"}, NOW, stale_before=NOW)
    assert (holder.window, holder.bill_id, holder.settlement_ids) == ("W01", "DEAD", ())

    with hospital_db.engine.begin() as connection:
        connection.execute(
            insert(schema.windows).values(
                device_no="W01",
                first_seen_at=LONG_AGO,
                last_sync_at=NOW - timedelta(minutes=1),
                last_report_at=NOW - timedelta(minutes=1),
                pending=0,
                lag_seconds=0.0,
            )
        )
    assert claims.claim("W02", "B2", {"K1": "1"}, NOW, stale_before=NOW) == []
    assert [r["bill_id"] for r in claims.holders(["K1"])] == ["B2"]


def test_a_claim_is_one_statement_without_begin_or_commit(hospital_db: HospitalDb) -> None:
    claims = PgHospitalChargeClaims(hospital_db.engine)
    claims.claim("W01", "B0", {"K0": "0"}, NOW, stale_before=LONG_AGO)  # the pool connected
    sent: list[tuple[str, bool]] = []

    def seen(_conn: object, cursor: Any, statement: str, *_: object) -> None:
        # In autocommit the driver sends no BEGIN before the statement and no COMMIT after it.
        sent.append((statement, cursor.connection.autocommit))

    event.listen(hospital_db.engine, "before_cursor_execute", seen)
    try:
        claims.claim("W01", "B1", {"K1": "1", "K2": "2"}, NOW, stale_before=LONG_AGO)
        with hospital_db.engine.begin() as connection:  # the pool's connection is as it was
            connection.exec_driver_sql("SELECT 1")
    finally:
        event.remove(hospital_db.engine, "before_cursor_execute", seen)

    (claim, autocommit), (_, afterwards) = sent
    assert "hospital_claim_charges(" in claim
    assert autocommit is True
    assert afterwards is False
