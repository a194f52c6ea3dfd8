"""Hospital key rotation (issue 13 item 3): the record re-encrypted under a new key, resumable.

Against the real PostgreSQL: after a rotation the old key reads nothing and the new key reads every
row; a rotation stopped half-way is run again and finishes, changing nothing twice; audit rows stay
append-only for anything but the owner's re-encryption."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from helpers.pg_fixtures import HospitalDb
from sqlalchemy import select, text

from app.errors import StoreError
from app.services.ports.hospital import ReplicaItem
from app.store.crypto import FieldCipher
from app.store.hospital import schema
from app.store.hospital.record import PgHospitalRecord, key_id
from app.store.hospital.rekey import KeyRotation

OLD = bytes(range(32))
NEW = bytes(range(100, 132))
AT = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def items(count: int) -> list[ReplicaItem]:
    out = []
    for n in range(count):
        kind = "audit" if n % 2 else "bill"
        record = {"n": n, "name": f"患者{n}", "id_no": f"11010119800101{n:04d}"}
        out.append(ReplicaItem(kind, f"k{n:03d}", 1, AT.isoformat(), record))
    return out


def key_ids(db: HospitalDb) -> dict[str, int]:
    with db.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT key_id, count(*) FROM hospital_records GROUP BY key_id")
        ).all()
    return {str(k): int(c) for k, c in rows}


def test_after_rotation_the_new_key_reads_every_row_and_the_old_key_none(
    hospital_db: HospitalDb,
) -> None:
    PgHospitalRecord(hospital_db.engine, OLD).apply("W01", items(7), AT)

    report = KeyRotation(hospital_db.engine, OLD, NEW, batch=3).run(AT)

    assert report.records == 7
    assert report.left_under_old == 0
    assert key_ids(hospital_db) == {key_id(NEW): 7}
    new_reader = PgHospitalRecord(hospital_db.engine, NEW)
    for n in range(7):
        kind = "audit" if n % 2 else "bill"
        payload = new_reader.record_payload("W01", kind, f"k{n:03d}")
        assert payload is not None
        assert payload["name"] == f"患者{n}"
    with pytest.raises(StoreError) as refused:
        PgHospitalRecord(hospital_db.engine, OLD).record_payload("W01", "bill", "k000")
    assert refused.value.code == "hospital_key_mismatch"
    old_cipher = FieldCipher.from_data_key(OLD)
    with hospital_db.engine.connect() as connection:
        blobs = connection.execute(select(schema.records.c.kind, schema.records.c.payload)).all()
    for kind, blob in blobs:
        with pytest.raises(StoreError):
            old_cipher.decrypt(bytes(blob), f"hospital_records.{kind}")


def test_an_interrupted_rotation_resumes_and_a_second_run_changes_nothing(
    hospital_db: HospitalDb,
) -> None:
    PgHospitalRecord(hospital_db.engine, OLD).apply("W01", items(10), AT)

    class Stop(Exception):
        pass

    def stop_after_first_batch(records: int, operators: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        KeyRotation(hospital_db.engine, OLD, NEW, batch=4).run(AT, stop_after_first_batch)
    assert key_ids(hospital_db) == {key_id(OLD): 6, key_id(NEW): 4}, "one batch committed"

    resumed = KeyRotation(hospital_db.engine, OLD, NEW, batch=4).run(AT)
    assert resumed.records == 6
    assert key_ids(hospital_db) == {key_id(NEW): 10}
    again = KeyRotation(hospital_db.engine, OLD, NEW, batch=4).run(AT)
    assert (again.records, again.operators, again.left_under_old) == (0, 0, 0)
    reader = PgHospitalRecord(hospital_db.engine, NEW)
    assert reader.record_payload("W01", "audit", "k009") == items(10)[9].record


def test_audit_rows_stay_append_only_outside_a_rotation(hospital_db: HospitalDb) -> None:
    PgHospitalRecord(hospital_db.engine, OLD).apply("W01", items(2), AT)
    outside = "UPDATE hospital_records SET key_id = 'x' WHERE kind = 'audit'"
    # even inside a "rotation", only payload and key_id may change
    inside = (
        "SELECT set_config('settlement_window.rekey', 'on', true);"
        "UPDATE hospital_records SET version = 9, key_id = 'x' WHERE kind = 'audit'"
    )
    for statement in (outside, inside):
        connection = hospital_db.engine.raw_connection()
        try:
            with pytest.raises(Exception, match="cannot be changed"):
                connection.cursor().execute(statement)
        finally:
            connection.rollback()
            connection.close()


def test_the_wrong_old_key_is_refused_without_changing_anything(hospital_db: HospitalDb) -> None:
    PgHospitalRecord(hospital_db.engine, OLD).apply("W01", items(3), AT)
    other = bytes(range(200, 232))
    report = KeyRotation(hospital_db.engine, other, NEW).run(AT)
    assert report.records == 0
    assert report.other_keys == 3
    assert key_ids(hospital_db) == {key_id(OLD): 3}
